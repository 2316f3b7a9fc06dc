"""mg.compile against eager minigrad and three hand-written numpy floors, side by side, one run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compile.py --threads 1
    python benchmarks/compile.py --quick          # a smoke run, a few seconds

Workloads as in benchmarks/mnist_mlp.py (float32, SGD lr 0.1, cross-entropy, the same shuffled
minibatches of synthetic MNIST-shaped data for everyone, the same starting weights):
  W1  MLP 784-128-10, batch 64       W2  MLP 784-512-512-10, batch 256
Contenders, timed one whole epoch each in turn (A B C D, B C D A, ...; --chunk N: N steps):
  naive     the floor's math with every result a new array: the naive floor
  numpy     mnist_mlp.py's floor: activations allocated, gradients into arrays made once
  reuse     the same math writing every result into buffers allocated once (out=)
  eager     minigrad as a user writes it: Sequential, F.cross_entropy, SGD
  stepwise  the same train_step under @mg.compile, replayed closure by closure (the fallback)
  compiled  the same train_step under @mg.compile (recorded in the warm-up epoch), replayed
            by the one function generated from its numpy templates
The three floors compute the same bits (checked). Printed: each contender's time a step and
its ratios to the naive and the reuse floors, each the median over rounds of the ratio of two
turns in the same round; how many eager steps the recording (the first call) costs;
tracemalloc's peak over a few W2 steps; what the call's signature costs.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # mnist_mlp.py: data, the floor
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this minigrad

if __name__ == "__main__":  # before numpy loads (mnist_mlp.py imports it): _blas_threads.py
    import _blas_threads

    _blas_threads.set_from(sys.argv, default="1" if "--quick" in sys.argv else None)

import numpy as np
from mnist_mlp import LR, N_QUICK, N_TRAIN, WORKLOADS, NumpyMLP, epoch_orders, init_weights
from mnist_mlp import make_data as mnist_like

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.compile._signature import checked


class Naive:
    """The floor's math (mnist_mlp.py's), every result a new array: the step as a person
    writes it by hand without thinking of memory. The same bits as the two floors below."""

    name = "naive"

    def __init__(self, weights):
        self.params = [(w.copy(), b.copy()) for w, b in weights]

    def step(self, xb, yb):
        last, n, rows = len(self.params) - 1, len(xb), np.arange(len(xb))
        acts = [xb]
        for i, (w, b) in enumerate(self.params):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0) if i < last else z)
        shifted = z - z.max(axis=1, keepdims=True)  # softmax cross-entropy, as the floor's
        picked = shifted[rows, yb]
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        loss = (np.log(s).ravel() - picked).mean()
        g = e * (1 / (s * n))
        g[rows, yb] -= 1 / n
        for i in range(last, -1, -1):
            (w, b), h = self.params[i], acts[i]
            gw, gb = g.T @ h, g.sum(axis=0)
            if i > 0:
                g = (g @ w) * (h > 0)
            w -= LR * gw
            b -= LR * gb
        return loss


class Floor(NumpyMLP):
    """mnist_mlp.py's floor, fed minibatches as the others are: activations allocated,
    gradients written into arrays made once, the update in place."""

    def __init__(self, weights):
        super().__init__(weights, "cpu")


class Reuse:
    """The naive floor's math, every result written into a buffer made at the first step of
    a batch size: what a person writes who also avoids numpy's temporaries."""

    name = "reuse"

    def __init__(self, weights):
        self.params = [(w.copy(), b.copy()) for w, b in weights]
        self.grads = [(np.empty_like(w), np.empty_like(b)) for w, b in self.params]
        self.buffers = {}

    def _buffers(self, batch: int) -> dict:
        if batch not in self.buffers:
            acts = [np.empty((batch, w.shape[0]), np.float32) for w, _ in self.params]
            self.buffers[batch] = {
                "acts": acts,
                "dz": [np.empty_like(a) for a in acts],
                "mask": [np.empty(a.shape, bool) for a in acts],
                "rows": np.arange(batch),
                "s": np.empty((batch, 1), np.float32),
                "m": np.empty((batch, 1), np.float32),
            }
        return self.buffers[batch]

    def step(self, xb, yb):
        buf, last = self._buffers(len(xb)), len(self.params) - 1
        acts, dz, rows = buf["acts"], buf["dz"], buf["rows"]
        h = xb
        for i, (w, b) in enumerate(self.params):
            np.matmul(h, w.T, out=acts[i])
            acts[i] += b
            if i < last:
                np.maximum(acts[i], 0, out=acts[i])
            h = acts[i]
        e, s, n = dz[last], buf["s"], len(xb)  # softmax cross-entropy, as the floor's
        np.max(h, axis=1, keepdims=True, out=buf["m"])
        np.subtract(h, buf["m"], out=e)
        picked = e[rows, yb]
        np.exp(e, out=e)
        np.sum(e, axis=1, keepdims=True, out=s)
        loss = (np.log(s).ravel() - picked).mean()
        s *= n
        np.reciprocal(s, out=s)  # 1 / (s n), as the floor computes it
        e *= s
        e[rows, yb] -= 1 / n
        for i in range(last, -1, -1):
            (w, b), (gw, gb) = self.params[i], self.grads[i]
            h = xb if i == 0 else acts[i - 1]
            np.matmul(dz[i].T, h, out=gw)
            dz[i].sum(axis=0, out=gb)
            if i > 0:
                np.matmul(dz[i], w, out=dz[i - 1])
                np.greater(h, 0, out=buf["mask"][i - 1])
                dz[i - 1] *= buf["mask"][i - 1]
            gw *= LR
            w -= gw
            gb *= LR
            b -= gb
        return loss


class Eager:
    """minigrad as a user writes it."""

    name = "eager"

    def __init__(self, weights):
        layers = []
        for i, (w, _) in enumerate(weights):
            layers += [nn.Linear(w.shape[1], w.shape[0])] + [nn.ReLU()] * (i < len(weights) - 1)
        self.model = model = nn.Sequential(*layers)
        for p, value in zip(model.parameters(), [a for pair in weights for a in pair]):
            p.array[...] = value
        self.optimizer = optimizer = mg.optim.SGD(model.parameters(), lr=LR)

        def train_step(x, y):
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss

        self.step_fn = self.wrap(train_step)

    def wrap(self, train_step):
        return train_step

    def step(self, xb, yb):
        return self.step_fn(mg.from_numpy(xb), mg.from_numpy(yb))


class Compiled(Eager):
    name = "compiled"

    def wrap(self, train_step):
        return mg.compile(train_step)


class Stepwise(Compiled):
    """The compiled step with its generated function switched off: replayed by the closures,
    one per recorded step (what mg.compile falls back to when an op has no template)."""

    name = "stepwise"

    def step(self, xb, yb):
        loss = super().step(xb, yb)
        for program in self.step_fn.cache.values():
            program.fast = None
        return loss


CONTENDERS = [Naive, Floor, Reuse, Eager, Stepwise, Compiled]


def epoch(runner, x, y, order, batch: int) -> None:
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        runner.step(x[idx], y[idx])


def time_epochs(workload: str, x, y, epochs: int, chunk: int) -> dict:
    """Seconds per step of each contender, timed in turns of a whole epoch (or, with `chunk`,
    of `chunk` minibatches), after one warm-up epoch: a list per contender, one per round."""
    sizes, batch = WORKLOADS[workload]
    weights = init_weights(sizes)
    runners = [kind(weights) for kind in CONTENDERS]
    times = {kind.name: [] for kind in CONTENDERS}
    orders = epoch_orders(len(y))
    for k in range(1 + epochs):  # the first epoch warms up (and records the compiled step)
        order = next(orders)
        turn = len(order) if not (k and chunk) else chunk * batch
        for r, part in enumerate(range(0, len(order), turn)):
            piece = order[part : part + turn]
            shift = (k + r) % len(runners)  # each round starts one contender later: no one
            for runner in runners[shift:] + runners[:shift]:  # always follows the same one
                gc.collect()
                start = time.perf_counter()
                epoch(runner, x, y, piece, batch)
                if k:
                    steps = -(-len(piece) // batch)
                    times[runner.name].append((time.perf_counter() - start) / steps)
    naive, numpy, reuse, eager, stepwise, compiled = (_final(r) for r in runners)
    if not (np.array_equal(naive, numpy) and np.array_equal(numpy, reuse)):
        print(f"WARNING: {workload}: the three numpy floors do not compute the same bits")
    same = np.array_equal(eager, compiled) and np.array_equal(eager, stepwise)
    return {"times": times, "bit_identical": same}


def paired(times: dict, name: str, floor: str) -> float:
    """The median over turns of `name`'s time over `floor`'s in the same round: contenders
    that ran seconds apart shared the machine's state, which on a shared VM drifts by more
    than the differences measured (the ratio of the two medians mixes rounds)."""
    return statistics.median(a / b for a, b in zip(times[name], times[floor]))


def quartiles(times: dict, name: str, floor: str) -> tuple[float, float]:
    ratios = [a / b for a, b in zip(times[name], times[floor])]
    if len(ratios) < 2:
        return ratios[0], ratios[0]
    q = statistics.quantiles(ratios, n=4)
    return q[0], q[2]


def _final(runner) -> np.ndarray:
    if hasattr(runner, "model"):
        return np.concatenate([p.array.ravel() for p in runner.model.parameters()])
    return np.concatenate([a.ravel() for pair in runner.params for a in pair])


def recording_cost(workload: str, x, y, repeats: int) -> float:
    """How many eager steps the first (recording) call of a compiled step costs."""
    sizes, batch = WORKLOADS[workload]
    weights, xb, yb = init_weights(sizes), x[:batch], y[:batch]
    ratios = []
    for _ in range(repeats):
        eager, compiled = Eager(weights), Compiled(weights)
        for _ in range(5):
            eager.step(xb, yb)
        start = time.perf_counter()
        for _ in range(20):
            eager.step(xb, yb)
        per_step = (time.perf_counter() - start) / 20
        start = time.perf_counter()
        compiled.step(xb, yb)
        ratios.append((time.perf_counter() - start) / per_step)
    return statistics.median(ratios)


def signature_cost(workload: str, x, y, calls: int) -> tuple[float, float]:
    """Microseconds a call spends on its signature, each timed right after a naive floor's
    step (its arrays have been through the caches, as in training): the key built
    (Signature.key, what a lookup in the cache needs) and the newest recording's check
    (Signature.conditions, what each call tests first; here called alone, as a function that
    runs nothing after). Medians over `calls`."""
    sizes, batch = WORKLOADS[workload]
    weights = init_weights(sizes)
    floor, compiled = Naive(weights), Compiled(weights)
    compiled.step(x[:batch], y[:batch])
    signature, changes = compiled.step_fn.signature, compiled.step_fn._last[3]
    args = (mg.from_numpy(x[:batch]), mg.from_numpy(y[:batch]))
    check = checked(signature.conditions(args, ()), lambda args: True)
    times, batches = {"key": [], "check": []}, len(y) // batch
    for k in range(calls):
        for name, call in (("key", signature.key), ("check", check)):
            idx = slice(k % batches * batch, (k % batches + 1) * batch)
            floor.step(x[idx], y[idx])
            start = time.perf_counter()
            assert call(args, () if name == "key" else changes)
            times[name].append(time.perf_counter() - start)
    return tuple(1e6 * statistics.median(times[name]) for name in ("key", "check"))


def traced_peak(kind, workload: str, x, y, steps: int) -> int:
    """tracemalloc's peak over `steps` steps (bytes): what is held when they start (the
    weights, a floor's buffers) and the most the steps add to it. (Making the model is not
    counted: minigrad's layers draw initial weights, then take the given ones.)"""
    sizes, batch = WORKLOADS[workload]
    weights = init_weights(sizes)
    kind(weights).step(x[:batch], y[:batch])  # the modules' first-use costs, not counted
    gc.collect()
    tracemalloc.start()
    runner = kind(weights)
    gc.collect()
    tracemalloc.reset_peak()
    for k in range(steps):
        idx = slice(k * batch, (k + 1) * batch)
        runner.step(x[idx], y[idx])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="a smoke run on a small epoch")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs per contender")
    p.add_argument("--threads", help="BLAS threads (set before numpy loads)")
    p.add_argument("--workloads", default="W1,W2")
    p.add_argument("--chunk", type=int, default=0, help="turns of this many steps, not epochs")
    p.add_argument("--samples", type=int, default=N_TRAIN, help="samples in an epoch")
    args = p.parse_args(argv)
    n = N_QUICK if args.quick else args.samples
    epochs = 1 if args.quick else args.epochs
    x, y = mnist_like(n, mnist=False)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"numpy {np.__version__}, BLAS threads {threads}, {n} samples an epoch, {epochs} timed")
    for workload in args.workloads.split(","):
        result = time_epochs(workload, x, y, epochs, args.chunk)
        times = result["times"]
        print(
            f"\n{workload} {WORKLOADS[workload]}: ms a step (median, best turn) and the ratios "
            "to the naive and the reuse floors (medians of each turn's ratio to the floor's turn "
            "beside it)"
        )
        for name, t in times.items():
            print(
                f"  {name:9s} {1e3 * statistics.median(t):8.3f} {1e3 * min(t):8.3f}  "
                f"{paired(times, name, 'naive'):5.2f}x {paired(times, name, 'reuse'):5.2f}x"
            )
        low, high = quartiles(times, "compiled", "naive")
        print(
            f"  compiled/eager {paired(times, 'compiled', 'eager'):.2f}x, compiled/reuse "
            f"{paired(times, 'compiled', 'reuse'):.2f}x, compiled/stepwise "
            f"{paired(times, 'compiled', 'stepwise'):.2f}x; compiled/naive's turns, middle "
            f"half: {low:.2f}-{high:.2f}x; all three give eager's bits: {result['bit_identical']}"
        )
        cost = recording_cost(workload, x, y, 3 if args.quick else 7)
        print(f"  recording (the first call) costs {cost:.1f} eager steps")
        key, check = signature_cost(workload, x, y, 50 if args.quick else 1000)
        print(f"  the call's signature after a floor's step: key {key:.1f}, check {check:.1f} us")
    steps = 4 if args.quick else 20
    print(f"\nW2: tracemalloc peak over {steps} steps (MiB, the weights and buffers included)")
    for kind in CONTENDERS:
        print(f"  {kind.name:9s} {traced_peak(kind, 'W2', x, y, steps) / 2**20:7.1f}")


if __name__ == "__main__":
    main()
