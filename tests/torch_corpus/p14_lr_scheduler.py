import torch
import torch.nn as nn
from corpus_weights import seed_weights
from torch.optim.lr_scheduler import StepLR

torch.set_default_dtype(torch.float64)
model = nn.Linear(2, 1)
seed_weights(model, torch, seed=7)
opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
scheduler = StepLR(opt, step_size=5, gamma=0.5)
X = torch.tensor([[1.0, 2.0], [2.0, 1.0], [0.0, 1.0]])
y = torch.tensor([[1.0], [0.0], [0.5]])
for epoch in range(12):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    opt.step()
    scheduler.step()
    print(epoch, scheduler.get_last_lr()[0], loss.item())
