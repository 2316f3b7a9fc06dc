"""Run under `mpiexec -n N`: DistributedDataParallel's gradients and training steps equal one
process's on the combined batch (float64, within 1e-12), with large and with tiny buckets,
through no_sync, unused parameters (find_unused_parameters=True), buffer broadcasts and the
state_dict of `.module`. Prints "rank R: ok" on success; any failure raises."""

import datetime

import minigrad as mg
import minigrad.distributed as dist
from minigrad import nn, optim

TOL = 1e-12
BATCH = 4  # per rank

dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=60))
rank, world = dist.get_rank(), dist.get_world_size()


def build() -> nn.Module:
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 6), nn.Tanh(), nn.Linear(6, 3))


def biggest_difference(a: nn.Module, b: nn.Module, what: str) -> float:
    pairs = zip(a.parameters(), b.parameters())
    return max(float((getattr(p, what) - getattr(q, what)).abs().max()) for p, q in pairs)


def same_on_every_rank(t: mg.Tensor) -> bool:
    gathered = [mg.zeros_like(t) for _ in range(world)]
    dist.all_gather(gathered, t)
    return all(bool((g == t).all()) for g in gathered)


def batch(step: int):
    """The combined batch of `step` (the same on every rank), and this rank's share of it."""
    g = mg.Generator().manual_seed(1000 + step)
    x = mg.randn(BATCH * world, 5, generator=g, dtype=mg.float64)
    y = mg.randn(BATCH * world, 3, generator=g, dtype=mg.float64)
    mine = slice(rank * BATCH, (rank + 1) * BATCH)
    return (x, y), (x[mine], y[mine])


def loss_of(model, x, y):
    return ((model(x) - y) ** 2).mean()


for cap in (25, 1e-5):  # one bucket after the first 1 MiB one; one parameter a bucket
    mg.manual_seed(rank)  # each rank builds different weights: DDP must take rank 0's
    ddp = nn.parallel.DistributedDataParallel(build().to(mg.float64), bucket_cap_mb=cap)
    assert len(ddp._buckets) == (1 if cap == 25 else 6), len(ddp._buckets)
    for p in ddp.parameters():
        assert same_on_every_rank(p.detach())
    reference = build().to(mg.float64)
    reference.load_state_dict(ddp.module.state_dict())

    # the averaged gradients are the combined batch's
    (x, y), (xr, yr) = batch(0)
    loss_of(ddp, xr, yr).backward()
    loss_of(reference, x, y).backward()
    assert biggest_difference(ddp.module, reference, "grad") < TOL

    # a few training steps give the same weights
    opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    for step in range(1, 6):
        (x, y), (xr, yr) = batch(step)
        for model, o, data in ((ddp, opt, (xr, yr)), (reference, ref_opt, (x, y))):
            o.zero_grad()
            loss_of(model, *data).backward()
            o.step()
    assert biggest_difference(ddp.module, reference, "data") < TOL
    for p in ddp.parameters():
        assert same_on_every_rank(p.detach())

    # no_sync: local sums, no communication; the next backward averages the sums
    opt.zero_grad()
    ref_opt.zero_grad()
    local = build().to(mg.float64)
    local.load_state_dict(ddp.module.state_dict())
    for step in range(6, 9):
        (x, y), (xr, yr) = batch(step)
        if step < 8:
            with ddp.no_sync():
                loss_of(ddp, xr, yr).backward()
            loss_of(local, xr, yr).backward()
            assert biggest_difference(ddp.module, local, "grad") == 0  # this rank's alone
        else:
            loss_of(ddp, xr, yr).backward()
        loss_of(reference, x, y).backward()
    assert biggest_difference(ddp.module, reference, "grad") < TOL

# find_unused_parameters: head "b" is used on rank 0 only, head "c" on no rank
heads = nn.ModuleDict({"a": nn.Linear(5, 2), "b": nn.Linear(5, 2), "c": nn.Linear(5, 2)})


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = heads

    def forward(self, x):
        out = self.heads["a"](x)
        return out + self.heads["b"](x) if rank == 0 else out


model = Heads().to(mg.float64)
ddp = nn.parallel.DistributedDataParallel(model, find_unused_parameters=True, bucket_cap_mb=1e-4)
reference = Heads().to(mg.float64)
reference.load_state_dict(model.state_dict())
for _ in range(2):  # twice: the unused ones must not leave the next forward expecting them
    model.zero_grad()
    reference.zero_grad()
    (x, y), (xr, yr) = batch(9)
    ddp(xr).sum().backward()
    reference(xr).sum().backward()
    expected = []  # the local gradients (zero where unused), averaged over the ranks
    for p in reference.parameters():
        expected.append(mg.zeros_like(p) if p.grad is None else p.grad)
        dist.all_reduce(expected[-1], op=dist.ReduceOp.AVG)
    for (name, p), e in zip(model.named_parameters(), expected):
        if name.startswith("heads.c"):
            assert p.grad is None, name  # used by no rank: no gradient, as in PyTorch
        else:
            assert float((p.grad - e).abs().max()) < TOL, name

# buffers: rank 0's are broadcast at each forward
norm = nn.BatchNorm1d(5).to(mg.float64)
ddp = nn.parallel.DistributedDataParallel(norm)
norm.running_mean.array[...] = rank
ddp.eval()  # (in training, each rank's forward would then update them from its own batch)
with mg.no_grad():
    ddp(batch(10)[1][0])
assert same_on_every_rank(norm.running_mean)

# .module's state_dict loads into a plain model
plain = build()
plain.load_state_dict(nn.parallel.DistributedDataParallel(build()).module.state_dict())
print(f"rank {rank}: ok", flush=True)
dist.destroy_process_group()
