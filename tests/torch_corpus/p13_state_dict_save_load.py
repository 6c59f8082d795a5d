import os
import tempfile

import torch
import torch.nn as nn
from corpus_weights import seed_weights

torch.set_default_dtype(torch.float64)
model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2))
seed_weights(model, torch, seed=6)
path = os.path.join(tempfile.mkdtemp(), "model.pt")
torch.save(model.state_dict(), path)
copy = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2))
copy.load_state_dict(torch.load(path))
x = torch.ones(2, 3)
print(model(x).tolist(), copy(x).tolist())
print(sorted(copy.state_dict().keys()), copy.state_dict()["0.weight"].shape)
model.eval()
print(model.training, copy.training)
