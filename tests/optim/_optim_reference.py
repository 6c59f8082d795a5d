"""One small problem, solved step by step by a chainrule optimiser and by torch's, for comparison.

The loss is a one-layer tanh regression plus a non-convex term in a third parameter, so that every
state buffer (momentum, running averages, accumulators) sees changing, mixed-sign gradients. A fourth
parameter never receives a gradient: both libraries must leave it alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import chainrule as cr

_RNG = np.random.default_rng(1234)
X = _RNG.normal(size=(8, 4))
Y = _RNG.uniform(-0.8, 0.8, size=(8, 3))
INITIAL = [
    _RNG.normal(scale=0.5, size=(3, 4)),  # weight
    _RNG.normal(scale=0.5, size=(3,)),    # bias
    _RNG.normal(size=(5,)),               # a vector in a non-convex term
    _RNG.normal(size=(2, 2)),             # never used by the loss: its .grad stays None
]


def chainrule_loss(params: list[cr.Tensor]) -> cr.Tensor:
    weight, bias, vector, _ = params
    x, y = cr.tensor(X, dtype=weight.dtype), cr.tensor(Y, dtype=weight.dtype)
    hidden = (x @ weight.T + bias).tanh()
    return ((hidden - y) ** 2).mean() + ((vector - 0.5) ** 2 * vector.cos()).sum()


def torch_loss(params: list[torch.Tensor]) -> torch.Tensor:
    weight, bias, vector, _ = params
    x, y = torch.tensor(X, dtype=weight.dtype), torch.tensor(Y, dtype=weight.dtype)
    hidden = torch.tanh(x @ weight.T + bias)
    return ((hidden - y) ** 2).mean() + ((vector - 0.5) ** 2 * vector.cos()).sum()


def make_params(dtype: str = "float64") -> tuple[list[cr.Tensor], list[torch.Tensor]]:
    ours = [cr.tensor(a.astype(dtype), requires_grad=True) for a in INITIAL]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in INITIAL]
    return ours, theirs


GroupsFn = Callable[[list[Any]], Any]


def single_group(params: list[Any]) -> Any:
    return params


def chainrule_step(optimizer: cr.optim.Optimizer, params: list[cr.Tensor]) -> None:
    optimizer.zero_grad()
    chainrule_loss(params).backward()
    optimizer.step()


def torch_step(optimizer: torch.optim.Optimizer, params: list[torch.Tensor]) -> None:
    optimizer.zero_grad()
    torch_loss(params).backward()
    optimizer.step()


def values(params: list[Any]) -> list[np.ndarray]:
    return [np.array(p.detach().numpy()) for p in params]
