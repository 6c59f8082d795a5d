"""The process group: which processes train together, and this process's place among them.

chainrule's only backend is MPI, through ``mpi4py``: the processes are the ones an MPI launcher
started (``mpiexec -n 4 python script.py``, or Slurm's ``srun``), and the group is MPI's
``COMM_WORLD``. There is no rendezvous to configure (no address, port or store): the launcher did it.

Once a group of more than one process is initialised, an exception that nobody catches in one process
ends the whole job (``MPI_Abort``) after printing its traceback, instead of leaving the other
processes waiting forever in their next collective.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from types import TracebackType
from typing import Any

BACKENDS = ("mpi",)
INSTALL_HINT = ("install it with: pip install 'chainrule[mpi]' (mpi4py and MPICH from PyPI); on a cluster, "
                "build mpi4py against the site's MPI instead: module load <mpi>; pip install --no-binary=mpi4py mpi4py")
# Set by MPI launchers in every process they start: MPICH/Intel MPI (Hydra), Open MPI, PMIx and Slurm.
LAUNCHER_VARIABLES = ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS",
                      "SLURM_STEP_NUM_TASKS")


class _Group:
    comm: Any = None
    rank: int = 0
    size: int = 1
    previous_excepthook: Any = None


_group = _Group()


def is_available() -> bool:
    """Whether distributed training can run here: ``mpi4py`` (and so an MPI library) is installed."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def is_mpi_available() -> bool:
    """Whether the MPI backend is available (PyTorch's name; the same as ``is_available``)."""
    return is_available()


def _mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise RuntimeError(f"chainrule.distributed needs mpi4py, which is not installed; {INSTALL_HINT}") from error
    return MPI


def init_process_group(backend: str | None = "mpi", init_method: str | None = None,
                       timeout: timedelta | None = None, world_size: int = -1, rank: int = -1,
                       store: Any = None, group_name: str = "") -> None:
    """Join the processes started by the MPI launcher into the default group.

    ``backend`` must be ``'mpi'`` (or None). ``world_size`` and ``rank`` may be given to check what the
    launcher did; MPI decides them (``-1``: take MPI's). ``init_method``, ``timeout``, ``store`` and
    ``group_name`` are accepted for PyTorch code and ignored (MPI needs no rendezvous).

    >>> import chainrule.distributed as dist
    >>> dist.init_process_group("mpi")                 # doctest: +SKIP
    >>> dist.get_rank(), dist.get_world_size()         # doctest: +SKIP
    (0, 4)
    """
    if backend is not None and (not isinstance(backend, str) or backend.lower() not in BACKENDS):
        raise ValueError(f"init_process_group: unknown backend {backend!r}; chainrule's backend is 'mpi' "
                         "(collectives over MPI through mpi4py; 'gloo' and 'nccl' are PyTorch's own)")
    if _group.comm is not None:
        raise RuntimeError("trying to initialize the default process group twice! Call "
                           "destroy_process_group() first, or check is_initialized()")
    MPI = _mpi()
    comm = MPI.COMM_WORLD
    mpi_rank, mpi_size = comm.Get_rank(), comm.Get_size()
    if world_size not in (-1, None) and world_size != mpi_size:
        raise ValueError(f"init_process_group: world_size={world_size} but the MPI launcher started {mpi_size} "
                         f"process(es); start it with mpiexec -n {world_size}, or leave world_size out")
    if rank not in (-1, None) and rank != mpi_rank:
        raise ValueError(f"init_process_group: rank={rank} but MPI gave this process rank {mpi_rank}; MPI "
                         "decides the ranks, so leave rank out")
    _group.comm, _group.rank, _group.size = comm, mpi_rank, mpi_size
    if mpi_size > 1 and _group.previous_excepthook is None:
        _group.previous_excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught_exception


def _abort_on_uncaught_exception(kind: type[BaseException], value: BaseException,
                                 traceback: TracebackType | None) -> None:
    """Print the traceback as Python would, then end every process of the job (no hang)."""
    previous = _group.previous_excepthook or sys.__excepthook__
    previous(kind, value, traceback)
    abort(1)


def abort(exit_code: int = 1) -> None:
    """End every process of the job now (``MPI_Abort``), after flushing this one's output."""
    sys.stdout.flush()
    sys.stderr.flush()
    comm = _group.comm if _group.comm is not None else _mpi().COMM_WORLD
    comm.Abort(int(exit_code))


def is_initialized() -> bool:
    """Whether ``init_process_group`` has been called (and not undone by ``destroy_process_group``)."""
    return _group.comm is not None


def _require_group(operation: str) -> Any:
    if _group.comm is None:
        raise ValueError(f"{operation}: Default process group has not been initialized, please make sure to call "
                         "init_process_group('mpi') first (and launch with: mpiexec -n N python -m mpi4py script.py)")
    return _group.comm


def get_rank(group: Any = None) -> int:
    """This process's number, ``0 .. world_size - 1`` (rank 0 prints and writes the files)."""
    _require_group("get_rank")
    return _group.rank


def get_world_size(group: Any = None) -> int:
    """How many processes the group holds."""
    _require_group("get_world_size")
    return _group.size


def destroy_process_group(group: Any = None) -> None:
    """Leave the group (MPI itself stays up until the interpreter exits, as mpi4py arranges)."""
    _require_group("destroy_process_group")
    if _group.previous_excepthook is not None:
        sys.excepthook = _group.previous_excepthook
        _group.previous_excepthook = None
    _group.comm, _group.rank, _group.size = None, 0, 1


def launched_by_mpi() -> bool:
    """Whether an MPI launcher started this process as one of several (checked without starting MPI
    unless a launcher's environment variables, or an already imported ``mpi4py.MPI``, suggest it)."""
    if "mpi4py.MPI" not in sys.modules and not any(name in os.environ for name in LAUNCHER_VARIABLES):
        return False
    if not is_available():
        return False
    return bool(_mpi().COMM_WORLD.Get_size() > 1)


def init_if_launched() -> bool:
    """Initialise the default group when launched by MPI with several processes; whether one is active.

    This is what lets ``cr.fit`` and ``chainrule train`` run data-parallel under ``mpiexec`` unchanged.
    """
    if not is_initialized() and launched_by_mpi():
        init_process_group("mpi")
    return is_initialized() and _group.size > 1


def is_main_process() -> bool:
    """True in rank 0, or when no group is initialised: the process that prints and writes files."""
    return _group.rank == 0


def communicator(operation: str) -> Any:
    """The group's MPI communicator (for chainrule's own collectives)."""
    return _require_group(operation)
