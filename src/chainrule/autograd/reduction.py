"""Reductions: sum, mean, max, min, product over all elements or along ``dim`` (with ``keepdim``), and
the running (cumulative) sum.

Their backward broadcasts the incoming gradient back over the reduced axes: a sum copies it to
every element, a mean divides it by the count, a max sends it to the element(s) that won, a product
to each element times the product of the others.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.function import Function
from chainrule.backend import namespace_of, put_along_axis

Axes = tuple[int, ...] | None


def _expand_reduced(grad: np.ndarray, axes: Axes, keepdim: bool, ndim: int) -> np.ndarray:
    """Re-insert the reduced axes as size 1 so ``grad`` broadcasts against the input."""
    xp = namespace_of(grad)
    if keepdim or axes is None and grad.ndim == ndim:
        return grad
    if axes is None:
        return grad.reshape((1,) * ndim)
    return xp.expand_dims(grad, axes)


class Sum(Function):
    """out = sum of x over ``axes``;  dL/dx = g broadcast back to x's shape."""

    def forward(self, x: np.ndarray, axes: Axes = None, keepdim: bool = False) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x.shape, axes, keepdim)
        return xp.asarray(x.sum(axis=axes, keepdims=keepdim))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        shape, axes, keepdim = self.saved
        return xp.broadcast_to(_expand_reduced(grad, axes, keepdim, len(shape)), shape)


class Mean(Function):
    """out = mean of x over ``axes``;  dL/dx = g / n broadcast back, n the number averaged."""

    def forward(self, x: np.ndarray, axes: Axes = None, keepdim: bool = False) -> np.ndarray:
        xp = namespace_of(x)
        count = x.size if axes is None else math.prod(x.shape[a] for a in axes)
        self.save_for_backward(x.shape, axes, keepdim, count)
        return xp.asarray(x.mean(axis=axes, keepdims=keepdim))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        shape, axes, keepdim, count = self.saved
        expanded = _expand_reduced(grad, axes, keepdim, len(shape)) / xp.asarray(count, dtype=grad.dtype)
        return xp.broadcast_to(expanded, shape)


class Amax(Function):
    """out = max of x over ``axes`` (``largest=False``: min);  the gradient is shared equally by the
    elements that reach the extreme (one, unless there are ties)."""

    def forward(self, x: np.ndarray, axes: Axes = None, keepdim: bool = False, largest: bool = True) -> np.ndarray:
        xp = namespace_of(x)
        reduce = xp.max if largest else xp.min
        out = xp.asarray(reduce(x, axis=axes, keepdims=True))
        self.save_for_backward(x, out, axes, keepdim)
        return out if keepdim else (out.reshape(()) if axes is None else xp.squeeze(out, axes))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x, out, axes, keepdim = self.saved
        winners = x == out
        share = winners / winners.sum(axis=axes, keepdims=True)
        return share.astype(grad.dtype) * _expand_reduced(grad, axes, keepdim, x.ndim)


class MaxAlongDim(Function):
    """values of max (or min) along one ``dim``, PyTorch's ``x.max(dim)``; the gradient goes to the one
    element whose index ``argmax`` returned (the first, on ties), exactly like PyTorch."""

    def forward(self, x: np.ndarray, dim: int, keepdim: bool = False, largest: bool = True) -> np.ndarray:
        xp = namespace_of(x)
        indices = xp.expand_dims(xp.argmax(x, axis=dim) if largest else xp.argmin(x, axis=dim), dim)
        self.save_for_backward(x.shape, dim, keepdim, indices)
        values = xp.take_along_axis(x, indices, axis=dim)
        return values if keepdim else xp.squeeze(values, dim)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        shape, dim, keepdim, indices = self.saved
        full = xp.zeros(shape, dtype=grad.dtype)
        put_along_axis(full, indices, grad if keepdim else xp.expand_dims(grad, dim), axis=dim)
        return full


class CumSum(Function):
    """out = running sum of x along ``dim``;  dL/dx = running sum of g taken from the end backwards."""

    def forward(self, x: np.ndarray, dim: int) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(dim)
        return xp.cumsum(x, axis=dim)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        (dim,) = self.saved
        return xp.flip(xp.cumsum(xp.flip(grad, axis=dim), axis=dim), axis=dim)


def _along(axis: int, start: int | None, stop: int | None) -> tuple[slice, ...]:
    """The index ``[start:stop]`` along ``axis`` (all of every axis before it)."""
    return (slice(None),) * axis + (slice(start, stop),)


class Prod(Function):
    """out = product of x along ``dim`` (all elements when None);  dL/dx_i = g * (product of the others).

    The product of the others is taken as (product of those before i) * (product of those after i),
    so zeros in x need no division and no special case.
    """

    def forward(self, x: np.ndarray, dim: int | None, keepdim: bool = False) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x, dim, keepdim)
        return xp.asarray(xp.prod(x, axis=dim, keepdims=keepdim))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        x, dim, keepdim = self.saved
        flat = x.reshape(-1) if dim is None else x
        axis = 0 if dim is None else dim
        ones_shape = list(flat.shape)
        ones_shape[axis] = 1
        ones = xp.ones(ones_shape, dtype=x.dtype)
        before = xp.cumprod(xp.concatenate([ones, flat[_along(axis, None, -1)]], axis=axis), axis=axis)
        after = xp.flip(xp.cumprod(xp.flip(xp.concatenate([flat[_along(axis, 1, None)], ones], axis=axis),
                                           axis=axis), axis=axis), axis=axis)
        others = before * after
        if dim is None:
            return (grad * others).reshape(x.shape)
        g = grad if keepdim else xp.expand_dims(grad, dim)
        return g * others
