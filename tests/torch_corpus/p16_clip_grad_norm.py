import torch
import torch.nn as nn
from corpus_weights import seed_weights

torch.set_default_dtype(torch.float64)
model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1))
seed_weights(model, torch, seed=9)
opt = torch.optim.Adagrad(model.parameters(), lr=0.1)
X = torch.linspace(-3, 3, 40).view(10, 4)
y = (X ** 2).sum(dim=1, keepdim=True)
for i in range(20):
    opt.zero_grad()
    loss = nn.MSELoss()(model(X), y)
    loss.backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    if i % 5 == 0:
        print(i, loss.item(), float(total))
