import torch
from torch.utils.data import DataLoader, Subset, TensorDataset

X = torch.arange(12, dtype=torch.float64).view(6, 2)
y = torch.tensor([0, 1, 0, 1, 1, 0])
data = TensorDataset(X, y)
train = Subset(data, [0, 2, 4])
test = Subset(data, [1, 3, 5])
print(len(train), len(test), train[1][0].tolist(), test[2][1].item())
for xb, yb in DataLoader(train, batch_size=2):
    print(xb.tolist(), yb.tolist())
