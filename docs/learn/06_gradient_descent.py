# %% [markdown]
# # Gradient descent
#
# Training moves each parameter against its gradient, $\theta \leftarrow \theta - \alpha\,\nabla_\theta L$
# (notes 000, 001, 004). Notes 001 show the learning rate's role on $f(x) = x^2$ from $x_0 = 1$: each
# step multiplies $x$ by $1 - 2\alpha$, so $\alpha = 0.3$ converges and $\alpha = 1.5$ diverges.

# %%
import chainrule as cr

for lr in (0.3, 1.5):
    path = cr.viz.gradient_descent_path(lambda x: x ** 2, x0=1.0, lr=lr, steps=6)
    print(f"alpha = {lr}: " + ", ".join(f"{v:.4g}" for v in path))

# %%
cr.viz.plot_gradient_descent(lambda x: x ** 2, x0=1.0, lr=0.3, steps=10)

# %%
cr.viz.plot_gradient_descent(lambda x: x ** 2, x0=1.0, lr=1.5, steps=6)

# %% [markdown]
# On a data set the gradient is an average over samples. Notes 003 and 004 contrast full-batch gradient
# descent, mini-batches and one sample at a time: `cr.fit`'s `batch_size=None`, `B` and `1`. One epoch
# is one pass over the data, and training repeats "until the loss stops decreasing":

# %%
from chainrule import nn

X, y = cr.data.linear(n_samples=64, noise=0.1, seed=0)
for batch_size in (None, 8, 1):
    cr.manual_seed(0)
    model = nn.Linear(1, 1)
    history = cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.05, epochs=20, batch_size=batch_size,
                     verbose=False)
    print(f"batch_size={batch_size}: loss after 20 epochs {history.history['loss'][-1]:.4f}, "
          f"w = {model.weight.item():.3f}, b = {model.bias.item():.3f}")

# %% [markdown]
# Reproduce: `chainrule demo gradient-descent --plot descent.png`; notebook *5. Gradient descent*.
