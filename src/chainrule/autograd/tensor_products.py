"""Tensor methods, products family: ``mm``, ``mv``, ``dot``, ``outer`` (PyTorch's names for the matrix
product of given ranks; each checks the ranks, then is ``matmul`` or a broadcast product, so the gradients
come from those ops). ``Tensor`` (tensor.py) takes each function here as its method."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from chainrule.autograd.tensor_base import TensorBase

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor


def _need_dims(op: str, *operands: tuple[Any, builtins.int]) -> None:
    for position, (t, ndim) in zip(("first", "second"), operands, strict=True):
        if not isinstance(t, TensorBase) or t.ndim != ndim:
            shape = t.shape if isinstance(t, TensorBase) else type(t).__name__
            raise RuntimeError(f"{op}: the {position} argument must be a {ndim}-D tensor, got {shape}")


def mm(self: Tensor, other: Any) -> Tensor:
    """Matrix-matrix product (both 2-D)."""
    _need_dims("mm", (self, 2), (other, 2))
    return self.matmul(other)


def mv(self: Tensor, vec: Any) -> Tensor:
    """Matrix-vector product (a 2-D matrix, a 1-D vector)."""
    _need_dims("mv", (self, 2), (vec, 1))
    return self.matmul(vec)


def dot(self: Tensor, other: Any) -> Tensor:
    """Inner product of two 1-D tensors."""
    _need_dims("dot", (self, 1), (other, 1))
    return self.matmul(other)


def outer(self: Tensor, other: Any) -> Tensor:
    """Outer product of two 1-D tensors: out[i, j] = self[i] * other[j]."""
    _need_dims("outer", (self, 1), (other, 1))
    return self.unsqueeze(1) * other.unsqueeze(0)
