"""Ops that pick or accumulate along one dim: gather, cumulative sum, product."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function


class Gather(Function):
    """out[i][j] = x[i][index[i][j]] along ``dim`` (PyTorch's ``gather``);  dL/dx adds g back at the
    gathered positions (an index picked twice receives both gradients)."""

    def forward(self, x: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
        self.save_for_backward(x.shape, index, dim)
        return np.take_along_axis(x, index, axis=dim)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        shape, index, dim = self.saved
        full = np.zeros(shape, dtype=grad.dtype)
        # Build full index tuples so that np.add.at accumulates repeated indices (put_along_axis would not).
        grids = list(np.indices(index.shape, sparse=True))
        grids[dim] = index
        np.add.at(full, tuple(grids), grad)
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
