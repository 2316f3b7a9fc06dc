"""Run under `mpiexec -n N` with "raise" or "hang": rank 1 fails (raises, or never joins the
all-reduce); the other ranks, waiting in the all-reduce, must fail within the group's 3 s
timeout with an error naming rank 1 (or the timeout), and the job must end."""

import datetime
import sys
import time

import minigrad as mg
import minigrad.distributed as dist

dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=3))
rank = dist.get_rank()
dist.barrier()
if rank == 1:
    if sys.argv[1] == "raise":
        raise ValueError("rank one's deliberate failure")
    time.sleep(600)  # "hang": never reaches the all-reduce
dist.all_reduce(mg.ones(3))
print(f"rank {rank}: the all-reduce returned", flush=True)
