"""Reductions: sum, mean, max, min, product over all elements or along ``dim`` (with ``keepdim``), and
the running (cumulative) sum.

Their backward broadcasts the incoming gradient back over the reduced axes: a sum copies it to
every element, a mean divides it by the count, a max sends it to the element(s) that won, a product
to each element times the product of the others.
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


class CumSum(Function):
    """out = running sum of x along ``dim``;  dL/dx = running sum of g taken from the end backwards."""

    def forward(self, x: np.ndarray, dim: int) -> np.ndarray:
        self.save_for_backward(dim)
        return np.cumsum(x, axis=dim)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (dim,) = self.saved
        return np.flip(np.cumsum(np.flip(grad, axis=dim), axis=dim), axis=dim)


class Prod(Function):
    """out = product of x along ``dim`` (all elements when None);  dL/dx_i = g * (product of the others).

    The product of the others is taken as (product of those before i) * (product of those after i),
    so zeros in x need no division and no special case.
    """

    def forward(self, x: np.ndarray, dim: int | None, keepdim: bool = False) -> np.ndarray:
        self.save_for_backward(x, dim, keepdim)
        return np.asarray(np.prod(x, axis=dim, keepdims=keepdim))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x, dim, keepdim = self.saved
        flat = x.reshape(-1) if dim is None else x
        axis = 0 if dim is None else dim
        ones_shape = list(flat.shape)
        ones_shape[axis] = 1
        ones = np.ones(ones_shape, dtype=x.dtype)
        before = np.cumprod(np.concatenate([ones, np.delete(flat, -1, axis=axis)], axis=axis), axis=axis)
        after = np.flip(np.cumprod(np.flip(np.concatenate([np.delete(flat, 0, axis=axis), ones], axis=axis),
                                           axis=axis), axis=axis), axis=axis)
        others = before * after
        if dim is None:
            return (grad * others).reshape(x.shape)
        g = grad if keepdim else np.expand_dims(grad, dim)
        return g * others
