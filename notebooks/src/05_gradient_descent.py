# %% [markdown]
# # 5. Gradient descent and the learning rate
#
# To minimise a function, step against its gradient:
#
# $$x := x - \alpha \nabla f(x),$$
#
# where $\alpha$ is the **learning rate** (the step size). The notes' example is $f(x) = x^2$ with
# $f'(x) = 2x$: with $\alpha = 0.3$ the steps home in on the minimum $x = 0$, with $\alpha = 1.5$ they fly
# away from it. Every derivative below comes from the autograd engine.

# %%
import matplotlib.pyplot as plt
import numpy as np

import chainrule as cr
from chainrule import nn

cr.manual_seed(0);

# %% [markdown]
# ## $\alpha = 0.3$: converges

# %%
cr.viz.plot_gradient_descent(lambda x: x**2, x0=1.0, lr=0.3, steps=10)

# %% [markdown]
# ## $\alpha = 1.5$: diverges

# %%
cr.viz.plot_gradient_descent(lambda x: x**2, x0=1.0, lr=1.5, steps=6)

# %% [markdown]
# ## Why these two behave so differently
#
# For $f(x) = x^2$ one step is $x := x - \alpha \cdot 2x = (1 - 2\alpha)\,x$: every step multiplies $x$
# by the same factor. $\alpha = 0.3$ gives $0.4$ (shrinks), $\alpha = 1.5$ gives $-2$ (doubles and flips
# sign). So gradient descent converges exactly when $|1 - 2\alpha| < 1$, that is $0 < \alpha < 1$;
# $\alpha = 0.5$ jumps to the minimum in one step, and $0.5 < \alpha < 1$ overshoots but still
# converges, zig-zagging: $\alpha = 0.9$ gets exactly as close as $\alpha = 0.1$ (factor $-0.8$ against
# $+0.8$), approaching from alternate sides.

# %%
f = lambda x: x**2  # noqa: E731 - a one-line function of a chainrule tensor
rates = [0.1, 0.3, 0.5, 0.9, 1.0, 1.5]
fig, ax = plt.subplots(figsize=(7, 4.2))
for lr in rates:
    path = cr.viz.gradient_descent_path(f, x0=1.0, lr=lr, steps=12)
    assert np.allclose(path, (1 - 2 * lr) ** np.arange(len(path)))  # the factor, step after step
    style = "o--" if lr > 0.5 else "o-"  # dashed: the sign flips every step (zig-zag)
    ax.plot(np.abs(path) + 1e-16, style, label=f"$\\alpha$ = {lr}: factor {1 - 2 * lr:+.1f}")
ax.set(yscale="log", xlabel="step k", ylabel="$|x_k|$ (log scale)", ylim=(1e-13, 1e4),
       title="Distance to the minimum of $x^2$")
ax.legend(ncols=2, fontsize=9)
plt.show()

# %% [markdown]
# ## Descent on a cost: fitting a line
#
# Training a model is the same idea with more than one variable. For linear regression
# $h(x) = w_1 x + w_0$ the cost $J(w_0, w_1) = \frac{1}{m}\sum_i (h(x_i) - y_i)^2$ is a bowl over the
# $(w_0, w_1)$ plane, and gradient descent walks down it. Here the step is taken by `cr.optim.SGD` on an
# `nn.Linear(1, 1)`, the parameters recorded after each step.

# %%
X, y = cr.data.linear(n_samples=100, slope=2.0, intercept=1.0, noise=0.2, seed=0)
model = nn.Linear(1, 1)
with cr.no_grad():
    model.weight.fill_(-1.0)
    model.bias.fill_(-1.0)
optimizer = cr.optim.SGD(model.parameters(), lr=0.3)
loss_fn = nn.MSELoss()
inputs, targets = cr.tensor(X), cr.tensor(y)
path = [(model.bias.item(), model.weight.item())]
for step in range(40):
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    path.append((model.bias.item(), model.weight.item()))
path = np.array(path)
print(f"after 40 steps: w1 = {model.weight.item():.3f}, w0 = {model.bias.item():.3f} (data made with 2 and 1)")

# %%
w0_grid, w1_grid = np.meshgrid(np.linspace(-1.5, 2.5, 120), np.linspace(-1.5, 3.5, 120))
predictions = w1_grid[..., None] * X[:, 0] + w0_grid[..., None]
cost = ((predictions - y[:, 0]) ** 2).mean(axis=-1)
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
contours = left.contour(w0_grid, w1_grid, cost, levels=np.geomspace(0.03, 20, 14), cmap="viridis")
left.clabel(contours, fontsize=8, fmt="%.2g")
left.plot(path[:, 0], path[:, 1], "o-", color="crimson", markersize=3, label="gradient descent, lr 0.3")
left.set(xlabel="$w_0$ (bias)", ylabel="$w_1$ (weight)", title="The cost $J(w_0, w_1)$ and the path")
left.legend()
right.scatter(X[:, 0], y[:, 0], s=12, alpha=0.6, label="data")
line = np.linspace(-1, 1, 2)
right.plot(line, model.weight.item() * line + model.bias.item(), "crimson", linewidth=2, label="fitted line")
right.set(xlabel="x", ylabel="y", title="The fitted line")
right.legend()
plt.show()

# %% [markdown]
# ## Full batch, mini-batch, one sample at a time
#
# The cost is an average over the data set, so its gradient is an average of per-sample gradients.
# **Gradient descent** averages over all $m$ samples for every step; **stochastic gradient descent**
# uses one sample; **mini-batch SGD** uses $B$ samples (notes 003 and 004). `cr.fit` does all three
# with `batch_size=None`, `1` or `B`. Per epoch (one pass over the data) smaller batches take more,
# noisier steps.

# %%
fig, ax = plt.subplots(figsize=(7, 4.2))
for batch_size, label in [(None, "full batch (1 step per epoch)"), (16, "mini-batch of 16 (7 steps)"),
                          (1, "one sample (100 steps)")]:
    cr.manual_seed(0)
    model = nn.Linear(1, 1)
    history = cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.05, epochs=20, batch_size=batch_size,
                     verbose=False)
    ax.plot(range(1, 21), history.history["loss"], "o-", markersize=4, label=label)
ax.set(yscale="log", xlabel="epoch", ylabel="training loss (MSE)", title="Gradient descent, three ways",
       xticks=[1, 5, 10, 15, 20])
ax.legend()
plt.show()

# %% [markdown]
# With the same learning rate, more steps per epoch means faster progress per epoch, at the price of
# noise once close to the minimum. The learning rate still decides whether anything converges at all.
