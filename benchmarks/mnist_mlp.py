"""Train an MNIST MLP with minigrad, hand-written numpy and PyTorch, side by side, in one run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/mnist_mlp.py
    python benchmarks/mnist_mlp.py --quick          # a smoke run, well under 20 s

Workloads (float32, SGD lr 0.1, cross-entropy on logits, shuffled minibatches):
  W1  MLP 784-128-10, batch 64: ~940 small steps an epoch, so Python overhead dominates.
  W2  MLP 784-512-512-10, batch 256: bigger matrices, so BLAS dominates.

Contenders, timed one epoch each in turn (A B C A B C ...) so that a machine busy with
something else slows them all alike; every one starts from the same weights and sees the same
minibatches in the same order, so they also end at (nearly) the same loss, which is printed:
  numpy     a hand-written forward and backward of the same network: the floor
  minigrad  nn.Sequential + F.cross_entropy + optim.SGD + data.DataLoader, as a user writes it
  torch     PyTorch eager, the same loop (skipped when torch is not installed)

Then: the cost of one small op with recording on, and cross-entropy forward+backward alone.
Peak memory of an epoch is measured in a fresh subprocess per contender (see docs/performance.md).
`--device cuda` runs the same on cupy (the numpy floor then runs on cupy too) and torch CUDA.
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

if __name__ == "__main__":  # a busy machine cannot stall one thread; see _blas_threads.py
    import _blas_threads

    _blas_threads.set_from(sys.argv, default="1" if "--quick" in sys.argv else None)

import numpy as np  # (after the BLAS thread count is set: numpy reads it on import)

# ----- settings ---------------------------------------------------------------------------
WORKLOADS = {  # name: (layer sizes, batch size)
    "W1": ((784, 128, 10), 64),
    "W2": ((784, 512, 512, 10), 256),
}
LR = 0.1
SEED = 0
N_TRAIN = 60_000  # one epoch
N_QUICK = 2_048  # one "epoch" under --quick
SMALL_OP_SHAPE = (32, 32)
CE_SHAPES = [(64, 10), (4096, 10), (1024, 1000), (256, 32000)]

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing


# ----- data, weights, minibatch order: shared by every contender --------------------------
def make_data(n: int, mnist: bool) -> tuple[np.ndarray, np.ndarray]:
    """x float32 (n, 784), y int64 (n,): real MNIST, or synthetic MNIST-shaped data.

    The synthetic set is learnable (each class is a random template plus noise), so the
    printed losses show training working, and it needs no files.
    """
    if mnist:
        from minigrad.datasets import MNIST

        x, y = MNIST().arrays()
        return np.ascontiguousarray(x[:n]), y[:n]
    rng = np.random.default_rng(SEED)
    y = rng.integers(0, 10, size=n, dtype=np.int64)
    templates = rng.standard_normal((10, 784), dtype=np.float32) * np.float32(0.1)
    x = rng.standard_normal((n, 784), dtype=np.float32)
    for start in range(0, n, 8192):  # in chunks: no (n, 784) temporary
        x[start : start + 8192] += templates[y[start : start + 8192]]
    noisy = rng.random(n) < 0.2  # a fifth of the labels are random, so the loss stays well
    y[noisy] = rng.integers(0, 10, size=int(noisy.sum()))  # above 0: no denormal softmax
    return x, y


def init_weights(sizes) -> list[tuple[np.ndarray, np.ndarray]]:
    """PyTorch's nn.Linear init, W (out, in) and b (out,) ~ U(-1/sqrt(in), 1/sqrt(in))."""
    rng = np.random.default_rng(SEED + 1)
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        weights.append((w, b))
    return weights


def epoch_orders(n: int):
    """The shuffled sample order of each epoch in turn, the same for every contender.

    They are the permutations that one generator seeded with SEED draws one after another,
    which is what `mg.data.DataLoader(..., shuffle=True, seed=SEED)` draws, epoch by epoch.
    """
    rng = np.random.default_rng(SEED)
    while True:
        yield rng.permutation(n)


# ----- the floor: a hand-written forward + backward -----------------------------------------
def softmax_cross_entropy(z, y, xp=np):
    """Mean cross-entropy of logits z (B, C) against labels y (B,), and its gradient dz.

    Fused: one max, one exp (in place), one sum; the gradient overwrites the exp buffer.
    """
    rows = xp.arange(z.shape[0])
    e = z - z.max(axis=1, keepdims=True)  # the one new (B, C) array: becomes dz
    picked = e[rows, y]
    xp.exp(e, out=e)
    s = e.sum(axis=1, keepdims=True)
    loss = (xp.log(s).ravel() - picked).mean()
    e *= 1 / (s * z.shape[0])  # softmax / B
    e[rows, y] -= 1 / z.shape[0]  # minus one-hot / B
    return loss, e


class NumpyMLP:
    """The floor: MLP training written directly against the array library (numpy or cupy)."""

    name = "numpy"

    def __init__(self, weights, device: str):
        self.xp = xp = _array_module(device)
        self.params = [(xp.asarray(w).copy(), xp.asarray(b).copy()) for w, b in weights]
        self.grads = [(xp.empty_like(w), xp.empty_like(b)) for w, b in self.params]

    def load(self, x, y, batch: int):
        self.x, self.y, self.batch = self.xp.asarray(x), self.xp.asarray(y), batch

    def step(self, xb, yb):
        xp, last = self.xp, len(self.params) - 1
        acts = [xb]
        for i, (w, b) in enumerate(self.params):
            z = acts[-1] @ w.T
            z += b
            if i < last:
                xp.maximum(z, 0, out=z)
            acts.append(z)
        loss, g = softmax_cross_entropy(z, yb, xp)
        for i in range(last, -1, -1):
            (w, b), (gw, gb), h = self.params[i], self.grads[i], acts[i]
            xp.matmul(g.T, h, out=gw)
            g.sum(axis=0, out=gb)
            if i > 0:  # through W (before updating it) and the ReLU
                g = g @ w
                g *= h > 0
            gw *= LR  # SGD in place: no temporaries
            w -= gw
            gb *= LR
            b -= gb
        return loss

    def epoch(self, order):
        order, batch = self.xp.asarray(order), self.batch
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            loss = self.step(self.x[idx], self.y[idx])
        return loss

    def loss(self, x, y) -> float:
        h = self.xp.asarray(x)
        for i, (w, b) in enumerate(self.params):
            h = h @ w.T + b
            if i < len(self.params) - 1:
                h = self.xp.maximum(h, 0)
        return float(softmax_cross_entropy(h, self.xp.asarray(y), self.xp)[0])

    def sync(self):
        _sync(self.xp)


# ----- minigrad -------------------------------------------------------------------------------
class MinigradMLP:
    """minigrad as a user writes it: Sequential, F.cross_entropy, SGD, DataLoader."""

    name = "minigrad"

    def __init__(self, weights, device: str):
        import minigrad as mg
        import minigrad.nn.functional as F
        from minigrad import nn, optim

        self.mg, self.F, self.device = mg, F, device
        layers = []
        for i, (w, _) in enumerate(weights):
            layers.append(nn.Linear(w.shape[1], w.shape[0]))
            if i < len(weights) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        params = list(self.model.parameters())
        for p, value in zip(params, [a for pair in weights for a in pair]):
            p.array[...] = value
        self.model.to(device)
        self.optimizer = optim.SGD(self.model.parameters(), lr=LR)

    def load(self, x, y, batch: int):
        """The loader shuffles with the benchmark's seed, so it draws `epoch_orders` itself."""
        from minigrad import data

        if self.device == "cpu":  # no copy
            x, y = self.mg.from_numpy(x), self.mg.from_numpy(y)
        else:
            x, y = self.mg.tensor(x, device=self.device), self.mg.tensor(y, device=self.device)
        dataset = data.TensorDataset(x, y)
        self.loader = data.DataLoader(dataset, batch_size=batch, shuffle=True, seed=SEED)
        probe = data.DataLoader(dataset, batch_size=batch, shuffle=True, seed=SEED)
        expected = next(epoch_orders(len(dataset)))[:batch]
        if not np.array_equal(next(iter(probe))[1].numpy(), y.numpy()[expected]):
            print("WARNING: minigrad's DataLoader does not draw the benchmark's epoch orders")

    def epoch(self, order):  # the loader draws this same order itself
        model, optimizer, cross_entropy = self.model, self.optimizer, self.F.cross_entropy
        for xb, yb in self.loader:
            loss = cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss

    def loss(self, x, y) -> float:
        mg = self.mg
        with mg.no_grad():
            logits = self.model(mg.tensor(x, device=self.device))
            return float(self.F.cross_entropy(logits, mg.tensor(y, device=self.device)).item())

    def sync(self):
        if self.device != "cpu":
            _sync(_array_module(self.device))


# ----- PyTorch ------------------------------------------------------------------------------
class TorchMLP:
    """PyTorch eager, the same loop: Sequential, F.cross_entropy, SGD, indexing the dataset."""

    name = "torch"

    def __init__(self, weights, device: str):
        import torch

        self.torch, self.device = torch, device
        layers = []
        for i, (w, _) in enumerate(weights):
            layers.append(torch.nn.Linear(w.shape[1], w.shape[0]))
            if i < len(weights) - 1:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        with torch.no_grad():
            params = list(self.model.parameters())
            for p, value in zip(params, [a for pair in weights for a in pair]):
                p.copy_(torch.from_numpy(value))
        self.model.to(device)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR)

    def load(self, x, y, batch: int):
        torch = self.torch
        self.x = torch.from_numpy(x).to(self.device)
        self.y = torch.from_numpy(y).to(self.device)
        self.batch = batch

    def epoch(self, order):
        torch, batch = self.torch, self.batch
        order = torch.from_numpy(order).to(self.device)
        model, optimizer = self.model, self.optimizer
        cross_entropy = torch.nn.functional.cross_entropy
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            loss = cross_entropy(model(self.x[idx]), self.y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss

    def loss(self, x, y) -> float:
        torch = self.torch
        with torch.no_grad():
            logits = self.model(torch.from_numpy(x).to(self.device))
            return float(
                torch.nn.functional.cross_entropy(logits, torch.from_numpy(y).to(self.device))
            )

    def sync(self):
        if self.device != "cpu":
            self.torch.cuda.synchronize()


CONTENDERS = {"numpy": NumpyMLP, "minigrad": MinigradMLP, "torch": TorchMLP}


# ----- helpers ------------------------------------------------------------------------------
def _array_module(device: str):
    if device == "cpu":
        return np
    import cupy

    return cupy


def _sync(xp):
    if xp is not np:
        xp.cuda.Device().synchronize()


def torch_available(device: str) -> bool:
    try:
        import torch
    except ImportError:
        return False
    return device == "cpu" or torch.cuda.is_available()


def median(values):
    return statistics.median(values)


# ----- table 1: training epochs, interleaved ------------------------------------------------
def time_epochs(names, workload: str, x, y, epochs: int, pause: float, device: str) -> dict:
    """Epoch seconds of each contender, timed in turn after one warm-up epoch; and losses.

    The losses after the warm-up epoch must agree (same weights, same minibatches, same
    math; only float rounding differs), or a warning says so. Later they drift apart a
    little, as rounding differences grow over thousands of SGD steps.
    """
    sizes, batch = WORKLOADS[workload]
    weights = init_weights(sizes)
    runners = {name: CONTENDERS[name](weights, device) for name in names}
    for runner in runners.values():
        runner.load(x, y, batch)
    n_eval = min(len(y), 4096)
    gc.collect()
    gc.freeze()  # what exists now is never collected: full collections stay as cheap as in a
    # process without the other contenders' modules (torch brings ~a million objects)
    times = {name: [] for name in names}
    orders = epoch_orders(len(y))
    for epoch in range(1 + epochs):
        order = next(orders)
        for name, runner in runners.items():
            time.sleep(pause)  # let the last contender's BLAS/OpenMP threads stop spinning
            gc.collect()
            runner.sync()
            start = time.perf_counter()
            runner.epoch(order)
            runner.sync()
            if epoch:
                times[name].append(time.perf_counter() - start)
        if epoch == 0:
            first = {name: r.loss(x[:n_eval], y[:n_eval]) for name, r in runners.items()}
    gc.unfreeze()
    if max(first.values()) - min(first.values()) > 1e-3 * max(first.values()):
        print(
            f"WARNING: {workload}: the losses after the first epoch differ {first}: the "
            "contenders did not see the same minibatches, or do not compute the same thing"
        )
    losses = {name: runner.loss(x[:n_eval], y[:n_eval]) for name, runner in runners.items()}
    return {"times": times, "first": first, "losses": losses}


def peak_memory(name: str, workload: str, args) -> dict:
    """The memory one training epoch of `name` needs, each way measured in a fresh process."""
    result = {}
    for how in ("rss", "traced") if name != "torch" else ("rss",):
        command = [sys.executable, os.path.abspath(__file__), "--_peak-memory", f"{name}:{how}"]
        command += ["--workload", workload, "--device", args.device]
        command += ["--quick"] * args.quick + ["--mnist"] * args.mnist
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"  ({how} memory of {name} not measured: {exc})")
            continue
        result.update(json.loads(out.stdout.strip().splitlines()[-1]))
    return result


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return int(re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.MULTILINE).group(1))


def measure_peak_memory(what: str, workload: str, n: int, mnist: bool, device: str) -> dict:
    """In this (fresh) process, `what` = "contender:rss" or "contender:traced":

    rss: the resident-set high-water mark during the first epoch above the resident size
      just before it (after the data and the model are made). The kernel's mark is reset
      through /proc/self/clear_refs and read from /proc/self/status (VmHWM); without /proc,
      getrusage's maxrss is used. Fair to all three contenders: it counts whatever memory
      they touch, including first-use costs (a library's lazily loaded code, its caches),
      but not memory that the allocator kept from before and hands out again.
    traced: tracemalloc's peak from before the model is made to the end of the first epoch:
      what training needs besides the dataset and the code (parameters, gradients, optimizer
      buffers, activations, Python objects). numpy reports its array allocations to tracemalloc, so
      this is exact for numpy and minigrad; PyTorch's allocator does not, so not for torch.
    """
    import tracemalloc

    name, how = what.split(":")
    x, y = make_data(n, mnist)
    sizes, batch = WORKLOADS[workload]
    weights = init_weights(sizes)
    if how == "traced":
        # Import the contender's modules first (by making a throwaway one of it): code is
        # not training memory, and the floor's numpy is imported already.
        CONTENDERS[name](init_weights((2, 2)), device)
        tracemalloc.start()
    runner = CONTENDERS[name](weights, device)
    del weights
    runner.load(x, y, batch)
    orders = epoch_orders(len(y))
    if how == "traced":
        runner.epoch(next(orders))
        return {"traced_mib": tracemalloc.get_traced_memory()[1] / 2**20}
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak RSS (VmHWM) to the current RSS
        before = _status_kib("VmRSS")
        runner.epoch(next(orders))
        runner.sync()
        peak, method = _status_kib("VmHWM"), "VmHWM"
    except OSError:
        import resource

        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        runner.epoch(next(orders))
        peak, method = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "maxrss"
    return {"rss_mib": (peak - before) / 1024, "process_mib": peak / 1024, "method": method}


# ----- table 2: one small op, and cross-entropy alone ---------------------------------------
def _time_per_call(fn, device_sync, number: int, repeat: int = 7) -> float:
    """Median seconds per call of fn over `repeat` runs of `number` calls."""
    runs = []
    for _ in range(repeat):
        device_sync()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        device_sync()
        runs.append((time.perf_counter() - start) / number)
    return median(runs)


SMALL_OPS = {  # the same expression for both libraries: a requires grad, b does not
    "a + b": lambda a, b: a + b,
    "a * b": lambda a, b: a * b,
    "a @ b": lambda a, b: a @ b,
    "a.relu()": lambda a, b: a.relu(),
    "a.sum()": lambda a, b: a.sum(),
}


def small_op_table(device: str, use_torch: bool, quick: bool) -> list[dict]:
    """Microseconds per op on SMALL_OP_SHAPE float32 tensors, recorded and under no_grad."""
    import minigrad as mg

    rng = np.random.default_rng(SEED)
    a_np, b_np = (rng.standard_normal(SMALL_OP_SHAPE, dtype=np.float32) for _ in range(2))
    xp = _array_module(device)
    a_xp, b_xp = xp.asarray(a_np), xp.asarray(b_np)
    mg_a = mg.tensor(a_np, device=device, requires_grad=True)
    mg_b = mg.tensor(b_np, device=device)
    contexts = {"minigrad": (mg_a, mg_b, mg.no_grad, lambda: _sync(xp))}
    if use_torch:
        import torch

        th_a = torch.tensor(a_np, device=device, requires_grad=True)
        th_b = torch.tensor(b_np, device=device)
        sync = torch.cuda.synchronize if device != "cpu" else lambda: None
        contexts["torch"] = (th_a, th_b, torch.no_grad, sync)
    number = 1_000 if quick else 20_000
    numpy_ops = {
        "a + b": xp.add,
        "a * b": xp.multiply,
        "a @ b": xp.matmul,
        "a.relu()": lambda a, b: xp.maximum(a, 0),
        "a.sum()": lambda a, b: a.sum(),
    }
    rows = []
    for label, op in SMALL_OPS.items():
        row = {"op": label}
        f = numpy_ops[label]
        row["numpy"] = _time_per_call(lambda f=f: f(a_xp, b_xp), lambda: _sync(xp), number)
        for lib, (a, b, no_grad, sync) in contexts.items():
            call = functools.partial(op, a, b)
            row[f"{lib} rec"] = _time_per_call(call, sync, number)
            with no_grad():
                row[f"{lib} no_grad"] = _time_per_call(call, sync, number)
        rows.append(row)
    return rows


def cross_entropy_table(device: str, use_torch: bool, quick: bool) -> list[dict]:
    """Seconds for cross-entropy forward+backward alone, on logits of each of CE_SHAPES."""
    return [_cross_entropy_row(shape, device, use_torch, quick) for shape in CE_SHAPES]


def _cross_entropy_row(shape, device: str, use_torch: bool, quick: bool) -> dict:
    import minigrad as mg
    import minigrad.nn.functional as F

    xp = _array_module(device)
    rng = np.random.default_rng(SEED)
    z_np = rng.standard_normal(shape, dtype=np.float32)
    y_np = rng.integers(0, shape[1], size=shape[0], dtype=np.int64)
    # about 0.3 s per contender (0.01 s under --quick)
    number = max(3, int((1e6 if quick else 3e7) / (z_np.size + 20_000)))
    row = {"shape": shape}
    z_xp, y_xp = xp.asarray(z_np), xp.asarray(y_np)
    row["numpy"] = _time_per_call(
        lambda: softmax_cross_entropy(z_xp, y_xp, xp), lambda: _sync(xp), number
    )
    mg_z = mg.tensor(z_np, device=device, requires_grad=True)
    mg_y = mg.tensor(y_np, device=device)

    def mg_step():
        mg_z.grad = None
        F.cross_entropy(mg_z, mg_y).backward()

    row["minigrad"] = _time_per_call(mg_step, lambda: _sync(xp), number)
    if use_torch:
        import torch

        th_z = torch.tensor(z_np, device=device, requires_grad=True)
        th_y = torch.tensor(y_np, device=device)

        def torch_step():
            th_z.grad = None
            torch.nn.functional.cross_entropy(th_z, th_y).backward()

        sync = torch.cuda.synchronize if device != "cpu" else lambda: None
        row["torch"] = _time_per_call(torch_step, sync, number)
    return row


# ----- printing -----------------------------------------------------------------------------
def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def describe_machine(device: str, use_torch: bool) -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = f"python {platform.python_version()}, numpy {np.__version__}"
    if use_torch:
        import torch

        versions += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    machine = f"{cpu}, {os.cpu_count()} cores ({usable} usable)"
    lines = [f"machine: {machine}, {platform.system()} {platform.release()}", versions]
    if device == "cuda":
        cupy = _array_module(device)
        gpu = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)["name"]
        lines.append(
            f"GPU: {gpu.decode() if isinstance(gpu, bytes) else gpu}, cupy {cupy.__version__}"
        )
    try:
        import threadpoolctl
    except ImportError:
        lines.append("BLAS: threadpoolctl not installed (pip install threadpoolctl to see it)")
    else:
        for info in threadpoolctl.threadpool_info():
            owner = (
                "numpy"
                if "numpy" in info["filepath"]
                else "torch"
                if "torch" in info["filepath"]
                else "other"
            )
            kernel = info.get("architecture") or "-"
            lines.append(
                f"{owner} {info['user_api']}: {info['internal_api']} "
                f"{info['version']}, kernel {kernel}, {info['num_threads']} threads "
                f"({os.path.basename(info['filepath'])})"
            )
    blas_env = {
        k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ
    }
    if blas_env:
        lines.append(
            f"WARNING: {blas_env} is set and slows numpy's BLAS; to benchmark, run "
            "with env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE"
        )
    else:
        lines.append("OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE: unset")
    return lines


def print_epoch_table(workload, result, memory, n, epochs, device):
    sizes, batch = WORKLOADS[workload]
    steps = -(-n // batch)
    print(
        f"\n{workload}  MLP {'-'.join(map(str, sizes))}, batch {batch}: epoch = {n} samples, "
        f"{steps} steps; {device}; median of {epochs} interleaved epochs"
    )
    print(
        f"{'':10} {'median s':>9} {'min s':>8} {'max s':>8} {'vs numpy':>9} "
        f"{'loss ep 1':>10} {'loss end':>9} {'RSS MiB':>8} {'traced MiB':>11}"
    )
    floor = median(result["times"]["numpy"])
    for name, times in result["times"].items():
        mem = memory.get(name) or {}
        rss, traced = mem.get("rss_mib"), mem.get("traced_mib")
        print(
            f"{name:10} {median(times):9.3f} {min(times):8.3f} {max(times):8.3f} "
            f"{median(times) / floor:8.2f}x {result['first'][name]:10.4f} "
            f"{result['losses'][name]:9.4f} "
            f"{'-' if rss is None else f'{rss:.1f}':>8} "
            f"{'-' if traced is None else f'{traced:.2f}':>11}"
        )
    mg_time = median(result["times"]["minigrad"])
    target = 1.05 if workload == "W2" else 1.10
    line = f"minigrad/numpy {mg_time / floor:.2f}x (target <= {target:.2f}x)"
    if "torch" in result["times"]:
        torch_time = median(result["times"]["torch"])
        line += f"   minigrad/torch {mg_time / torch_time:.2f}x"
        line += " (target < 1.00x)" if workload == "W1" else ""
    if memory.get("minigrad") and memory.get("numpy"):
        ratio = memory["minigrad"]["traced_mib"] / max(memory["numpy"]["traced_mib"], 1e-9)
        line += f"   traced memory minigrad/numpy {ratio:.2f}x"
        line += " (target <= 1.20x)" if workload == "W2" else ""
    print(line)


def print_op_table(rows):
    libs = [k for k in rows[0] if k != "op"]
    print(f"\nOne small op, {SMALL_OP_SHAPE} float32, a.requires_grad=True: microseconds per op")
    print(f"{'op':10}" + "".join(f"{lib:>17}" for lib in libs))
    for row in rows:
        print(f"{row['op']:10}" + "".join(f"{row[lib] * 1e6:17.2f}" for lib in libs))


def print_ce_table(rows):
    libs = [k for k in rows[0] if k != "shape"]
    print("\ncross_entropy forward+backward alone (mean, int64 labels): microseconds per call")
    header = f"{'logits':14}" + "".join(f"{lib:>11}" for lib in libs) + f"{'mg/numpy':>10}"
    print(header + (f"{'mg/torch':>10}" if "torch" in libs else ""))
    for row in rows:
        line = f"{row['shape']!s:14}" + "".join(f"{row[lib] * 1e6:11.1f}" for lib in libs)
        line += f"{row['minigrad'] / row['numpy']:9.2f}x"
        if "torch" in row:
            line += f"{row['minigrad'] / row['torch']:9.2f}x"
        print(line)


# ----- main ---------------------------------------------------------------------------------
def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workload", choices=["W1", "W2", "all"], default="all")
    parser.add_argument("--epochs-timed", type=int, default=7, metavar="N")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {N_QUICK} samples an epoch, 2 timed epochs, 1 thread",
    )
    parser.add_argument("--mnist", action="store_true", help="train on the real MNIST")
    parser.add_argument(
        "--threads", type=int, metavar="N", help="BLAS/OpenMP threads (default: the machine's)"
    )
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    parser.add_argument("--no-tables", action="store_true", help="skip the op and CE tables")
    parser.add_argument("--_peak-memory", dest="peak_memory", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = N_QUICK if args.quick else N_TRAIN
    if args.peak_memory:  # we are the subprocess that measures one contender
        print(
            json.dumps(
                measure_peak_memory(args.peak_memory, args.workload, n, args.mnist, args.device)
            )
        )
        return
    epochs = min(args.epochs_timed, 2) if args.quick else args.epochs_timed
    if args.device == "cuda":
        import minigrad as mg

        if not mg.cuda.is_available():
            sys.exit("--device cuda: cupy and a CUDA device are needed")
    use_torch = not args.no_torch and torch_available(args.device)
    names = ["numpy", "minigrad"] + ["torch"] * use_torch
    workloads = ["W1", "W2"] if args.workload == "all" else [args.workload]
    measure_memory = not args.no_memory and args.device == "cpu"

    print("MNIST MLP training: minigrad vs hand-written numpy (the floor) vs PyTorch eager")
    print("\n".join(describe_machine(args.device, use_torch)))
    print(f"load average {_load()} (other work on the machine slows every contender)")
    x, y = make_data(n, args.mnist)
    print(
        f"data: {'MNIST' if args.mnist else 'synthetic'} x {x.shape} {x.dtype}, "
        f"y {y.shape} {y.dtype}; float32, SGD lr {LR}, seed {SEED}"
    )
    if not use_torch:
        print("torch: not installed or left out; its columns are skipped")
    if not measure_memory:
        print("peak memory: not measured" + (" (CPU only)" if args.device != "cpu" else ""))

    for workload in workloads:
        result = time_epochs(names, workload, x, y, epochs, 0 if args.quick else 0.2, args.device)
        memory = {}
        if measure_memory:  # --quick leaves torch out: importing it takes seconds per run
            measured = [name for name in names if not (args.quick and name == "torch")]
            memory = {name: peak_memory(name, workload, args) for name in measured}
        print_epoch_table(workload, result, memory, n, epochs, args.device)
        sys.stdout.flush()
    if not args.no_tables:
        print_op_table(small_op_table(args.device, use_torch, args.quick))
        print_ce_table(cross_entropy_table(args.device, use_torch, args.quick))
    if measure_memory:
        print(
            "\nMemory, each contender in a fresh process: RSS MiB = resident high-water mark "
            "during the first epoch\nabove the resident size before it; traced MiB = "
            "tracemalloc's peak over making the model and one epoch:\nparameters, gradients, "
            "optimizer buffers, activations, Python objects (not the dataset, not the code;\n"
            "PyTorch's allocator does not report to tracemalloc)"
        )
    print(f"\nload average at the end {_load()}")


if __name__ == "__main__":
    main()
