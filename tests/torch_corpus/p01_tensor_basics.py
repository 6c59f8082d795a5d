import torch

torch.set_default_dtype(torch.float64)
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
y = torch.ones(2, 3) * 0.5
print((x + y).sum().item(), (x * y).mean().item(), (x @ x.t()).tolist())
print(x.shape[0], x.size(1), x.numel(), x.dim())
print(x[0].tolist(), x[:, 1].tolist(), x[1, 2].item(), x[x > 2].tolist())
print(torch.zeros(2, 2).tolist(), torch.eye(3).sum().item(), torch.arange(0, 10, 2).tolist())
print(torch.linspace(0, 1, steps=5).tolist(), torch.full((2,), 7.0).tolist())
print(x.max().item(), x.argmax().item(), x.min(dim=1).values.tolist(), x.std().item())
