"""``DataLoader``: a data set served in (shuffled) mini-batches, PyTorch's name and arguments.

Over arrays (a ``TensorDataset``, or a tuple of arrays/tensors given directly) each epoch draws ONE
permutation, gathers every array with it once, and serves contiguous slices of the gathered arrays:
no per-sample Python loop, no per-batch copies beyond that one gather. Without shuffling, batches are
views of the original arrays (nothing is copied at all).

A ``sampler`` (``DistributedSampler`` to give each process its shard, ``RandomSampler``, ...) or a
``batch_sampler`` chooses the indices instead, and the arrays are gathered with them the same way.

Shuffling draws from chainrule's shared generator (``cr.manual_seed``) unless ``generator=`` is given,
at the moment each epoch begins; so saving ``cr.get_rng_state()`` between epochs and restoring it later
replays the remaining epochs' orders exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.tensor import Tensor
from chainrule.utils.data.collate import default_collate
from chainrule.utils.data.dataset import Subset, TensorDataset
from chainrule.utils.data.sampler import Sampler


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

    ``sampler``: the indices of one epoch, in order (instead of ``shuffle``), e.g. a
    ``DistributedSampler``. ``batch_sampler``: lists of indices, one per batch (instead of
    ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``). ``collate_fn(samples) -> batch``
    replaces ``default_collate`` (and with it the array fast path).

    ``num_workers`` and ``pin_memory`` are accepted so that PyTorch code runs unchanged, and change
    nothing: batches are slices of arrays already in memory, served in this process (worker processes
    would only add the cost of copying them between processes), and there is no GPU memory to pin.

    >>> import numpy as np
    >>> from chainrule.utils.data import DataLoader
    >>> loader = DataLoader((np.arange(10.0).reshape(5, 2), np.arange(5)), batch_size=2)
    >>> len(loader), [tuple(y.tolist()) for _, y in loader]
    (3, [(0, 1), (2, 3), (4,)])
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, generator: int | np.random.Generator | None = None, *,
                 sampler: Sampler | Iterable[int] | None = None,
                 batch_sampler: Sampler | Iterable[list[int]] | None = None,
                 collate_fn: Callable[[list[Any]], Any] | None = None,
                 num_workers: int = 0, pin_memory: bool = False) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers should be a non-negative integer, got {num_workers!r}")
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                       or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size should be a positive integer or None, "
                             f"got {batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle; the sampler sets "
                             "the order (use shuffle=True in the sampler, e.g. DistributedSampler(shuffle=True))")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                             "sampler, and drop_last; leave those at their defaults")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator if generator is None else cr_random.make_rng(generator)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn
        self._single = isinstance(dataset, (np.ndarray, Tensor))
        # Tuples of arrays and bare arrays become a TensorDataset (what samples are read from).
        if isinstance(dataset, (tuple, list)):
            dataset = TensorDataset(*dataset)
        elif self._single:
            dataset = TensorDataset(dataset)
        elif not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: cannot load from {type(dataset).__name__}; give a TensorDataset, a "
                            "tuple of arrays or tensors (X, y), an array, or a Dataset with __len__ and "
                            "__getitem__")
        self._source = dataset
        self._arrays: tuple[np.ndarray, ...] | None = None
        if collate_fn is not None:
            pass  # the user's collate_fn sees samples, so batches go through the general path
        elif isinstance(dataset, TensorDataset):
            self._arrays = dataset.arrays
        elif isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorDataset):
            # One gather now, and the subset is served at array speed like any TensorDataset.
            self._arrays = tuple(array[dataset.indices] for array in dataset.dataset.arrays)

    @property
    def num_samples(self) -> int:
        """How many samples one epoch covers before ``drop_last``."""
        if self.sampler is not None:
            return len(self.sampler)  # type: ignore[arg-type]
        return len(self._source) if self._arrays is None else int(self._arrays[0].shape[0])

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        n = self.num_samples
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray | None:
        """This epoch's sample order (None: the natural order), drawn when the epoch starts."""
        if self.sampler is not None:
            if isinstance(self.sampler, Sampler):
                return self.sampler.indices()
            return np.fromiter((int(i) for i in self.sampler), dtype=np.intp)
        if not self.shuffle:
            return None
        rng = self.generator if self.generator is not None else cr_random.default_generator()
        return rng.permutation(self.num_samples)

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is not None:
            return self._iterate_batches()
        order = self._order()
        if self._arrays is None:
            return self._iterate_dataset(order)
        arrays = self._arrays if order is None else tuple(array[order] for array in self._arrays)
        return self._iterate_arrays(arrays)

    def _iterate_batches(self) -> Iterator[Any]:
        """One batch per list of indices from the batch sampler."""
        for indices in self.batch_sampler:  # type: ignore[union-attr]
            if self._arrays is not None:
                chosen = np.asarray(indices, dtype=np.intp)
                batch = tuple(Tensor._wrap(array[chosen]) for array in self._arrays)
                yield batch[0] if self._single else batch
            else:
                yield self._collate([self._sample(i) for i in indices])  # type: ignore[union-attr]

    def _sample(self, index: Any) -> Any:
        sample = self._source[int(index)]
        return sample[0] if self._single else sample

    def _collate(self, samples: list[Any]) -> Any:
        return (self.collate_fn or default_collate)(samples)

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
                yield self._sample(i)
            return
        size = self.batch_size
        for start in range(0, len(self) * size, size):
            samples = [self._sample(i) for i in indices[start:start + size]]
            yield self._collate(samples)

    def __repr__(self) -> str:
        return (f"DataLoader({self.num_samples} samples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches)")


__all__ = ["DataLoader"]
