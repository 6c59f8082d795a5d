"""Tensor methods, conversion family: to NumPy and Python values, to other dtypes, copies and new tensors
of the same dtype. ``Tensor`` (tensor.py) takes each function here as its method of the same name."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import backend, dtypes
from chainrule.autograd import grad_mode, transfer, unary
from chainrule.autograd.tensor_base import TensorBase
from chainrule.autograd.values import to_array

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor

def _refuse_device_tensor(self: Tensor) -> None:
    if builtins.type(self.data) is not np.ndarray and not backend.is_host(self.data):
        raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                        "the tensor to host memory first.")


def numpy(self: Tensor) -> np.ndarray:
    """The underlying array (shared, not copied). Like PyTorch, refuses while requiring grad, and for a
    tensor on a GPU (``t.cpu().numpy()`` copies it to host memory first)."""
    _refuse_device_tensor(self)
    if self.requires_grad and grad_mode._state.enabled:
        raise RuntimeError("Can't call numpy() on a tensor that requires grad: "
                           "use tensor.detach().numpy() instead.")
    return self.data


def as_numpy_array(self: Tensor, dtype: Any = None, copy: Any = None) -> np.ndarray:
    _refuse_device_tensor(self)
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


_TO_OPTIONS = ("device", "dtype", "non_blocking", "copy", "memory_format")


def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """This tensor on another device and/or in another dtype, as PyTorch's ``Tensor.to``:
    ``t.to("cuda")``, ``t.to(cr.float64)``, ``t.to("cuda", cr.float32)``, ``t.to(other)`` (other's device
    and dtype), ``t.to(device=..., dtype=..., copy=True)``. Differentiable: gradients flow back to the
    original device and dtype. Returns ``self`` when nothing changes (unless ``copy=True``)."""
    unknown = set(kwargs) - set(_TO_OPTIONS)
    if unknown:
        raise TypeError(f"to() got unexpected keyword argument(s) {sorted(unknown)}; allowed: {', '.join(_TO_OPTIONS)}")
    device, dtype, copy = kwargs.get("device"), kwargs.get("dtype"), builtins.bool(kwargs.get("copy", False))
    flags = []
    for arg in args:
        if isinstance(arg, TensorBase):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, builtins.bool):
            flags.append(arg)  # to(dtype, non_blocking, copy): the booleans come in that order
        elif backend.is_device_like(arg) or (isinstance(arg, builtins.int) and device is None):
            device = arg
        else:
            dtype = arg
    if len(flags) == 2:
        copy = flags[1]
    result = self
    if device is not None:
        target = backend.as_device(device)
        if target != self.device:
            result = transfer.ToDevice.apply(self, device=target)
            copy = False
    if dtype is not None and dtypes.resolve(dtype) != result.data.dtype:
        result = unary.Cast.apply(result, dtype=dtypes.resolve(dtype))
        copy = False
    return result.clone() if copy else result


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
    """This tensor in host memory (itself when it is there already)."""
    return self.to("cpu")


def cuda(self: Tensor, device: Any = None, non_blocking: builtins.bool = False) -> Tensor:
    """This tensor on a GPU (``device``: an index or ``"cuda:1"``; the current GPU when None)."""
    return self.to("cuda" if device is None else device if not isinstance(device, builtins.int) else f"cuda:{device}")


def contiguous(self: Tensor) -> Tensor:
    return self


def clone(self: Tensor) -> Tensor:
    """A copy that stays in the graph (gradients flow back to the original)."""
    return unary.Clone.apply(self)


def _new_dtype(self: Tensor, dtype: Any) -> np.dtype:
    """The dtype of a ``new_*`` tensor: this tensor's unless given."""
    return self.dtype if dtype is None else dtypes.resolve(dtype)


def _new(self: Tensor, array: np.ndarray, device: Any, requires_grad: builtins.bool) -> Tensor:
    """A host-built ``new_*`` array as a tensor on ``device`` (this tensor's device unless given)."""
    t = self._wrap(backend.to_device(array, backend.device_of(self.data) if device is None else device))
    return t.requires_grad_(True) if requires_grad else t


def _size_arg(size: tuple[Any, ...]) -> tuple[builtins.int, ...]:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: builtins.bool = False) -> Tensor:
    return _new(self, np.zeros(_size_arg(size), _new_dtype(self, dtype)), device, requires_grad)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:
    return _new(self, np.ones(_size_arg(size), _new_dtype(self, dtype)), device, requires_grad)


def new_full(self: Tensor, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:
    return _new(self, np.full(_size_arg((size,)), fill_value, dtype=_new_dtype(self, dtype)), device, requires_grad)


def new_tensor(self: Tensor, data: Any, dtype: Any = None, device: Any = None,
               requires_grad: builtins.bool = False) -> Tensor:
    """A copy of ``data`` with this tensor's dtype (unless ``dtype`` is given), cut from any graph, on this
    tensor's device (unless ``device`` is given)."""
    if isinstance(data, TensorBase):
        data = data.data
    return _new(self, to_array(data, _new_dtype(self, dtype)), device, requires_grad)
