"""Tensor methods, conversion family: to NumPy and Python values, to other dtypes, copies and new tensors
of the same dtype. ``Tensor`` (tensor.py) takes each function here as its method of the same name."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import dtypes
from chainrule.autograd import grad_mode, unary
from chainrule.autograd.tensor_base import TensorBase
from chainrule.autograd.values import to_array

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor

def numpy(self: Tensor) -> np.ndarray:
    """The underlying array (shared, not copied). Like PyTorch, refuses while requiring grad."""
    if self.requires_grad and grad_mode._state.enabled:
        raise RuntimeError("Can't call numpy() on a tensor that requires grad: "
                           "use tensor.detach().numpy() instead.")
    return self.data


def as_numpy_array(self: Tensor, dtype: Any = None, copy: Any = None) -> np.ndarray:
    return self.data if dtype is None else self.data.astype(dtype)


def item(self: Tensor) -> Any:
    """The single value of a one-element tensor, as a Python number."""
    if self.data.size != 1:
        raise RuntimeError(f"item(): a tensor with {self.data.size} elements (shape {self.shape}) cannot "
                           "be converted to a Python number; only one-element tensors can")
    return self.data.reshape(()).item()


def tolist(self: Tensor) -> Any:
    return self.data.tolist()


def as_python_float(self: Tensor) -> builtins.float:
    return builtins.float(self.item())


def as_python_int(self: Tensor) -> builtins.int:
    return builtins.int(self.item())


def as_index(self: Tensor) -> builtins.int:
    if self.data.dtype.kind not in "iub":
        raise TypeError(f"only integer tensors can be used as an index, not {self.dtype}")
    return builtins.int(self.item())


def truth_value(self: Tensor) -> builtins.bool:
    if self.data.size != 1:
        raise RuntimeError(f"the truth value of a tensor with {self.data.size} values is ambiguous; "
                           "use .any() or .all()")
    return builtins.bool(self.data.reshape(()))


def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``t.to(dtype)`` converts (a differentiable cast); ``t.to('cpu')`` is a no-op (chainrule is CPU only)."""
    dtype = kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, str) and arg.split(":")[0] == "cpu":
            continue
        if isinstance(arg, TensorBase):
            dtype = arg.dtype
        elif isinstance(arg, str) and arg.split(":")[0] in ("cuda", "mps"):
            raise RuntimeError(f"device {arg!r} is not available: chainrule runs on the CPU with NumPy")
        else:
            dtype = arg
    if dtype is None or dtypes.resolve(dtype) == self.data.dtype:
        return self
    return unary.Cast.apply(self, dtype=dtypes.resolve(dtype))


def float(self: Tensor) -> Tensor:  # noqa: A001
    return self.to(dtypes.float32)


def double(self: Tensor) -> Tensor:
    return self.to(dtypes.float64)


def long(self: Tensor) -> Tensor:
    return self.to(dtypes.int64)


def int(self: Tensor) -> Tensor:  # noqa: A001
    return self.to(dtypes.int32)


def bool(self: Tensor) -> Tensor:  # noqa: A001
    return self.to(dtypes.bool)


def type(self: Tensor, dtype: Any = None) -> Any:  # noqa: A001
    return f"chainrule.{self.dtype}" if dtype is None else self.to(dtype)


def type_as(self: Tensor, other: Tensor) -> Tensor:
    return self.to(other.dtype)


def cpu(self: Tensor) -> Tensor:
    return self


def contiguous(self: Tensor) -> Tensor:
    return self


def clone(self: Tensor) -> Tensor:
    """A copy that stays in the graph (gradients flow back to the original)."""
    return unary.Clone.apply(self)


def _new_dtype(self: Tensor, dtype: Any, device: Any, requires_grad: builtins.bool) -> np.dtype:
    """The dtype of a ``new_*`` tensor (this tensor's unless given); only the CPU device exists here."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"device {device!r} is not available: chainrule runs on the CPU with NumPy")
    return self.dtype if dtype is None else dtypes.resolve(dtype)


def _new(self: Tensor, array: np.ndarray, requires_grad: builtins.bool) -> Tensor:
    t = self._wrap(array)
    return t.requires_grad_(True) if requires_grad else t


def _size_arg(size: tuple[Any, ...]) -> tuple[builtins.int, ...]:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: builtins.bool = False) -> Tensor:
    return _new(self, np.zeros(_size_arg(size), _new_dtype(self, dtype, device, requires_grad)), requires_grad)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:
    return _new(self, np.ones(_size_arg(size), _new_dtype(self, dtype, device, requires_grad)), requires_grad)


def new_full(self: Tensor, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:
    array = np.full(tuple(size), fill_value, dtype=_new_dtype(self, dtype, device, requires_grad))
    return _new(self, array, requires_grad)


def new_tensor(self: Tensor, data: Any, dtype: Any = None, device: Any = None,
               requires_grad: builtins.bool = False) -> Tensor:
    """A copy of ``data`` with this tensor's dtype (unless ``dtype`` is given), cut from any graph."""
    if isinstance(data, TensorBase):
        data = data.data
    return _new(self, np.array(to_array(data, _new_dtype(self, dtype, device, requires_grad))), requires_grad)
