"""Rank 1 fails while the others wait in a collective: the whole job must end, with rank 1's message.

    mpiexec -n N python [-m mpi4py] failing_rank.py
"""

import chainrule as cr
import chainrule.distributed as dist

dist.init_process_group("mpi")
if dist.get_rank() == 1:
    raise ValueError("rank 1 could not read its shard of the data")
dist.all_reduce(cr.ones(3))  # never completes: rank 1 is gone
print("rank", dist.get_rank(), "should never get here")
