"""softmax, log_softmax and logsumexp along a dim, all shifted by the max so that logits of +-1e4
neither overflow nor lose every digit; and the fused affine map of ``nn.Linear``."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function


def logsumexp_array(x: np.ndarray, dim: int | tuple[int, ...], keepdim: bool = False) -> np.ndarray:
    """ln sum e^x along ``dim``, computed as m + ln sum e^(x - m) with m the max (no overflow)."""
    shift = np.max(x, axis=dim, keepdims=True)
    # An all -inf slice would give -inf - -inf = nan; shift such slices by 0 instead.
    shift = np.where(np.isfinite(shift), shift, 0)
    out = np.log(np.sum(np.exp(x - shift), axis=dim, keepdims=True)) + shift
    return out if keepdim else np.squeeze(out, dim)


def log_softmax_array(x: np.ndarray, dim: int) -> np.ndarray:
    """x - logsumexp(x) along ``dim``."""
    return x - logsumexp_array(x, dim, keepdim=True)


class Softmax(Function):
    """p = e^x / sum e^x along ``dim``;  dL/dx = p * (g - sum(g * p))."""

    def forward(self, x: np.ndarray, dim: int) -> np.ndarray:
        exps = np.exp(x - np.max(x, axis=dim, keepdims=True))
        out = exps / exps.sum(axis=dim, keepdims=True)
        self.save_for_backward(out, dim)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out, dim = self.saved
        return out * (grad - (grad * out).sum(axis=dim, keepdims=True))


class LogSoftmax(Function):
    """out = x - logsumexp(x) along ``dim``;  dL/dx = g - softmax(x) * sum(g)."""

    def forward(self, x: np.ndarray, dim: int) -> np.ndarray:
        out = log_softmax_array(x, dim)
        self.save_for_backward(out, dim)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out, dim = self.saved
        return grad - np.exp(out) * grad.sum(axis=dim, keepdims=True)


class LogSumExp(Function):
    """out = ln sum e^x along ``dim``;  dL/dx = g * softmax(x)."""

    def forward(self, x: np.ndarray, dim: int | tuple[int, ...], keepdim: bool = False) -> np.ndarray:
        out = logsumexp_array(x, dim, keepdim=True)
        self.save_for_backward(x, out, dim, keepdim)
        return out if keepdim else np.squeeze(out, dim)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x, out, dim, keepdim = self.saved
        g = grad if keepdim else np.expand_dims(grad, dim)
        return g * np.exp(x - out)


class Linear(Function):
    """out = x @ W^T + b, the affine map of a layer (``weight`` of shape (out, in), rows are samples).

    Fused so that the forward is one matrix product plus an in-place bias add, and the backward is
    two matrix products and a column sum:  dL/dx = g @ W,  dL/dW = g^T @ x,  dL/db = sum of g's rows.
    The gradient for x is skipped when x needs none (the input layer), which saves a whole product.
    """

    def forward(self, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        self.save_for_backward(x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        x, weight = self.saved
        needs = self.needs_input_grad
        grad_x = grad @ weight if needs[0] else None
        # Samples as rows: a batch of any leading shape (*, features) is seen as (samples, features).
        grad_2d = grad if grad.ndim == 2 else grad.reshape(-1, grad.shape[-1])
        x_2d = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        grad_weight = grad_2d.T @ x_2d if needs[1] else None
        if len(needs) == 3:
            # np.add.reduce is .sum without its Python wrapper (a microsecond per step, every step)
            return grad_x, grad_weight, (np.add.reduce(grad_2d, axis=0) if needs[2] else None)
        return grad_x, grad_weight
