import torch
import torch.nn as nn
from corpus_weights import seed_weights

torch.set_default_dtype(torch.float64)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
seed_weights(model, torch, seed=10)
X = torch.linspace(-1, 1, 15).view(5, 3)
y = torch.linspace(0, 1, 5).view(5, 1)
loss = nn.functional.mse_loss(model(X), y)
params = list(model.parameters())
grads = torch.autograd.grad(loss, params, create_graph=True)
vector = [torch.ones_like(p) for p in params]
dot = sum((g * v).sum() for g, v in zip(grads, vector))
hvp = torch.autograd.grad(dot, params)
print(loss.item(), [g.norm().item() for g in grads], [h.sum().item() for h in hvp])
