"""Ops that move elements without changing them: reshape, transpose, permute, expand, concatenation
and stacking. Their backward moves the gradient back to where each element came from.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function


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
        self.save_for_backward(np.argsort(dims))
        return np.transpose(x, dims)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return np.transpose(grad, self.saved[0])


class Transpose(Function):
    """out = x with axes ``dim0`` and ``dim1`` swapped;  dL/dx = g swapped back."""

    def forward(self, x: np.ndarray, dim0: int, dim1: int) -> np.ndarray:
        self.save_for_backward(dim0, dim1)
        return np.swapaxes(x, dim0, dim1)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        dim0, dim1 = self.saved
        return np.swapaxes(grad, dim0, dim1)


class Expand(Function):
    """out = x broadcast to ``shape`` (no copy);  dL/dx = g summed over the broadcast axes (by the engine)."""

    def forward(self, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(x, shape)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class Cat(Function):
    """out = the inputs joined along ``dim``;  each input gets its slice of g."""

    def forward(self, *arrays: np.ndarray, dim: int = 0) -> np.ndarray:
        sizes = [a.shape[dim] for a in arrays]
        self.save_for_backward(np.cumsum(sizes)[:-1], dim)
        return np.concatenate(arrays, axis=dim)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        splits, dim = self.saved
        return tuple(np.split(grad, splits, axis=dim))


class Stack(Function):
    """out = the inputs stacked along a new axis ``dim``;  each input gets its slice of g."""

    def forward(self, *arrays: np.ndarray, dim: int = 0) -> np.ndarray:
        out = np.stack(arrays, axis=dim)
        self.save_for_backward(dim, len(arrays))
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        dim, count = self.saved
        return tuple(np.take(grad, i, axis=dim) for i in range(count))
