"""Datasets: something with a length whose items are samples, as in ``torch.utils.data``.

``TensorDataset(X, y)`` holds whole arrays; ``Subset`` is some of another data set's samples, and
``random_split`` cuts a data set into random non-overlapping subsets. The ``DataLoader`` reads a
TensorDataset's arrays directly and cuts each batch out of them with one fancy index, so a batch never
passes through a per-sample Python loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.tensor import Tensor


class Dataset:
    """A map-style data set: ``len(dataset)`` samples, ``dataset[i]`` is sample ``i``.

    Subclass it and define ``__len__`` and ``__getitem__`` (PyTorch's protocol). The ``DataLoader``
    batches such a data set by stacking samples; ``TensorDataset`` is the fast path that batches by
    slicing whole arrays instead.
    """

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} must define __len__ to be used as a Dataset")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} must define __getitem__ to be used as a Dataset")


def as_array(value: Any, where: str) -> np.ndarray:
    """The NumPy array behind ``value`` (a Tensor's ``.data`` is shared, not copied)."""
    if isinstance(value, Tensor):
        return value.data
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"{where}: cannot use {type(value).__name__} as data; expected a NumPy array, "
                        f"a chainrule Tensor or nested lists of numbers")
    if array.dtype.kind == "f" and array.dtype != np.float32 and not isinstance(value, np.ndarray):
        # NOTE: Python float lists become float32, PyTorch's default, not NumPy's float64.
        array = array.astype(np.float32)
    return array


class TensorDataset(Dataset):
    """Samples are rows of the given tensors, taken together: ``dataset[i] == (X[i], y[i])``.

    All tensors must have the same size along dimension 0 (the number of samples). NumPy arrays are
    accepted too and kept as they are (no copy).

    >>> import chainrule as cr
    >>> from chainrule.utils.data import TensorDataset
    >>> ds = TensorDataset(cr.zeros(5, 2), cr.arange(5))
    >>> len(ds), ds[1][1]
    (5, tensor(1))
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = [as_array(t, "TensorDataset") for t in tensors]
        for position, array in enumerate(arrays):
            if array.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {position} is a scalar (shape ()); each tensor "
                                 "needs a first dimension that indexes the samples")
        sizes = [array.shape[0] for array in arrays]
        if len(set(sizes)) != 1:
            shapes = ", ".join(str(array.shape) for array in arrays)
            raise ValueError(f"TensorDataset: size mismatch between tensors: every tensor needs the same "
                             f"number of samples along dimension 0, got shapes {shapes}")
        self.arrays: tuple[np.ndarray, ...] = tuple(arrays)
        self.tensors: tuple[Tensor, ...] = tuple(Tensor._wrap(array) for array in arrays)

    def __len__(self) -> int:
        return int(self.arrays[0].shape[0])

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor._wrap(np.asarray(array[index])) for array in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(array.shape)) for array in self.arrays)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``subset[i] == dataset[indices[i]]``.

    >>> import chainrule as cr
    >>> part = Subset(TensorDataset(cr.arange(10)), [7, 2])
    >>> len(part), part[0][0]
    (2, tensor(7))
    """

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        n = len(dataset)
        if self.indices.size and (self.indices.min() < -n or self.indices.max() >= n):
            raise IndexError(f"Subset: indices must lie in [0, {n}) for a data set of {n} samples, got "
                             f"values from {self.indices.min()} to {self.indices.max()}")

    def __len__(self) -> int:
        return int(self.indices.size)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (list, np.ndarray)):
            return [self.dataset[int(i)] for i in self.indices[index]]
        return self.dataset[int(self.indices[index])]


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: int | np.random.Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given ``lengths``.

    ``lengths`` are counts that add up to ``len(dataset)``, or fractions that add up to 1 (each gets
    ``floor(fraction * N)`` samples and the remainder is handed out one at a time from the first
    subset on, as in PyTorch). The order comes from ``generator`` (None: chainrule's shared one).

    >>> import chainrule as cr
    >>> train, test = random_split(range(10), [0.8, 0.2], generator=0)
    >>> len(train), len(test), sorted([*train.indices, *test.indices]) == list(range(10))
    (8, 2, True)
    """
    n = len(dataset)
    values = list(lengths)
    if not values:
        raise ValueError("random_split: lengths is empty; give counts or fractions, e.g. [0.8, 0.2]")
    if all(isinstance(v, float) for v in values) and math.isclose(sum(values), 1.0) and sum(values) <= 1.0 + 1e-9:
        if any(v < 0 for v in values):
            raise ValueError(f"random_split: fractions must be non-negative, got {values}")
        counts = [math.floor(n * fraction) for fraction in values]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0 for v in values):
        counts = [int(v) for v in values]
        if sum(counts) != n:
            raise ValueError(f"random_split: sum of input lengths ({sum(counts)}) does not equal the length of the "
                             f"input dataset ({n}); give counts that add up to {n}, or fractions that add up to 1")
    else:
        raise ValueError(f"random_split: lengths must be non-negative integers adding up to {n} or fractions "
                         f"adding up to 1, got {values}")
    order = cr_random.make_rng(generator).permutation(n)
    ends = np.cumsum(counts)
    return [Subset(dataset, order[end - count:end]) for count, end in zip(counts, ends, strict=True)]
