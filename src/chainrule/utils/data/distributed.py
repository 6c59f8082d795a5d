"""``DistributedSampler``: each of ``num_replicas`` processes reads its own shard of a data set.

The order is PyTorch's: one permutation of ``0..N-1`` (the same in every process, drawn from
``seed + epoch``), padded by wrap-around (its first indices repeated) to a multiple of
``num_replicas`` so that every shard has the same length, and process ``rank`` takes every
``num_replicas``-th index starting at ``rank``. ``drop_last=True`` drops the tail instead of padding.
Call ``set_epoch(epoch)`` at the start of each epoch, or every epoch repeats the same order.
chainrule draws its permutation with NumPy, not with torch's generator: the structure (padding,
interleaving, lengths) is PyTorch's, the permutation itself differs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

import numpy as np

from chainrule.utils.data.sampler import Sampler, check_count


class DistributedSampler(Sampler):
    """Shard ``dataset`` across the processes of a process group.

    Args:
        dataset: anything with ``len``.
        num_replicas: the number of processes (default: ``chainrule.distributed.get_world_size()``).
        rank: this process's shard, ``0 <= rank < num_replicas`` (default: ``get_rank()``).
        shuffle: a new permutation each epoch (seeded by ``seed + epoch``), else ``0..N-1``.
        seed: must be the same in every process.
        drop_last: drop the tail so that shards hold ``floor(N / num_replicas)`` samples, instead of
            padding them to ``ceil(N / num_replicas)``.

    >>> sampler = DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False)
    >>> list(sampler)
    [1, 3, 0]
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from chainrule import distributed

            if not distributed.is_initialized():
                raise RuntimeError("DistributedSampler: no process group is initialised, so num_replicas and "
                                   "rank are unknown; call chainrule.distributed.init_process_group('mpi') "
                                   "first, or pass num_replicas= and rank=")
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        check_count(num_replicas, "num_replicas", "DistributedSampler")
        if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {int(num_replicas) - 1}]")
        check_count(seed, "seed", "DistributedSampler", allow_zero=True)
        self.dataset = dataset
        self.num_replicas, self.rank = int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last = bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0
        n = len(dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def permutation(self) -> np.ndarray:
        """This epoch's order of the whole data set, before padding and sharding (the same everywhere)."""
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng(self.seed + self.epoch).permutation(n)

    def indices(self) -> np.ndarray:
        order = self.permutation()
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > len(order):
            # Wrap around (more than once when the data set is smaller than the padding).
            repeats = math.ceil(self.total_size / len(order))
            order = np.tile(order, repeats)[:self.total_size]
        return order[self.rank:self.total_size:self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch`` for the next permutation (call it in every process before each epoch)."""
        self.epoch = check_count(epoch, "epoch", "DistributedSampler.set_epoch", allow_zero=True)
