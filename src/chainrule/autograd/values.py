"""Values as tensors take them: coercion of Python and NumPy data to arrays with PyTorch's dtype rules,
and type promotion (the dtype two operands combine to).

``to_array`` gives Python floats the default float dtype (float32), Python ints int64, and leaves a
NumPy array its own dtype; ``promoted_dtype`` follows PyTorch's promotion (``dtypes.result_type``), so
a float32 tensor stays float32 next to a Python number.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import dtypes
from chainrule.autograd.tensor_base import TensorBase
from chainrule.backend import is_host

# Numbers that act as scalars in arithmetic (NumPy's scalars too: np.float64 is also a Python float).
NUMBERS = (int, float, bool, np.integer, np.floating, np.bool_)


def to_array(data: Any, dtype: Any = None, copy: bool = True) -> np.ndarray:
    """Turn ``data`` (nested lists, scalars, NumPy arrays, tensors) into an array with PyTorch's dtype
    rules: Python floats become the default float dtype (float32), Python ints int64, and a NumPy
    array keeps its own dtype unless ``dtype`` is given."""
    if isinstance(data, TensorBase):
        data = data.data
    if dtype is not None:
        dtype = dtypes.resolve(dtype)
    if isinstance(data, (np.ndarray, np.generic)):
        if data.dtype.kind not in "biufc" and dtype is None:
            raise TypeError(f"cannot make a tensor from a NumPy array of dtype {data.dtype}: expected numbers "
                            "(bool, int, float); convert it first, e.g. array.astype(np.float32)")
        # A NumPy scalar (np.float64(1.0)) keeps its dtype like an array does, as in PyTorch.
        return np.array(data, dtype=dtype, copy=True) if copy else np.asarray(data, dtype=dtype)
    if not is_host(data):
        # An array on a GPU (a tensor's, or CuPy's own) stays there, converted on its device.
        return data.astype(dtype if dtype is not None else data.dtype, copy=copy)
    try:
        array = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as error:
        raise TypeError(
            f"cannot make a tensor from {type(data).__name__} {str(data)[:60]!r}: expected numbers, nested "
            f"lists of numbers of equal length, or a NumPy array ({error})"
        ) from None
    if dtype is None:
        if array.dtype.kind == "f":
            array = array.astype(dtypes.get_default_dtype(), copy=False)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64, copy=False)
        elif array.dtype.kind not in "bc":
            raise TypeError(f"cannot make a tensor from data of dtype {array.dtype}: expected numbers")
    return array


def operand_value(value: Any) -> Any:
    """A tensor's array, a number as it is, anything else as an array (for ``promoted_dtype``)."""
    if isinstance(value, TensorBase):
        return value.data
    return value if isinstance(value, NUMBERS) else to_array(value, copy=False)


def promoted_dtype(*values: Any, true_divide: bool = False) -> np.dtype:
    """The dtype ``values`` (arrays and numbers, see ``operand_value``) combine to by PyTorch's type
    promotion; ``true_divide`` makes an integer result the default float dtype (``/`` of integers)."""
    target = dtypes.result_type(*values)
    if true_divide and target.kind not in "fc":
        target = dtypes.get_default_dtype()
    return target


def python_number(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds: NumPy treats np.float64(2) as a float64 operand that
    upcasts a float32 array, while a Python 2.0 leaves its dtype alone (PyTorch treats both so)."""
    return value.item() if isinstance(value, np.generic) else value


def index_value(index: Any) -> Any:
    """An index as NumPy takes it: tensors (alone, in a tuple, or in a list) become their values."""
    if isinstance(index, TensorBase):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, TensorBase) else i for i in index)
    if isinstance(index, list):
        return np.asarray([i.data.item() if isinstance(i, TensorBase) else i for i in index])
    return index
