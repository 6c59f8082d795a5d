# %% [markdown]
# # Activations and losses
#
# Notes 001 list the activations with their derivatives, which backpropagation needs: the sigmoid
# $\sigma'(z) = \sigma(z)(1 - \sigma(z))$, $\tanh'(z) = 1 - \tanh^2 z$, ReLU (derivative 0 or 1) and
# LeakyReLU with $\alpha = 0.1$. chainrule plots each function beside its derivative, computed by the
# autograd engine, not typed in:

# %%
import chainrule as cr

cr.viz.plot_activation("sigmoid")

# %%
cr.viz.plot_activation("leaky_relu")

# %%
z = cr.tensor([-2.0, 0.0, 2.0], requires_grad=True)
cr.nn.functional.sigmoid(z).sum().backward()
print("sigma'(z) at -2, 0, 2:", z.grad.numpy().round(5))   # 0.25 at 0, the sigmoid's steepest point

# %% [markdown]
# Losses compare a prediction with a target. For regression the notes give L1 $|y - \hat y|$, L2
# $(y - \hat y)^2$ and Huber (quadratic near 0, linear far away, so outliers pull less); for
# classification the logistic loss (binary cross-entropy) $-[y \log p + (1 - y) \log(1 - p)]$:

# %%
cr.viz.plot_loss("huber")

# %%
cr.viz.plot_loss("bce")

# %% [markdown]
# Notebook *6. Activations and losses* has all of them, and why a network needs a non-linear activation.
