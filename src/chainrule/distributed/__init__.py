"""Data-parallel training across processes and machines over MPI, with ``torch.distributed``'s API.

Launch N copies of a script with MPI (``mpiexec -n 4 python -m mpi4py train.py``, or ``srun`` on a
cluster); in it, ``init_process_group("mpi")`` joins them, ``get_rank()``/``get_world_size()`` say
who is who, and collectives (``all_reduce``, ``broadcast``, ``all_gather``, ``barrier``) exchange
tensors. ``chainrule.nn.parallel.DistributedDataParallel`` averages gradients with them, and
``chainrule.utils.data.DistributedSampler`` gives each process its shard. ``cr.fit`` does all of this
by itself when it finds itself launched by MPI with several processes.

Needs ``pip install 'chainrule[mpi]'`` (mpi4py and MPICH).
"""

from __future__ import annotations

from chainrule.distributed.collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
)
from chainrule.distributed.process_group import (
    abort,
    destroy_process_group,
    get_rank,
    get_world_size,
    init_if_launched,
    init_process_group,
    is_available,
    is_initialized,
    is_main_process,
    is_mpi_available,
    launched_by_mpi,
)

__all__ = [
    "ReduceOp", "Work", "abort", "all_gather", "all_gather_object", "all_reduce", "barrier", "broadcast",
    "broadcast_object_list", "destroy_process_group", "get_rank", "get_world_size", "init_if_launched",
    "init_process_group", "is_available", "is_initialized", "is_main_process", "is_mpi_available",
    "launched_by_mpi",
]
