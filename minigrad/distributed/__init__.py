"""Collective communication between processes, as torch.distributed: a process group started
by MPI (`mpiexec -n 4 python train.py`), and the collectives data-parallel training is built on
(`nn.parallel.DistributedDataParallel`). On one process, without MPI, each is the identity.

    import minigrad.distributed as dist
    dist.init_process_group("mpi")
    dist.all_reduce(t, op=dist.ReduceOp.AVG)     # every rank now holds the mean
"""

from .collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_reduce,
    barrier,
    broadcast,
    get_rank,
    get_world_size,
    is_available,
    reduce,
)
from .group import (
    DistBackendError,
    destroy_process_group,
    init_process_group,
    is_initialized,
    is_mpi_available,
)

__all__ = [
    "DistBackendError",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "reduce",
]
