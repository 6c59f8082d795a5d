"""Per-layer statistics of one forward and backward pass: what each layer outputs, how much of it is
dead or saturated, how large its gradients and error signals are, and how far one update moves it.

The numbers are read with forward hooks (each layer's output) and from the autograd engine (each
parameter's ``.grad`` and each layer output's ``.grad``, the notes' error signal ``delta = dL/dz``);
nothing is recomputed by hand. ``diagnose`` and the ``Diagnostics`` callback both use ``LayerRecorder``.

>>> import chainrule as cr
>>> _ = cr.manual_seed(0)
>>> model = cr.nn.Sequential(cr.nn.Linear(2, 8), cr.nn.ReLU(), cr.nn.Linear(8, 2))
>>> with LayerRecorder(model) as recorder:
...     loss = cr.nn.CrossEntropyLoss()(model(cr.randn(16, 2)), cr.tensor([0, 1] * 8))
...     loss.backward()
>>> [(s.name, s.kind) for s in recorder.statistics()]
[('0', 'Linear'), ('1', 'ReLU'), ('2', 'Linear')]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.autograd import Tensor

# Activations whose units can die: ReLU's derivative is 0 for every z <= 0 (LeakyReLU, ELU and GELU keep
# a gradient there, so their units always come back).
DYING = ("ReLU",)
# Activations with flat tails, and their derivative written with the output a (the notes' formulas):
# sigmoid' = a (1 - a) (largest 1/4 at a = 1/2), tanh' = 1 - a^2 (largest 1 at a = 0).
SATURATING = {
    "Sigmoid": lambda a: a * (1.0 - a) / 0.25,
    "Tanh": lambda a: 1.0 - a * a,
}
# A unit's output is "saturated" where its derivative is below this share of the derivative's peak:
# sigmoid outside (0.0101, 0.9899), tanh beyond |a| > 0.980. Gradients through it are cut 25-fold.
SATURATED_DERIVATIVE = 0.04


@dataclass
class LayerStatistics:
    """What one layer (a module with no sub-modules) did on the sample.

    ``activation_mean``/``activation_std``: of the layer's output. ``dead_fraction``: for ReLU, the share
    of units that output 0 for every sample (their gradient is 0, so they never learn again).
    ``saturated_fraction``: for sigmoid/tanh, the share of outputs in the flat tails (derivative below
    4% of its peak). ``grad_norm``: the norm of the gradient of the layer's own parameters (all of
    them together). ``error_signal``: the root-mean-square of ``delta = dL/dz`` at the layer's output,
    for layers with parameters (``z = W x + b``), multiplied by the batch size so it does not depend on
    it. ``update_ratio``: ``||theta_new - theta|| / ||theta||`` over the layer's parameters after one
    optimiser step (None when no step was taken). Fields that do not apply are None.
    """

    name: str
    kind: str
    units: int
    activation_mean: float
    activation_std: float
    dead_fraction: float | None = None
    saturated_fraction: float | None = None
    grad_norm: float | None = None
    error_signal: float | None = None
    update_ratio: float | None = None
    parameter_norm: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def dead_fraction(output: np.ndarray) -> float:
    """Share of units (columns after flattening each sample) that are <= 0 for every sample."""
    values = output.reshape(len(output), -1)
    return float(np.mean(np.all(values <= 0, axis=0))) if values.size else 0.0


def saturated_fraction(output: np.ndarray, kind: str) -> float:
    """Share of outputs whose derivative is below ``SATURATED_DERIVATIVE`` of its peak."""
    derivative = SATURATING[kind](output.astype(np.float64, copy=False))
    return float(np.mean(derivative < SATURATED_DERIVATIVE)) if output.size else 0.0


def own_parameters(module: Any) -> list[Tensor]:
    """The parameters a module holds itself (not those of its sub-modules)."""
    return [p for _, p in module.named_parameters(recurse=False) if p is not None]


def norm_of(arrays: list[np.ndarray]) -> float:
    """The Euclidean norm of several arrays taken as one vector (inf/nan propagate)."""
    total = 0.0
    for array in arrays:
        flat = array.reshape(-1)
        total += float(np.dot(flat, flat))
    return math.sqrt(total) if total == total else math.nan


def leaf_modules(model: Any) -> list[tuple[str, Any]]:
    """``(name, module)`` of every module without sub-modules, as ``named_modules()`` names them.

    A model that is itself a single layer (``nn.Linear(3, 1)``) is its own leaf, named ``""``."""
    leaves = [(name, module) for name, module in model.named_modules()
              if not any(True for _ in module.children())]
    return leaves


class LayerRecorder:
    """Forward hooks on every leaf module that keep its output of the next forward passes (while
    ``active``); after ``backward``, ``statistics()`` turns them into ``LayerStatistics``.

    Used as a context manager, the hooks come off on exit. ``order`` lists the layer names in the order
    they ran (the last one produced the model's output, for a sequential model).
    """

    def __init__(self, model: Any, active: bool = True) -> None:
        self.model = model
        self.active = active
        self.layers = leaf_modules(model)
        self.outputs: dict[str, Tensor] = {}
        self.order: list[str] = []
        self._handles = [module.register_forward_hook(self._hook_for(name)) for name, module in self.layers]

    def _hook_for(self, name: str) -> Any:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            if not self.active or not isinstance(output, Tensor):
                return
            if name not in self.outputs:
                self.order.append(name)
            self.outputs[name] = output
            # Keep delta = dL/dz for layers with parameters: the error signal the notes backpropagate.
            if output.requires_grad and own_parameters(module):
                output.retain_grad()
        return hook

    def clear(self) -> None:
        self.outputs.clear()
        self.order.clear()

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> LayerRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def statistics(self, update_ratios: dict[str, float] | None = None) -> list[LayerStatistics]:
        """One ``LayerStatistics`` per layer that ran, in ``named_modules`` order; ``update_ratios``
        (from ``update_ratios``) fills in each layer's update-to-weight ratio."""
        stats = []
        for name, module in self.layers:
            output = self.outputs.get(name)
            if output is None:
                continue
            stats.append(self._layer(name, module, output, (update_ratios or {}).get(name)))
        return stats

    def _layer(self, name: str, module: Any, output: Tensor, update_ratio: float | None) -> LayerStatistics:
        values = np.asarray(output.data)
        kind = type(module).__name__
        as_float = values.astype(np.float64, copy=False)
        units = int(values[0].size) if values.ndim and len(values) else int(values.size)
        stats = LayerStatistics(name, kind, units, float(np.mean(as_float)) if values.size else 0.0,
                                float(np.std(as_float)) if values.size else 0.0)
        if kind in DYING and values.ndim:
            stats.dead_fraction = dead_fraction(values)
        if kind in SATURATING:
            stats.saturated_fraction = saturated_fraction(values, kind)
        parameters = own_parameters(module)
        if parameters:
            grads = [p.grad.data for p in parameters if p.grad is not None]
            stats.grad_norm = norm_of(grads) if grads else None
            stats.parameter_norm = norm_of([p.data for p in parameters])
            if output.grad is not None:
                delta = np.asarray(output.grad.data, dtype=np.float64)
                batch = len(delta) if delta.ndim else 1
                stats.error_signal = float(np.sqrt(np.mean(delta * delta))) * batch if delta.size else 0.0
            stats.update_ratio = update_ratio
        return stats

    def parameter_values(self) -> dict[str, list[np.ndarray]]:
        """Copies of each layer's own parameter values (to measure an update against)."""
        return {name: [p.data.copy() for p in own_parameters(module)]
                for name, module in self.layers if own_parameters(module)}


def update_ratios(before: dict[str, list[np.ndarray]], after: dict[str, list[np.ndarray]]) -> dict[str, float]:
    """``||theta_after - theta_before|| / ||theta_before||`` per layer (inf for parameters that were 0)."""
    ratios = {}
    for name, old in before.items():
        change = norm_of([new - value for new, value in zip(after[name], old, strict=True)])
        size = norm_of(old)
        ratios[name] = change / size if size > 0 else (0.0 if change == 0 else math.inf)
    return ratios


__all__ = ["DYING", "SATURATED_DERIVATIVE", "SATURATING", "LayerRecorder", "LayerStatistics", "dead_fraction",
           "leaf_modules", "norm_of", "own_parameters", "saturated_fraction", "update_ratios"]
