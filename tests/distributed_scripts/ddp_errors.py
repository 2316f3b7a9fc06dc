"""Run under `mpiexec -n N` with "unused" or "shapes": DistributedDataParallel's errors, caught
and checked on every rank, which then prints "rank R: ok"."""

import datetime
import sys

import minigrad as mg
import minigrad.distributed as dist
from minigrad import nn

dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=60))
rank = dist.get_rank()
case = sys.argv[1]

if case == "unused":  # a layer outside the loss: an error naming it, at the next forward
    model = nn.ModuleDict({"used": nn.Linear(3, 2), "spare": nn.Linear(3, 2)})

    class OneHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = model

        def forward(self, x):
            return self.layers["used"](x)

    ddp = nn.parallel.DistributedDataParallel(OneHead())
    ddp(mg.ones(4, 3)).sum().backward()
    try:
        ddp(mg.ones(4, 3))
    except RuntimeError as error:
        message = str(error)
    else:
        raise AssertionError("no error for the unused parameters")
    assert "layers.spare.weight, layers.spare.bias" in message, message
    assert "find_unused_parameters=True" in message, message
    assert "layers.used" not in message.split("rank")[-1], message
elif case == "shapes":  # rank 1 builds a wider layer: refused at construction, on every rank
    width = 5 if rank == 1 else 4
    try:
        nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(3, width), nn.Linear(width, 1)))
    except RuntimeError as error:
        message = str(error)
    else:
        raise AssertionError("no error for the mismatched shapes")
    assert "rank 1 has '0.weight (5, 3) float32' where rank 0 has '0.weight (4, 3) float32'" in (
        message
    ), message
else:
    raise SystemExit(f"unknown case {case!r}")
print(f"rank {rank}: ok", flush=True)
