"""Ops that move elements without changing them: reshape, transpose, permute, expand, concatenation
and stacking. Their backward moves the gradient back to where each element came from.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.backend import namespace_of


class Reshape(Function):
    """out = x viewed with a new shape;  dL/dx = g reshaped back."""

    def forward(self, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        self.save_for_backward(x.shape)
        return x.reshape(shape)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad.reshape(self.saved[0])


class Permute(Function):
    """out = x with its axes reordered by ``dims``;  dL/dx = g with the inverse permutation."""

    def forward(self, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(tuple(np.argsort(dims).tolist()))  # host: the inverse permutation
        return xp.transpose(x, dims)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        return xp.transpose(grad, self.saved[0])


class Transpose(Function):
    """out = x with axes ``dim0`` and ``dim1`` swapped;  dL/dx = g swapped back."""

    def forward(self, x: np.ndarray, dim0: int, dim1: int) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(dim0, dim1)
        return xp.swapaxes(x, dim0, dim1)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        dim0, dim1 = self.saved
        return xp.swapaxes(grad, dim0, dim1)


class Expand(Function):
    """out = x broadcast to ``shape`` (no copy);  dL/dx = g summed over the broadcast axes (by the engine)."""

    def forward(self, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        xp = namespace_of(x)
        return xp.broadcast_to(x, shape)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class Cat(Function):
    """out = the inputs joined along ``dim``;  each input gets its slice of g."""

    def forward(self, *arrays: np.ndarray, dim: int = 0) -> np.ndarray:
        xp = namespace_of(*arrays)
        sizes = [a.shape[dim] for a in arrays]
        self.save_for_backward(np.cumsum(sizes)[:-1].tolist(), dim)  # host: split points
        return xp.concatenate(arrays, axis=dim)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        xp = namespace_of(grad)
        splits, dim = self.saved
        return tuple(xp.split(grad, splits, axis=dim))


class Stack(Function):
    """out = the inputs stacked along a new axis ``dim``;  each input gets its slice of g."""

    def forward(self, *arrays: np.ndarray, dim: int = 0) -> np.ndarray:
        xp = namespace_of(*arrays)
        out = xp.stack(arrays, axis=dim)
        self.save_for_backward(dim, len(arrays))
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        xp = namespace_of(grad)
        dim, count = self.saved
        return tuple(xp.take(grad, i, axis=dim) for i in range(count))
