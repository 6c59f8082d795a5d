import numpy as np
import torch
import torch.nn as nn
from corpus_weights import seed_weights

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(2)
centers = np.array([[0, 0], [3, 3], [0, 3]])
X = torch.tensor(np.concatenate([c + rng.normal(size=(30, 2)) for c in centers]))
y = torch.tensor(np.repeat(np.arange(3), 30))
model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 3))
seed_weights(model, torch, seed=3)
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(100):
    logits = model(X)
    loss = loss_fn(logits, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 20 == 0:
        print(epoch, loss.item())
with torch.no_grad():
    accuracy = (model(X).argmax(dim=1) == y).double().mean()
print(accuracy.item())
