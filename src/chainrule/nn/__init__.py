"""``chainrule.nn``: layers, activations, losses and the ``Module`` they are built on (PyTorch's names).

>>> import chainrule as cr
>>> from chainrule import nn
>>> model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1))
>>> loss = nn.MSELoss()(model(cr.randn(8, 2)), cr.zeros(8, 1))
>>> loss.backward()
>>> [tuple(p.grad.shape) for p in model.parameters()]
[(4, 2), (4,), (1, 4), (1,)]
"""

from chainrule.nn import functional, init, parallel, utils
from chainrule.nn.activations import (
    ELU,
    GELU,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from chainrule.nn.container import ModuleList, Sequential
from chainrule.nn.dropout import Dropout
from chainrule.nn.flatten import Flatten
from chainrule.nn.linear import Identity, Linear
from chainrule.nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.nn.regularization import l1_penalty, l2_penalty

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "ELU", "Flatten", "GELU", "HuberLoss",
    "Identity", "L1Loss", "LeakyReLU", "Linear", "LogSigmoid", "LogSoftmax", "MSELoss", "Module",
    "ModuleList", "NLLLoss", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "Softplus", "Step",
    "Tanh", "functional", "init", "l1_penalty", "l2_penalty", "parallel", "utils",
]
