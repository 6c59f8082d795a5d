# %% [markdown]
# # 3. XOR with a hidden layer: by hand, then learned
#
# One neuron draws one line, and no line separates XOR. Two lines do:
#
# $$\mathrm{XOR}(x_1, x_2) = (x_1 \lor x_2) \land \lnot (x_1 \land x_2).$$
#
# A **hidden layer** computes the two lines (OR and AND), and an output neuron combines them. We build
# the notes' two hand-set versions, then let gradient descent find weights of its own.

# %%
import matplotlib.pyplot as plt
import numpy as np

import chainrule as cr
from chainrule import nn

cr.manual_seed(0);
X, y = cr.data.xor()
print(X, y)

# %% [markdown]
# ## By hand, with threshold units (notes 002)
#
# * $h_1 = [x_1 + x_2 - 0.5 > 0]$ is $x_1$ OR $x_2$,
# * $h_2 = [x_1 + x_2 - 1.5 > 0]$ is $x_1$ AND $x_2$,
# * $y = [h_1 - h_2 - 0.5 > 0]$ is $h_1$ AND NOT $h_2$.

# %%
threshold_xor = cr.explain.notes_threshold_xor()
print(threshold_xor)
table = cr.explain.truth_table(threshold_xor)
print(table)
assert table.decisions.tolist() == [0, 1, 1, 0]

# %% [markdown]
# What does the hidden layer do to the four corners? It maps them to $(h_1, h_2)$: $(0,0) \to (0,0)$,
# both $(0,1)$ and $(1,0) \to (1,0)$, and $(1,1) \to (1,1)$. In this new representation the classes
# *are* separated by one line, $h_1 - h_2 = 0.5$: the output neuron's line.

# %%
hidden = threshold_xor[:2](cr.tensor(X)).detach().numpy()
print("hidden representation (h1, h2) of each corner:\n", hidden)

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
cr.viz.plot_data(X, y, ax=left, title="input space: not separable")
cr.viz.plot_data(hidden, y, ax=right, title="hidden space: one line separates",
                 feature_names=("$h_1$ (OR)", "$h_2$ (AND)"))
h1 = np.linspace(-0.2, 1.2, 2)
right.plot(h1, h1 - 0.5, "k-", label="$h_1 - h_2 = 0.5$")
right.set(xlim=(-0.2, 1.2), ylim=(-0.2, 1.2))
plt.show()

# %% [markdown]
# ## By hand, with sigmoid neurons (notes 000)
#
# The notes' multi-layer perceptron uses the smooth logistic sigmoid and large weights:
#
# $$y_1 = \mathrm{logsig}(-20 x_1 + 30 x_2 - 20), \quad y_2 = \mathrm{logsig}(30 x_1 - 20 x_2 - 20),
#   \quad y = \mathrm{logsig}(30 y_1 + 30 y_2 - 20).$$
#
# $y_1$ is "$x_2$ and not $x_1$", $y_2$ is "$x_1$ and not $x_2$", and $y$ is their OR.

# %%
sigmoid_xor = cr.explain.notes_xor()
table = cr.explain.truth_table(sigmoid_xor)
print(table)
assert table.decisions.tolist() == [0, 1, 1, 0]
cr.viz.plot_network(sigmoid_xor, title="The notes' XOR network")

# %% [markdown]
# Two hidden lines cut the plane into three strips; the middle one is class 0.

# %%
cr.viz.plot_decision_boundary(sigmoid_xor, X, y, title="The notes' XOR network")

# %% [markdown]
# ## Learned: gradient descent finds its own weights
#
# Now start from random weights and train a 2-3-1 network (tanh hidden units, a sigmoid output) with
# binary cross-entropy and full-batch gradient descent: `batch_size=None` uses all four samples in
# every step. This is the notes' "Demo: learning XOR".

# %%
cr.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid())
history = cr.fit(model, X, y, loss="bce", optimizer="sgd", lr=1.0, epochs=1000, batch_size=None,
                 metrics=["accuracy"], verbose=False)
print(history)
table = cr.explain.truth_table(model)
print(table)
assert table.decisions.tolist() == [0, 1, 1, 0]

# %%
cr.viz.plot_history(history, log_loss=True)

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
cr.viz.plot_decision_boundary(model, X, y, ax=left, title="learned XOR")
cr.viz.plot_network(model, ax=right, title="learned weights")
plt.show()

# %% [markdown]
# ## What did the hidden layer learn?
#
# Each hidden neuron $j$ is a line $w_{j1} x_1 + w_{j2} x_2 + b_j = 0$ and tells on which side of it a
# point lies. Each line splits the four corners in its own way; the output neuron weighs these votes
# (the weights drawn above) into XOR. Gradient descent rarely picks the OR and AND lines a person would,
# but the combination computes the same function.

# %%
first = model[0]
weight, bias = first.weight.data, first.bias.data
fig, ax = plt.subplots(figsize=(5.6, 5), layout="constrained")
cr.viz.plot_data(X, y, ax=ax, title="the hidden neurons' lines")
x1 = np.linspace(-0.5, 1.5, 2)
for j in range(len(bias)):
    ax.plot(x1, -(weight[j, 0] * x1 + bias[j]) / weight[j, 1], "--", linewidth=2, label=f"hidden {j + 1}")
ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=5, frameon=False)
plt.show()
