"""The dtypes chainrule speaks of, under PyTorch's names, and the default float dtype."""

from __future__ import annotations

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

_NAMES = {
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

