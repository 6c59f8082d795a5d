import torch

torch.set_default_dtype(torch.float64)
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3 + 2 * x ** 2 - 5 * x + 1
y.backward()
print(y.item(), x.grad.item())
w = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)
inp = torch.tensor([1.0, 2.0, 3.0])
z = torch.sigmoid((w * inp).sum() + b)
z.backward()
print(z.item(), w.grad.tolist(), b.grad.item())
print(z.grad_fn.name(), z.is_leaf, w.is_leaf, z.requires_grad)
