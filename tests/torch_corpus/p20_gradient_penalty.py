import torch
import torch.nn as nn
from corpus_weights import seed_weights

torch.set_default_dtype(torch.float64)
critic = nn.Sequential(nn.Linear(2, 8), nn.Sigmoid(), nn.Linear(8, 1))
seed_weights(critic, torch, seed=11)
opt = torch.optim.Adam(critic.parameters(), lr=0.01)
real = torch.tensor([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
fake = torch.tensor([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]])
alpha = torch.tensor([[0.3], [0.6], [0.9]])
for step in range(5):
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(mixed)
    (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + 10 * penalty
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, loss.item(), penalty.item())
