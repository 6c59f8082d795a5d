"""Converting a module's floating-point parameters and buffers to another dtype, in place
(``model.double()``, ``model.float()``, ``model.to(cr.float64)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import dtypes
from chainrule.autograd.tensor import Tensor

if TYPE_CHECKING:
    from chainrule.nn.module import Module


def convert_floats(module: Module, dtype: Any) -> None:
    """Give every floating-point parameter and buffer (and gradient) of ``module`` and its sub-modules a
    new array of ``dtype``. The Parameter objects stay the same, so an optimiser created before still
    holds them; integer buffers are left alone, as in PyTorch."""
    target = dtypes.resolve(dtype)
    for m in module.modules():
        for t in (*m._parameters.values(), *m._buffers.values()):
            if t is not None and t.data.dtype.kind == "f" and t.data.dtype != target:
                t.data = t.data.astype(target)
                if t.grad is not None:
                    t.grad = Tensor._wrap(t.grad.data.astype(target))


def dtype_of_to_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> np.dtype | None:
    """The dtype that ``module.to(...)`` asks for: ``to(dtype)``, ``to(tensor)``, ``to('cpu', dtype)``,
    ``to(dtype=...)``; None when only a device (the CPU) is named."""
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, str) and arg.split(":")[0] == "cpu":
            continue
        if isinstance(arg, str) and arg.split(":")[0] in ("cuda", "mps"):
            raise RuntimeError(f"device {arg!r} is not available: chainrule runs on the CPU with NumPy")
        dtype = arg.dtype if isinstance(arg, Tensor) else arg
    if dtype is None:
        return None
    resolved = dtypes.resolve(dtype)
    if resolved.kind != "f":
        raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
    return resolved
