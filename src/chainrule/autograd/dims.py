"""Dimension arguments (``dim=``) as PyTorch takes them, normalised to NumPy axes in one place.

A dim may be negative (counted from the end); a 0-d tensor accepts dims -1 and 0, as in PyTorch. An
out-of-range dim is an ``IndexError`` that gives the valid range.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _normalise(dim: Any, ndim: int, size: int) -> int:
    """``dim`` as an axis in 0 .. size - 1, for a tensor of ``ndim`` dims."""
    if not -size <= dim < size:
        raise IndexError(f"dim {dim} is out of range for a tensor with {ndim} dimensions "
                         f"(valid: {-size} to {size - 1})")
    return int(dim) % size


def normalize_dim(dim: Any, ndim: int) -> int:
    """One dim (an int, negatives allowed) as an axis of a tensor with ``ndim`` dims."""
    return _normalise(dim, ndim, max(ndim, 1))


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``dim`` (None, an int or a sequence of ints) as a tuple of axes; None stays None (every axis)."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    size = max(ndim, 1)
    return tuple(_normalise(d, ndim, size) for d in dims)


def reduced_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """The axes a reduction runs over: None (all) for ``dim=None`` and, as in PyTorch, for ``dim=()``."""
    if ndim == 0:
        normalize_dims(dim, ndim)  # still refuse an out-of-range dim; a 0-d tensor reduces to itself
        return None
    return normalize_dims(dim, ndim) or None


def insertion_dim(dim: Any, shape: tuple[int, ...], op: str) -> int:
    """Where a new dim goes in a tensor of ``shape`` (``unsqueeze``, ``stack``): -ndim - 1 .. ndim, as an
    index into the new shape."""
    ndim = len(shape)
    if not -ndim - 1 <= dim <= ndim:
        raise IndexError(f"{op}: dim {dim} out of range for shape {shape} (valid: {-ndim - 1} to {ndim})")
    return int(dim) % (ndim + 1)
