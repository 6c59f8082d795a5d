import torch
import torch.nn as nn
from corpus_weights import seed_weights

torch.set_default_dtype(torch.float64)
model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 1))
seed_weights(model, torch, seed=8)
opt = torch.optim.SGD(model.parameters(), lr=0.002, momentum=0.9, nesterov=True, weight_decay=1e-3)
X = torch.linspace(-2, 2, 30).view(10, 3)
y = X.sum(dim=1, keepdim=True) ** 2
for i in range(60):
    opt.zero_grad()
    loss = ((model(X) - y) ** 2).mean()
    loss.backward()
    opt.step()
print(loss.item(), [p.norm().item() for p in model.parameters()])
