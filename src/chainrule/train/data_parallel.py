"""``cr.fit`` across processes: what changes when the script runs under ``mpiexec -n N`` (or after
``chainrule.distributed.init_process_group``), so that the same script trains data-parallel unchanged.

- The model is wrapped in ``DistributedDataParallel``: rank 0's weights everywhere, gradients averaged.
- ``batch_size`` keeps its meaning: the GLOBAL batch. Every process walks the same batches (rank 0 draws
  each epoch's order and broadcasts it) and computes on its share of each batch, rows ``rank::N``. With
  a mean-reduced loss each process's loss is weighted by ``N * rows / batch`` before backward, so the
  averaged gradient is exactly the gradient of the whole batch, even for a last batch that does not
  divide evenly: N processes make the updates one process would make (to rounding).
  This is ``DistributedSampler``'s shard of the epoch, cut into batches of ``batch_size / N``.
- The epoch's loss and metrics are computed over all processes' outputs, so every process logs the same
  numbers and callbacks (early stopping, schedulers) decide the same way; a stop is agreed on by all.
- Only rank 0 prints (``verbose``) and writes files (``ModelCheckpoint``, ``chainrule train``'s
  checkpoints and model file); every process reads a checkpoint to resume.
- Validation runs in full in every process (it is not sharded; see the README on what scales).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.train.callbacks import Callback, defines_batch_hooks
from chainrule.utils.data.loader import DataLoader
from chainrule.utils.data.sampler import Sampler


def start(model: Any, loss_fn: Any, callbacks: Iterable[Callback]) -> DataParallel | None:
    """A ``DataParallel`` when this process is one of several (initialising MPI's group if an MPI
    launcher started it), else None: a single process trains exactly as before."""
    from chainrule import distributed

    if not distributed.init_if_launched():
        return None
    return DataParallel(model, loss_fn, any(defines_batch_hooks(callback) for callback in callbacks))


class _RankZeroOrder(Sampler):
    """Each epoch's order drawn in rank 0 (from the generator one process would use) and broadcast."""

    def __init__(self, n: int, generator: np.random.Generator | None) -> None:
        self.n, self.generator = n, generator

    def indices(self) -> np.ndarray:
        from chainrule import distributed, random

        if distributed.get_rank() == 0:
            order = (self.generator or random.default_generator()).permutation(self.n).astype(np.int64)
        else:
            order = np.empty(self.n, dtype=np.int64)
        distributed.broadcast(order, src=0)
        return order

    def __len__(self) -> int:
        return self.n


class DataParallel:
    """The state ``fit`` keeps when training across processes (see the module's docstring)."""

    def __init__(self, model: Any, loss_fn: Any, user_batch_hooks: bool) -> None:
        from chainrule import distributed
        from chainrule.nn.parallel import DistributedDataParallel

        self.rank, self.size = distributed.get_rank(), distributed.get_world_size()
        self.model = model if isinstance(model, DistributedDataParallel) else DistributedDataParallel(model)
        self.sum_reduced = getattr(loss_fn, "reduction", "mean") == "sum"
        self.user_batch_hooks = user_batch_hooks

    def loader(self, loader: DataLoader) -> DataLoader:
        """The same batches in every process: rank 0's shuffled order, broadcast each epoch."""
        if not loader.shuffle:
            return loader
        return DataLoader(loader.dataset, batch_size=loader.batch_size,
                          sampler=_RankZeroOrder(loader.num_samples, loader.generator))

    def shard(self, inputs: Tensor, target: Tensor, sync: bool) -> tuple[Tensor, Tensor, float, int]:
        """This process's rows of a global batch, the weight of its loss, and its number of rows.

        ``sync``: whether the backward of this batch averages gradients (False inside an accumulation
        group). A process left without rows (a last batch smaller than N) computes on one row with
        weight 0, so that it still takes part in the gradient all-reduce.
        """
        self.model.require_backward_grad_sync = sync
        batch = len(inputs.data)
        rows = len(range(self.rank, batch, self.size))
        if rows == 0:
            return Tensor._wrap(inputs.data[:1]), Tensor._wrap(target.data[:1]), 0.0, 0
        weight = float(self.size) if self.sum_reduced else self.size * rows / batch
        return (Tensor._wrap(inputs.data[self.rank::self.size]), Tensor._wrap(target.data[self.rank::self.size]),
                weight, rows)

    def agree_to_stop(self, stop: bool, batch_level: bool = False) -> bool:
        """Whether any process wants to stop (so that all stop together; no one waits for the others)."""
        if batch_level and not self.user_batch_hooks:
            return stop  # only rank 0's display has batch hooks; it never stops training
        from chainrule import distributed

        flag = np.array([stop])
        distributed.all_reduce(flag, op=distributed.ReduceOp.MAX)
        return bool(flag[0])

    def combine(self, total: float, count: int, outputs: list[np.ndarray],
                targets: list[np.ndarray]) -> tuple[float, int, list[np.ndarray], list[np.ndarray]]:
        """The epoch's loss sum and sample count over all processes, and (when metrics need them) every
        process's outputs and targets."""
        from chainrule import distributed

        sums = np.array([total, float(count)])
        distributed.all_reduce(sums, op=distributed.ReduceOp.SUM)
        if outputs:
            parts: list[Any] = [None] * self.size
            distributed.all_gather_object(parts, (np.concatenate(outputs), np.concatenate(targets)))
            outputs, targets = [part[0] for part in parts], [part[1] for part in parts]
        return float(sums[0]), int(sums[1]), outputs, targets


def is_main_process() -> bool:
    """Whether this process prints and writes files (rank 0, or the only process)."""
    from chainrule.distributed.process_group import is_main_process as main

    return main()
