import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-2.0, 3.0, 0.0]], requires_grad=True)
target = torch.tensor([0, 2, 1])
probs = F.softmax(logits, dim=1)
log_probs = F.log_softmax(logits, dim=1)
loss = F.nll_loss(log_probs, target)
loss.backward()
print(probs.sum(dim=1).tolist(), loss.item(), F.cross_entropy(logits, target).item())
print(logits.grad.tolist())
print(F.cross_entropy(logits, target, reduction="sum").item())
print(F.cross_entropy(logits, target, reduction="none").tolist())
