import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
layer = nn.Linear(3, 2)
nn.init.constant_(layer.weight, 0.25)
nn.init.zeros_(layer.bias)
print(layer.weight.tolist(), layer.bias.tolist())
with torch.no_grad():
    layer.weight[0, 0] = 2.0
    layer.bias.fill_(0.5)
out = layer(torch.tensor([[1.0, 2.0, 3.0]]))
print(out.tolist(), layer.weight.requires_grad, isinstance(layer.weight, nn.Parameter))
model = nn.Sequential(layer, nn.ReLU(), nn.Linear(2, 1))
print(sum(p.numel() for p in model.parameters() if p.requires_grad), len(list(model.children())))
def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.ones_(m.weight)
model.apply(init_weights)
print(model(torch.ones(1, 3)).shape, model[2].weight.tolist())
