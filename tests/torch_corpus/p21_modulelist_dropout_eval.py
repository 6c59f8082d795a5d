import torch
import torch.nn as nn
from corpus_weights import seed_weights


class Deep(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.dropout(torch.relu(layer(x)))
        return self.layers[-1](x)


torch.set_default_dtype(torch.float64)
net = Deep([3, 6, 6, 2])
seed_weights(net, torch, seed=12)
net.eval()
x = torch.linspace(0, 1, 9).view(3, 3)
print(net(x).tolist(), net.training, net.layers[0].training)
print([name for name, _ in net.named_parameters()])
net.train()
print(net.training, len(net.layers))
