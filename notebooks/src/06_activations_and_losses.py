# %% [markdown]
# # 6. Activations and losses, with their derivatives
#
# Backpropagation multiplies derivatives along the graph, so the derivative of every activation and
# every loss matters as much as its value. Each curve on the right of the plots below is computed by
# the autograd engine (`backward`), not typed in, so it also checks the formulas in the notes.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import chainrule as cr
from chainrule import nn

cr.manual_seed(0);

# %% [markdown]
# ## Why a network needs a non-linear activation
#
# Two linear layers are one linear layer: $g(f(x)) = c(ax + b) + d = acx + (cb + d)$. In matrix form
# $W_2(W_1 x + b_1) + b_2 = (W_2 W_1) x + (W_2 b_1 + b_2)$. However many linear layers we stack, the
# network can only draw one line (notes 002 and 004). Let's check it numerically:

# %%
deep_linear = nn.Sequential(nn.Linear(2, 5), nn.Linear(5, 3), nn.Linear(3, 1))
W1, W2, W3 = (deep_linear[i].weight.data for i in range(3))
b1, b2, b3 = (deep_linear[i].bias.data for i in range(3))
W, b = W3 @ W2 @ W1, W3 @ (W2 @ b1 + b2) + b3
x = cr.randn(6, 2)
with cr.no_grad():
    assert np.allclose(deep_linear(x).numpy(), x.numpy() @ W.T + b, atol=1e-5)
print("three linear layers == one layer with W =", W.round(3), "and b =", b.round(3))

# %% [markdown]
# ## The activations of the notes
#
# Sigmoid $\sigma$, tanh, ReLU and LeakyReLU with $\alpha = 0.1$, each next to its derivative.

# %%
for name in ["sigmoid", "tanh", "relu", "leaky_relu"]:
    display(cr.viz.plot_activation(name))

# %% [markdown]
# The engine's derivatives agree with the notes' formulas $\sigma' = \sigma(1 - \sigma)$,
# $\tanh' = 1 - \tanh^2$, $\mathrm{ReLU}' = [z > 0]$ and $\mathrm{lReLU}' = 1$ or $\alpha$:

# %%
z = np.linspace(-4, 4, 81) + 0.05  # off the kink at 0
for name, formula in {
    "sigmoid": lambda z: (s := 1 / (1 + np.exp(-z))) * (1 - s),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),
    "leaky_relu": lambda z: np.where(z > 0, 1.0, 0.1),
}.items():
    _, derivative = cr.viz.activation_and_derivative(name, z)
    assert np.allclose(derivative, formula(z)), name
    print(f"{name:>10}: autograd == formula, largest slope {derivative.max():.3f}")

# %% [markdown]
# **The sigmoid's slope is at most 0.25.** Backpropagating through 10 sigmoid layers multiplies the
# error signal by at most $0.25^{10} \approx 10^{-6}$: the *vanishing gradient*, and one reason ReLU
# (slope 1 for $z > 0$) took over.

# %%
print(f"0.25 ** 10 = {0.25 ** 10:.2e}")

# %% [markdown]
# More activations chainrule has: ELU, softplus (a smooth ReLU whose derivative is the sigmoid), GELU,
# and the perceptron's step, whose derivative is zero wherever it exists.

# %%
fig, axes = plt.subplots(2, 4, figsize=(17, 6.4), layout="constrained")
for column, name in enumerate(["elu", "softplus", "gelu", "step"]):
    cr.viz.plot_activation(name, axes=(axes[0, column], axes[1, column]))
plt.show()

# %% [markdown]
# ## Losses for regression: L1, L2, Huber
#
# For one prediction $\hat y$ of a target $y$:
#
# * **L1** (absolute error) $\mathcal{L} = |y - \hat y|$: the slope is $\pm 1$, however small the error.
# * **L2** (squared error) $\mathcal{L} = (y - \hat y)^2$, $\partial\mathcal{L}/\partial\hat y = -2(y - \hat y)$:
#   the slope shrinks with the error, but outliers pull hard.
# * **Huber** is L2 for $|y - \hat y| \le \delta$ and L1 beyond: small errors treated gently, outliers
#   with a bounded pull.

# %%
for name in ["l1", "l2", "huber"]:
    display(cr.viz.plot_loss(name))

# %% [markdown]
# A word of caution when reading the notes: their L1 and Huber derivatives,
# "$-1$ if $y < \hat y$" and "$-\delta$ if $y - \hat y < -\delta$", are the derivatives with respect to the
# *residual* $r = y - \hat y$. With respect to the prediction $\hat y$, which is what backpropagation
# needs, the sign flips: when the prediction is too large ($\hat y > y$) the slope is $+1$ (or $+\delta$), so
# gradient descent lowers $\hat y$. The engine says so:

# %%
loss, slope = cr.viz.loss_and_derivative("l1", [2.0], target=0.0)
print(f"L1 at y_hat = 2, y = 0:    dL/dy_hat = {slope[0]:+.0f}")
loss, slope = cr.viz.loss_and_derivative("huber", [2.0], target=0.0, delta=1.0)
print(f"Huber at y_hat = 2, y = 0: dL/dy_hat = {slope[0]:+.0f}  (= +delta)")
loss, slope = cr.viz.loss_and_derivative("l2", [2.0], target=0.0)
print(f"L2 at y_hat = 2, y = 0:    dL/dy_hat = {slope[0]:+.0f}  (= -2(y - y_hat))")

# %% [markdown]
# ## The logistic loss (binary cross-entropy)
#
# For a predicted probability $a$ of the class $y \in \{0, 1\}$:
# $\mathcal{L} = -(y \log a + (1 - y)\log(1 - a))$ with
# $\partial\mathcal{L}/\partial a = -\frac{y}{a} + \frac{1 - y}{1 - a}$. A confident wrong answer costs a lot.

# %%
cr.viz.plot_loss("bce")

# %% [markdown]
# Put a sigmoid in front, $a = \sigma(z)$, and the chain rule simplifies beautifully (notes 001):
# $\frac{\partial\mathcal{L}}{\partial z} = a(1-a)\left(-\frac{y}{a} + \frac{1-y}{1-a}\right) = a - y$.
# Backpropagation through both functions gives exactly that:

# %%
logits = cr.tensor(np.linspace(-5, 5, 11), dtype=cr.float64, requires_grad=True)
target = cr.ones(11, dtype=cr.float64)
loss = nn.functional.binary_cross_entropy(cr.sigmoid(logits), target, reduction="sum")
loss.backward()
print("dL/dz     :", logits.grad.numpy().round(4))
print("a - y     :", (cr.sigmoid(logits) - target).detach().numpy().round(4))
assert np.allclose(logits.grad.numpy(), (cr.sigmoid(logits) - target).detach().numpy())
