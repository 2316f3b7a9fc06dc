"""How close to the hand-written numpy floor could minigrad's W1 step get at all?

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/overhead_bound.py

An experiment, not a contender: it times, interleaved as benchmarks/mnist_mlp.py does, the
floor, minigrad as a user writes it, and minigrad with parts of its work taken away:

  minigrad             nn.Sequential, F.cross_entropy, loss.backward(), optim.SGD
  without checks       the same Function objects and tape, but: the forward calls
                       Function.apply directly (no Module, no argument checks), cross-entropy
                       is a checks-free Function with the floor's arithmetic (no target range
                       check either), backward is a bare replay loop (no hooks, no capture, no
                       copy that keeps two .grad from sharing memory), zero_grad a bare loop
  ... + in-place SGD   also SGD scaling p.grad in place as the floor does (`g *= lr; w -= g`),
                       which changes p.grad under the user, unlike PyTorch's SGD

Each variant trains the same network on the same minibatches from the same weights. What
is left between the last variant and the floor is the cost of having Tensors, tape entries
and a data loader at all; what lies between minigrad and the first stripped variant is what
its checks and its general engine cost. docs/performance.md discusses the figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_mlp as bench  # the benchmark's data, weights, floor and minigrad contender


def stripped_runner(weights, in_place_sgd: bool):
    """A MinigradMLP whose epoch skips what `__doc__` lists (built from minigrad's own parts)."""
    import numpy as np

    from minigrad import Tensor, autograd, nn
    from minigrad.autograd.engine import Function, entries_leading_to
    from minigrad.nn.functional._linear import Linear
    from minigrad.ops.elementwise import Relu

    class BareCrossEntropy(Function):
        """The floor's fused softmax cross-entropy as a tape entry, with no checks at all."""

        def forward(self, z, y):
            self.loss, self.dz = bench.softmax_cross_entropy(z, y)
            return self.loss

        def backward(self, g, z, y):
            self.dz *= g
            return self.dz, None

    def bare_backward(loss):
        """Replay the tape: no hooks, no capture, no copies, no bookkeeping."""
        with autograd.set_grad_enabled(False):
            pending = {loss.grad_fn: 1.0}
            for fn in reversed(entries_leading_to([loss])):
                grads = fn.backward(pending.pop(fn), *fn.arrays)
                for x, g in zip(fn.inputs, grads if type(grads) is tuple else (grads,)):
                    if g is not None:
                        if x.grad_fn is None:
                            x.grad = Tensor._make(g, False)
                        else:
                            pending[x.grad_fn] = g
                fn.release()

    runner = bench.MinigradMLP(weights, "cpu")
    params = [(m.weight, m.bias) for m in runner.model.modules() if isinstance(m, nn.Linear)]
    flat = [p for pair in params for p in pair]
    scratch = [p.array.copy() for p in flat]

    def epoch(order):
        for xb, yb in runner.loader:
            h = xb
            for i, (w, b) in enumerate(params):
                h = Linear.apply(h, w, b)
                if i < len(params) - 1:
                    h = Relu.apply(h)
            loss = BareCrossEntropy.apply(h, yb.array)
            for p in flat:
                p.grad = None
            bare_backward(loss)
            for p, tmp in zip(flat, scratch):
                g = p.grad.array
                if in_place_sgd:
                    g *= bench.LR
                    p.array -= g
                else:
                    p.array -= np.multiply(g, bench.LR, out=tmp)
        return loss

    runner.epoch = epoch
    return runner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs-timed", type=int, default=11, metavar="N")
    parser.add_argument("--quick", action="store_true", help="a smoke run on 2,048 samples")
    args = parser.parse_args()

    sizes, batch = bench.WORKLOADS["W1"]
    x, y = bench.make_data(bench.N_QUICK if args.quick else bench.N_TRAIN, mnist=False)
    weights = bench.init_weights(sizes)
    runners = {
        "numpy (the floor)": bench.NumpyMLP(weights, "cpu"),
        "minigrad": bench.MinigradMLP(weights, "cpu"),
        "without checks": stripped_runner(weights, in_place_sgd=False),
        "... + in-place SGD": stripped_runner(weights, in_place_sgd=True),
    }
    for runner in runners.values():
        runner.load(x, y, batch)
    gc.collect()
    gc.freeze()
    times = {name: [] for name in runners}
    orders = bench.epoch_orders(len(y))
    for epoch in range(1 + args.epochs_timed):
        order = next(orders)
        for name, runner in runners.items():
            time.sleep(0.05)
            start = time.perf_counter()
            runner.epoch(order)
            if epoch:  # the first round warms up
                times[name].append(time.perf_counter() - start)
    n_eval = min(len(y), 4096)  # all train the same net on the same batches: same loss
    losses = {name: runner.loss(x[:n_eval], y[:n_eval]) for name, runner in runners.items()}
    steps = -(-len(y) // batch)
    print(
        f"W1 MLP {'-'.join(map(str, sizes))}, batch {batch}, {steps} steps an epoch, "
        f"{args.epochs_timed} interleaved epochs each"
    )
    print(
        f"{'':20} {'median s':>9} {'min s':>7} {'vs floor':>9} {'(min)':>6} "
        f"{'us/step over floor':>19} {'loss end':>9}"
    )
    floor = times["numpy (the floor)"]
    for name, t in times.items():
        med, low = statistics.median(t), min(t)
        over = (med - statistics.median(floor)) / steps * 1e6
        print(
            f"{name:20} {med:9.3f} {low:7.3f} {med / statistics.median(floor):8.2f}x "
            f"{low / min(floor):5.2f}x {over:19.1f} {losses[name]:9.4f}"
        )


if __name__ == "__main__":
    main()
