import torch

torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
for step in range(3):
    loss = (x * x).sum() * (step + 1)
    loss.backward()
    print(step, x.grad.tolist())
x.grad.zero_()
loss = x.exp().sum()
loss.backward(retain_graph=True)
first = x.grad.clone()
loss.backward()
print(first.tolist(), x.grad.tolist())
out = x * 2
out.backward(torch.tensor([1.0, 0.5, 0.25]))
print(x.grad.tolist())
