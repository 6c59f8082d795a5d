# %% [markdown]
# # 2. The perceptron: logic gates, and why XOR fails
#
# Rosenblatt's perceptron (1958) is one neuron with a **step** activation,
#
# $$o = \sigma(\langle \mathbf{w}, \mathbf{x} \rangle + b), \qquad
#   \sigma(z) = \begin{cases} 1 & z > 0 \\ 0 & \text{otherwise} \end{cases}$$
#
# and its own learning rule, applied one sample at a time:
#
# $$\hat y = \sigma(\mathbf{w} \cdot \mathbf{x} + b), \qquad
#   \mathbf{w} \mathrel{+}= \eta\,(y - \hat y)\,\mathbf{x}, \qquad b \mathrel{+}= \eta\,(y - \hat y).$$
#
# A right answer changes nothing; a wrong one tips the line towards the misclassified point.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np

import chainrule as cr
from chainrule.perceptron import linear_separability

cr.manual_seed(0);

# %% [markdown]
# ## Why a rule of its own?
#
# Gradient descent needs a derivative, and the step function's derivative is 0 everywhere except at the
# jump, where it does not exist. The autograd engine says exactly that: backpropagating through a step
# gives no signal at all. So the perceptron uses the error $y - \hat y$ directly.

# %%
cr.viz.plot_activation("step")

# %% [markdown]
# ## Learning AND, OR, NAND and NOR
#
# `cr.Perceptron(n_inputs, lr)` starts from small random weights; `fit` runs epochs (passes over the
# truth table) until one epoch makes no mistake.

# %%
gates = {}
for gate in ["and", "or", "nand", "nor"]:
    X, y = cr.data.logic_gate(gate)
    perceptron = cr.Perceptron(2, lr=1.0, seed=0).fit(X, y)
    gates[gate] = (perceptron, X, y)
    print(f"{gate:>4}: converged={perceptron.converged_} after {perceptron.n_epochs_} epochs, "
          f"mistakes per epoch {perceptron.errors_}, w = {perceptron.weight.round(3)}, "
          f"b = {float(perceptron.bias):.3f}, predictions {perceptron.predict(X)}")
    assert perceptron.converged_ and (perceptron.predict(X) == y).all()

# %% [markdown]
# Each learned weight vector is a line; the four lines below separate the gates' truth tables.
# (A perceptron has only hard 0/1 answers, so the regions have no shades.)

# %%
fig, axes = plt.subplots(1, 4, figsize=(17, 4.4), layout="constrained")
for ax, (gate, (perceptron, X, y)) in zip(axes, gates.items()):
    cr.viz.plot_decision_boundary(perceptron, X, y, ax=ax, title=gate.upper(), resolution=100)
plt.show()

# %% [markdown]
# The NOT gate has a single input: the "line" is a point on the $x_1$ axis.

# %%
X_not, y_not = cr.data.logic_gate("not")
not_gate = cr.Perceptron(1, seed=0).fit(X_not, y_not)
print("NOT:", X_not.ravel(), "->", not_gate.predict(X_not), "  w =", not_gate.weight, " b =", not_gate.bias)

# %% [markdown]
# The mistakes per epoch fall to zero: the **perceptron convergence theorem** guarantees this whenever a
# separating line exists.

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
for (gate, (perceptron, _, _)), style in zip(gates.items(), ["o-", "s--", "^-.", "v:"]):
    ax.plot(range(1, perceptron.n_epochs_ + 1), perceptron.errors_, style, label=gate.upper(),
            markersize=8, alpha=0.8)
ax.set(xlabel="epoch", ylabel="mistakes in the epoch", title="Perceptron learning on logic gates",
       yticks=range(5))
ax.legend()
plt.show()

# %% [markdown]
# ## XOR: no line will do
#
# XOR is 1 when exactly one input is 1. Train the same perceptron and it never settles: the chainrule
# perceptron stops after `max_epochs` and warns, saying why.

# %%
X_xor, y_xor = cr.data.xor()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    xor_perceptron = cr.Perceptron(2, seed=0).fit(X_xor, y_xor, max_epochs=20)
print("converged:", xor_perceptron.converged_)
print("mistakes per epoch:", xor_perceptron.errors_)
print()
print(type(caught[0].message).__name__ + ":", caught[0].message)

# %% [markdown]
# The argument is worth reading twice: the point $(0.5, 0.5)$ is the average of the two class-1 corners
# *and* of the two class-0 corners. A line keeps averages on the same side as the points averaged, so it
# would have to put $(0.5, 0.5)$ on both sides at once. `linear_separability` makes the check on its own:

# %%
result = linear_separability(X_xor, y_xor)
print("separable:", result.separable)
print(result.explain())

# %% [markdown]
# Whatever line the perceptron ends on, at least one corner is on the wrong side:

# %%
cr.viz.plot_decision_boundary(xor_perceptron, X_xor, y_xor, title="XOR: the perceptron's last line")

# %% [markdown]
# This is Minsky and Papert's 1969 observation that led to the first AI winter. The way out is to
# combine several lines: $\mathrm{XOR}(x_1, x_2) = (x_1 \lor x_2) \land \lnot(x_1 \land x_2)$, a hidden
# layer of two neurons and an output neuron. That is the next notebook.
