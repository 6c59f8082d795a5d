"""The same training step written once per contender: chainrule, PyTorch and the NumPy reference.

Every contender starts from the same parameters (``initial_parameters``, PyTorch's default
initialisation drawn once from a seeded NumPy generator), uses the same learning rate and the same
loss, so that they compute the same numbers: ``run.py`` checks this before it times anything. A training
step is PyTorch's tutorial loop (forward, loss, ``backward``, ``step``, ``zero_grad``). Each
``make_*`` returns a ``Contender`` over a fresh network, so that the runner can interleave contenders
(A B A B ...) and time only the work itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy_reference import NumpyMLP

Step = Callable[[np.ndarray, np.ndarray], float]
Predict = Callable[[np.ndarray], np.ndarray]

# One learning rate per benchmark loss, shared by every contender.
LEARNING_RATE = {"cross_entropy": 0.1, "mse": 0.1}


@dataclass
class Contender:
    """One network of one contender: ``step(x, y)`` trains on a batch and returns the loss,
    ``predict(x)`` is the forward pass without gradients, ``parameters()`` the current arrays
    ``[W1, b1, W2, b2, ...]`` (weights (out, in), as in PyTorch). ``epoch(x, y, batch)``, when given,
    trains over all of ``(x, y)`` in batches in one call (JAX's ``lax.scan``: its best case)."""

    step: Step
    predict: Predict
    parameters: Callable[[], list[np.ndarray]]
    epoch: Callable[[np.ndarray, np.ndarray, int], None] | None = None


def initial_parameters(sizes: list[int], dtype: Any, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight (out, in), bias (out,)) per layer, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) like PyTorch's
    ``nn.Linear``: drawn in float64 and converted, so float32 and float64 runs start at the same point."""
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype)
        bias = rng.uniform(-bound, bound, fan_out).astype(dtype)
        layers.append((weight, bias))
    return layers


def optimizer_options(optimizer: str, loss: str = "cross_entropy") -> dict[str, Any]:
    """The hyperparameters of each optimiser in the benchmarks (PyTorch's argument names)."""
    if optimizer == "sgd":
        return {"lr": LEARNING_RATE[loss]}
    if optimizer == "sgd_momentum_wd":
        return {"lr": LEARNING_RATE[loss], "momentum": 0.9, "weight_decay": 1e-4}
    if optimizer == "adam":
        return {"lr": 1e-3}
    raise ValueError(f"unknown optimizer {optimizer!r}: expected 'sgd', 'sgd_momentum_wd' or 'adam'")


def _layer_kinds(sizes: list[int], activation: str, loss: str) -> list[str]:
    """The layer list of the MLP: Linear, activation, ..., Linear (an activation after the last Linear
    too for the MSE network, whose output is a probability as in the notes' XOR example)."""
    kinds = []
    for i in range(len(sizes) - 1):
        kinds.append("linear")
        if i < len(sizes) - 2 or loss == "mse":
            kinds.append(activation)
    return kinds


def make_chainrule(sizes: list[int], dtype: Any, optimizer: str = "sgd", activation: str = "relu",
                   loss: str = "cross_entropy", compiled: bool = False) -> Contender:
    """chainrule eager, or with ``compiled`` the same step through ``cr.compile`` (and the forward through
    ``cr.compile(model)``)."""
    import chainrule as cr

    parameters = iter(initial_parameters(sizes, dtype))
    layers: list[Any] = []
    for kind in _layer_kinds(sizes, activation, loss):
        if kind == "linear":
            weight, bias = next(parameters)
            layer = cr.nn.Linear(weight.shape[1], weight.shape[0], dtype=dtype)
            layer.weight.data[...] = weight
            layer.bias.data[...] = bias
            layers.append(layer)
        else:
            layers.append(cr.nn.ReLU() if kind == "relu" else cr.nn.Sigmoid())
    model = cr.nn.Sequential(*layers)
    loss_fn = cr.nn.CrossEntropyLoss() if loss == "cross_entropy" else cr.nn.MSELoss()
    options = optimizer_options(optimizer, loss)
    opt = (cr.optim.Adam if optimizer == "adam" else cr.optim.SGD)(model.parameters(), **options)

    def train_step(x: Any, y: Any) -> float:
        value = loss_fn(model(x), y)
        value.backward()
        opt.step()
        opt.zero_grad()
        return value.item()

    run = cr.compile(train_step) if compiled else train_step
    forward = cr.compile(model) if compiled else model

    def step(x: np.ndarray, y: np.ndarray) -> float:
        return run(cr.from_numpy(x), cr.from_numpy(y))

    def predict(x: np.ndarray) -> np.ndarray:
        with cr.no_grad():
            return forward(cr.from_numpy(x)).data

    return Contender(step, predict, lambda: [p.data for p in model.parameters()])


def make_torch(sizes: list[int], dtype: Any, optimizer: str = "sgd", activation: str = "relu",
               loss: str = "cross_entropy") -> Contender:
    import torch

    torch_dtype = torch.float32 if np.dtype(dtype) == np.float32 else torch.float64
    parameters = iter(initial_parameters(sizes, dtype))
    layers: list[Any] = []
    for kind in _layer_kinds(sizes, activation, loss):
        if kind == "linear":
            weight, bias = next(parameters)
            layer = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=torch_dtype)
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(weight))
                layer.bias.copy_(torch.from_numpy(bias))
            layers.append(layer)
        else:
            layers.append(torch.nn.ReLU() if kind == "relu" else torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    loss_fn = torch.nn.CrossEntropyLoss() if loss == "cross_entropy" else torch.nn.MSELoss()
    options = optimizer_options(optimizer, loss)
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(model.parameters(), **options)

    def step(x: np.ndarray, y: np.ndarray) -> float:
        value = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y))
        value.backward()
        opt.step()
        opt.zero_grad()
        return value.item()

    def predict(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()

    return Contender(step, predict, lambda: [p.detach().numpy() for p in model.parameters()])


def make_numpy(sizes: list[int], dtype: Any, optimizer: str = "sgd", activation: str = "relu",
               loss: str = "cross_entropy") -> Contender:
    if optimizer != "sgd":
        raise ValueError("the NumPy reference implements plain SGD only")
    layers = initial_parameters(sizes, dtype)
    net = NumpyMLP([w for w, _ in layers], [b for _, b in layers], activation=activation, loss=loss)
    lr = optimizer_options(optimizer, loss)["lr"]

    def step(x: np.ndarray, y: np.ndarray) -> float:
        return net.step(x, y, lr)

    def parameters() -> list[np.ndarray]:
        return [array for pair in zip(net.weights, net.biases, strict=True) for array in pair]

    return Contender(step, net.forward, parameters)


def make_jax(sizes: list[int], dtype: Any, optimizer: str = "sgd", activation: str = "relu",
             loss: str = "cross_entropy") -> Contender:
    """JAX: the step as one ``jax.jit``-compiled function of (parameters, optimiser state, batch), with
    PyTorch's update rules written out; ``epoch`` runs ``lax.scan`` over all batches in one call."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)  # float64 runs are float64, as for the others
    params = [jnp.asarray(a) for pair in initial_parameters(sizes, dtype) for a in pair]
    options = optimizer_options(optimizer, loss)
    lr = options["lr"]

    def forward(p: list[Any], x: Any) -> Any:
        h = x
        n_layers = len(p) // 2
        for i in range(n_layers):
            h = h @ p[2 * i].T + p[2 * i + 1]
            if i < n_layers - 1 or loss == "mse":
                h = jax.nn.relu(h) if activation == "relu" else jax.nn.sigmoid(h)
        return h

    def loss_of(p: list[Any], x: Any, y: Any) -> Any:
        out = forward(p, x)
        if loss == "mse":
            return jnp.mean((out - y) ** 2)
        log_p = jax.nn.log_softmax(out, axis=1)
        return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))

    def update(carry: tuple[Any, Any, Any], batch: tuple[Any, Any]) -> tuple[tuple[Any, Any, Any], Any]:
        p, state, t = carry
        value, grads = jax.value_and_grad(loss_of)(p, *batch)
        t = t + 1
        if optimizer == "sgd":
            p = [w - lr * g for w, g in zip(p, grads, strict=True)]
        elif optimizer == "sgd_momentum_wd":
            d = [g + options["weight_decay"] * w for w, g in zip(p, grads, strict=True)]
            state = [jnp.where(t == 1, di, options["momentum"] * b + di) for b, di in zip(state, d, strict=True)]
            p = [w - lr * b for w, b in zip(p, state, strict=True)]
        else:  # adam, PyTorch's defaults
            m, v = state
            m = [0.9 * mi + 0.1 * g for mi, g in zip(m, grads, strict=True)]
            v = [0.999 * vi + 0.001 * g * g for vi, g in zip(v, grads, strict=True)]
            c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
            p = [w - lr * (mi / c1) / (jnp.sqrt(vi / c2) + 1e-8) for w, mi, vi in zip(p, m, v, strict=True)]
            state = (m, v)
        return (p, state, t), value

    zeros = [jnp.zeros_like(w) for w in params]
    carry: list[Any] = [(params, (zeros, zeros) if optimizer == "adam" else zeros, jnp.asarray(0, dtype))]
    jit_update = jax.jit(update)
    jit_forward = jax.jit(forward)

    @jax.jit
    def scan(carry: Any, xs: Any, ys: Any) -> Any:
        return jax.lax.scan(update, carry, (xs, ys))[0]

    def step(x: np.ndarray, y: np.ndarray) -> float:
        carry[0], value = jit_update(carry[0], (x, y))
        return float(value)

    def epoch(x: np.ndarray, y: np.ndarray, batch: int) -> None:
        n = len(x) // batch * batch
        carry[0] = scan(carry[0], x[:n].reshape(-1, batch, *x.shape[1:]), y[:n].reshape(-1, batch, *y.shape[1:]))
        jax.block_until_ready(carry[0])

    def predict(x: np.ndarray) -> np.ndarray:
        return np.asarray(jit_forward(carry[0][0], x))

    return Contender(step, predict, lambda: [np.asarray(w) for w in carry[0][0]], epoch)


def _without_epoch(maker: Callable[..., Contender]) -> Callable[..., Contender]:
    """The contender stepping batch by batch from Python even if it could run whole epochs."""

    @functools.wraps(maker)
    def make(*args: Any, **kwargs: Any) -> Contender:
        contender = maker(*args, **kwargs)
        contender.epoch = None
        return contender

    return make


MAKERS: dict[str, Callable[..., Contender]] = {
    "chainrule": make_chainrule, "chainrule_compiled": functools.partial(make_chainrule, compiled=True),
    "torch": make_torch, "numpy": make_numpy, "jax": _without_epoch(make_jax), "jax_scan": make_jax}
