# %% [markdown]
# # 4. Backpropagation by hand
#
# A network is a compound function, and its gradient comes from the chain rule applied node by node on
# the **computational graph**. We follow the notes twice: on $h(x) = (2(x+1))^2$, then on one step of
# logistic regression, each time by hand first and then with chainrule's autograd engine, which must
# give the same numbers.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Latex, display

import chainrule as cr
from chainrule import nn

# %% [markdown]
# ## The graph of $h(x) = (2(x+1))^2$
#
# Write it as three simple functions: $f = x + 1$, $g = 2f$, $h = g^2$.
#
# **Forward** at $x = 2$: $f = 3$, $g = 6$, $h = 36$.
#
# **Backward**, from the output to the input, multiplying local derivatives (the chain rule):
#
# $$\frac{dh}{dg} = 2g = 12, \qquad
#   \frac{dh}{df} = \frac{dh}{dg}\cdot\frac{dg}{df} = 12 \cdot 2 = 24, \qquad
#   \frac{dh}{dx} = \frac{dh}{df}\cdot\frac{df}{dx} = 24 \cdot 1 = 24.$$
#
# Check: $h(x) = 4x^2 + 8x + 4$, so $h'(x) = 8x + 8$ and $h'(2) = 24$.

# %%
x = cr.tensor(2.0, dtype=cr.float64, requires_grad=True)
x.name = "x"
f = x + 1
g = 2 * f
h = g**2
f.name, g.name, h.name = "f", "g", "h"
for intermediate in (f, g):
    intermediate.retain_grad()  # keep dh/df and dh/dg too (by default only leaves keep .grad)
h.backward()
print(f"forward:  f = {f.item()}, g = {g.item()}, h = {h.item()}")
print(f"backward: dh/dg = {g.grad.item()}, dh/df = {f.grad.item()}, dh/dx = {x.grad.item()}")
assert (g.grad.item(), f.grad.item(), x.grad.item()) == (12.0, 24.0, 24.0)

# %% [markdown]
# `cr.viz.draw_graph` draws the graph the engine recorded: one box per value, with the operation that
# made it, its value and its gradient. (Graphviz draws it when its `dot` program is installed; otherwise
# matplotlib does, laid out by depth.) The constants `1` and `2` are inputs too; they just need no gradient.

# %%
graph = cr.viz.draw_graph(h)
graph

# %% [markdown]
# A derivative can always be checked numerically, with a central difference
# $\big(h(x + \varepsilon) - h(x - \varepsilon)\big) / 2\varepsilon$:

# %%
def h_of(value: float) -> float:
    return (2 * (value + 1)) ** 2


eps = 1e-6
print("central difference:", (h_of(2 + eps) - h_of(2 - eps)) / (2 * eps))

# %% [markdown]
# The derivative is the slope of the tangent: at $x = 2$ the curve climbs 24 for each unit of $x$.

# %%
xs = np.linspace(-3, 4, 200)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(xs, h_of(xs), linewidth=2, label="$h(x) = (2(x+1))^2$")
ax.plot(xs, h_of(2) + 24 * (xs - 2), "--", label="tangent at $x=2$: slope $h'(2) = 24$")
ax.plot([2], [h_of(2)], "ko")
ax.set(xlabel="x", ylabel="h(x)", ylim=(-10, 110), title="The derivative is the slope")
ax.legend()
plt.show()

# %% [markdown]
# ## One step of logistic regression (notes 001)
#
# One neuron with a sigmoid and the logistic loss, one training sample:
# $\mathbf{x} = (0.1, 0.7)$, $y = 1$, weights $\mathbf{w} = (0.8, 0.2)$, $b = 0.1$, learning rate
# $\alpha = 0.5$.
#
# | step | formula |
# |---|---|
# | forward | $z = \mathbf{w}\cdot\mathbf{x} + b$, $a = \sigma(z)$, $\mathcal{L} = -(y \log a + (1-y)\log(1-a))$ |
# | backward | $\frac{\partial\mathcal{L}}{\partial a} = -\frac{y}{a} + \frac{1-y}{1-a}$, $\frac{\partial\mathcal{L}}{\partial z} = a(1-a)\frac{\partial\mathcal{L}}{\partial a} = a - y$ |
# | gradients | $\frac{\partial\mathcal{L}}{\partial w_i} = x_i (a - y)$, $\frac{\partial\mathcal{L}}{\partial b} = a - y$ |
# | update | $\mathbf{w} := \mathbf{w} - \alpha \nabla_\mathbf{w}$, $b := b - \alpha \nabla_b$ |
#
# First with NumPy and a pencil's worth of arithmetic:

# %%
x_sample, y_sample = np.array([0.1, 0.7]), 1.0
w, b, alpha = np.array([0.8, 0.2]), 0.1, 0.5

z = w @ x_sample + b
a = 1 / (1 + np.exp(-z))
loss = -(y_sample * np.log(a) + (1 - y_sample) * np.log(1 - a))
dL_dz = a - y_sample
grad_w, grad_b = x_sample * dL_dz, dL_dz
new_w, new_b = w - alpha * grad_w, b - alpha * grad_b
new_z = new_w @ x_sample + new_b
new_a = 1 / (1 + np.exp(-new_z))
new_loss = -np.log(new_a)

print(f"forward:  z = {z:.5f}, a = {a:.5f}, loss = {loss:.5f}")
print(f"backward: dL/dz = a - y = {dL_dz:.5f}, grad w = {grad_w.round(5)}, grad b = {grad_b:.5f}")
print(f"update:   new w = {new_w.round(5)}, new b = {new_b:.5f}")
print(f"check:    z = {new_z:.4f}, a = {new_a:.4f}, loss = {new_loss:.5f}")

# %% [markdown]
# These are the notes' numbers: $\nabla_\mathbf{w} = (-0.04207, -0.29447)$, $\nabla_b = -0.4207$, new
# $\mathbf{w} = (0.82103, 0.3472)$, new $b = 0.31033$, and after the step $z = 0.6355$, $a = 0.6537$,
# $\mathcal{L} = 0.42505$ (down from 0.54589).

# %%
assert np.allclose(grad_w, [-0.04207, -0.29447], atol=5e-6)
assert np.isclose(grad_b, -0.4207, atol=5e-5)
assert np.allclose(new_w, [0.82103, 0.34724], atol=5e-6)
assert round(new_loss, 5) == 0.42505

# %% [markdown]
# ## The same step with the autograd engine
#
# Now the engine records the graph of the loss and runs backward through it. `params` names the leaves
# in the drawing.

# %%
w_t = cr.tensor([0.8, 0.2], dtype=cr.float64, requires_grad=True)
b_t = cr.tensor(0.1, dtype=cr.float64, requires_grad=True)
x_t = cr.tensor(x_sample)
a_t = cr.sigmoid((w_t * x_t).sum() + b_t)
loss_t = nn.functional.binary_cross_entropy(a_t, cr.tensor(y_sample, dtype=cr.float64))
loss_t.backward()
print("grad w =", w_t.grad, " grad b =", b_t.grad)
assert np.allclose(w_t.grad.numpy(), grad_w) and np.isclose(b_t.grad.item(), grad_b)
cr.viz.draw_graph(loss_t, params={"w": w_t, "b": b_t, "x": x_t})

# %% [markdown]
# ## ... and as one recorded step: `cr.explain.step`
#
# `cr.explain.step(model, loss_fn, x, y, lr)` does forward, backward and the update on a real
# `nn` model and writes down every number: each layer's $z$ and activation, the error signal
# $\delta = \partial\mathcal{L}/\partial z$, the weight gradient as the outer product $\delta\,\mathbf{x}^T$,
# and each parameter before and after. The notes' neuron is `neuron([0.8, 0.2], threshold=-0.1)`
# (the threshold is $-b$).

# %%
model = cr.explain.neuron([0.8, 0.2], threshold=-0.1, dtype=cr.float64)
record = cr.explain.step(model, nn.BCELoss(), x=x_sample, y=y_sample, lr=alpha)
record

# %% [markdown]
# The record agrees with the hand computation, number for number:

# %%
assert np.allclose(record.grads["0.weight"], grad_w)
assert np.allclose(record.grads["0.bias"], grad_b)
assert np.allclose(record.params_after["0.weight"], new_w)
assert np.allclose(record.params_after["0.bias"], new_b)
assert np.isclose(record.loss_before, loss) and np.isclose(record.loss_after, new_loss)
print(f"loss {record.loss_before:.5f} -> {record.loss_after:.5f}")

# %% [markdown]
# And the same step as equations with the numbers plugged in, ready for a slide:

# %%
display(Latex(record.to_latex()))
