import torch
from torch.utils.data import DataLoader, Dataset


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        x = torch.tensor([float(i)], dtype=torch.float64)
        return x, x ** 2


loader = DataLoader(Squares(10), batch_size=4)
for xb, yb in loader:
    print(xb.shape, xb.view(-1).tolist(), yb.sum().item())
print(len(Squares(10)), len(loader))
