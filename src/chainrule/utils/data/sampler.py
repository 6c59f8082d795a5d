"""Samplers: the order in which a ``DataLoader`` visits a data set's indices (``torch.utils.data``'s).

A sampler is an iterable of indices with a length. ``SequentialSampler`` visits 0, 1, ..., N-1;
``RandomSampler`` a fresh permutation every time it is iterated; ``BatchSampler`` groups another
sampler's indices into lists of ``batch_size``. ``DistributedSampler`` (distributed.py) gives each
process its own shard.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sized
from typing import Any

import numpy as np

from chainrule import random as cr_random


def check_count(value: Any, name: str, where: str, allow_zero: bool = False) -> int:
    """``value`` as an int, or a ValueError naming ``where`` and what is allowed."""
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        kind = "a non-negative integer" if allow_zero else "a positive integer"
        raise ValueError(f"{where}: {name} should be {kind}, got {value!r}")
    return int(value)


class Sampler:
    """Base class: an iterable over indices of a data set, with ``len``."""

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__ to be used as a Sampler")

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} must define __len__ to be used as a Sampler")

    def indices(self) -> np.ndarray:
        """One pass over the sampler as an integer array (what the DataLoader gathers with)."""
        return np.fromiter(iter(self), dtype=np.intp)


class SequentialSampler(Sampler):
    """Indices ``0 .. len(data_source)-1`` in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)

    def indices(self) -> np.ndarray:
        return np.arange(len(self.data_source))


class RandomSampler(Sampler):
    """A new random order every epoch: a permutation of all indices, or with ``replacement=True``
    ``num_samples`` independent draws. ``generator``: None (chainrule's shared generator, seeded by
    ``cr.manual_seed``), an int seed or a ``numpy.random.Generator``."""

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: int | np.random.Generator | None = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, got {replacement!r}")
        if num_samples is not None:
            check_count(num_samples, "num_samples", "RandomSampler")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = None if generator is None else cr_random.make_rng(generator)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def indices(self) -> np.ndarray:
        rng = self.generator if self.generator is not None else cr_random.default_generator()
        n = len(self.data_source)
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples)
        # More samples than the data set holds: whole permutations one after another (as PyTorch).
        rounds = math.ceil(self.num_samples / n) if n else 0
        order = np.concatenate([rng.permutation(n) for _ in range(rounds)]) if rounds else np.arange(0)
        return order[:self.num_samples]

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``; the last, shorter list is dropped with
    ``drop_last=True``.

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        check_count(batch_size, "batch_size", "BatchSampler")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, got {drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self) -> Iterator[list[int]]:  # type: ignore[override]
        batch: list[int] = []
        for index in self.sampler:
            batch.append(int(index))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
