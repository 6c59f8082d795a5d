"""``DistributedDataParallel``: the same model in every process, each on its own part of the data, with
the gradients averaged across processes during ``backward`` so that every process makes the same update.

Why averaging is right: with a mean-reduced loss, the gradient of a batch of ``B`` samples is the mean
of the per-sample gradients. Cut the batch into N equal parts, one per process; each process's gradient
is the mean over its ``B/N`` samples, and the mean of those N means is the mean over all ``B``: one
process on ``B`` samples and N processes on ``B/N`` each compute the same gradient, hence (with the same
starting weights, which the constructor makes sure of) the same parameters after every step.

How: each parameter's gradient is complete when the engine's post-accumulate-grad hook fires for it.
When every parameter of a bucket (buckets.py) is ready, that bucket's flat
array goes into a non-blocking all-reduce, in bucket order in every process; at the end of the backward
walk the remaining buckets are started, all are awaited, divided by N, and each ``param.grad`` becomes
its part of the averaged flat array. A parameter that got no gradient in this process counts as zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from chainrule.autograd.backward_hooks import queue_callback, register_post_accumulate_grad_hook
from chainrule.autograd.grad_mode import is_grad_enabled
from chainrule.nn.module import Module
from chainrule.nn.parallel.buckets import Bucket, make_buckets

DEFAULT_BUCKET_CAP_MB = 25.0


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training over the default process group.

    Args:
        module: the model; every process builds it the same way (same layers and shapes).
        bucket_cap_mb: the largest bucket of gradients in MiB (PyTorch's default 25).
        broadcast_buffers: copy rank 0's buffers to every process at each forward.
        device_ids, output_device, dim, process_group, find_unused_parameters, gradient_as_bucket_view,
        static_graph: accepted for PyTorch code; chainrule runs on the CPU, always handles parameters
        without a gradient (as zeros) and hands out gradients as views of its buckets.

    At construction rank 0's parameters and buffers are copied to every process. ``.module`` is the
    wrapped model; ``state_dict()`` keys start with ``'module.'``, as in PyTorch (save
    ``ddp.module.state_dict()`` for a file that loads into the plain model). ``no_sync()`` skips the
    averaging for gradient accumulation.

    >>> import chainrule as cr, chainrule.distributed as dist               # doctest: +SKIP
    >>> dist.init_process_group("mpi")                                      # doctest: +SKIP
    >>> model = cr.nn.parallel.DistributedDataParallel(cr.nn.Linear(4, 1))  # doctest: +SKIP
    >>> cr.nn.MSELoss()(model(X_shard), y_shard).backward()                 # doctest: +SKIP
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group: Any = None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False) -> None:
        from chainrule import distributed

        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module to wrap, got {type(module).__name__}")
        if not distributed.is_initialized():
            raise ValueError("DistributedDataParallel: Default process group has not been initialized; call "
                             "chainrule.distributed.init_process_group('mpi') first (launch with: mpiexec -n N "
                             "python -m mpi4py script.py)")
        cap = DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not cap > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be a positive number, got {bucket_cap_mb!r}")
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.bucket_cap_mb = float(cap)
        self.require_backward_grad_sync = True
        self.world_size = distributed.get_world_size()
        named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        _check_same_model(module, distributed)
        self._buckets: list[Bucket] = make_buckets([p for _, p in named], self.bucket_cap_mb * 1024 * 1024)
        self._bucket_of = {id(p): index for index, bucket in enumerate(self._buckets) for p in bucket.parameters}
        self._sync_module_states(distributed)
        self._hook_handles = [register_post_accumulate_grad_hook(p, self._grad_ready) for _, p in named]
        self._reset()

    # -- construction ------------------------------------------------------------------------------
    def _sync_module_states(self, distributed: Any) -> None:
        """Every process takes rank 0's parameters (one broadcast per bucket) and buffers."""
        everything = [p for p in self.module.parameters()]
        for bucket in make_buckets(everything, self.bucket_cap_mb * 1024 * 1024):
            flat = bucket.flatten_values()
            distributed.broadcast(flat, src=0)
            bucket.unflatten_values(flat)
        self._broadcast_buffers(distributed)

    def _broadcast_buffers(self, distributed: Any) -> None:
        for _, buffer in self.module.named_buffers():
            if buffer is not None:
                distributed.broadcast(buffer, src=0)

    # -- forward and backward ----------------------------------------------------------------------
    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self.broadcast_buffers and any(True for _ in self.module.buffers()):
            from chainrule import distributed

            self._broadcast_buffers(distributed)
        # NOTE: as in PyTorch, whether the next backward averages is decided here, at forward time.
        self._armed = is_grad_enabled() and self.require_backward_grad_sync
        return self.module(*inputs, **kwargs)

    def _reset(self) -> None:
        self._armed = False
        self._ready = [0] * len(self._buckets)
        self._next_bucket = 0
        self._pending: list[tuple[Any, Bucket, np.ndarray]] = []
        self._finalize_queued = False

    def _grad_ready(self, parameter: Any) -> None:
        """The engine completed ``parameter.grad`` for this backward: start every bucket now complete."""
        if not self._armed:
            return
        if not self._finalize_queued:
            queue_callback(self._finalize)
            self._finalize_queued = True
        index = self._bucket_of[id(parameter)]
        self._ready[index] += 1
        # Buckets start in index order in every process, whatever order their gradients complete in:
        # MPI matches collectives by the order in which the processes call them.
        while (self._next_bucket < len(self._buckets)
               and self._ready[self._next_bucket] == len(self._buckets[self._next_bucket].parameters)):
            self._launch(self._next_bucket)

    def _launch(self, index: int) -> None:
        from chainrule import distributed

        bucket = self._buckets[index]
        flat = bucket.flatten_grads()
        work = distributed.all_reduce(flat, op=distributed.ReduceOp.SUM, async_op=True)
        self._pending.append((work, bucket, flat))
        self._next_bucket = index + 1

    def _finalize(self) -> None:
        """End of the backward walk: start what is left, wait for everything, hand out the averages."""
        try:
            while self._next_bucket < len(self._buckets):
                self._launch(self._next_bucket)
            for work, bucket, flat in self._pending:
                work.wait()
                flat /= self.world_size
                bucket.unflatten_grads(flat)
        finally:
            self._reset()

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Forward and backward passes inside this block only add up gradients locally; the first
        backward after it averages the accumulated sums (gradient accumulation without extra traffic)."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def extra_repr(self) -> str:
        return f"world_size={self.world_size}, buckets={len(self._buckets)}, bucket_cap_mb={self.bucket_cap_mb:g}"


def _check_same_model(module: Module, distributed: Any) -> None:
    """Every process must wrap the same architecture, or the flat buckets would not line up."""
    layout = [(name, tuple(p.shape), str(p.dtype)) for name, p in module.named_parameters()]
    layouts: list[Any] = [None] * distributed.get_world_size()
    distributed.all_gather_object(layouts, layout)
    for rank, other in enumerate(layouts):
        if other != layout:
            mismatch = next(((a, b) for a, b in zip(layout, other, strict=False) if a != b),
                            (f"{len(layout)} parameters", f"{len(other)} parameters"))
            raise RuntimeError(f"DistributedDataParallel: rank {distributed.get_rank()}'s model differs from rank "
                               f"{rank}'s ({mismatch[0]} here, {mismatch[1]} there); every process must build "
                               "the same model")
