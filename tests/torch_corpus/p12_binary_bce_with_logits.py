import numpy as np
import torch
import torch.nn as nn
from corpus_weights import seed_weights

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(4)
X = torch.tensor(rng.normal(size=(80, 2)))
y = ((X[:, 0] * X[:, 1]) > 0).double().unsqueeze(1)
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
seed_weights(model, torch, seed=5)
criterion = nn.BCEWithLogitsLoss()
opt = torch.optim.RMSprop(model.parameters(), lr=0.01)
for epoch in range(150):
    opt.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    opt.step()
print(loss.item())
probs = torch.sigmoid(model(X))
print(((probs > 0.5).double() == y).double().mean().item(), nn.BCELoss()(probs, y).item())
