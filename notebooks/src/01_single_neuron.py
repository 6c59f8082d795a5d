# %% [markdown]
# # 1. A single neuron, with weights set by hand
#
# The lecture notes start from one artificial neuron with two inputs:
#
# $$y = \mathrm{logsig}(w_1 x_1 + w_2 x_2 - w_0), \qquad
#   \text{class} = \begin{cases} 1 & y < 0.5 \\ 2 & y > 0.5 \end{cases}$$
#
# $w_1, w_2$ are the **weights**, $w_0$ the **threshold**, and $\mathrm{logsig}(z) = 1/(1+e^{-z})$
# squashes any number into $(0, 1)$. Below we type in the notes' weights and read off what the neuron
# decides on the four corners of the unit square. (We call the classes 0 and 1, as every library does.)

# %%
import numpy as np
import matplotlib.pyplot as plt

import chainrule as cr
from chainrule import nn

cr.manual_seed(0);

# %% [markdown]
# ## The logistic sigmoid
#
# The notes' rule of thumb: $\mathrm{logsig}(-10) \approx 0$ and $\mathrm{logsig}(+10) \approx 1$. Large
# weights therefore turn the smooth neuron into an (almost) hard yes/no unit.

# %%
z = cr.tensor([-10.0, -1.0, 0.0, 1.0, 10.0])
print(cr.sigmoid(z))

# %%
cr.viz.plot_activation("sigmoid", z_range=(-10, 10))

# %% [markdown]
# ## The OR neuron: $30 x_1 + 30 x_2 - 20$
#
# `cr.explain.neuron(weights, threshold)` builds exactly the neuron of the notes (an `nn.Linear(2, 1)`
# followed by `nn.Sigmoid()`, with `bias = -threshold`), and `cr.explain.truth_table` runs it on every
# corner of the unit square.

# %%
or_neuron = cr.explain.neuron([30, 30], threshold=20)
print(or_neuron)
print(cr.explain.truth_table(or_neuron))

# %% [markdown]
# The same numbers by hand, with NumPy only: $z = 30 x_1 + 30 x_2 - 20$ is $-20, 10, 10, 40$ on the four
# corners, and the sigmoid of those is $\approx 0, 1, 1, 1$: the OR function.

# %%
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
z_by_hand = X @ np.array([30.0, 30.0]) - 20.0
y_by_hand = 1 / (1 + np.exp(-z_by_hand))
print("z =", z_by_hand)
print("y =", y_by_hand.round(5))
assert np.allclose(cr.explain.truth_table(or_neuron).outputs, y_by_hand, atol=1e-6)

# %% [markdown]
# ## The AND neuron: $15 x_1 + 15 x_2 - 20$
#
# Halving the weights moves the line: now $z = -20, -5, -5, +10$, so only the corner $(1, 1)$ is on the
# positive side.

# %%
and_neuron = cr.explain.neuron([15, 15], threshold=20)
table = cr.explain.truth_table(and_neuron)
print(table)
assert table.decisions.tolist() == [0, 0, 0, 1]

# %% [markdown]
# ## What the weights mean: a line through the plane
#
# The neuron says "class 1" where $w_1 x_1 + w_2 x_2 - w_0 > 0$. The border, $w_1 x_1 + w_2 x_2 = w_0$,
# is a straight line: $x_1 + x_2 = 2/3$ for OR and $x_1 + x_2 = 4/3$ for AND. The colour is the neuron's
# output $y$, the black line is $y = 0.5$.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
X_or, y_or = cr.data.logic_gate("or")
X_and, y_and = cr.data.logic_gate("and")
cr.viz.plot_decision_boundary(or_neuron, X_or, y_or, ax=left, title="OR: $30x_1 + 30x_2 - 20$")
cr.viz.plot_decision_boundary(and_neuron, X_and, y_and, ax=right, title="AND: $15x_1 + 15x_2 - 20$")
plt.show()

# %% [markdown]
# ## The same neuron in the vectorised notation
#
# Later lectures write a neuron as $z = \mathbf{w}^T \mathbf{x} + b$, $a = g(z)$. The threshold is just the
# bias with its sign flipped, $b = -w_0$. `nn.Linear` keeps the weights as a row of `weight` (shape
# `(out_features, in_features)`, as in PyTorch) and $b$ in `bias`:

# %%
linear = or_neuron[0]
print("weight =", linear.weight.data, " bias =", linear.bias.data)
cr.viz.plot_network(or_neuron, title="The OR neuron")

# %% [markdown]
# ## Your turn: a NAND neuron
#
# NAND is "not both". Flip the signs of the OR weights and pick a threshold between the sums on the
# corners: $-30 x_1 - 30 x_2 + 40$ is $40, 10, 10, -20$, so only $(1, 1)$ is class 0.

# %%
nand_neuron = cr.explain.neuron([-30, -30], threshold=-40)
table = cr.explain.truth_table(nand_neuron)
print(table)
assert table.decisions.tolist() == [1, 1, 1, 0]

# %% [markdown]
# One neuron draws one line. AND, OR and NAND each need one line; the next notebook shows what one line
# cannot do.
