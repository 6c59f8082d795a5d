import torch

torch.set_default_dtype(torch.float64)
w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    y = w * 3
print(y.requires_grad, (w * 3).requires_grad, w.detach().requires_grad)
z = (w.detach() * w).sum()
z.backward()
print(w.grad.tolist())
a = torch.ones(3)
a.requires_grad_()
(a * a).sum().backward()
print(a.grad.tolist(), torch.is_grad_enabled())
@torch.no_grad()
def update(param):
    param -= 0.1 * param.grad
update(a)
print(a.tolist(), a.requires_grad)
