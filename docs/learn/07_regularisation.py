# %% [markdown]
# # Regularisation
#
# Notes 002 add a penalty on the weights to the loss, $L_{\text{reg}} = L + \lambda R$ with
# $R = \tfrac12 \sum w^2$, and backpropagate through it: the penalty's error signal is $\bar R = \lambda$, so
# each weight's gradient gains a term, $\bar w = \bar z\,x + \lambda w$. Biases are usually left out.

# %%
import chainrule as cr
from chainrule import nn

w = cr.tensor([1.0, -2.0, 0.5], requires_grad=True)
x = cr.tensor([0.5, 0.1, -1.0])
lam = 0.1
loss = (w * x).sum() + lam * nn.l2_penalty([w])
loss.backward()
print("autograd:", w.grad.numpy().round(5))
print("by hand: ", (x.numpy() + lam * w.detach().numpy()).round(5))   # x + lambda w

# %% [markdown]
# Adding $\lambda R$ to the loss and `SGD(weight_decay=lambda)` are the same update. A larger $\lambda$
# shrinks the weights and smooths what a network draws:

# %%
import matplotlib.pyplot as plt

X, y = cr.data.moons(n_samples=200, noise=0.25, seed=0)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for ax, weight_decay in zip(axes, (0.0, 0.01)):
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    cr.fit(model, X, y, loss="cross_entropy", optimizer=cr.optim.Adam(model.parameters(), lr=0.01,
           weight_decay=weight_decay), epochs=300, batch_size=None, verbose=False)
    norm = sum(float((p.detach().numpy() ** 2).sum()) for name, p in model.named_parameters() if "weight" in name)
    cr.viz.plot_decision_boundary(model, X, y, ax=ax, title=f"weight decay {weight_decay}: sum w^2 = {norm:.0f}")
plt.close(fig)
fig

# %% [markdown]
# `nn.l1_penalty` ($R = \sum |w|$) pushes weights to exactly zero instead. The command line has it as
# `chainrule train --weight-decay LAMBDA`.
