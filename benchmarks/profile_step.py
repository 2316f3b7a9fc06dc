"""Where does a minigrad training step spend its time? Phases, pure overhead, and cProfile.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/profile_step.py
    python benchmarks/profile_step.py --workload W2 --steps 500
    py-spy record -o step.svg -- python benchmarks/profile_step.py --no-cprofile --steps 20000

It trains the benchmark's network (benchmarks/mnist_mlp.py: same data, weights and loop) and
prints, per step in microseconds:
  1. each phase of the loop (next batch, forward, cross-entropy, zero_grad, backward, step)
     beside the hand-written numpy step that does the same arithmetic;
  2. the same loop on a tiny network (8-8-2, batch 4), where the arithmetic costs next to
     nothing, so what remains is minigrad's Python overhead per step;
  3. cProfile's table of the functions that take the most time of their own (tottime), with
     microseconds per call. cProfile inflates Python-heavy code, so read 1 and 2 for the
     true sizes and 3 for where to look.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_mlp as bench  # the benchmark's data, weights and contenders

PHASES = ["next batch", "forward", "cross_entropy", "zero_grad", "backward", "optimizer.step"]


def minigrad_phases(runner, steps: int) -> dict[str, float]:
    """Median microseconds of each phase of the training loop, over `steps` steps."""
    model, optimizer, cross_entropy = runner.model, runner.optimizer, runner.F.cross_entropy
    times = {phase: [] for phase in PHASES}
    done = 0
    while done < steps:
        batches = iter(runner.loader)
        while done < steps:
            t0 = time.perf_counter()
            try:
                xb, yb = next(batches)
            except StopIteration:
                break
            t1 = time.perf_counter()
            logits = model(xb)
            t2 = time.perf_counter()
            loss = cross_entropy(logits, yb)
            t3 = time.perf_counter()
            optimizer.zero_grad()
            t4 = time.perf_counter()
            loss.backward()
            t5 = time.perf_counter()
            optimizer.step()
            t6 = time.perf_counter()
            stamps = (t0, t1, t2, t3, t4, t5, t6)
            for phase, start, stop in zip(PHASES, stamps, stamps[1:]):
                times[phase].append(stop - start)
            done += 1
    return {phase: float(np.median(t)) * 1e6 for phase, t in times.items()}


def numpy_step_us(runner, steps: int) -> float:
    """Median microseconds of the hand-written step (batch indexing included)."""
    times = []
    order = next(bench.epoch_orders(len(runner.y)))
    batch = runner.batch
    for i in range(steps):
        start = (i * batch) % (len(order) - batch)
        t0 = time.perf_counter()
        idx = order[start : start + batch]
        runner.step(runner.x[idx], runner.y[idx])
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e6


def runners(sizes, batch, x, y):
    weights = bench.init_weights(sizes)
    mg_runner = bench.MinigradMLP(weights, "cpu")
    np_runner = bench.NumpyMLP(weights, "cpu")
    for r in (mg_runner, np_runner):
        r.load(x, y, batch)
    return mg_runner, np_runner


def print_phases(title, mg_phases, np_step):
    total = sum(mg_phases.values())
    print(f"\n{title}: microseconds per step (medians)")
    for phase, us in mg_phases.items():
        print(f"  {phase:16} {us:8.1f}")
    print(f"  {'minigrad total':16} {total:8.1f}")
    print(f"  {'numpy step':16} {np_step:8.1f}   (the floor: same arithmetic, hand-written)")
    print(f"  {'overhead':16} {total - np_step:8.1f}   ({total / np_step:.2f}x the floor)")


def count_tape(runner, x, y) -> int:
    """How many ops one training step records (forward + loss)."""
    from minigrad.autograd import engine

    xb, yb = runner.mg.from_numpy(x[:4]), runner.mg.from_numpy(y[:4])
    loss = runner.F.cross_entropy(runner.model(xb), yb)
    return len(engine.entries_leading_to([loss]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workload", choices=list(bench.WORKLOADS), default="W1")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--no-cprofile", action="store_true", help="just run (for py-spy)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    sizes, batch = bench.WORKLOADS[args.workload]
    x, y = bench.make_data(bench.N_TRAIN, mnist=False)
    mg_runner, np_runner = runners(sizes, batch, x, y)
    if args.no_cprofile:  # for py-spy: nothing but training steps
        minigrad_phases(mg_runner, args.steps)
        return

    print(
        f"{args.workload}: MLP {'-'.join(map(str, sizes))}, batch {batch}; "
        f"{count_tape(mg_runner, x, y)} ops recorded per step"
    )
    minigrad_phases(mg_runner, 200)  # warm up
    numpy_step_us(np_runner, 200)
    gc.collect()
    print_phases(
        args.workload, minigrad_phases(mg_runner, args.steps), numpy_step_us(np_runner, args.steps)
    )

    tiny_x = np.ascontiguousarray(x[:4096, :8])
    tiny_mg, tiny_np = runners((8, 8, 2), 4, tiny_x, y[:4096] % 2)
    minigrad_phases(tiny_mg, 500)
    print_phases(
        "tiny MLP 8-8-2, batch 4 (pure overhead)",
        minigrad_phases(tiny_mg, args.steps),
        numpy_step_us(tiny_np, args.steps),
    )

    profiler = cProfile.Profile()
    profiler.enable()
    minigrad_phases(mg_runner, args.steps)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(
        f"\ncProfile, {args.steps} steps of {args.workload}: top {args.top} by own time "
        "(us/call = tottime per call; cum us/step = cumtime per training step)"
    )
    print(
        f"{'function':58} {'calls/step':>10} {'us/call':>8} {'own us/step':>11} {'cum us/step':>11}"
    )
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[: args.top]
    for (path, line, func), (_, ncalls, tottime, cumtime, _) in rows:
        where = f"{os.path.basename(path)}:{line}({func})" if line else func
        print(
            f"{where[:58]:58} {ncalls / args.steps:10.1f} {tottime / ncalls * 1e6:8.2f} "
            f"{tottime / args.steps * 1e6:11.1f} {cumtime / args.steps * 1e6:11.1f}"
        )


if __name__ == "__main__":
    main()
