"""Toy data sets generated on the spot: the problems the lecture notes draw and solve.

Each function returns NumPy arrays ``(X, y)``: ``X`` float32 of shape ``(n_samples, n_features)``,
``y`` int64 class labels of shape ``(n_samples,)`` for classification, or float32 regression targets
of shape ``(n_samples, 1)`` (a column, so it matches a model's output of shape ``(N, 1)``).
``seed`` is an int, a ``numpy.random.Generator``, or None for chainrule's shared generator
(``cr.manual_seed``). The same seed always gives the same data.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.random import make_rng

Seed = int | np.random.Generator | None

_GATES: dict[str, Any] = {
    "and": np.logical_and,
    "or": np.logical_or,
    "nand": lambda a, b: ~np.logical_and(a, b),
    "nor": lambda a, b: ~np.logical_or(a, b),
    "xor": np.logical_xor,
}


def _check_integer(value: int, name: str, where: str, minimum: int = 1) -> None:
    """Refuse bools, non-integers and integers below ``minimum``, naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, got {value!r}")


def _check_count(n_samples: int, where: str, minimum: int = 1) -> None:
    _check_integer(n_samples, "n_samples", where, minimum)


def _check_noise(noise: float, where: str) -> None:
    if noise < 0:
        raise ValueError(f"{where}: noise is a standard deviation and cannot be negative, got {noise}")


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(X))
    return X[order], y[order]


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a logic gate: inputs ``X`` (0/1 floats) and the gate's output ``y`` (0/1 ints).

    ``name`` is 'and', 'or', 'nand', 'nor', 'xor' (four rows, two inputs) or 'not' (two rows, one
    input). A perceptron learns all of them except 'xor', which is not linearly separable.

    >>> X, y = logic_gate('and')
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 0, 0, 1])
    """
    key = name.lower()
    if key == "not":
        return np.array([[0.0], [1.0]], dtype=np.float32), np.array([1, 0], dtype=np.int64)
    if key not in _GATES:
        raise ValueError(f"logic_gate: unknown gate {name!r}; valid gates: {', '.join([*_GATES, 'not'])}")
    X = np.array(list(itertools.product((0.0, 1.0), repeat=2)), dtype=np.float32)
    y = _GATES[key](X[:, 0] > 0, X[:, 1] > 0).astype(np.int64)
    return X, y


def xor(n_samples: int | None = None, noise: float = 0.0, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """XOR: label 1 when exactly one input is 1.

    With ``n_samples=None`` this is the four-row truth table (no randomness). With an integer it
    draws ``n_samples`` corners of the unit square at random and adds Gaussian ``noise`` to them.

    >>> X, y = xor()
    >>> y.tolist()
    [0, 1, 1, 0]
    """
    X, y = logic_gate("xor")
    if n_samples is None:
        return X, y
    _check_count(n_samples, "xor")
    _check_noise(noise, "xor")
    rng = make_rng(seed)
    corners = rng.integers(0, 4, size=n_samples)
    points = X[corners] + rng.normal(0.0, noise, size=(n_samples, 2)) if noise > 0 else X[corners]
    return points.astype(np.float32), y[corners]


def circles(n_samples: int = 100, noise: float = 0.0, factor: float = 0.8,
            seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles (scikit-learn's ``make_circles``): outer radius 1 (label 0), inner radius
    ``factor`` (label 1), Gaussian ``noise`` added, samples shuffled."""
    _check_count(n_samples, "circles", 2)
    _check_noise(noise, "circles")
    if not 0 <= factor < 1:
        raise ValueError(f"circles: factor is the inner radius over the outer one and must be in [0, 1), "
                         f"got {factor}")
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    angle_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    angle_inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    X = np.concatenate([np.stack([np.cos(angle_outer), np.sin(angle_outer)], axis=1),
                        factor * np.stack([np.cos(angle_inner), np.sin(angle_inner)], axis=1)])
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    X = X + rng.normal(0.0, noise, size=X.shape) if noise > 0 else X
    return _shuffled(X.astype(np.float32), y, rng)


def moons(n_samples: int = 100, noise: float = 0.0, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``): label 0 the upper moon centred at
    (0, 0), label 1 the lower one centred at (1, 0.5)."""
    _check_count(n_samples, "moons", 2)
    _check_noise(noise, "moons")
    rng = make_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    upper = np.linspace(0, np.pi, n_upper)
    lower = np.linspace(0, np.pi, n_lower)
    X = np.concatenate([np.stack([np.cos(upper), np.sin(upper)], axis=1),
                        np.stack([1 - np.cos(lower), 0.5 - np.sin(lower)], axis=1)])
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    X = X + rng.normal(0.0, noise, size=X.shape) if noise > 0 else X
    return _shuffled(X.astype(np.float32), y, rng)


def spirals(n_samples: int = 200, n_arms: int = 2, noise: float = 0.0, turns: float = 1.0,
            seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one class per arm.

    Arm ``k`` is the points at radius ``r`` in (0, 1] and angle ``2*pi*(turns*r + k/n_arms)``: every arm
    is arm 0 rotated by ``2*pi*k/n_arms``. ``n_samples`` is the total, shared out among the arms.
    """
    _check_count(n_samples, "spirals", 1)
    _check_noise(noise, "spirals")
    _check_integer(n_arms, "n_arms", "spirals")
    rng = make_rng(seed)
    labels = np.arange(n_samples, dtype=np.int64) % n_arms
    # Rank of each sample within its arm, so each arm's radii run evenly from near 0 to 1.
    counts = np.bincount(labels, minlength=n_arms)
    rank = np.arange(n_samples) // n_arms
    radius = (rank + 1) / counts[labels]
    angle = 2 * np.pi * (turns * radius + labels / n_arms)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    X = X + rng.normal(0.0, noise, size=X.shape) if noise > 0 else X
    return _shuffled(X.astype(np.float32), labels, rng)


def rings(n_samples: int = 300, n_rings: int = 2, noise: float = 0.05,
          seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Concentric rings of radius 1, 2, ..., ``n_rings`` (label = ring index), points at random angles.

    No line separates them in (x1, x2), but in polar coordinates (``features.polar``) the radius
    alone does: the notes' example of a representation that makes a problem easy.
    """
    _check_count(n_samples, "rings", 1)
    _check_noise(noise, "rings")
    _check_integer(n_rings, "n_rings", "rings")
    rng = make_rng(seed)
    labels = np.arange(n_samples, dtype=np.int64) % n_rings
    angle = rng.uniform(0, 2 * np.pi, size=n_samples)
    radius = labels + 1.0 + (rng.normal(0.0, noise, size=n_samples) if noise > 0 else 0.0)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return _shuffled(X.astype(np.float32), labels, rng)


def blobs(n_samples: int = 100, centers: int | Sequence[Sequence[float]] | np.ndarray = 3,
          cluster_std: float = 1.0, n_features: int = 2, center_box: tuple[float, float] = (-10.0, 10.0),
          seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters (scikit-learn's ``make_blobs``): label ``k`` is drawn around ``centers[k]``
    with standard deviation ``cluster_std``. ``centers`` is a count (centres drawn uniformly in
    ``center_box``) or an array of shape (n_centers, n_features)."""
    _check_count(n_samples, "blobs")
    if cluster_std < 0:
        raise ValueError(f"blobs: cluster_std cannot be negative, got {cluster_std}")
    rng = make_rng(seed)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(f"blobs: centers must be a positive count or an array of centres, got {centers}")
        centre_array = rng.uniform(center_box[0], center_box[1], size=(int(centers), n_features))
    else:
        centre_array = np.asarray(centers, dtype=np.float64)
        if centre_array.ndim != 2:
            raise ValueError(f"blobs: centers must have shape (n_centers, n_features), "
                             f"got {centre_array.shape}")
    labels = np.arange(n_samples, dtype=np.int64) % len(centre_array)
    X = centre_array[labels] + rng.normal(0.0, cluster_std, size=(n_samples, centre_array.shape[1]))
    return _shuffled(X.astype(np.float32), labels, rng)


def linear(n_samples: int = 100, slope: float | Sequence[float] = 2.0, intercept: float = 1.0,
           noise: float = 0.1, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """A noisy line ``y = X @ slope + intercept + noise * N(0, 1)`` with ``X`` uniform in [-1, 1].

    ``slope`` is a number (one feature) or a sequence (one weight per feature). ``y`` has shape
    ``(n_samples, 1)``.
    """
    _check_count(n_samples, "linear")
    _check_noise(noise, "linear")
    rng = make_rng(seed)
    weights = np.atleast_1d(np.asarray(slope, dtype=np.float64))
    X = rng.uniform(-1.0, 1.0, size=(n_samples, len(weights)))
    y = X @ weights + intercept + (rng.normal(0.0, noise, size=n_samples) if noise > 0 else 0.0)
    return X.astype(np.float32), y.astype(np.float32).reshape(-1, 1)


def sine(n_samples: int = 100, noise: float = 0.1, frequency: float = 1.0, amplitude: float = 1.0,
         seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """A noisy sine wave ``y = amplitude * sin(frequency * x) + noise * N(0, 1)``, ``x`` uniform in
    [-pi, pi]: a curve no linear model fits, and a one-hidden-layer network does. ``y`` has shape
    ``(n_samples, 1)``."""
    _check_count(n_samples, "sine")
    _check_noise(noise, "sine")
    rng = make_rng(seed)
    x = rng.uniform(-np.pi, np.pi, size=n_samples)
    y = amplitude * np.sin(frequency * x) + (rng.normal(0.0, noise, size=n_samples) if noise > 0 else 0.0)
    return x.astype(np.float32).reshape(-1, 1), y.astype(np.float32).reshape(-1, 1)


__all__ = ["blobs", "circles", "linear", "logic_gate", "moons", "rings", "sine", "spirals", "xor"]
