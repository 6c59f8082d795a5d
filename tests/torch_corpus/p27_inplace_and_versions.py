import torch

torch.set_default_dtype(torch.float64)
a = torch.tensor([1.0, -2.0, 3.0])
a.add_(1).mul_(2)
a.clamp_(min=0)
print(a.tolist(), a._version)
b = a.clone()
b[b > 4] = 0.0
print(b.tolist(), a.tolist())
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
c = torch.tensor([1.0, 1.0, 1.0])
loss = (w * c).sum()
c.add_(1)
try:
    loss.backward()
    print("no error")
except RuntimeError as error:
    print("error", "modified by an inplace operation" in str(error))
x = torch.zeros(2, 3)
x.fill_(2.0)
x.zero_()
n = x.numpy()
n[0, 0] = 5.0
print(x.sum().item(), [row.sum().item() for row in x])
