"""``DataLoader``: a data set served in (shuffled) mini-batches, PyTorch's name and arguments.

Over arrays (a ``TensorDataset``, or a tuple of arrays/tensors given directly) each epoch draws ONE
permutation, gathers every array with it once, and serves contiguous slices of the gathered arrays:
no per-sample Python loop, no per-batch copies beyond that one gather. Without shuffling, batches are
views of the original arrays (nothing is copied at all).

Shuffling draws from chainrule's shared generator (``cr.manual_seed``) unless ``generator=`` is given,
at the moment each epoch begins; so saving ``cr.get_rng_state()`` between epochs and restoring it later
replays the remaining epochs' orders exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.tensor import Tensor
from chainrule.data.dataset import Dataset, TensorDataset, as_array


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    ``dataset`` is a ``TensorDataset``, a tuple/list of arrays or tensors with the same number of rows
    (``DataLoader((X, y), batch_size=32)``), a single array or tensor, or any map-style ``Dataset``
    (``__len__``/``__getitem__``; its samples are stacked, the slow general path).

    Each batch is a tuple of Tensors ``(X_batch, y_batch)``, or a single Tensor when ``dataset`` is a
    single array. ``len(loader)`` is the number of batches: ``ceil(N / batch_size)``, or
    ``floor(N / batch_size)`` with ``drop_last=True`` (the last, smaller batch is dropped).
    ``batch_size=None`` serves single samples without a batch dimension, as in PyTorch.

    ``generator``: None (chainrule's shared generator, seeded by ``cr.manual_seed``), an int seed (a
    private generator made once, so successive epochs still differ) or a ``numpy.random.Generator``.

    ``num_workers`` and ``pin_memory`` are accepted so that PyTorch code runs unchanged, and change
    nothing: batches are slices of arrays already in memory, served in this process (worker processes
    would only add the cost of copying them between processes), and there is no GPU memory to pin.

    >>> import numpy as np
    >>> from chainrule.data import DataLoader
    >>> loader = DataLoader((np.arange(10.0).reshape(5, 2), np.arange(5)), batch_size=2)
    >>> len(loader), [tuple(y.tolist()) for _, y in loader]
    (3, [(0, 1), (2, 3), (4,)])
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, generator: int | np.random.Generator | None = None, *,
                 num_workers: int = 0, pin_memory: bool = False) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers should be a non-negative integer, got {num_workers!r}")
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                       or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size should be a positive integer or None, "
                             f"got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator if generator is None else cr_random.make_rng(generator)
        self._single = False
        self._arrays: tuple[np.ndarray, ...] | None = None
        if isinstance(dataset, TensorDataset):
            self._arrays = dataset.arrays
        elif isinstance(dataset, (tuple, list)):
            self._arrays = TensorDataset(*dataset).arrays
        elif isinstance(dataset, (np.ndarray, Tensor)):
            self._arrays = TensorDataset(dataset).arrays
            self._single = True
        elif not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: cannot load from {type(dataset).__name__}; give a TensorDataset, a "
                            "tuple of arrays or tensors (X, y), an array, or a Dataset with __len__ and "
                            "__getitem__")

    @property
    def num_samples(self) -> int:
        """How many samples one epoch covers before ``drop_last``."""
        return len(self.dataset) if self._arrays is None else int(self._arrays[0].shape[0])

    def __len__(self) -> int:
        n = self.num_samples
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray | None:
        """This epoch's sample order (None: the natural order), drawn when the epoch starts."""
        if not self.shuffle:
            return None
        rng = self.generator if self.generator is not None else cr_random.default_generator()
        return rng.permutation(self.num_samples)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        if self._arrays is None:
            return self._iterate_dataset(order)
        arrays = self._arrays if order is None else tuple(array[order] for array in self._arrays)
        return self._iterate_arrays(arrays)

    def _iterate_arrays(self, arrays: tuple[np.ndarray, ...]) -> Iterator[Any]:
        wrap = Tensor._wrap
        single = self._single
        if self.batch_size is None:
            for i in range(self.num_samples):
                row = tuple(wrap(np.asarray(array[i])) for array in arrays)
                yield row[0] if single else row
            return
        size = self.batch_size
        for start in range(0, len(self) * size, size):
            batch = tuple(wrap(array[start:start + size]) for array in arrays)
            yield batch[0] if single else batch

    def _iterate_dataset(self, order: np.ndarray | None) -> Iterator[Any]:
        n = self.num_samples
        indices = np.arange(n) if order is None else order
        if self.batch_size is None:
            for i in indices:
                yield self.dataset[int(i)]
            return
        size = self.batch_size
        for start in range(0, len(self) * size, size):
            samples = [self.dataset[int(i)] for i in indices[start:start + size]]
            yield _collate(samples)

    def __repr__(self) -> str:
        return (f"DataLoader({self.num_samples} samples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches)")


def _collate(samples: list[Any]) -> Any:
    """Stack a list of samples into a batch (PyTorch's default collate, for arrays and numbers)."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(_collate([sample[k] for sample in samples]) for k in range(len(first)))
    return Tensor._wrap(np.stack([as_array(sample, "DataLoader") for sample in samples]))


__all__ = ["DataLoader", "Dataset", "TensorDataset"]
