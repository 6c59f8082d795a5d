import torch
import torch.nn as nn
import torch.nn.functional as F
from corpus_weights import seed_weights


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


torch.set_default_dtype(torch.float64)
net = Net()
seed_weights(net, torch)
x = torch.linspace(-1, 1, 20).view(5, 4)
out = net(x)
print(out.shape, out.sum().item(), out.argmax(dim=1).tolist())
print(sum(p.numel() for p in net.parameters()), [name for name, _ in net.named_parameters()])
print(list(net.state_dict().keys()))
