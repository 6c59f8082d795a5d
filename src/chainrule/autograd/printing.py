"""How a tensor prints: PyTorch's format, so that a printed chainrule tensor reads like a torch one.

Floats get 4 decimals (``tensor([1.0000, 2.5000])``), whole numbers a trailing point
(``tensor([100.,   2.])``), and scientific notation when the magnitudes span more than a factor 1000
or leave [1e-4, 1e8] (``tensor([1.0000e-05, 1.0000e+00])``). Every element is padded to one width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _shown(data: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows (3 at each edge of every long axis), as PyTorch and NumPy
    both summarise past 1000 elements; the format is chosen from these alone, in O(shown) time."""
    if data.size <= 1000:
        return data
    for axis in range(data.ndim):
        if data.shape[axis] > 6:
            data = np.concatenate([data.take(range(3), axis), data.take(range(-3, 0), axis)], axis)
    return data


def _float_format(data: np.ndarray) -> Callable[[Any], str]:
    """The formatter PyTorch's printing rules pick for this array of floats."""
    data = _shown(data)
    finite = data[np.isfinite(data)]
    magnitudes = np.abs(finite[finite != 0])
    whole = bool(np.all(finite == np.round(finite)))
    if magnitudes.size:
        largest, smallest = float(magnitudes.max()), float(magnitudes.min())
        scientific = largest / smallest > 1000.0 or largest > 1.0e8 or (not whole and smallest < 1.0e-4)
    else:
        scientific = False
    if scientific:
        pattern = "{:.4e}"
    elif whole:
        pattern = "{:.0f}."
    else:
        pattern = "{:.4f}"

    def plain(value: float) -> str:
        return pattern.format(value) if np.isfinite(value) else str(value)

    width = max((len(plain(float(v))) for v in data.reshape(-1)), default=0)
    return lambda value: plain(float(value)).rjust(width)


def format_array(data: np.ndarray, prefix: str = "tensor(") -> str:
    """The array as PyTorch prints a tensor's values (without the ``tensor(`` and the extras)."""
    if data.dtype.kind == "f" and data.size:
        # NOTE: numpy summarises the same way PyTorch does (over 1000 elements: 3 at each edge, then ...),
        # so array2string only needs PyTorch's number format.
        return np.array2string(data, separator=", ", prefix=prefix, formatter={"float_kind": _float_format(data)})
    return np.array2string(data, separator=", ", prefix=prefix)
