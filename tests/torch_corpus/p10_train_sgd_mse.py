import numpy as np
import torch
import torch.nn as nn
from corpus_weights import seed_weights

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(1)
X = torch.tensor(rng.uniform(-1, 1, size=(64, 1)))
y = torch.sin(3 * X)
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
seed_weights(model, torch)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(200):
    optimizer.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        print(epoch, loss.item())
print(loss.item())
