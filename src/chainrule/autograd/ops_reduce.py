"""Reductions: sum, mean, max, min over all elements or along ``dim`` (with ``keepdim``).

Their backward broadcasts the incoming gradient back over the reduced axes: a sum copies it to
every element, a mean divides it by the count, a max sends it to the element(s) that won.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function

Axes = tuple[int, ...] | None


def _expand_reduced(grad: np.ndarray, axes: Axes, keepdim: bool, ndim: int) -> np.ndarray:
    """Re-insert the reduced axes as size 1 so ``grad`` broadcasts against the input."""
    if keepdim or axes is None and grad.ndim == ndim:
        return grad
    if axes is None:
        return grad.reshape((1,) * ndim)
    return np.expand_dims(grad, axes)


class Sum(Function):
    """out = sum of x over ``axes``;  dL/dx = g broadcast back to x's shape."""

    def forward(self, x: np.ndarray, axes: Axes = None, keepdim: bool = False) -> np.ndarray:
        self.save_for_backward(x.shape, axes, keepdim)
        return np.asarray(x.sum(axis=axes, keepdims=keepdim))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        shape, axes, keepdim = self.saved
        return np.broadcast_to(_expand_reduced(grad, axes, keepdim, len(shape)), shape)


class Mean(Function):
    """out = mean of x over ``axes``;  dL/dx = g / n broadcast back, n the number averaged."""

    def forward(self, x: np.ndarray, axes: Axes = None, keepdim: bool = False) -> np.ndarray:
        count = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        self.save_for_backward(x.shape, axes, keepdim, count)
        return np.asarray(x.mean(axis=axes, keepdims=keepdim))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        shape, axes, keepdim, count = self.saved
        expanded = _expand_reduced(grad, axes, keepdim, len(shape)) / np.asarray(count, dtype=grad.dtype)
        return np.broadcast_to(expanded, shape)


class Amax(Function):
    """out = max of x over ``axes`` (``largest=False``: min);  the gradient is shared equally by the
    elements that reach the extreme (one, unless there are ties)."""

    def forward(self, x: np.ndarray, axes: Axes = None, keepdim: bool = False, largest: bool = True) -> np.ndarray:
        reduce = np.max if largest else np.min
        out = np.asarray(reduce(x, axis=axes, keepdims=True))
        self.save_for_backward(x, out, axes, keepdim)
        return out if keepdim else (out.reshape(()) if axes is None else np.squeeze(out, axes))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x, out, axes, keepdim = self.saved
        winners = x == out
        share = winners / winners.sum(axis=axes, keepdims=True)
        return share.astype(grad.dtype) * _expand_reduced(grad, axes, keepdim, x.ndim)


class MaxAlongDim(Function):
    """values of max (or min) along one ``dim``, PyTorch's ``x.max(dim)``; the gradient goes to the one
    element whose index ``argmax`` returned (the first, on ties), exactly like PyTorch."""

    def forward(self, x: np.ndarray, dim: int, keepdim: bool = False, largest: bool = True) -> np.ndarray:
        indices = np.expand_dims(np.argmax(x, axis=dim) if largest else np.argmin(x, axis=dim), dim)
        self.save_for_backward(x.shape, dim, keepdim, indices)
        values = np.take_along_axis(x, indices, axis=dim)
        return values if keepdim else np.squeeze(values, dim)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        shape, dim, keepdim, indices = self.saved
        full = np.zeros(shape, dtype=grad.dtype)
        np.put_along_axis(full, indices, grad if keepdim else np.expand_dims(grad, dim), axis=dim)
        return full
