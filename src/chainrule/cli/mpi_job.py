"""``mpiexec -n N chainrule train ...``: the command as one process of an MPI job.

When an MPI launcher started several processes, each joins the job's process group; only rank 0 writes
to stdout (and, in train_command.py, writes files); and a process that ends with an error ends the whole
job (``MPI_Abort``) so that the others do not wait for it forever.
"""

from __future__ import annotations

import os
import sys


def join() -> bool:
    """Join the MPI job if there is one of several processes; whether there is."""
    from chainrule.distributed.process_group import get_rank, init_if_launched

    if not init_if_launched():
        return False
    if get_rank() != 0:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    return True


def end(exit_code: int) -> int:
    """After the command: an error in any one process ends every process of the job."""
    if exit_code != 0:
        from chainrule.distributed.process_group import abort

        abort(exit_code)
    return exit_code
