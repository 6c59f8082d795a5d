import torch
import torch.nn as nn
from corpus_weights import seed_weights
from torch.utils.data import DataLoader, TensorDataset

torch.set_default_dtype(torch.float64)
X = torch.linspace(-1, 1, 40).view(20, 2)
y = (X[:, :1] * 2 - X[:, 1:]) + 0.1
loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=False)
model = nn.Linear(2, 1)
seed_weights(model, torch, seed=13)
opt = torch.optim.SGD(model.parameters(), lr=0.2)
for epoch in range(10):
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    print(epoch, total / len(loader.dataset), len(loader))
