"""Collectives: operations that every process of the group calls together, in the same order.

``broadcast``, ``all_reduce`` and ``all_gather`` work in place on Tensors (and NumPy arrays), as
``torch.distributed``'s do; each is one MPI call on the tensor's array, with no copy when the array is
contiguous. Every dtype chainrule has works: floats and integers with all five ``ReduceOp``s (``AVG``
only for floats), bool with the logical meaning (``SUM``/``MAX``: any, ``MIN``/``PRODUCT``: all).
``async_op=True`` starts the operation and returns a ``Work`` whose ``wait()`` completes it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.distributed.process_group import _mpi, communicator


class ReduceOp(enum.Enum):
    """How ``all_reduce`` combines the processes' values, element by element."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class Work:
    """A started collective (``async_op=True``): ``wait()`` blocks until it is complete here."""

    def __init__(self, request: Any, finish: Callable[[], None] | None = None) -> None:
        self._request, self._finish, self._done = request, finish, False

    def wait(self, timeout: Any = None) -> bool:
        if not self._done:
            if self._request is not None:
                self._request.Wait()
            if self._finish is not None:
                self._finish()
            self._done = True
        return True

    def is_completed(self) -> bool:
        return self._done


def _array(tensor: Any, operation: str) -> np.ndarray:
    if isinstance(tensor, Tensor):
        return tensor.data
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(f"{operation}: expected a chainrule Tensor (or a NumPy array), got {type(tensor).__name__}")


def _buffer(array: np.ndarray, operation: str) -> tuple[np.ndarray, bool]:
    """A contiguous writable array MPI can work in; True when it is a copy to write back afterwards."""
    if not array.flags.writeable:
        raise ValueError(f"{operation}: the tensor's array is read-only; the result is written into it in place")
    if array.flags.c_contiguous:
        return array, False
    return np.ascontiguousarray(array), True


def _mpi_op(op: ReduceOp, dtype: np.dtype, operation: str) -> Any:
    MPI = _mpi()
    if not isinstance(op, ReduceOp):
        raise ValueError(f"{operation}: op must be a ReduceOp (SUM, AVG, PRODUCT, MIN, MAX), got {op!r}")
    if dtype.kind not in "biuf":
        raise TypeError(f"{operation}: unsupported dtype {dtype}; use a float, integer or bool tensor")
    if dtype.kind == "b":
        if op is ReduceOp.AVG:
            raise TypeError(f"{operation}: ReduceOp.AVG needs a floating-point tensor, got dtype bool")
        return MPI.LOR if op in (ReduceOp.SUM, ReduceOp.MAX) else MPI.LAND
    if op is ReduceOp.AVG and dtype.kind != "f":
        raise TypeError(f"{operation}: ReduceOp.AVG needs a floating-point tensor, got dtype {dtype}; use "
                        "ReduceOp.SUM and divide by get_world_size()")
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}[op]


def _complete(work: Work, async_op: bool) -> Work | None:
    if async_op:
        return work
    work.wait()
    return None


def all_reduce(tensor: Any, op: ReduceOp = ReduceOp.SUM, group: Any = None, async_op: bool = False) -> Work | None:
    """Combine ``tensor`` across all processes with ``op``; every process gets the result, in place.

    >>> t = cr.tensor([float(dist.get_rank())]); dist.all_reduce(t, op=dist.ReduceOp.AVG)  # doctest: +SKIP
    """
    comm = communicator("all_reduce")
    array = _array(tensor, "all_reduce")
    mpi_op = _mpi_op(op, array.dtype, "all_reduce")
    buffer, copied = _buffer(array, "all_reduce")
    size = comm.Get_size()

    def finish() -> None:
        if op is ReduceOp.AVG:
            buffer[...] /= size
        if copied:
            array[...] = buffer

    MPI = _mpi()
    request = comm.Iallreduce(MPI.IN_PLACE, buffer, op=mpi_op) if async_op else None
    if request is None:
        comm.Allreduce(MPI.IN_PLACE, buffer, op=mpi_op)
    return _complete(Work(request, finish), async_op)


def broadcast(tensor: Any, src: int, group: Any = None, async_op: bool = False) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into ``tensor`` of every process (same shape and dtype everywhere)."""
    comm = communicator("broadcast")
    _check_rank(src, comm.Get_size(), "broadcast", "src")
    array = _array(tensor, "broadcast")
    buffer, copied = _buffer(array, "broadcast")

    def finish() -> None:
        if copied:
            array[...] = buffer

    request = comm.Ibcast(buffer, root=int(src)) if async_op else None
    if request is None:
        comm.Bcast(buffer, root=int(src))
    return _complete(Work(request, finish), async_op)


def all_gather(tensor_list: list[Any], tensor: Any, group: Any = None, async_op: bool = False) -> Work | None:
    """Fill ``tensor_list[r]`` with rank ``r``'s ``tensor`` (same shape and dtype everywhere)."""
    comm = communicator("all_gather")
    size = comm.Get_size()
    array = _array(tensor, "all_gather")
    if not isinstance(tensor_list, list) or len(tensor_list) != size:
        got = len(tensor_list) if isinstance(tensor_list, list) else type(tensor_list).__name__
        raise ValueError(f"all_gather: tensor_list must be a list of {size} tensors (one per process), got {got}")
    targets = [_array(item, "all_gather") for item in tensor_list]
    for rank, target in enumerate(targets):
        if target.shape != array.shape or target.dtype != array.dtype:
            raise ValueError(f"all_gather: tensor_list[{rank}] has shape {target.shape} and dtype {target.dtype}, "
                             f"but the tensor has shape {array.shape} and dtype {array.dtype}; they must match")
    gathered = np.empty((size, *array.shape), dtype=array.dtype)
    request = comm.Iallgather(np.ascontiguousarray(array), gathered) if async_op else None
    if request is None:
        comm.Allgather(np.ascontiguousarray(array), gathered)

    def finish() -> None:
        for target, part in zip(targets, gathered, strict=True):
            target[...] = part

    return _complete(Work(request, finish), async_op)


def barrier(group: Any = None, async_op: bool = False) -> Work | None:
    """Wait until every process has reached this call."""
    comm = communicator("barrier")
    request = comm.Ibarrier() if async_op else None
    if request is None:
        comm.Barrier()
    return _complete(Work(request), async_op)


def all_gather_object(object_list: list[Any], obj: Any, group: Any = None) -> None:
    """Fill ``object_list[r]`` with rank ``r``'s ``obj`` (any picklable object; for small data)."""
    comm = communicator("all_gather_object")
    if not isinstance(object_list, list) or len(object_list) != comm.Get_size():
        raise ValueError(f"all_gather_object: object_list must be a list of {comm.Get_size()} items (one per "
                         "process)")
    object_list[:] = comm.allgather(obj)


def broadcast_object_list(object_list: list[Any], src: int = 0, group: Any = None) -> None:
    """Replace ``object_list``'s items, in every process, by rank ``src``'s (picklable objects)."""
    comm = communicator("broadcast_object_list")
    _check_rank(src, comm.Get_size(), "broadcast_object_list", "src")
    object_list[:] = comm.bcast(list(object_list), root=int(src))


def _check_rank(rank: Any, size: int, operation: str, name: str) -> None:
    if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or not 0 <= rank < size:
        raise ValueError(f"{operation}: {name}={rank!r} is not a rank of this group; ranks are 0 .. {size - 1}")
