"""Data-parallel training on MPI: one process against two, side by side in one MPI job.

    python benchmarks/ddp.py            # starts itself under mpiexec -n 2 (pip install '.[mpi]')
    python benchmarks/ddp.py --quick    # a smoke run, a few seconds

Workload W2: MLP 784-512-512-10, float32, global batch 512, SGD (momentum 0.9), cross-entropy,
one BLAS thread per process. Contenders, one "epoch" of STEPS steps each in turn (A B A B ...),
so that a machine busy with something else slows both alike:
  1 process   rank 0 trains a plain model on the whole batch of 512; rank 1 sleeps in a barrier
  2 processes both ranks train DistributedDataParallel on 256 each: the same global batch

Each also shows rank 0's CPU time a step: on a busy machine the wall clock counts other
processes' turns too (the two-process CPU time includes polling while waiting for the other
rank). For the two-process steps it also reports the all-reduce: what one step's gradients
(2.7 MB in 2 buckets) cost to all-reduce alone, blocking, and how much of that the step still
waits for at the end of backward (the rest overlapped with backward).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy loads: one BLAS thread per process

import minigrad as mg  # noqa: E402
import minigrad.distributed as dist  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import nn, optim  # noqa: E402

GLOBAL_BATCH = 512
STEPS = 10  # steps an epoch
ROUNDS = 8  # epochs of each contender (the first of each is a warm-up, not counted)


def build() -> nn.Module:
    return nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )


def step(model, optimizer, x, y) -> None:
    optimizer.zero_grad()
    F.cross_entropy(model(x), y).backward()
    optimizer.step()


class ExposedWait:
    """Wraps a DDP's final wait (`_finish`: every bucket waited for, the means written back)
    and keeps each call's seconds. The rank that reaches it last waits only for what is left
    of the all-reduce; the other rank also waits for it: `exposed` takes the smaller."""

    def __init__(self, ddp):
        self.finish, self.seconds = ddp._finish, []
        ddp._finish = self

    def __call__(self, skip: int) -> None:
        t0 = time.perf_counter()
        self.finish(skip)
        self.seconds.append(time.perf_counter() - t0)

    def exposed(self, world: int) -> float:
        """The mean over the steps of the smallest rank's wait."""
        mine = mg.tensor(self.seconds, dtype=mg.float64)
        every = [mg.zeros_like(mine) for _ in range(world)]
        dist.all_gather(every, mine)
        self.seconds = []
        return float(mg.stack(every).min(0).values.mean())


def main(rounds: int) -> None:
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    if world != 2:
        raise SystemExit("run under mpiexec -n 2 (or without mpiexec: it starts itself)")
    mg.manual_seed(0)
    single, replica = build(), build()
    replica.load_state_dict(single.state_dict())
    ddp = nn.parallel.DistributedDataParallel(replica)
    wait = ExposedWait(ddp)
    opt_single = optim.SGD(single.parameters(), lr=0.01, momentum=0.9)
    opt_ddp = optim.SGD(ddp.parameters(), lr=0.01, momentum=0.9)
    g = mg.Generator().manual_seed(1)
    x = mg.randn(GLOBAL_BATCH, 784, generator=g)
    y = mg.randint(0, 10, (GLOBAL_BATCH,), generator=g)
    share = GLOBAL_BATCH // world
    xr, yr = x[rank * share : (rank + 1) * share], y[rank * share : (rank + 1) * share]
    buckets = [mg.Tensor.wrap(b.flat) for b in ddp._buckets]

    load = os.getloadavg()[0]
    times = {"1 process": [], "2 processes": [], "ratio": [], "alone": [], "exposed": []}
    times |= {"1 process cpu": [], "2 processes cpu": []}  # rank 0's CPU seconds
    for r in range(rounds):
        dist.barrier()
        t0, c0 = time.perf_counter(), time.process_time()
        if rank == 0:
            for _ in range(STEPS):
                step(single, opt_single, x, y)
        c1 = time.process_time()
        dist.barrier()  # rank 1 waits here, asleep between polls after the first 10 ms
        t1 = time.perf_counter()
        c2 = time.process_time()
        for _ in range(STEPS):
            step(ddp, opt_ddp, xr, yr)
        c3 = time.process_time()
        dist.barrier()
        t2 = time.perf_counter()
        exposed = wait.exposed(world)
        for _ in range(STEPS):  # the same buckets, all-reduced alone (blocking)
            for b in buckets:
                dist.all_reduce(b, op=dist.ReduceOp.AVG)
        dist.barrier()
        t3 = time.perf_counter()
        if r > 0:  # the first round warms up
            times["1 process"].append((t1 - t0) / STEPS)
            times["2 processes"].append((t2 - t1) / STEPS)
            times["ratio"].append((t1 - t0) / (t2 - t1))
            times["alone"].append((t3 - t2) / STEPS)
            times["exposed"].append(exposed)
            times["1 process cpu"].append((c1 - c0) / STEPS)
            times["2 processes cpu"].append((c3 - c2) / STEPS)
    if rank == 0:
        medians = {k: statistics.median(v) for k, v in times.items()}
        report(medians, len(ddp._buckets), rounds - 1, (load, os.getloadavg()[0]))


def report(m: dict, buckets: int, epochs: int, load: tuple) -> None:
    print(f"W2 784-512-512-10, global batch {GLOBAL_BATCH}, 1 BLAS thread each")
    for name in ("1 process", "2 processes"):
        print(
            f"  {name:12s} {1e3 * m[name]:7.1f} ms/step  {GLOBAL_BATCH / m[name]:8.0f} samples/s"
            f"  (rank 0's CPU time {1e3 * m[name + ' cpu']:.1f} ms/step)"
        )
    print(f"  throughput, 2 processes / 1: {m['ratio']:.2f}x (median of the epochs' ratios)")
    alone, exposed = m["alone"], m["exposed"]
    print(
        f"  all-reduce of a step's gradients ({buckets} buckets, 2.7 MB) alone: "
        f"{1e3 * alone:.2f} ms; still waited for at the end of backward: {1e3 * exposed:.2f} ms "
        f"({100 * max(0.0, 1 - exposed / alone):.0f}% hidden behind backward)"
    )
    print(
        f"  (medians of {epochs} epochs of {STEPS} steps, alternating; load average "
        f"{load[0]:.2f} before, {load[1]:.2f} after: above ~0.5 other processes shared the cores)"
    )


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    if not any(v in os.environ for v in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK")):
        mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
        command = [mpiexec if os.path.exists(mpiexec) else "mpiexec", "-n", "2"]
        sys.exit(subprocess.call([*command, sys.executable, *sys.argv]))
    if quick:
        STEPS, ROUNDS = 2, 2
    main(ROUNDS)
