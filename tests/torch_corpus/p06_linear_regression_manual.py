import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)
X = torch.tensor(rng.normal(size=(50, 2)))
y = X @ torch.tensor([2.0, -3.0]) + 0.5
w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.1
for epoch in range(100):
    pred = X @ w + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if epoch % 25 == 0:
        print(epoch, loss.item())
print(w.tolist(), b.item())
