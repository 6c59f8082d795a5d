"""``chainrule.nn.parallel``: ``DistributedDataParallel`` (data parallelism over MPI), as in PyTorch."""

from chainrule.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
