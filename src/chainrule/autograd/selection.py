"""Ops that pick elements: indexing, gather along a dim, the element-wise choices maximum, minimum
and where. Their backward sends the gradient back to the elements that were picked, and nowhere else."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.backend import along_axis, namespace_of, scatter_add


def _is_basic_index(index: Any) -> bool:
    """True for ints, slices, None and Ellipsis only: each element is then picked at most once."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


class GetItem(Function):
    """out = x[index];  dL/dx scatters g back to the picked positions, adding where a position was
    picked more than once (advanced indexing with repeats)."""

    def forward(self, x: np.ndarray, index: Any) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x.shape, x.dtype, index)
        return xp.asarray(x[index])

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        shape, dtype, index = self.saved
        full = xp.zeros(shape, dtype=grad.dtype)
        if _is_basic_index(index):
            full[index] = grad
        else:
            scatter_add(full, index, grad)
        return full


class Gather(Function):
    """out[i][j] = x[i][index[i][j]] along ``dim`` (PyTorch's ``gather``);  dL/dx adds g back at the
    gathered positions (an index picked twice receives both gradients)."""

    def forward(self, x: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x.shape, index, dim)
        return xp.take_along_axis(x, index, axis=dim)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        shape, index, dim = self.saved
        full = xp.zeros(shape, dtype=grad.dtype)
        # Full index tuples so that repeated indices add up (put_along_axis would keep one of them).
        scatter_add(full, along_axis(index, dim), grad)
        return full


class Maximum(Function):
    """out = max(a, b) element-wise;  the gradient goes to the larger input, split in half on ties."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        xp = namespace_of(a)
        self.save_for_backward(a, b)
        return xp.maximum(a, b)

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        a, b = self.saved
        share_a = (a > b) + 0.5 * (a == b)
        return grad * share_a.astype(grad.dtype), grad * (1 - share_a).astype(grad.dtype)


class Minimum(Function):
    """out = min(a, b) element-wise;  the gradient goes to the smaller input, split in half on ties."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        xp = namespace_of(a)
        self.save_for_backward(a, b)
        return xp.minimum(a, b)

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        a, b = self.saved
        share_a = (a < b) + 0.5 * (a == b)
        return grad * share_a.astype(grad.dtype), grad * (1 - share_a).astype(grad.dtype)


class Where(Function):
    """out = a where condition else b;  each input gets the gradient where it was chosen."""

    def forward(self, a: np.ndarray, b: np.ndarray, condition: np.ndarray) -> np.ndarray:
        xp = namespace_of(a)
        self.save_for_backward(condition)
        return xp.where(condition, a, b)

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        xp = namespace_of(grad)
        (condition,) = self.saved
        zero = xp.zeros((), dtype=grad.dtype)
        need_a, need_b = self.needs_input_grad
        return (
            xp.where(condition, grad, zero) if need_a else None,
            xp.where(condition, zero, grad) if need_b else None,
        )
