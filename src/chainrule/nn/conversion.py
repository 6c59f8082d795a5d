"""Moving a module's parameters and buffers to another device and/or dtype, in place (``model.to("cuda")``,
``model.double()``, ``model.to(cr.float64)``, ``model.cuda()``, ``model.cpu()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import backend, dtypes
from chainrule.autograd.tensor import Tensor

if TYPE_CHECKING:
    from chainrule.nn.module import Module


def convert(module: Module, device: Any = None, dtype: Any = None) -> None:
    """Give every parameter and buffer (and gradient) of ``module`` and its sub-modules a new array on
    ``device`` and, for floating-point ones, of ``dtype``. The Parameter objects stay the same, so an
    optimiser created before still holds them; integer buffers keep their dtype, as in PyTorch."""
    target = None if dtype is None else dtypes.resolve(dtype)
    place = None if device is None else backend.as_device(device)
    for m in module.modules():
        for t in (*m._parameters.values(), *m._buffers.values()):
            if t is None:
                continue
            cast = target is not None and t.data.dtype.kind == "f" and t.data.dtype != target
            move = place is not None and t.device != place
            if not (cast or move):
                continue
            t.data = _converted(t.data, place if move else None, target if cast else None)
            if t.grad is not None:
                t.grad = Tensor._wrap(_converted(t.grad.data, place if move else None, target if cast else None))


def _converted(array: Any, device: Any, dtype: Any) -> Any:
    if device is not None:
        array = backend.to_device(array, device)
    return array if dtype is None else array.astype(dtype)


def convert_floats(module: Module, dtype: Any) -> None:
    """``convert`` with a dtype only (``model.double()``, ``model.float()``)."""
    convert(module, dtype=dtype)


def to_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, np.dtype | None]:
    """The (device, dtype) that ``module.to(...)`` asks for: ``to(device)``, ``to(dtype)``, ``to(tensor)``,
    ``to(device, dtype)``, ``to(device=..., dtype=...)``; None for what is not named."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, bool):
            continue  # non_blocking, which changes nothing here
        elif backend.is_device_like(arg) or isinstance(arg, int):
            device = arg
        else:
            dtype = arg
    if device is not None:
        device = backend.as_device(device)
    if dtype is None:
        return device, None
    resolved = dtypes.resolve(dtype)
    if resolved.kind != "f":
        raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
    return device, resolved
