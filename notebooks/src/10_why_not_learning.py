# %% [markdown]
# # 10. Why is my network not learning?
#
# The loss does not go down. Backpropagation computes $\delta = \partial L / \partial z$ at the output
# and passes it back, layer after layer, through $W^T$ and the activation's derivative $\sigma'(z)$;
# each weight then moves by $-\alpha\, \partial L / \partial W = -\alpha\, \delta\, x^T$. Learning stops
# when one of these factors is (nearly) zero, or explodes when one is too large.
#
# `cr.diagnose(model, X, y, loss=..., lr=..., optimizer=...)` runs one forward and backward pass on a
# sample of the data and reports, per layer, the activations, the share of dead or saturated units,
# the gradient norm, how the error signal $\delta$ compares with the output layer's, and how far one
# update moves the weights. Each finding names the layer, the figure, the cause and what to try. Below,
# a healthy network first, then one network broken each way, its report, and the fix.

# %%
import numpy as np

import chainrule as cr
from chainrule import nn

X_raw, y = cr.data.moons(n_samples=400, noise=0.15, seed=0)
X = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)         # standardised features


def mlp(activation=nn.ReLU, depth=2, width=16, outputs=2):
    layers, size = [], 2
    for _ in range(depth):
        layers += [nn.Linear(size, width), activation()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, outputs))


def accuracy(model, X, y):
    return float((cr.train.predict(model, X).argmax(axis=1) == y).mean())


# %% [markdown]
# ## A healthy network: no findings
#
# Every threshold was chosen by measuring healthy networks (sigmoid, tanh and ReLU MLPs on blobs,
# moons, spirals, iris, wine and digits) and broken ones, and putting the threshold in between
# (`bench/diagnostics_thresholds.py`). A healthy network raises no alarm.

# %%
cr.manual_seed(0)
model = mlp()
print(cr.diagnose(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.01))

# %% [markdown]
# ## Dead ReLU units
#
# $\mathrm{ReLU}'(z) = 0$ for $z \le 0$. A unit whose $z = Wx + b$ is negative for every sample passes no
# gradient back, so its weights never change again. Here a large negative bias kills the whole first
# layer.

# %%
cr.manual_seed(0)
model = mlp()
model[0].bias.data[...] = -4.0
report = cr.diagnose(model, X, y, loss="cross_entropy")
print(report)

# %% [markdown]
# The fix: biases that start at 0 (or the default initialisation), a smaller learning rate (large
# updates are the usual way units die), or LeakyReLU, whose derivative is $\alpha = 0.1$ for $z < 0$.

# %%
cr.manual_seed(0)
model = mlp(activation=lambda: nn.LeakyReLU(0.1))
model[0].bias.data[...] = -4.0
cr.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=40, verbose=False)
print("LeakyReLU from the same bad start:", accuracy(model, X, y))

# %% [markdown]
# ## Saturated sigmoid units, from unscaled inputs
#
# $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ is nearly 0 when $|z|$ is large. The wine data set as loaded
# has features in the hundreds (proline): every $z$ is large, the units are pinned at 0 or 1 and the
# error signal is cut at every one of them. The report names the feature and the layer.

# %%
X_wine, y_wine = cr.data.load_dataset("wine")
cr.manual_seed(0)
model = nn.Sequential(nn.Linear(13, 16), nn.Sigmoid(), nn.Linear(16, 3))
print(cr.diagnose(model, X_wine, y_wine, loss="cross_entropy", optimizer="adam", lr=0.01))

# %% [markdown]
# The fix: standardise each feature, $x := (x - \mathrm{mean}) / \mathrm{std}$, with the training set's
# mean and std.

# %%
X_wine_standardised = (X_wine - X_wine.mean(axis=0)) / X_wine.std(axis=0)
for name, inputs in (("as loaded", X_wine), ("standardised", X_wine_standardised)):
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 16), nn.Sigmoid(), nn.Linear(16, 3))
    cr.fit(model, inputs, y_wine, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=40, verbose=False)
    print(f"{name:>12}: training accuracy {accuracy(model, inputs, y_wine):.2f}")

# %% [markdown]
# ## Vanishing gradients in a deep sigmoid network
#
# $\sigma' \le 1/4$: through eight sigmoid layers the error signal shrinks by orders of magnitude, and
# the first layers barely learn.

# %%
cr.manual_seed(0)
deep = mlp(activation=nn.Sigmoid, depth=8)
print(cr.diagnose(deep, X, y, loss="cross_entropy"))

# %% [markdown]
# The same depth with ReLU (derivative 1 for $z > 0$) keeps the error signal alive:

# %%
cr.manual_seed(0)
print(cr.diagnose(mlp(activation=nn.ReLU, depth=8), X, y, loss="cross_entropy").kinds)

# %% [markdown]
# ## Exploding gradients from large initial weights
#
# Each backward step multiplies $\delta$ by $W^T$: weights too large make it grow layer after layer.

# %%
cr.manual_seed(0)
model = mlp(depth=6)
for name, parameter in model.named_parameters():
    if name.endswith("weight"):
        nn.init.normal_(parameter, std=1.0)
print(cr.diagnose(model, X, y, loss="cross_entropy").findings[0])

# %% [markdown]
# ## A softmax before `CrossEntropyLoss`
#
# `CrossEntropyLoss` takes the logits $z$ and applies softmax itself. A `Softmax` layer at the end makes
# it compute $-\log \mathrm{softmax}(\mathrm{softmax}(z))$: the loss can never get near 0.

# %%
cr.manual_seed(0)
model = nn.Sequential(*mlp(), nn.Softmax(dim=1))
print(cr.diagnose(model, X, y, loss="cross_entropy").findings[0])
cr.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=40, verbose=False)
print("final loss with the extra softmax:", cr.evaluate(model, X, y, loss="cross_entropy")["loss"])

# %% [markdown]
# ## A sigmoid before `BCEWithLogitsLoss`
#
# The same mistake for two classes: `BCEWithLogitsLoss` applies the sigmoid itself.

# %%
cr.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid())
print(cr.diagnose(model, X, y.astype(np.float32), loss="bce_with_logits").findings[0])

# %% [markdown]
# ## The wrong number of outputs
#
# Cross-entropy needs one output per class. With one output, softmax of a single logit is always 1.

# %%
cr.manual_seed(0)
print(cr.diagnose(mlp(outputs=1), X, y, loss="cross_entropy").findings[0])

# %% [markdown]
# ## The learning rate
#
# One step should move each layer's weights by a small fraction of their size. The notes'
# $f(x) = x^2$: $\alpha = 0.3$ converges, $\alpha = 1.5$ diverges. `diagnose` takes one step with your
# optimiser settings (and undoes it) to measure $\|\Delta W\| / \|W\|$.

# %%
cr.manual_seed(0)
model = mlp()
for lr in (50.0, 0.1, 1e-7):
    print(f"SGD lr={lr:g}:", cr.diagnose(model, X, y, loss="cross_entropy", optimizer="sgd", lr=lr).kinds)

# %% [markdown]
# ## Watching training: the `Diagnostics` callback
#
# `cr.train.Diagnostics()` records every layer's statistics each epoch into the history, and stops a
# run whose loss diverges, naming the layer whose gradients blew up first and the batch.

# %%
cr.manual_seed(0)
model = mlp(depth=3)
history = cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=30,
                 callbacks=[cr.train.Diagnostics()], verbose=False)
cr.viz.plot_diagnostics(history)

# %%
cr.manual_seed(0)
model = mlp(depth=3)
watch = cr.train.Diagnostics(verbose=False)
with np.errstate(over="ignore", invalid="ignore"):  # the diverging updates overflow on purpose
    history = cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=30.0, epochs=30,
                     callbacks=[watch], verbose=False)
print(watch.message)
