# %% [markdown]
# # 7. Representation learning: rings, polar coordinates, and a hidden layer
#
# The notes ask: *find the simplest classifier* for two concentric rings. In the original coordinates
# $(x_1, x_2)$ no line separates them. Change the **representation** to polar coordinates,
#
# $$r = \sqrt{x_1^2 + x_2^2}, \qquad \tan\phi = x_2 / x_1,$$
#
# and one threshold on $r$ does. That transformation was chosen by hand; a hidden layer can **learn**
# one instead.

# %%
import matplotlib.pyplot as plt
import numpy as np

import chainrule as cr
from chainrule import nn

cr.manual_seed(0)
X, y = cr.data.rings(n_samples=400, n_rings=2, noise=0.1, seed=0)
RINGS = ["inner ring (0)", "outer ring (1)"]
print(X.shape, np.bincount(y))
cr.viz.plot_data(X, y, title="Two rings in $(x_1, x_2)$", class_names=RINGS)

# %% [markdown]
# ## A linear classifier on the raw coordinates
#
# Logistic regression (one `Linear` neuron and a sigmoid) can only draw a line. Trained properly, it
# does no better than guessing:

# %%
def logistic_regression() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())


def train(model: nn.Module, features: np.ndarray, epochs: int = 100) -> float:
    history = cr.fit(model, features, y, loss="bce", optimizer="adam", lr=0.05, epochs=epochs,
                     batch_size=32, metrics=["accuracy"], verbose=False)
    return history.history["accuracy"][-1]


cr.manual_seed(0)
raw_model = logistic_regression()
print(f"accuracy on (x1, x2): {train(raw_model, X):.3f}")
cr.viz.plot_decision_boundary(raw_model, X, y, title="logistic regression on $(x_1, x_2)$", class_names=RINGS)

# %% [markdown]
# ## The same classifier on polar coordinates
#
# `cr.data.polar` maps each point to $(r, \phi)$. The rings become two vertical bands: class is decided
# by $r$ alone.

# %%
P = cr.data.polar(X)
cr.manual_seed(0)
polar_model = logistic_regression()
print(f"accuracy on (r, phi): {train(polar_model, P):.3f}")
cr.viz.plot_decision_boundary(polar_model, P, y, title="logistic regression on $(r, \\phi)$",
                              feature_names=("$r$", "$\\phi$"), class_names=RINGS)

# %% [markdown]
# Back in the original plane, the learned line $r = r_0$ is a circle. (The model below feeds each
# point through `polar` first, then through the trained neuron.)

# %%
class PolarThenNeuron:
    """The hand-made representation followed by the trained classifier."""

    def predict_proba(self, points: np.ndarray) -> np.ndarray:
        with cr.no_grad():
            p1 = polar_model(cr.tensor(cr.data.polar(points), dtype=cr.float32)).numpy()[:, 0]
        return np.column_stack([1 - p1, p1])


cr.viz.plot_decision_boundary(PolarThenNeuron(), X, y, title="the same classifier, drawn in $(x_1, x_2)$",
                              class_names=RINGS)

# %% [markdown]
# ## Learning the representation: one hidden layer
#
# Instead of choosing polar coordinates ourselves, give the network a hidden layer of 3 tanh neurons
# and train it on the raw $(x_1, x_2)$. Each hidden neuron learns a line; three lines can enclose the
# inner ring (two cannot enclose anything).

# %%
cr.manual_seed(0)
mlp = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid())
print(f"accuracy of the 2-3-1 network on (x1, x2): {train(mlp, X, epochs=200):.3f}")
cr.viz.plot_decision_boundary(mlp, X, y, title="2-3-1 network on $(x_1, x_2)$", class_names=RINGS)

# %% [markdown]
# ## What the hidden layer learned
#
# Left: the three hidden neurons' lines $w_{j1}x_1 + w_{j2}x_2 + b_j = 0$ over the data: together they
# fence in the inner ring. Right: the data in the **learned representation** $(h_1, h_2, h_3)$, the
# hidden activations. There, the output neuron separates the rings with one plane, just as $r$ did in
# the hand-made representation.

# %%
with cr.no_grad():
    hidden = mlp[:2](cr.tensor(X)).numpy()
weight, bias = mlp[0].weight.data, mlp[0].bias.data

fig = plt.figure(figsize=(12, 5), layout="constrained")
left = fig.add_subplot(1, 2, 1)
cr.viz.plot_data(X, y, ax=left, title="hidden neurons as lines in $(x_1, x_2)$", class_names=RINGS)
x1 = np.linspace(-3, 3, 2)
for j in range(3):
    left.plot(x1, -(weight[j, 0] * x1 + bias[j]) / weight[j, 1], "--", linewidth=2.5, label=f"$h_{j + 1}$")
left.set(xlim=(-2.6, 2.6), ylim=(-2.6, 2.6), aspect="equal")
left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=5, frameon=False)

right = fig.add_subplot(1, 2, 2, projection="3d")
for label, colour, name in [(0, "#d62728", "inner ring"), (1, "#1f77b4", "outer ring")]:
    points = hidden[y == label]
    right.scatter(points[:, 0], points[:, 1], points[:, 2], s=10, c=colour, label=name)
right.set(xlabel="$h_1$", ylabel="$h_2$", zlabel="$h_3$", title="the learned representation",
          xticks=[-1, 0, 1], yticks=[-1, 0, 1], zticks=[-1, 0, 1])
right.legend()
plt.show()

# %% [markdown]
# The hand-made feature ($r$) and the learned features ($h_1, h_2, h_3$) do the same job: they turn a
# problem no line can solve into one a single neuron can. Deep learning stacks such layers, each
# learning a representation from the one below.
