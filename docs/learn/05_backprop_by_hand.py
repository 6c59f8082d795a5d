# %% [markdown]
# # Backpropagation by hand
#
# Backpropagation is the chain rule applied to a computational graph, from the output back (notes 000,
# 001, 002). The notes' graph is $h(x) = (2(x+1))^2$: forward $f = x + 1$, $g = 2f$, $h = g^2$;
# backward $\bar g = 2g$, $\bar f = 2\bar g$, $\bar x = \bar f$, so $h'(2) = 8 \cdot 2 + 8 = 24$.

# %%
import chainrule as cr
from chainrule import nn

x = cr.tensor(2.0, requires_grad=True)
x.name = "x"
h = (2 * (x + 1)) ** 2
h.backward()
print(x.grad)   # tensor(24.)

# %% [markdown]
# The graph the engine recorded, with each value and gradient (drawn by Graphviz when its `dot` program
# is installed, by matplotlib otherwise):

# %%
cr.viz.draw_graph(h)

# %% [markdown]
# The notes' worked example: one gradient-descent step of logistic regression with $x = (0.1, 0.7)$,
# $y = 1$, $w = (0.8, 0.2)$, $b = 0.1$ and $\alpha = 0.5$. The error signal is $\partial L/\partial z = a - y$;
# the gradients are $(-0.04207, -0.29447)$ for $w$ and $-0.4207$ for $b$; after the step
# $w = (0.82103, 0.34724)$, $b = 0.31034$ (the notes truncate it to 0.31033) and the loss falls to $0.42505$. `cr.explain.step` records every
# number as the engine computes it:

# %%
model = cr.explain.neuron([0.8, 0.2], threshold=-0.1, dtype=cr.float64)   # b = -w0 = 0.1
record = cr.explain.step(model, nn.BCELoss(), x=[0.1, 0.7], y=1.0, lr=0.5)
print(record)

# %% [markdown]
# Reproduce: `chainrule demo backprop-step`; notebook *4. Backpropagation by hand* does every step on
# paper first.
