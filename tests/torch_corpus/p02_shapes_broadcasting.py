import torch

torch.set_default_dtype(torch.float64)
a = torch.arange(12, dtype=torch.float64).view(3, 4)
b = torch.tensor([1.0, 10.0, 100.0, 1000.0])
print((a + b).tolist())
print(a.view(-1).tolist()[:5], a.reshape(4, 3).shape, a.t().shape, a.transpose(0, 1)[1].tolist())
print(a.unsqueeze(0).shape, a.unsqueeze(0).squeeze(0).shape, a.flatten().sum().item())
print(torch.cat([a, a], dim=0).shape, torch.stack([a, a]).shape, a.permute(1, 0).contiguous().sum(dim=0).tolist())
col = torch.tensor([[1.0], [2.0], [3.0]])
print((a * col).sum(dim=1).tolist(), a.mean(dim=0, keepdim=True).tolist())
print(a.expand(2, 3, 4).sum().item(), torch.where(a > 5, a, torch.zeros_like(a)).sum().item())
