# %% [markdown]
# # 8. Softmax classification of handwritten digits with mini-batch SGD
#
# Ten classes need ten outputs. **Softmax** turns the network's ten scores (logits) $f_1, \dots, f_K$
# into probabilities that sum to one,
#
# $$p_k = \frac{e^{f_k}}{\sum_{j=1}^{K} e^{f_j}},$$
#
# and the **cross-entropy** loss of a sample of class $y$ is $-\log p_y$ (notes 004). Training uses
# **mini-batch stochastic gradient descent**: each step averages the gradient over a random batch of
# 32 samples. The data are scikit-learn's bundled 8x8 digits (no download).

# %%
import matplotlib.pyplot as plt
import numpy as np

import chainrule as cr
from chainrule import nn

cr.manual_seed(0)
X, y = cr.data.load_dataset("digits")
X = X / 16.0  # pixel values 0..16 -> 0..1
print(X.shape, X.dtype, y.shape, np.bincount(y))

# %%
fig, axes = plt.subplots(2, 10, figsize=(12, 2.8), layout="constrained")
for ax, index in zip(axes.ravel(), range(20)):
    ax.imshow(X[index].reshape(8, 8), cmap="gray_r")
    ax.set_title(str(y[index]))
    ax.axis("off")
plt.show()

# %% [markdown]
# Hold out a quarter of the images to measure how well the model does on digits it never saw (same
# class proportions in both parts):

# %%
X_train, X_test, y_train, y_test = cr.data.train_test_split(X, y, test_size=0.25, seed=0, stratify=y)
print(len(X_train), "training images,", len(X_test), "test images")

# %% [markdown]
# ## Softmax regression: one layer, 64 inputs, 10 outputs
#
# `nn.CrossEntropyLoss` takes the logits and applies the softmax itself (as one fused, numerically safe
# operation whose gradient is simply $\mathbf{p} - \mathbf{y}_{\text{one-hot}}$).

# %%
cr.manual_seed(0)
softmax_regression = nn.Linear(64, 10)
history = cr.fit(softmax_regression, X_train, y_train, loss=nn.CrossEntropyLoss(),
                 optimizer=cr.optim.SGD(softmax_regression.parameters(), lr=0.1), epochs=20, batch_size=32,
                 validation_data=(X_test, y_test), metrics=["accuracy"], verbose=False)
print(history)
cr.viz.plot_history(history)

# %% [markdown]
# The probabilities of the first test image, and the prediction (the most probable class), next to
# the true label:

# %%
with cr.no_grad():
    probabilities = cr.softmax(softmax_regression(cr.tensor(X_test[:1])), dim=1).numpy()[0]
print("p =", probabilities.round(3), " sum =", probabilities.sum().round(6))
print("predicted", probabilities.argmax(), "- true", y_test[0])

# %% [markdown]
# Each output neuron has one weight per pixel, so its weights can be drawn as an 8x8 image: a template
# the neuron matches against the input (blue pixels vote for the class, red against).

# %%
weights = softmax_regression.weight.data
limit = np.abs(weights).max()
fig, axes = plt.subplots(1, 10, figsize=(12, 1.8), layout="constrained")
for digit, ax in enumerate(axes):
    ax.imshow(weights[digit].reshape(8, 8), cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_title(f"class {digit}")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## A hidden layer: 64-32-10 with ReLU

# %%
cr.manual_seed(0)
mlp = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
print(cr.summary(mlp, input_shape=(64,)))
mlp_history = cr.fit(mlp, X_train, y_train, loss=nn.CrossEntropyLoss(),
                     optimizer=cr.optim.SGD(mlp.parameters(), lr=0.1), epochs=20, batch_size=32,
                     validation_data=(X_test, y_test), metrics=["accuracy"], verbose=False)
print(mlp_history)
cr.viz.plot_history(mlp_history)

# %% [markdown]
# ## Where the mistakes are: the confusion matrix
#
# Row = the true digit, column = the predicted one; the diagonal counts the correct answers.

# %%
with cr.no_grad():
    logits = mlp(cr.tensor(X_test)).numpy()
predicted = logits.argmax(axis=1)
accuracy = (predicted == y_test).mean()
print(f"test accuracy: {accuracy:.3f}")
assert accuracy > 0.9
cr.viz.plot_confusion_matrix(y_test, predicted)

# %% [markdown]
# Some of the digits it gets wrong, with the predicted class and its probability:

# %%
wrong = np.flatnonzero(predicted != y_test)[:8]
probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
probabilities /= probabilities.sum(axis=1, keepdims=True)
fig, axes = plt.subplots(1, len(wrong), figsize=(1.5 * len(wrong), 2.2), layout="constrained", squeeze=False)
for ax, index in zip(axes[0], wrong):
    ax.imshow(X_test[index].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"true {y_test[index]}\nsaid {predicted[index]} ({probabilities[index].max():.0%})", fontsize=9)
    ax.axis("off")
plt.show()
