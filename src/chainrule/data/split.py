"""``train_test_split``: hold out data the model never trains on, to measure how well it generalises."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.random import make_rng


def _test_count(test_size: float | int, n: int) -> int:
    if isinstance(test_size, bool):
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a count, "
                         f"got {test_size}")
    if isinstance(test_size, (int, np.integer)):
        if not 0 < test_size < n:
            raise ValueError(f"train_test_split: test_size={test_size} samples must be between 1 and {n - 1} "
                             f"for {n} samples")
        return int(test_size)
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"train_test_split: test_size={test_size} must be a fraction in (0, 1) or a count")
    count = math.ceil(test_size * n)
    if not 0 < count < n:
        raise ValueError(f"train_test_split: test_size={test_size} of {n} samples leaves an empty set")
    return count


def _stratified(labels: np.ndarray, n_test: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pick test samples class by class so each class keeps its share of the data."""
    classes, encoded, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        rare = classes[counts.argmin()]
        raise ValueError(f"train_test_split: stratify needs at least 2 samples of every class, "
                         f"class {rare!r} has 1")
    # Largest-remainder rounding: per-class test counts add up to exactly n_test.
    exact = counts * n_test / len(labels)
    per_class = np.floor(exact).astype(np.int64)
    short = n_test - per_class.sum()
    per_class[np.argsort(-(exact - per_class), kind="stable")[:short]] += 1
    test_parts, train_parts = [], []
    for k in range(len(classes)):
        members = rng.permutation(np.flatnonzero(encoded == k))
        test_parts.append(members[:per_class[k]])
        train_parts.append(members[per_class[k]:])
    return rng.permutation(np.concatenate(train_parts)), rng.permutation(np.concatenate(test_parts))


def _take(array: Any, index: np.ndarray) -> Any:
    if isinstance(array, Tensor):
        return Tensor._wrap(array.data[index])
    return np.asarray(array)[index]


def train_test_split(*arrays: Any, test_size: float | int = 0.25, shuffle: bool = True,
                     seed: int | np.random.Generator | None = None, stratify: Any = None) -> list[Any]:
    """Split arrays (same number of rows) into train and test parts, scikit-learn's order:
    ``X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)``.

    ``test_size``: a fraction of the samples (rounded up) or a count. ``shuffle=False`` keeps the order
    (the last samples are the test set). ``stratify``: labels whose class proportions both parts keep
    (needs ``shuffle=True``). ``seed``: int, Generator, or None for chainrule's shared generator.
    Tensors come back as Tensors, everything else as NumPy arrays.
    """
    if not arrays:
        raise ValueError("train_test_split: give at least one array")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"train_test_split: arrays have different numbers of samples: {lengths}")
    n = lengths[0]
    n_test = _test_count(test_size, n)
    if stratify is not None:
        if not shuffle:
            raise ValueError("train_test_split: stratify needs shuffle=True")
        labels = stratify.data if isinstance(stratify, Tensor) else np.asarray(stratify)
        if len(labels) != n:
            raise ValueError(f"train_test_split: stratify has {len(labels)} labels for {n} samples")
        train_index, test_index = _stratified(labels, n_test, make_rng(seed))
    elif shuffle:
        order = make_rng(seed).permutation(n)
        train_index, test_index = order[n_test:], order[:n_test]
    else:
        train_index, test_index = np.arange(n - n_test), np.arange(n - n_test, n)
    return [part for array in arrays for part in (_take(array, train_index), _take(array, test_index))]


__all__ = ["train_test_split"]
