# %% [markdown]
# # Softmax
#
# For $K$ classes the output layer has $K$ units and softmax turns their scores (logits) into
# probabilities, $p_k = e^{z_k} / \sum_j e^{z_j}$ (notes 003, 004). With the cross-entropy loss
# $L = -\log p_y$ the error signal at the logits is simply $\partial L / \partial z = p - \text{onehot}(y)$:

# %%
import chainrule as cr
from chainrule import nn

z = cr.tensor([[2.0, 1.0, 0.1]], requires_grad=True)
p = cr.softmax(z, dim=1)
loss = nn.CrossEntropyLoss()(z, cr.tensor([0]))
loss.backward()
print("p          ", p.detach().numpy().round(4))
print("dL/dz      ", z.grad.numpy().round(4))
print("p - onehot ", (p.detach().numpy() - [[1, 0, 0]]).round(4))

# %% [markdown]
# Softmax regression is a one-layer network; on scikit-learn's 8x8 handwritten digits (64 pixels, 10
# classes) it already reaches about 95% test accuracy with mini-batch SGD:

# %%
X, y = cr.data.load_dataset("digits")
X_train, X_test, y_train, y_test = cr.data.train_test_split(X / 16, y, test_size=0.25, seed=0, stratify=y)
cr.manual_seed(0)
model = nn.Linear(64, 10)
history = cr.fit(model, X_train, y_train, loss="cross_entropy", optimizer="sgd", lr=0.5, epochs=30,
                 batch_size=32, validation_data=(X_test, y_test), metrics=["accuracy"], verbose=False)
print(cr.evaluate(model, X_test, y_test, loss="cross_entropy", metrics=["accuracy"]))

# %%
cr.viz.plot_history(history)

# %%
predicted = cr.train.predict(model, X_test).argmax(axis=1)
cr.viz.plot_confusion_matrix(y_test, predicted)

# %% [markdown]
# Reproduce: `chainrule demo digits`; notebooks *8. Softmax classification of handwritten digits* and
# *9. Linear, logistic and softmax regression are one-layer networks*.
