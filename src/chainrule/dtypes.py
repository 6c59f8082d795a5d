"""The dtypes chainrule speaks of, under PyTorch's names, and the default float dtype."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
half, float, double = float16, float32, float64  # noqa: A001 - PyTorch's aliases
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
int, long = int32, int64  # noqa: A001 - PyTorch's aliases
bool = np.dtype(np.bool_)  # noqa: A001 - PyTorch's name

_NAMES: dict[str, np.dtype] = {
    "float16": float16, "half": float16, "float32": float32, "float": float32, "float64": float64,
    "double": float64, "int8": int8, "int16": int16, "int32": int32, "int": int32, "int64": int64,
    "long": int64, "uint8": uint8, "bool": bool,
}


class _Default:
    dtype: np.dtype = float32


_default = _Default()


def get_default_dtype() -> np.dtype:
    """The dtype of tensors made from Python floats (float32 unless changed, as in PyTorch)."""
    return _default.dtype


def set_default_dtype(dtype: Any) -> None:
    """Make ``dtype`` (float32 or float64) the dtype of tensors made from Python floats."""
    resolved = resolve(dtype)
    if resolved not in (float16, float32, float64):
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed (float32, float64), got {resolved}")
    _default.dtype = resolved


def resolve(dtype: Any) -> np.dtype:
    """Turn a dtype given as ``cr.float32``, ``np.float32``, ``'float32'`` or ``float`` into a NumPy dtype."""
    if isinstance(dtype, str):
        if dtype not in _NAMES:
            raise TypeError(f"unknown dtype name {dtype!r}; valid names: {', '.join(sorted(_NAMES))}")
        return _NAMES[dtype]
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{dtype!r} is not a dtype; use cr.float32, cr.float64, cr.int64 or cr.bool") from None



def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promotion of two dtypes: bool < integers < floats, and a float beats any integer
    without widening (int64 with float32 is float32, where NumPy would give float64)."""
    if a == b:
        return a
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    if a.kind in "fc" and b.kind in "iu":
        return a
    if b.kind in "fc" and a.kind in "iu":
        return b
    return np.promote_types(a, b)


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """Merge the dtype of a more important group of operands with a less important one: the lower group
    only matters when it is of a higher category (bool < integer < floating point < complex)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    return lower if _CATEGORY[lower.kind] > _CATEGORY[higher.kind] else higher


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def result_type(*operands: Any) -> np.dtype:
    """The dtype of an element-wise op on ``operands`` (arrays or Python numbers), by PyTorch's rules.

    Operands fall in three groups, in order of importance: arrays with at least one dim, 0-d arrays,
    and Python numbers (a float counts as the default dtype, an int as int64). A less important group
    changes the result only when it is of a higher category, so a float32 tensor stays float32 when
    multiplied by a Python float or a 0-d float64 tensor, and an int64 tensor times 2.5 is float32:

    >>> import numpy as np
    >>> result_type(np.ones(3, np.float32), np.float64(2.0)), result_type(np.arange(3), 2.5)
    (dtype('float32'), dtype('float32'))
    >>> result_type(np.ones(3, np.float32), np.ones(3, np.float64))
    dtype('float64')
    """
    groups: list[np.dtype | None] = [None, None, None]
    for operand in operands:
        if isinstance(operand, np.ndarray):
            group, dtype = (0 if operand.ndim else 1), operand.dtype
        elif isinstance(operand, (builtins.bool, np.bool_)):
            group, dtype = 2, bool
        elif isinstance(operand, (builtins.int, np.integer)):
            group, dtype = 2, int64
        elif isinstance(operand, (builtins.float, np.floating)):
            group, dtype = 2, get_default_dtype()
        elif isinstance(operand, (builtins.complex, np.complexfloating)):
            group, dtype = 2, np.dtype(np.complex64) if get_default_dtype() == float32 else np.dtype(np.complex128)
        elif hasattr(operand, "ndim") and hasattr(operand, "dtype"):  # an array on a GPU (CuPy)
            group, dtype = (0 if operand.ndim else 1), operand.dtype
        else:
            raise TypeError(f"result_type: {type(operand).__name__} is neither an array nor a number")
        previous = groups[group]
        groups[group] = dtype if previous is None else _promote(previous, dtype)
    result = _combine(groups[0], _combine(groups[1], groups[2]))
    if result is None:
        raise TypeError("result_type needs at least one operand")
    return result
