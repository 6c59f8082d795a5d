"""Tensor methods, reduction family: sum, mean, var, std, prod, norm, max/min (with indices), argmax,
topk, cumsum and the softmax family along a dim. ``Tensor`` (tensor.py) takes each function here as its
method."""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule.autograd import reduction as reduce
from chainrule.autograd import softmax as softmax_ops
from chainrule.autograd import unary
from chainrule.autograd.dims import normalize_dim, normalize_dims, reduced_dims
from chainrule.autograd.tensor_base import TensorBase
from chainrule.backend import namespace_of, stable_argsort

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
def sum(self: Tensor, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None) -> Tensor:  # noqa: A001
    """Sum over all elements, or over ``dim`` (an int or a tuple); ``keepdim`` keeps size-1 axes."""
    xp = namespace_of(self.data)
    axes = reduced_dims(axis if dim is None else dim, self.ndim)
    if self.data.dtype.kind == "b":
        return self._wrap(xp.asarray(self.data.sum(axis=axes, keepdims=keepdim)))
    return reduce.Sum.apply(self, axes=axes, keepdim=keepdim)


def mean(self: Tensor, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None) -> Tensor:
    """Mean over all elements, or over ``dim``."""
    axes = reduced_dims(axis if dim is None else dim, self.ndim)
    return reduce.Mean.apply(self._as_float(), axes=axes, keepdim=keepdim)


def var(self: Tensor, dim: Any = None, unbiased: builtins.bool = True, keepdim: builtins.bool = False, *,
        correction: builtins.int | None = None) -> Tensor:
    """Variance, sum (x - mean)^2 / (n - correction); correction 1 (unbiased) by default, as PyTorch."""
    axes = reduced_dims(dim, self.ndim)
    count = self.numel() if axes is None else math.prod(self.shape[a] for a in axes)
    correction = (1 if unbiased else 0) if correction is None else correction
    centred = self - self.mean(dim=axes, keepdim=True)
    return (centred * centred).sum(dim=axes, keepdim=keepdim) / builtins.max(count - correction, 0)


def std(self: Tensor, dim: Any = None, unbiased: builtins.bool = True, keepdim: builtins.bool = False, *,
        correction: builtins.int | None = None) -> Tensor:
    # NOTE: d std / d var = 1 / (2 std) is infinite where std = 0 (all values equal); PyTorch takes the
    # gradient as 0 there, and so does SafeSqrt, instead of returning NaN.
    return unary.SafeSqrt.apply(self.var(dim, unbiased, keepdim, correction=correction))


def prod(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
    """Product of all elements, or along one ``dim``."""
    axis = None if dim is None or self.ndim == 0 else normalize_dim(dim, self.ndim)
    return reduce.Prod.apply(self, dim=axis, keepdim=keepdim and axis is not None)


def cumsum(self: Tensor, dim: builtins.int) -> Tensor:
    """Running sum along ``dim``."""
    if self.ndim == 0:
        return self
    return reduce.CumSum.apply(self, dim=normalize_dim(dim, self.ndim))


def norm(self: Tensor, p: Any = 2, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
    """The p-norm (sum |x|^p)^(1/p) over all elements or ``dim``; p may be 1, 2, any number, or inf."""
    if p in ("fro", 2):
        return unary.SafeSqrt.apply((self * self).sum(dim, keepdim))
    if p == builtins.float("inf"):
        return self.abs().amax(dim, keepdim)
    if p == 1:
        return self.abs().sum(dim, keepdim)
    return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)


def topk(self: Tensor, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True,
         sorted: builtins.bool = True) -> Any:  # noqa: A002 - PyTorch's name
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, largest first."""
    xp = namespace_of(self.data)
    axis = normalize_dim(dim, self.ndim)
    if not 0 <= k <= self.shape[axis]:
        raise RuntimeError(f"topk: k={k} is out of range for dim {dim} of size {self.shape[axis]}")
    # A stable sort of -x keeps the first of equal values first, as PyTorch does on the CPU.
    order = stable_argsort(-self.data if largest else self.data, axis=axis)
    index = xp.take(order, xp.arange(k), axis=axis).astype(np.int64)
    return ValuesIndices(self.gather(axis, index), self._wrap(index))


def extreme(self: Tensor, dim: Any, keepdim: builtins.bool, largest: builtins.bool) -> Any:
    xp = namespace_of(self.data)
    if dim is None:
        return reduce.Amax.apply(self, axes=None, keepdim=False, largest=largest)
    axis = normalize_dim(dim, self.ndim)
    values = reduce.MaxAlongDim.apply(self, dim=axis, keepdim=keepdim, largest=largest)
    index = xp.argmax(self.data, axis=axis) if largest else xp.argmin(self.data, axis=axis)
    if keepdim:
        index = xp.expand_dims(index, axis)
    return ValuesIndices(values, self._wrap(index.astype(np.int64)))


def max(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Any:  # noqa: A001
    """``t.max()`` is the largest element; ``t.max(dim)`` is (values, indices) along ``dim``, as PyTorch.
    ``t.max(other_tensor)`` is the element-wise maximum."""
    if isinstance(dim, TensorBase):
        return self.maximum(dim)
    return self._extreme(dim, keepdim, True)


def min(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Any:  # noqa: A001
    """``t.min()`` is the smallest element; ``t.min(dim)`` is (values, indices) along ``dim``."""
    if isinstance(dim, TensorBase):
        return self.minimum(dim)
    return self._extreme(dim, keepdim, False)


def amax(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
    return reduce.Amax.apply(self, axes=reduced_dims(dim, self.ndim), keepdim=keepdim, largest=True)


def amin(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
    return reduce.Amax.apply(self, axes=reduced_dims(dim, self.ndim), keepdim=keepdim, largest=False)


def argmax(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
    xp = namespace_of(self.data)
    if dim is None:
        return self._wrap(xp.asarray(xp.argmax(self.data), dtype=np.int64))
    return self._wrap(xp.argmax(self.data, axis=normalize_dim(dim, self.ndim), keepdims=keepdim)
                        .astype(np.int64))


def argmin(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
    xp = namespace_of(self.data)
    if dim is None:
        return self._wrap(xp.asarray(xp.argmin(self.data), dtype=np.int64))
    return self._wrap(xp.argmin(self.data, axis=normalize_dim(dim, self.ndim), keepdims=keepdim)
                        .astype(np.int64))


def softmax(self: Tensor, dim: builtins.int) -> Tensor:
    return softmax_ops.SoftmaxFunction.apply(self._as_float(), dim=normalize_dim(dim, self.ndim))


def log_softmax(self: Tensor, dim: builtins.int) -> Tensor:
    return softmax_ops.LogSoftmaxFunction.apply(self._as_float(), dim=normalize_dim(dim, self.ndim))


def logsumexp(self: Tensor, dim: Any, keepdim: builtins.bool = False) -> Tensor:
    return softmax_ops.LogSumExp.apply(self._as_float(), dim=normalize_dims(dim, self.ndim), keepdim=keepdim)
