"""The same training step written once per contender: chainrule, PyTorch and the NumPy reference.

Each ``make_*`` returns ``(step, predict)`` closures over a freshly initialised network so that the
runner can interleave contenders (A B A B ...) and time only the work itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from numpy_reference import NumpyMLP

Step = Callable[[np.ndarray, np.ndarray], float]
Predict = Callable[[np.ndarray], np.ndarray]


def _optimizer_options(optimizer: str) -> dict[str, Any]:
    if optimizer == "sgd":
        return {"lr": 0.1}
    if optimizer == "sgd_momentum_wd":
        return {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4}
    if optimizer == "adam":
        return {"lr": 1e-3}
    raise ValueError(f"unknown optimizer {optimizer!r}")


def make_chainrule(sizes: list[int], dtype: Any, optimizer: str = "sgd", activation: str = "relu",
                   loss: str = "cross_entropy") -> tuple[Step, Predict]:
    import chainrule as cr

    cr.manual_seed(0)
    layers: list[Any] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(cr.nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2 or loss == "mse":
            layers.append(cr.nn.ReLU() if activation == "relu" else cr.nn.Sigmoid())
    model = cr.nn.Sequential(*layers).to(dtype)
    loss_fn = cr.nn.CrossEntropyLoss() if loss == "cross_entropy" else cr.nn.MSELoss()
    options = _optimizer_options(optimizer)
    opt = cr.optim.Adam(model.parameters(), **options) if optimizer == "adam" else cr.optim.SGD(
        model.parameters(), **options)

    def step(x: np.ndarray, y: np.ndarray) -> float:
        out = model(cr.from_numpy(x))
        value = loss_fn(out, cr.from_numpy(y))
        opt.zero_grad()
        value.backward()
        opt.step()
        return value.item()

    def predict(x: np.ndarray) -> np.ndarray:
        with cr.no_grad():
            return model(cr.from_numpy(x)).data

    return step, predict


def make_torch(sizes: list[int], dtype: Any, optimizer: str = "sgd", activation: str = "relu",
               loss: str = "cross_entropy") -> tuple[Step, Predict]:
    import torch

    torch.manual_seed(0)
    layers: list[Any] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2 or loss == "mse":
            layers.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Sigmoid())
    torch_dtype = torch.float32 if np.dtype(dtype) == np.float32 else torch.float64
    model = torch.nn.Sequential(*layers).to(torch_dtype)
    loss_fn = torch.nn.CrossEntropyLoss() if loss == "cross_entropy" else torch.nn.MSELoss()
    options = _optimizer_options(optimizer)
    opt = torch.optim.Adam(model.parameters(), **options) if optimizer == "adam" else torch.optim.SGD(
        model.parameters(), **options)

    def step(x: np.ndarray, y: np.ndarray) -> float:
        out = model(torch.from_numpy(x))
        value = loss_fn(out, torch.from_numpy(y))
        opt.zero_grad()
        value.backward()
        opt.step()
        return value.item()

    def predict(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()

    return step, predict


def make_numpy(sizes: list[int], dtype: Any, optimizer: str = "sgd", activation: str = "relu",
               loss: str = "cross_entropy") -> tuple[Step, Predict]:
    if optimizer != "sgd":
        raise ValueError("the NumPy reference implements plain SGD only")
    net = NumpyMLP(sizes, dtype=dtype, activation=activation, loss=loss)

    def step(x: np.ndarray, y: np.ndarray) -> float:
        return net.step(x, y, 0.1 if loss == "cross_entropy" else 2.0)

    return step, net.forward


MAKERS = {"chainrule": make_chainrule, "torch": make_torch, "numpy": make_numpy}
