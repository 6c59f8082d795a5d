"""Feature maps: new coordinates in which a problem becomes easier (the notes' representation learning).

Both take an array (or a Tensor) of shape ``(N, n_features)`` and return the same kind of object,
keeping a float input's dtype.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor


def _as_2d(X: Any, where: str) -> np.ndarray:
    array = X.data if isinstance(X, Tensor) else np.asarray(X)
    if array.ndim != 2:
        raise ValueError(f"{where}: expected X of shape (n_samples, n_features), got shape {array.shape}")
    if array.dtype.kind != "f":
        array = array.astype(np.float32)
    return array


def _like(result: np.ndarray, X: Any) -> Any:
    return Tensor._wrap(result) if isinstance(X, Tensor) else result


def polar(X: Any) -> Any:
    """Cartesian (x1, x2) to polar coordinates: columns ``r = sqrt(x1^2 + x2^2)`` and
    ``theta = atan2(x2, x1)`` in (-pi, pi]. Shape (N, 2) -> (N, 2).

    Concentric rings (``data.rings``) cannot be split by a line in (x1, x2); in (r, theta) a
    threshold on ``r`` splits them.

    >>> import numpy as np
    >>> polar(np.array([[0.0, 2.0]])).round(4).tolist()
    [[2.0, 1.5708]]
    """
    array = _as_2d(X, "polar")
    if array.shape[1] != 2:
        raise ValueError(f"polar: expected two columns (x1, x2), got shape {array.shape}")
    radius = np.hypot(array[:, 0], array[:, 1])
    angle = np.arctan2(array[:, 1], array[:, 0])
    return _like(np.stack([radius, angle], axis=1).astype(array.dtype, copy=False), X)


def polynomial(X: Any, degree: int = 2, include_bias: bool = False) -> Any:
    """All products of the input features of total degree 1 to ``degree`` (scikit-learn's
    ``PolynomialFeatures`` order: degree by degree, each as ``combinations_with_replacement``), with
    a leading column of ones when ``include_bias``.

    Shape (N, d) -> (N, C(d + degree, degree) - 1), one more with the bias column. Linear regression on
    these features fits a polynomial.

    >>> import numpy as np
    >>> polynomial(np.array([[2.0, 3.0]]), degree=2).tolist()
    [[2.0, 3.0, 4.0, 6.0, 9.0]]
    """
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 1:
        raise ValueError(f"polynomial: degree must be a positive integer, got {degree!r}")
    array = _as_2d(X, "polynomial")
    columns = [np.ones(len(array), dtype=array.dtype)] if include_bias else []
    # Loop over feature combinations (few), never over samples.
    for power in range(1, degree + 1):
        for combination in itertools.combinations_with_replacement(range(array.shape[1]), power):
            columns.append(np.prod(array[:, list(combination)], axis=1))
    return _like(np.stack(columns, axis=1), X)


__all__ = ["polar", "polynomial"]
