import torch

x = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
y = (x ** 4 - torch.sin(x) * x).sum()
(dy,) = torch.autograd.grad(y, x, create_graph=True)
(d2y,) = torch.autograd.grad(dy.sum(), x)
print(dy.tolist(), d2y.tolist())
t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
f = torch.exp(-t * t)
(g,) = torch.autograd.grad(f, t, create_graph=True)
(h,) = torch.autograd.grad(g, t, create_graph=True)
(third,) = torch.autograd.grad(h, t)
print(g.item(), h.item(), third.item())
