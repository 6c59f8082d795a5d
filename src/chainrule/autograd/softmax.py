"""softmax, log_softmax and logsumexp along a dim: the one home of their numerics, which the
cross-entropy losses use too.

Every form shifts the logits by their max first: the exponents are then <= 0, so logits of +-1e4
neither overflow nor lose every digit, and the sum of exponentials is >= 1, so its log is finite.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.backend import namespace_of

Dims = int | tuple[int, ...]


def shift_by_max(x: np.ndarray, dim: Dims) -> tuple[np.ndarray, np.ndarray]:
    """(x - m, m) with m the max of x along ``dim`` (kept as size-1 axes). A slice whose max is not
    finite (all -inf, or holding +inf) is shifted by 0 instead, which would otherwise give -inf - -inf = nan."""
    xp = namespace_of(x)
    # xp.maximum.reduce is .max without its Python wrapper: this runs on every cross-entropy step.
    peak = xp.maximum.reduce(x, axis=dim, keepdims=True)
    # One scalar test for the common case (the sum of finite maxima is finite, barring an overflow that
    # only sends it down the exact path below).
    if not bool(xp.isfinite(xp.add.reduce(peak, axis=None))):
        peak = xp.where(xp.isfinite(peak), peak, 0)
    return x - peak, peak


def softmax_parts(x: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(s, ln Z, p) along ``dim``, with s = x - max(x), Z = sum e^s and p = e^s / Z = softmax(x), from one
    exp; log_softmax(x) = s - ln Z. The one computation behind log_softmax and the cross-entropy losses
    (the fused loss needs s - ln Z only at the targets)."""
    xp = namespace_of(x)
    shifted, _ = shift_by_max(x, dim)
    probs = xp.exp(shifted)
    sums = xp.add.reduce(probs, axis=dim, keepdims=True)
    probs /= sums
    return shifted, xp.log(sums), probs


def softmax_and_log_softmax(x: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(softmax, log_softmax) of x along ``dim`` (see ``softmax_parts``)."""
    shifted, log_norm, probs = softmax_parts(x, dim)
    shifted -= log_norm
    return probs, shifted


def logsumexp_array(x: np.ndarray, dim: Dims, keepdim: bool = False) -> np.ndarray:
    """ln sum e^x along ``dim``, computed as m + ln sum e^(x - m) with m the max (no overflow)."""
    xp = namespace_of(x)
    shifted, peak = shift_by_max(x, dim)
    out = xp.log(xp.add.reduce(xp.exp(shifted), axis=dim, keepdims=True)) + peak
    return out if keepdim else xp.squeeze(out, dim)


class SoftmaxFunction(Function):
    """p = e^x / sum e^x along ``dim``;  dL/dx = p * (g - sum(g * p))."""

    def forward(self, x: np.ndarray, dim: int) -> np.ndarray:
        xp = namespace_of(x)
        shifted, _ = shift_by_max(x, dim)
        out = xp.exp(shifted, out=shifted)
        out /= xp.add.reduce(out, axis=dim, keepdims=True)
        self.save_for_backward(out, dim)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out, dim = self.saved
        return out * (grad - (grad * out).sum(axis=dim, keepdims=True))


class LogSoftmaxFunction(Function):
    """out = x - logsumexp(x) along ``dim``;  dL/dx = g - softmax(x) * sum(g)."""

    def forward(self, x: np.ndarray, dim: int) -> np.ndarray:
        probs, log_probs = softmax_and_log_softmax(x, dim)
        # softmax comes out of the same exp, so backward needs no second one
        self.save_for_backward(probs, dim)
        return log_probs

    def backward(self, grad: np.ndarray) -> np.ndarray:
        probs, dim = self.saved
        return grad - probs * grad.sum(axis=dim, keepdims=True)


class LogSumExp(Function):
    """out = ln sum e^x along ``dim``;  dL/dx = g * softmax(x)."""

    def forward(self, x: np.ndarray, dim: Dims, keepdim: bool = False) -> np.ndarray:
        xp = namespace_of(x)
        out = logsumexp_array(x, dim, keepdim=True)
        self.save_for_backward(x, out, dim, keepdim)
        return out if keepdim else xp.squeeze(out, dim)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        x, out, dim, keepdim = self.saved
        g = grad if keepdim else xp.expand_dims(grad, dim)
        return g * xp.exp(x - out)
