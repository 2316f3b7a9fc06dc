"""The CNN of examples/mnist_cnn.py: minigrad, eager and compiled, against PyTorch CPU eager.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/cnn.py
    python benchmarks/cnn.py --quick        # a smoke run on 2,048 images, figures meaningless
    python benchmarks/cnn.py --no-torch     # minigrad alone (also what happens without torch)

1. Epochs of the example's network (float32, Adam, batch 128, real MNIST), timed in turn
   (minigrad, compiled, torch, minigrad, ...) after one warm-up epoch each (which records the
   compiled step); all start from the same weights and see the same minibatches, so their
   losses agree (minigrad's two, bit for bit). Medians and minima, and the
   median CPU time (process_time: with one thread the work itself, which other processes on
   a shared machine do not inflate as they do the wall clock).
2. conv2d forward + backward alone (input, weight and bias all requiring gradients) at the
   issue's shapes, and 2x2 max pooling forward + backward, each timed in turn.
3. Peak memory of one epoch, each contender in a fresh process: the resident-set high-water
   mark above the size before the epoch, and (minigrad's two) tracemalloc's peak.

One BLAS/OpenMP thread by default (--threads N to change): the machine is small and shared,
and a single thread is what the targets are stated for (docs/performance.md).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE, os.path.join(os.path.dirname(HERE), "examples")]
if __name__ == "__main__":  # before numpy and torch load (_blas_threads.py)
    import _blas_threads

    _blas_threads.set_from(sys.argv, default="1")

import numpy as np  # noqa: E402
from mnist_cnn import BATCH_SIZE, LR, build_model  # noqa: E402
from mnist_cnn import CHANNELS as DATASET_CHANNELS  # noqa: E402
from mnist_cnn import HIDDEN as DATASET_HIDDEN  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402

# The MLP benchmark's helpers (by path: examples/ has a mnist_mlp.py too).
_spec = importlib.util.spec_from_file_location("mlp_benchmark", os.path.join(HERE, "mnist_mlp.py"))
_mlp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mlp)
_load, _status_kib, describe_machine = _mlp._load, _mlp._status_kib, _mlp.describe_machine

SEED = 0
CHANNELS = DATASET_CHANNELS["mnist"]  # the MNIST network's two convolutions
HIDDEN = DATASET_HIDDEN["mnist"]
CONV_SHAPES = [  # (N, C, H, W), (K, C, kh, kw), padding
    ((64, 1, 28, 28), (6, 1, 5, 5), 0),
    ((64, 6, 12, 12), (16, 6, 5, 5), 0),
    ((32, 64, 32, 32), (64, 64, 3, 3), 1),
]
POOL_SHAPES = [(64, 6, 24, 24), (64, 16, 8, 8), (32, 64, 32, 32)]


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ----- the contenders: one epoch of the example's network -------------------------------------
class Minigrad:
    def __init__(self, state: dict):
        self.model = build_model(*CHANNELS, HIDDEN)
        self.model.load_state_dict({k: mg.from_numpy(v) for k, v in state.items()})
        self.optimizer = mg.optim.Adam(self.model.parameters(), lr=LR)

    def load(self, x, y):
        self.x, self.y = mg.from_numpy(x), mg.from_numpy(y)

    def epoch(self, order):
        model, optimizer = self.model, self.optimizer
        for start in range(0, len(order), BATCH_SIZE):
            index = mg.from_numpy(order[start : start + BATCH_SIZE])
            loss = F.cross_entropy(model(self.x[index]), self.y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    def loss(self, n: int) -> float:
        with mg.no_grad():
            return F.cross_entropy(self.model(self.x[:n]), self.y[:n]).item()


class Compiled(Minigrad):
    """The same step under mg.compile: recorded in the warm-up epoch (and for the last,
    smaller batch), replayed after."""

    def __init__(self, state: dict):
        super().__init__(state)
        model, optimizer = self.model, self.optimizer

        def train_step(x, y):
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss

        self.train_step = mg.compile(train_step)

    def epoch(self, order):
        for start in range(0, len(order), BATCH_SIZE):
            index = mg.from_numpy(order[start : start + BATCH_SIZE])
            self.train_step(self.x[index], self.y[index])


class Torch:
    def __init__(self, state: dict):
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        nn = torch.nn
        c1, c2 = CHANNELS
        self.torch, self.model = (
            torch,
            nn.Sequential(
                nn.Conv2d(1, c1, 5),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(c1, c2, 5),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Flatten(),
                nn.Linear(c2 * 16, HIDDEN),
                nn.ReLU(),
                nn.Linear(HIDDEN, 10),
            ),
        )
        self.model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LR)

    def load(self, x, y):
        self.x, self.y = self.torch.from_numpy(x), self.torch.from_numpy(y)

    def epoch(self, order):
        model, optimizer, F_ = self.model, self.optimizer, self.torch.nn.functional
        for start in range(0, len(order), BATCH_SIZE):
            index = self.torch.from_numpy(order[start : start + BATCH_SIZE])
            loss = F_.cross_entropy(model(self.x[index]), self.y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    def loss(self, n: int) -> float:
        with self.torch.no_grad():
            return self.torch.nn.functional.cross_entropy(self.model(self.x[:n]), self.y[:n]).item()


CONTENDERS = {"minigrad": Minigrad, "compiled": Compiled, "torch": Torch}


def initial_state() -> dict:
    mg.manual_seed(SEED)
    return {k: v.numpy().copy() for k, v in build_model(*CHANNELS, HIDDEN).state_dict().items()}


def mnist(n: int):
    from minigrad.datasets import MNIST

    x, y = MNIST().arrays()
    return np.ascontiguousarray(x[:n].reshape(-1, 1, 28, 28)), y[:n]


def orders(n: int):
    rng = np.random.default_rng(SEED)
    while True:
        yield rng.permutation(n)


def time_epochs(names, x, y, epochs: int) -> dict:
    state = initial_state()
    runners = {name: CONTENDERS[name](state) for name in names}
    for runner in runners.values():
        runner.load(x, y)
    times, shuffles = {name: [] for name in names}, orders(len(y))
    cpu = {name: [] for name in names}
    gc.collect()
    gc.freeze()  # torch's million objects would make minigrad's full collections slower
    for epoch in range(1 + epochs):
        order = next(shuffles)
        for name, runner in runners.items():
            time.sleep(0.2)  # let the other's threads stop spinning
            start, start_cpu = time.perf_counter(), time.process_time()
            runner.epoch(order)
            if epoch:
                times[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
        if epoch == 0:
            first = {name: r.loss(2048) for name, r in runners.items()}
    gc.unfreeze()
    return {"times": times, "cpu": cpu, "first": first}


def peak_memory(name: str, n: int) -> dict:
    """One epoch of `name` in a fresh process: see measure_peak_memory."""
    command = [sys.executable, os.path.abspath(__file__), "--_peak-memory", name, "--n", str(n)]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"  (memory of {name} not measured: {exc})")
        return {}
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_peak_memory(name: str, n: int) -> dict:
    """RSS: the high-water mark (VmHWM, reset through /proc/self/clear_refs) during one epoch
    above the resident size before it. traced (minigrad): tracemalloc's peak from making the
    model to the end of the epoch (numpy reports its allocations to it; PyTorch does not)."""
    import tracemalloc

    x, y = mnist(n)
    state = initial_state()
    shuffles = orders(n)
    result = {}
    runner = CONTENDERS[name](state)
    runner.load(x, y)
    runner.epoch(next(shuffles)[: BATCH_SIZE * 2])  # libraries' first-use costs are not training
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status_kib("VmRSS")
    runner.epoch(next(shuffles))
    result["rss_mib"] = (_status_kib("VmHWM") - before) / 1024
    if name != "torch":
        del runner
        gc.collect()
        tracemalloc.start()
        runner = CONTENDERS[name](state)
        runner.load(x, y)
        runner.epoch(next(shuffles))
        result["traced_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    return result


# ----- conv2d and max-pooling alone ------------------------------------------------------------
def time_interleaved(calls: dict, repeat: int) -> dict:
    """Seconds of each call, run in turn `repeat` times after a warm-up: (median, min, median
    CPU seconds). CPU time (process_time) is what the machine's other work does not inflate:
    with one thread it is the call's own work (plus what sharing the caches costs)."""
    times = {name: [] for name in calls}
    cpu = {name: [] for name in calls}
    for call in calls.values():
        call()
    for _ in range(repeat):
        for name, call in calls.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            call()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {
        name: (statistics.median(t), min(t), statistics.median(cpu[name]))
        for name, t in times.items()
    }


def conv_calls(x_shape, w_shape, padding, use_torch: bool) -> dict:
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    w = rng.standard_normal(w_shape, dtype=np.float32) * np.float32(0.1)
    b = rng.standard_normal(w_shape[0], dtype=np.float32)
    params = [mg.tensor(a, requires_grad=True) for a in (x, w, b)]

    def minigrad():
        y = F.conv2d(*params, padding=padding)
        y.backward(mg.ones_like(y))
        for p in params:
            p.grad = None

    calls = {"minigrad": minigrad}
    if use_torch:
        import torch

        tparams = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]

        def torch_call():
            y = torch.nn.functional.conv2d(*tparams, padding=padding)
            y.backward(torch.ones_like(y))
            for p in tparams:
                p.grad = None

        calls["torch"] = torch_call
    return calls


def pool_calls(shape, use_torch: bool) -> dict:
    x = np.random.default_rng(SEED).standard_normal(shape, dtype=np.float32)
    xm = mg.tensor(x, requires_grad=True)

    def minigrad():
        y = F.max_pool2d(xm, 2)
        y.backward(mg.ones_like(y))
        xm.grad = None

    calls = {"minigrad": minigrad}
    if use_torch:
        import torch

        xt = torch.tensor(x, requires_grad=True)

        def torch_call():
            y = torch.nn.functional.max_pool2d(xt, 2)
            y.backward(torch.ones_like(y))
            xt.grad = None

        calls["torch"] = torch_call
    return calls


def print_alone(title, rows):
    print(f"\n{title}: milliseconds per call, median (min) of interleaved calls; CPU: medians")
    print(f"{'shape':44} {'minigrad':>16} {'torch':>16} {'mg/torch':>9} {'(min)':>6} {'CPU':>6}")
    for label, t in rows:
        mgt = f"{t['minigrad'][0] * 1e3:7.2f} ({t['minigrad'][1] * 1e3:6.2f})"
        if "torch" in t:
            tt = f"{t['torch'][0] * 1e3:7.2f} ({t['torch'][1] * 1e3:6.2f})"
            ratio = (
                f"{t['minigrad'][0] / t['torch'][0]:8.2f}x {t['minigrad'][1] / t['torch'][1]:5.2f}x"
                f" {t['minigrad'][2] / t['torch'][2]:5.2f}x"
            )
        else:
            tt, ratio = "-", "-"
        print(f"{label:44} {mgt:>16} {tt:>16} {ratio:>23}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs-timed", type=int, default=3)
    p.add_argument("--repeat", type=int, default=15, help="timed calls of each op alone")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--no-memory", action="store_true")
    p.add_argument("--_peak-memory", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, default=60_000, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args._peak_memory:
        print(json.dumps(measure_peak_memory(args._peak_memory, args.n)))
        return
    use_torch = not args.no_torch and torch_available()
    n = 2048 if args.quick else 60_000
    epochs, repeat = (1, 3) if args.quick else (args.epochs_timed, args.repeat)
    print("\n".join(describe_machine("cpu", use_torch)))
    print(f"load average before: {_load()}")
    names = ["minigrad", "compiled", "torch"] if use_torch else ["minigrad", "compiled"]

    x, y = mnist(n)
    result = time_epochs(names, x, y, epochs)
    memory = {} if args.no_memory else {name: peak_memory(name, n) for name in names}
    c1, c2 = CHANNELS
    print(
        f"\nCNN conv{c1}-pool-conv{c2}-pool-fc{HIDDEN}-fc10, batch {BATCH_SIZE}, Adam: epoch = {n} "
        f"images; median of {epochs} interleaved epochs"
    )
    print(
        f"{'':10} {'median s':>9} {'min s':>8} {'max s':>8} {'vs torch':>9} {'loss ep 1':>10} "
        f"{'RSS MiB':>8} {'traced MiB':>11}"
    )
    times = result["times"]
    for name in names:
        t = times[name]
        ratio = statistics.median(t) / statistics.median(times["torch"]) if use_torch else 1.0
        mem = memory.get(name, {})
        rss = f"{mem['rss_mib']:.1f}" if "rss_mib" in mem else "-"
        traced = f"{mem['traced_mib']:.1f}" if "traced_mib" in mem else "-"
        print(
            f"{name:10} {statistics.median(t):9.2f} {min(t):8.2f} {max(t):8.2f} {ratio:8.2f}x "
            f"{result['first'][name]:10.4f} {rss:>8} {traced:>11}"
        )
    compiled = statistics.median(times["compiled"]) / statistics.median(times["minigrad"])
    print(f"compiled/eager {compiled:.2f}x (mg.compile, the same bits)")
    if use_torch:
        ratio = statistics.median(times["compiled"]) / statistics.median(times["torch"])
        print(f"compiled/torch {ratio:.2f}x")
        best = min(times["minigrad"]) / min(times["torch"])
        ratio = statistics.median(times["minigrad"]) / statistics.median(times["torch"])
        print(f"minigrad/torch {ratio:.2f}x (min {best:.2f}x; target <= 1.5x)")
        cpu = {name: statistics.median(result["cpu"][name]) for name in names}
        print(
            f"CPU seconds per epoch (process_time, median): minigrad {cpu['minigrad']:.2f}, "
            f"torch {cpu['torch']:.2f}: minigrad/torch {cpu['minigrad'] / cpu['torch']:.2f}x"
        )

    rows = []
    for x_shape, w_shape, padding in CONV_SHAPES:
        label = f"x {x_shape} w {w_shape} pad {padding}"
        rows.append(
            (label, time_interleaved(conv_calls(x_shape, w_shape, padding, use_torch), repeat))
        )
    print_alone("conv2d forward + backward (x, w, b all require grad; target <= 2x)", rows)
    rows = [(f"x {s}", time_interleaved(pool_calls(s, use_torch), repeat)) for s in POOL_SHAPES]
    print_alone("max_pool2d(2) forward + backward", rows)
    print(f"\nload average after: {_load()}")


if __name__ == "__main__":
    main()
