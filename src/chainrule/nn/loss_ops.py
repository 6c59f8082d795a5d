"""The element-wise losses as fused ops of the engine: one forward pass, one backward pass, with the
derivatives the notes derive written next to each loss.

Every op takes ``reduction``: ``'none'`` keeps one loss per element, ``'sum'`` adds them, ``'mean'``
divides that sum by the number of elements (so its gradient carries a factor 1/n). Each returns a
gradient for the target too when the target requires one (the engine asks through
``needs_input_grad``). ``weight`` and ``pos_weight`` are constants (arrays), not differentiated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops_activation import sigmoid_array

REDUCTIONS = ("mean", "sum", "none")
_BCE_EPSILON = np.float32(1e-12)


def reduce_loss(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply ``reduction`` to per-element losses, keeping their dtype."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "mean":
        if loss.size == 0:  # an empty batch gives nan, as in PyTorch, without a warning
            return np.asarray(np.nan, dtype=loss.dtype)
        total = total / loss.size
    return np.asarray(total, dtype=loss.dtype)


def upstream(grad: np.ndarray, reduction: str, size: int) -> np.ndarray:
    """dL_total/d(loss element): the incoming gradient, divided by n for ``'mean'``."""
    if reduction == "mean":
        return grad / size
    return grad


def _pair(needs: tuple[bool, ...], grad_input: np.ndarray, grad_target: Any) -> tuple[Any, Any]:
    return (grad_input if needs[0] else None), (grad_target() if len(needs) > 1 and needs[1] else None)


class MSELoss(Function):
    """l = (x - y)^2;  dl/dx = 2 (x - y), dl/dy = -2 (x - y)."""

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
        diff = x - y
        self.save_for_backward(diff, reduction)
        return reduce_loss(diff * diff, reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        diff, reduction = self.saved
        d = (2 * upstream(grad, reduction, diff.size)) * diff
        return _pair(self.needs_input_grad, d, lambda: -d)


class L1Loss(Function):
    """l = |x - y|;  dl/dx = sign(x - y) (0 where x = y), dl/dy = -sign(x - y)."""

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
        diff = x - y
        self.save_for_backward(diff, reduction)
        return reduce_loss(np.abs(diff), reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        diff, reduction = self.saved
        d = upstream(grad, reduction, diff.size) * np.sign(diff)
        return _pair(self.needs_input_grad, d, lambda: -d)


class HuberLoss(Function):
    """l = (x - y)^2 / 2 where |x - y| < delta, else delta (|x - y| - delta / 2): quadratic near 0,
    linear far away (so outliers pull with a bounded force);  dl/dx = clip(x - y, -delta, delta)."""

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean",
                delta: float = 1.0) -> np.ndarray:
        diff = x - y
        size = np.abs(diff)
        quadratic = size < delta
        loss = np.where(quadratic, 0.5 * diff * diff, delta * (size - 0.5 * delta))
        self.save_for_backward(diff, reduction, delta)
        return reduce_loss(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        diff, reduction, delta = self.saved
        d = upstream(grad, reduction, diff.size) * np.clip(diff, -delta, delta)
        return _pair(self.needs_input_grad, d, lambda: -d)


class BCELoss(Function):
    """l = -w [y ln p + (1 - y) ln(1 - p)] for probabilities p in [0, 1], each log clamped at -100 as
    in PyTorch (so p = 0 or 1 gives a large finite loss, not inf);
    dl/dp = w (p - y) / max(p (1 - p), 1e-12), dl/dy = w (ln(1 - p) - ln p)."""

    def forward(self, p: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None,
                reduction: str = "mean") -> np.ndarray:
        with np.errstate(divide="ignore"):  # ln 0 = -inf, clamped to -100 just below
            log_p = np.maximum(np.log(p), -100)
            log_1mp = np.maximum(np.log1p(-p), -100)
        loss = -(y * log_p + (1 - y) * log_1mp)
        if weight is not None:
            loss = loss * weight
        self.save_for_backward(p, y, weight, log_p, log_1mp, reduction)
        return reduce_loss(loss, reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        p, y, weight, log_p, log_1mp, reduction = self.saved
        g = upstream(grad, reduction, p.size)
        if weight is not None:
            g = g * weight
        # PyTorch's floor is the float32 constant 1e-12 (9.99999996e-13); the same one gives its numbers.
        d = g * (p - y) / np.maximum(p * (1 - p), np.asarray(_BCE_EPSILON, dtype=p.dtype))
        return _pair(self.needs_input_grad, d, lambda: g * (log_1mp - log_p))


def softplus_of_negative(x: np.ndarray) -> np.ndarray:
    """-ln logsig(x) = ln(1 + e^-x) = max(-x, 0) + ln(1 + e^-|x|): never overflows, exact for large |x|."""
    return np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))


class BCEWithLogitsLoss(Function):
    """Binary cross-entropy of logits z, with the sigmoid fused in:
    l = w [(1 - y) z + (1 + (pw - 1) y) ln(1 + e^-z)]  (= -w [pw y ln s(z) + (1 - y) ln(1 - s(z))]);
    dl/dz = w [(1 - y) - (1 + (pw - 1) y) s(-z)], which is w (s(z) - y) when pw = 1;
    dl/dy = w [-z + (pw - 1) ln(1 + e^-z)]. Finite at z = +-1e4 (no exp of a large number)."""

    def forward(self, z: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None,
                pos_weight: np.ndarray | None = None, reduction: str = "mean") -> np.ndarray:
        softplus_neg = softplus_of_negative(z)
        log_weight = None if pos_weight is None else 1 + (pos_weight - 1) * y
        loss = (1 - y) * z + (softplus_neg if log_weight is None else log_weight * softplus_neg)
        if weight is not None:
            loss = loss * weight
        self.save_for_backward(z, y, weight, pos_weight, log_weight, softplus_neg, reduction)
        return reduce_loss(loss, reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        z, y, weight, pos_weight, log_weight, softplus_neg, reduction = self.saved
        g = upstream(grad, reduction, z.size)
        if weight is not None:
            g = g * weight
        if log_weight is None:
            d = g * (sigmoid_array(z) - y)
        else:
            d = g * ((1 - y) - log_weight * sigmoid_array(-z))

        def grad_target() -> np.ndarray:
            if pos_weight is None:
                return g * -z
            return g * (-z + (pos_weight - 1) * softplus_neg)

        return _pair(self.needs_input_grad, d, grad_target)
