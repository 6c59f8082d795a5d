# %% [markdown]
# # 9. Linear, logistic and softmax regression are one-layer networks
#
# Notes 003: a network with no hidden layer is an old friend.
#
# | model | network | loss |
# |---|---|---|
# | linear regression | $\hat y = XW + b$ | squared error |
# | logistic regression | $\hat y = \sigma(XW + b)$ | binary cross-entropy |
# | softmax regression | $\hat{\mathbf{p}} = \mathrm{softmax}(XW + b)$ | cross-entropy |
#
# These have solutions computed without gradient descent: least squares in closed form, and the
# convex optimisers inside scikit-learn's `LogisticRegression`. Trained by gradient descent, the
# one-layer networks must arrive at the same weights. We check that, in float64, to a stated tolerance.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

import chainrule as cr
from chainrule import nn

cr.manual_seed(0)
TOLERANCE = 1e-4  # largest allowed difference between a trained weight and the reference solution


def train_full_batch(model: nn.Module, loss_of, steps: int, lr: float) -> list[float]:
    """Plain gradient descent on all samples at once; returns the loss after each step."""
    optimizer = cr.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_of(model)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses

# %% [markdown]
# ## Linear regression against least squares
#
# The least-squares solution solves $\min_{\mathbf{w}, b} \|X\mathbf{w} + b - \mathbf{y}\|^2$ directly
# (`np.linalg.lstsq` on $X$ with a column of ones for $b$). The network is `nn.Linear(2, 1)` trained on
# the mean squared error.

# %%
X, y = cr.data.linear(n_samples=200, slope=[2.0, -3.0], intercept=1.0, noise=0.3, seed=0)
X, y = X.astype(np.float64), y.astype(np.float64)
solution, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)

linear = nn.Linear(2, 1, dtype=cr.float64)
inputs, targets = cr.tensor(X), cr.tensor(y)
losses = train_full_batch(linear, lambda m: nn.functional.mse_loss(m(inputs), targets), steps=300, lr=0.5)

print("least squares   w =", solution[:2, 0].round(6), " b =", solution[2, 0].round(6))
print("one-layer net   w =", linear.weight.data[0].round(6), " b =", linear.bias.data.round(6))
gap = max(np.abs(linear.weight.data[0] - solution[:2, 0]).max(), abs(linear.bias.item() - solution[2, 0]))
print(f"largest difference {gap:.1e}")
assert gap < TOLERANCE

# %% [markdown]
# ## Logistic regression against scikit-learn
#
# scikit-learn's `LogisticRegression(C=1)` minimises $C\sum_i \mathcal{L}_i + \tfrac12\|\mathbf{w}\|^2$
# (the bias is not penalised). Dividing by $Cm$ gives the same minimiser as the **mean** loss plus
# $\tfrac{\lambda}{2}\|\mathbf{w}\|^2$ with $\lambda = 1/(Cm)$: the regularised loss $\mathcal{L} + \lambda R$
# of notes 002. We train exactly that. The network outputs the logit; `binary_cross_entropy_with_logits`
# applies the sigmoid inside the loss, stably.

# %%
X, y = cr.data.blobs(n_samples=300, centers=[[-1.0, 0.0], [1.0, 0.5]], cluster_std=1.0, seed=0)
X = X.astype(np.float64)
C = 1.0
lam = 1.0 / (C * len(X))
reference = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)

logistic = nn.Linear(2, 1, dtype=cr.float64)
inputs, targets = cr.tensor(X), cr.tensor(y.astype(np.float64)).reshape(-1, 1)


def regularised_bce(model: nn.Module) -> cr.Tensor:
    data_loss = nn.functional.binary_cross_entropy_with_logits(model(inputs), targets)
    return data_loss + lam / 2 * (model.weight**2).sum()


losses = train_full_batch(logistic, regularised_bce, steps=3000, lr=1.0)
print("scikit-learn    w =", reference.coef_[0].round(6), " b =", reference.intercept_.round(6))
print("one-layer net   w =", logistic.weight.data[0].round(6), " b =", logistic.bias.data.round(6))
gap = max(np.abs(logistic.weight.data - reference.coef_).max(),
          np.abs(logistic.bias.data - reference.intercept_).max())
print(f"largest difference {gap:.1e}")
assert gap < TOLERANCE

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
cr.viz.plot_decision_boundary(logistic, X, y, ax=left, title="logistic regression as a one-layer network")
right.plot(np.array(losses[:400]) - min(losses) + 1e-16)  # + 1e-16: the last steps reach float64's floor
right.set(yscale="log", xlabel="gradient-descent step", ylabel="loss - final loss",
          title="The regularised loss, first 400 of 3000 steps")
plt.show()

# %% [markdown]
# ## Softmax regression against scikit-learn (three iris species)
#
# With more than two classes `LogisticRegression` fits the multinomial (softmax) model with the same
# penalty $\tfrac12\|W\|^2$ over all class weights. The network is `nn.Linear(4, 3)` with
# `cross_entropy`.
#
# One subtlety: adding the same constant to every class's bias changes no probability (softmax only
# sees differences), and the bias is not penalised, so the biases are only defined up to a common
# shift. We compare the weights, the predicted probabilities, and the biases after centring.

# %%
X, y = cr.data.load_dataset("iris")
X = X.astype(np.float64)
X = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised features: gradient descent converges faster
lam = 1.0 / (C * len(X))
reference = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)

softmax_regression = nn.Linear(4, 3, dtype=cr.float64)
inputs, targets = cr.tensor(X), cr.tensor(y)


def regularised_cross_entropy(model: nn.Module) -> cr.Tensor:
    return nn.functional.cross_entropy(model(inputs), targets) + lam / 2 * (model.weight**2).sum()


losses = train_full_batch(softmax_regression, regularised_cross_entropy, steps=3000, lr=1.0)
with cr.no_grad():
    probabilities = cr.softmax(softmax_regression(inputs), dim=1).numpy()
bias = softmax_regression.bias.data
weight_gap = np.abs(softmax_regression.weight.data - reference.coef_).max()
bias_gap = np.abs((bias - bias.mean()) - (reference.intercept_ - reference.intercept_.mean())).max()
probability_gap = np.abs(probabilities - reference.predict_proba(X)).max()
print("scikit-learn W:\n", reference.coef_.round(5))
print("one-layer net W:\n", softmax_regression.weight.data.round(5))
print(f"largest differences: weights {weight_gap:.1e}, centred biases {bias_gap:.1e}, "
      f"probabilities {probability_gap:.1e}")
assert max(weight_gap, bias_gap, probability_gap) < TOLERANCE
print("training accuracy:", (probabilities.argmax(axis=1) == y).mean())

# %% [markdown]
# Three models that are usually taught apart are the same network with different output activations and
# losses; gradient descent, the engine of every deeper network, finds their textbook solutions.
