"""Tensor methods, shape and selection family: reshape, transpose, permute, squeeze, expand, indexing,
gather and masked_fill. ``Tensor`` (tensor.py) takes each function here as its method."""

from __future__ import annotations

import builtins
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule.autograd import selection
from chainrule.autograd import shape as shape_ops
from chainrule.autograd.dims import insertion_dim, normalize_dim, normalize_dims
from chainrule.autograd.tensor_base import TensorBase
from chainrule.autograd.values import index_value, to_array
from chainrule.autograd.versions import bump
from chainrule.backend import device_of, to_device

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor

# -- shape -------------------------------------------------------------------------------------


def reshape(self: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (one dim may be -1: inferred)."""
    new_shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    try:
        return shape_ops.Reshape.apply(self, shape=tuple(builtins.int(s) for s in new_shape))
    except ValueError:
        raise RuntimeError(f"reshape: shape {tuple(new_shape)} is invalid for a tensor of shape {self.shape} "
                           f"({self.numel()} elements)") from None


def view_as(self: Tensor, other: Tensor) -> Tensor:
    return self.reshape(other.shape)


def flatten(self: Tensor, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
    """Merge dims ``start_dim`` .. ``end_dim`` into one."""
    if self.ndim == 0:
        return self.reshape(1)
    start, end = normalize_dim(start_dim, self.ndim), normalize_dim(end_dim, self.ndim)
    merged = math.prod(self.shape[start:end + 1])
    return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])


def transpose(self: Tensor, dim0: builtins.int, dim1: builtins.int) -> Tensor:
    d0, d1 = normalize_dim(dim0, self.ndim), normalize_dim(dim1, self.ndim)
    return shape_ops.Transpose.apply(self, dim0=d0, dim1=d1)


def t(self: Tensor) -> Tensor:
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got shape {self.shape}; use transpose")
    return self if self.ndim < 2 else self.transpose(0, 1)


def permute(self: Tensor, *dims: Any) -> Tensor:
    order = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    axes = normalize_dims(order, self.ndim)
    if axes is None or sorted(axes) != list(range(self.ndim)):
        raise RuntimeError(f"permute: {order} is not a permutation of the {self.ndim} dims of shape {self.shape}")
    return shape_ops.Permute.apply(self, dims=axes)


def unsqueeze(self: Tensor, dim: builtins.int) -> Tensor:
    """Insert a dim of size 1 at ``dim``."""
    dim = insertion_dim(dim, self.shape, "unsqueeze")
    return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])


def squeeze(self: Tensor, dim: Any = None) -> Tensor:
    """Remove dims of size 1 (all of them, or only ``dim`` when it has size 1)."""
    if dim is None:
        return self.reshape(tuple(s for s in self.shape if s != 1))
    axes = normalize_dims(dim, self.ndim) or ()
    return self.reshape(tuple(s for i, s in enumerate(self.shape) if not (i in axes and s == 1)))


def expand(self: Tensor, *sizes: Any) -> Tensor:
    """This tensor broadcast to ``sizes`` without copying; -1 keeps a dim's size. New dims go in front."""
    target = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    lead = len(target) - self.ndim
    if any(s == -1 for s in target[:max(lead, 0)]):
        raise RuntimeError(f"expand: -1 is not allowed for the new leading dims in {tuple(target)} "
                           f"(shape {self.shape} gains {lead} new dims; give their sizes)")
    resolved = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(target))
    try:
        return shape_ops.Expand.apply(self, shape=resolved)
    except ValueError:
        raise RuntimeError(f"expand: cannot expand shape {self.shape} to {tuple(target)}") from None


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return self.expand(other.shape)


def get_item(self: Tensor, index: Any) -> Tensor:
    index = index_value(index)
    try:
        return selection.GetItem.apply(self, index=index)
    except IndexError as error:
        raise IndexError(f"indexing a tensor of shape {self.shape}: {error}") from None


def set_item(self: Tensor, index: Any, value: Any) -> None:
    self._check_inplace(value)
    self.data[index_value(index)] = value.data if isinstance(value, TensorBase) else value
    bump(self)


def gather(self: Tensor, dim: builtins.int, index: Any) -> Tensor:
    """Pick values along ``dim`` at ``index`` (an int64 tensor of the output's shape), as torch.gather."""
    index_array = to_device(index.data if isinstance(index, TensorBase) else np.asarray(index), device_of(self.data))
    if index_array.dtype.kind not in "iu":
        raise RuntimeError(f"gather: index must be an integer tensor, got dtype {index_array.dtype}")
    if index_array.ndim != self.ndim:
        raise RuntimeError(f"gather: index has {index_array.ndim} dims but the input has {self.ndim} "
                           f"(shape {self.shape}); they must have the same number of dims")
    axis = normalize_dim(dim, self.ndim)
    try:
        return selection.Gather.apply(self, index=index_array, dim=axis)
    except IndexError as error:
        raise IndexError(f"gather: index out of range for dim {dim} of shape {self.shape}: {error}") from None


def masked_fill(self: Tensor, mask: Any, value: Any) -> Tensor:
    """A copy with ``value`` where ``mask`` is true (the gradient flows only where it is false)."""
    fill = self._operand(value)
    if self.dtype.kind == "f":
        fill = fill.to(self.dtype)
    return fill.where(mask, self)


def where(self: Tensor, condition: Any, other: Any) -> Tensor:
    """``self`` where ``condition`` is true, else ``other`` (all three broadcast, PyTorch's
    ``Tensor.where``); the gradient flows to whichever was chosen. ``cr.where`` calls this."""
    chosen = to_array(condition, copy=False).astype(bool, copy=False)
    a, b = self._promote(other)
    try:
        return selection.Where.apply(a, b, condition=chosen)
    except ValueError:
        raise RuntimeError(f"where: condition {chosen.shape}, input {a.shape} and other {b.shape} "
                           "cannot be broadcast together") from None
