"""The character GPT of examples/shakespeare_gpt.py, trained by minigrad and by PyTorch side by
side in one run, and scaled_dot_product_attention alone.

    python benchmarks/gpt.py                    # 200 iterations each, one BLAS thread
    python benchmarks/gpt.py --iters 2000       # nanoGPT's whole CPU run, for both
    python benchmarks/gpt.py --quick            # a smoke run, figures meaningless

Both models are the example's (nanoGPT's CPU configuration: 4 layers, 4 heads, 128 wide,
block 64, batch 12, no biases, tanh GELU, tied embedding), start from the same weights
(minigrad's, copied into PyTorch's) and see the same batches in the same order, with the
same AdamW (decay on the matrices only), learning-rate schedule and gradient clipping. They
train in turns of --turn iterations (minigrad, compiled, torch, minigrad, ...; compiled: the
same minigrad step under mg.compile, recorded at its first call), so that a machine busy
with other work slows both alike; each turn's iterations are timed, and the table gives the
median and the spread of milliseconds per iteration, the median CPU time per iteration
(process_time: with one thread, the work itself, which other processes on a shared machine do
not inflate as they do the wall clock), the ratios, and each one's loss at the
end (the mean of its last 20 batches, and on 20 fixed validation batches): the two should
track each other. Peak memory is measured in a fresh process per contender: the growth of
the resident set (VmHWM) over --iters iterations, and for minigrad tracemalloc's peak, which
PyTorch's allocator does not report to.
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

if __name__ == "__main__":  # before numpy and torch load: their BLAS reads it once
    import _blas_threads

    _blas_threads.set_from(sys.argv, default="1")

import numpy as np  # (after the thread variables)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)  # run from a checkout without installing

import minigrad as mg  # noqa: E402

SDPA_SHAPES = [(12, 4, 64, 32), (4, 8, 256, 64)]  # (B, H, T, D)


def load_example():
    """examples/shakespeare_gpt.py as a module: its model, data, optimizer and schedule."""
    path = os.path.join(ROOT, "examples", "shakespeare_gpt.py")
    spec = importlib.util.spec_from_file_location("shakespeare_gpt", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def torch_model(torch, ex, vocab_size):
    """The example's GPT written in PyTorch, with the same parameter names."""
    nn, F = torch.nn, torch.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self, n_embd, n_head):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)
            self.c_proj = nn.Linear(n_embd, n_embd, bias=False)
            self.n_head, self.n_embd = n_head, n_embd

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            q, k, v = (
                t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v)
            )
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.c_proj(y.transpose(1, 2).reshape(B, T, C))

    class MLP(nn.Module):
        def __init__(self, n_embd):
            super().__init__()
            self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
            self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=False)

        def forward(self, x):
            return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))

    class Block(nn.Module):
        def __init__(self, n_embd, n_head):
            super().__init__()
            self.ln_1 = nn.LayerNorm(n_embd, bias=False)
            self.attn = CausalSelfAttention(n_embd, n_head)
            self.ln_2 = nn.LayerNorm(n_embd, bias=False)
            self.mlp = MLP(n_embd)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(vocab_size, ex.N_EMBD)
            self.wpe = nn.Embedding(ex.BLOCK_SIZE, ex.N_EMBD)
            self.h = nn.Sequential(*(Block(ex.N_EMBD, ex.N_HEAD) for _ in range(ex.N_LAYER)))
            self.ln_f = nn.LayerNorm(ex.N_EMBD, bias=False)
            self.lm_head = nn.Linear(ex.N_EMBD, vocab_size, bias=False)
            self.wte.weight = self.lm_head.weight

        def forward(self, idx, targets):
            B, T = idx.shape
            x = self.wte(idx) + self.wpe(torch.arange(T))
            logits = self.lm_head(self.ln_f(self.h(x)))
            return F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))

    return GPT()


class Contender:
    """One framework's model, optimizer and training step on host batches (numpy int64)."""

    def __init__(self, name, ex, args, vocab_size, torch=None, weights=None):
        self.name, self.ex, self.args, self.torch = name, ex, args, torch
        if name in ("minigrad", "compiled"):
            mg.manual_seed(args.seed)
            config = {
                "model": "gpt",
                "vocab_size": vocab_size,
                "block_size": ex.BLOCK_SIZE,
                "n_layer": ex.N_LAYER,
                "n_head": ex.N_HEAD,
                "n_embd": ex.N_EMBD,
                "dropout": 0.0,
            }
            self.model = ex.build_model(config)
            if weights is not None:
                self.model.load_state_dict({k: mg.tensor(v) for k, v in weights.items()})
            self.optimizer = ex.configure_optimizer(self.model, ex.LR, ex.WEIGHT_DECAY)
            model, optimizer = self.model, self.optimizer

            def train_step(x, y):
                _, loss = model(x, y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                mg.nn.utils.clip_grad_norm_(model.parameters(), ex.GRAD_CLIP)
                optimizer.step()
                return loss

            self.train_step = mg.compile(train_step) if name == "compiled" else train_step
        else:
            self.model = torch_model(torch, ex, vocab_size)
            self.model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
            params = list(self.model.parameters())
            groups = [
                {"params": [p for p in params if p.ndim >= 2], "weight_decay": ex.WEIGHT_DECAY},
                {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
            ]
            self.optimizer = torch.optim.AdamW(groups, lr=ex.LR, betas=ex.BETAS, foreach=False)
        self.it, self.losses = 0, []

    def weights(self) -> dict:
        return {k: v.numpy().copy() for k, v in self.model.state_dict().items()}

    def step(self, x, y) -> None:
        lr = self.ex.get_lr(self.it, self.args)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        if self.torch is None:
            loss = self.train_step(mg.tensor(x), mg.tensor(y))
        else:
            loss = self.model(self.torch.from_numpy(x), self.torch.from_numpy(y))
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.ex.GRAD_CLIP)
            self.optimizer.step()
        self.losses.append(loss.item())
        self.it += 1

    def eval_loss(self, batches) -> float:
        if self.torch is None:
            with mg.no_grad():
                return statistics.mean(
                    self.model(mg.tensor(x), mg.tensor(y))[1].item() for x, y in batches
                )
        with self.torch.no_grad():
            return statistics.mean(
                self.model(self.torch.from_numpy(x), self.torch.from_numpy(y)).item()
                for x, y in batches
            )


def make_batches(ex, n, seed, split="train"):
    """n batches (x, y) of the example's shape, drawn with numpy from one split."""
    chars, train, val = ex.encode_splits(ex.load_text(ex.TEXT))
    data = (train if split == "train" else val).numpy()
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(data) - ex.BLOCK_SIZE, size=(n, ex.BATCH_SIZE, 1))
    offsets = starts + np.arange(ex.BLOCK_SIZE)
    return len(chars), [(data[o], data[o + 1]) for o in offsets]


def train_interleaved(args, ex, torch):
    vocab, batches = make_batches(ex, args.iters + args.warmup, args.seed)
    _, val = make_batches(ex, 20, args.seed + 1, split="val")
    contenders = [Contender("minigrad", ex, args, vocab)]
    if not args.no_compile:
        contenders.append(Contender("compiled", ex, args, vocab, None, contenders[0].weights()))
    if torch is not None:
        contenders.append(Contender("torch", ex, args, vocab, torch, contenders[0].weights()))
    gc.collect()
    gc.freeze()  # torch's million objects would slow minigrad's collections
    times = {c.name: [] for c in contenders}
    cpu = {c.name: [] for c in contenders}  # process_time: what other work does not inflate
    for c in contenders:  # untimed warm-up iterations
        for x, y in batches[: args.warmup]:
            c.step(x, y)
    for start in range(args.warmup, len(batches), args.turn):
        for c in contenders:
            turn = batches[start : start + args.turn]
            time.sleep(0.05)  # the other contender's BLAS threads stop spinning
            t, t_cpu = time.perf_counter(), time.process_time()
            for x, y in turn:
                c.step(x, y)
            times[c.name].append((time.perf_counter() - t) * 1000 / len(turn))
            cpu[c.name].append((time.process_time() - t_cpu) * 1000 / len(turn))
    return {
        c.name: {
            "ms": times[c.name],
            "cpu_ms": cpu[c.name],
            "train_loss": statistics.mean(c.losses[-20:]),
            "val_loss": c.eval_loss(val),
            "iters": c.it,
        }
        for c in contenders
    }


def peak_memory(name, args) -> dict:
    """Run `name`'s training in a fresh process and read back its peak memory."""
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--measure-memory",
        name,
        "--iters",
        str(args.memory_iters),
        "--threads",
        args.threads,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure_memory(name, args):
    """(in the child) train --iters iterations; print the peaks as JSON."""
    import tracemalloc

    ex = load_example()
    torch = _torch() if name == "torch" else None
    vocab, batches = make_batches(ex, args.iters + 2, args.seed)
    weights = None
    if torch is not None:
        weights = Contender("minigrad", ex, args, vocab).weights()
    c = Contender(name, ex, args, vocab, torch, weights)
    c.step(*batches[0])  # first use: lazily loaded code and workspaces
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident size
    before = _status_kib("VmRSS")
    tracemalloc.start()
    for x, y in batches[1:]:
        c.step(x, y)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss = (_status_kib("VmHWM") - before) / 1024
    print(json.dumps({"rss_mib": rss, "traced_mib": traced if torch is None else None}))


def sdpa_table(torch, quick):
    """scaled_dot_product_attention forward + backward alone, causal, float32: ms per call."""
    rows = []
    rng = np.random.default_rng(0)
    for shape in SDPA_SHAPES:
        q, k, v, g = (rng.standard_normal(shape, dtype=np.float32) for _ in range(4))
        mq, mk, mv = (mg.tensor(a, requires_grad=True) for a in (q, k, v))
        mgg = mg.tensor(g)

        def run_mg(mq=mq, mk=mk, mv=mv, mgg=mgg):
            out = mg.nn.functional.scaled_dot_product_attention(mq, mk, mv, is_causal=True)
            out.backward(mgg)

        row = {"shape": shape, "minigrad": _ms_per_call(run_mg, quick)}
        if torch is not None:
            tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
            tg = torch.tensor(g)

            def run_torch(tq=tq, tk=tk, tv=tv, tg=tg):
                out = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, is_causal=True)
                out.backward(tg)

            row["torch"] = _ms_per_call(run_torch, quick)
        rows.append(row)
    return rows


def _ms_per_call(fn, quick, repeat=7):
    fn()
    number = 2 if quick else 20
    best = []
    for _ in range(1 if quick else repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        best.append((time.perf_counter() - t) * 1000 / number)
    return statistics.median(best)


def _torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    return torch


def _load():
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--iters", type=int, default=200, help="timed iterations of each")
    p.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    p.add_argument("--turn", type=int, default=10, help="iterations per turn")
    p.add_argument("--threads", default="1", help="BLAS/OpenMP threads of both")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--no-compile", action="store_true", help="no mg.compile contender")
    p.add_argument("--no-memory", action="store_true")
    p.add_argument("--memory-iters", type=int, default=20)
    p.add_argument("--quick", action="store_true", help="a smoke run: 10 iterations")
    p.add_argument("--measure-memory", metavar="NAME", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    ex = load_example()
    args.max_iters, args.warmup_iters = ex.MAX_ITERS, ex.WARMUP_ITERS  # get_lr's schedule
    args.lr, args.min_lr = ex.LR, ex.MIN_LR
    if args.measure_memory:
        return measure_memory(args.measure_memory, args)
    if args.quick:
        args.iters, args.warmup, args.turn, args.memory_iters = 10, 1, 5, 3
    torch = None if args.no_torch else _torch()
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"torch {torch.__version__ if torch else '-'}, {os.cpu_count()} CPUs, "
        f"{args.threads} BLAS thread(s); load average before: {_load()}"
    )
    result = train_interleaved(args, ex, torch)
    memory = {}
    if not args.no_memory and os.path.exists("/proc/self/clear_refs"):
        memory = {name: peak_memory(name, args) for name in result}
    print(
        f"\nGPT {ex.N_LAYER} layers x {ex.N_HEAD} heads x {ex.N_EMBD}, block {ex.BLOCK_SIZE}, "
        f"batch {ex.BATCH_SIZE}: {args.iters} iterations each, in turns of {args.turn}"
    )
    header = f"{'':10}{'median ms/it':>13}{'min':>8}{'max':>8}{'CPU ms/it':>10}"
    header += f"{'train loss':>12}{'val loss':>10}"
    print(header + f"{'RSS MiB':>9}{'traced MiB':>12}")
    for name, r in result.items():
        m = memory.get(name, {})
        rss = f"{m['rss_mib']:9.1f}" if m else f"{'-':>9}"
        traced = f"{m['traced_mib']:12.1f}" if m.get("traced_mib") is not None else f"{'-':>12}"
        print(
            f"{name:10}{statistics.median(r['ms']):13.1f}{min(r['ms']):8.1f}{max(r['ms']):8.1f}"
            f"{statistics.median(r['cpu_ms']):10.1f}{r['train_loss']:12.4f}{r['val_loss']:10.4f}"
            f"{rss}{traced}"
        )
    if "torch" in result:
        ratio = statistics.median(result["minigrad"]["ms"]) / statistics.median(
            result["torch"]["ms"]
        )
        cpu = statistics.median(result["minigrad"]["cpu_ms"]) / statistics.median(
            result["torch"]["cpu_ms"]
        )
        print(
            f"minigrad/torch per iteration: {ratio:.2f}x, in CPU time {cpu:.2f}x (target <= 1.30x)"
        )
    if "compiled" in result:
        for other in ("minigrad", "torch"):
            if other in result:
                ratio = statistics.median(result["compiled"]["ms"]) / statistics.median(
                    result[other]["ms"]
                )
                print(f"compiled/{'eager' if other == 'minigrad' else other}: {ratio:.2f}x")
    print("\nscaled_dot_product_attention forward+backward, causal, float32: ms per call")
    print(f"{'(B, H, T, D)':18}{'minigrad':>10}{'torch':>10}{'ratio':>8}")
    for row in sdpa_table(torch, args.quick):
        t = row.get("torch")
        ratio = f"{row['minigrad'] / t:7.2f}x" if t else f"{'-':>8}"
        print(f"{row['shape']!s:18}{row['minigrad']:10.2f}{t if t else float('nan'):10.2f}{ratio}")
    print(f"\nload average after: {_load()}")


if __name__ == "__main__":
    main()
