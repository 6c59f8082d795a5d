# %% [markdown]
# # The neuron
#
# The notes (000, 003) start from one neuron: it weighs its inputs, subtracts a threshold and squashes
# the result with the logistic sigmoid,
#
# $$y = \operatorname{logsig}(w_1 x_1 + w_2 x_2 - w_0), \qquad \text{class} = \begin{cases}1 & y > 0.5\\ 0 & y < 0.5\end{cases}$$
#
# With large weights the sigmoid is almost a step: $\operatorname{logsig}(-10) \approx 0$ and
# $\operatorname{logsig}(+10) \approx 1$. The notes set two neurons by hand: $30 x_1 + 30 x_2 - 20$ and
# $15 x_1 + 15 x_2 - 20$. chainrule builds them as they are written (`threshold` is $w_0$):

# %%
import chainrule as cr

or_neuron = cr.explain.neuron([30, 30], threshold=20)
print(cr.explain.truth_table(or_neuron))   # OR: only (0, 0) falls below 0.5

# %%
and_neuron = cr.explain.neuron([15, 15], threshold=20)
print(cr.explain.truth_table(and_neuron))  # AND: 15 + 15 - 20 > 0 only when both inputs are 1

# %% [markdown]
# The weights draw a line, $w_1 x_1 + w_2 x_2 = w_0$, and the neuron answers 1 on one side of it:

# %%
X, y = cr.data.logic_gate("or")
cr.viz.plot_decision_boundary(or_neuron, X, y, title="OR neuron: 30 x1 + 30 x2 - 20")

# %% [markdown]
# The notebook *1. A single neuron* (`notebooks/01_single_neuron.ipynb`) goes further: the sigmoid's
# shape, what each weight does to the line, and a NAND neuron to set by hand.
