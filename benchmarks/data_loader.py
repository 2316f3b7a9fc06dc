"""DataLoader worker processes: does `num_workers=n` load an epoch n times faster?

    python benchmarks/data_loader.py                    # 2 ms a sample, 0/1/2 workers
    python benchmarks/data_loader.py --ms 5 --workers 0 2 4 --samples 500

A map-style dataset whose `__getitem__` costs about `--ms` milliseconds a sample, two ways:
  sleep    it waits (as on a disk or the network): workers overlap even on one core
  compute  it works in Python (holding the GIL, as a decoding or an augmentation does):
           each worker needs a core of its own
Each sample is a 784-float image and a label; batches of `--batch-size` are collated in the
workers and sent to the main process as numpy arrays. An epoch is timed `--repeat` times
(fresh workers each epoch, so their start-up counts) and the best is kept; the table gives
each epoch time and its ratio to num_workers=0. The ideal with n workers is 1/n of the
serial time, as long as there are n free cores (for compute) and n divides the batches
evenly; the rest is start-up, pickling and the main process's own share.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

import minigrad as mg


class Costly(mg.data.Dataset):
    """`samples` samples, each costing about `seconds` of `kind` work."""

    def __init__(self, samples: int, seconds: float, kind: str, spins_per_second: float):
        self.samples, self.seconds, self.kind = samples, seconds, kind
        self.spins = int(seconds * spins_per_second)

    def __len__(self) -> int:
        return self.samples

    def __getitem__(self, i: int):
        if self.kind == "sleep":
            time.sleep(self.seconds)
        else:
            _spin(self.spins)
        image = np.full(784, i % 256, dtype=np.float32) / 255
        return image, i % 10


def _spin(n: int) -> int:
    total = 0
    for k in range(n):
        total += k * k
    return total


def spins_per_second() -> float:
    """How many `_spin` steps this machine does in a second (the median of a few tries)."""
    rates = []
    for _ in range(5):
        start = time.perf_counter()
        _spin(200_000)
        rates.append(200_000 / (time.perf_counter() - start))
    return sorted(rates)[2]


def epoch_seconds(dataset, workers: int, batch_size: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        loader = mg.data.DataLoader(dataset, batch_size=batch_size, num_workers=workers)
        start = time.perf_counter()
        count = sum(len(labels) for _, labels in loader)
        best = min(best, time.perf_counter() - start)
        assert count == len(dataset)
    return best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--ms", type=float, default=2.0, help="cost of one sample (ms)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--kinds", nargs="+", choices=["sleep", "compute"], default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    kinds = args.kinds or ["sleep", "compute"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rate = spins_per_second()
    print(
        f"{args.samples} samples of ~{args.ms:g} ms, batch {args.batch_size}, best of "
        f"{args.repeat} epochs; {cores} cores; python {sys.version.split()[0]}"
    )
    print(f"{'work':<8} {'workers':>7} {'epoch s':>8} {'vs 0':>6} {'ideal':>6}")
    for kind in kinds:
        dataset = Costly(args.samples, args.ms / 1000, kind, rate)
        serial = None
        for workers in args.workers:
            seconds = epoch_seconds(dataset, workers, args.batch_size, args.repeat)
            serial = seconds if serial is None else serial
            ideal = 1 / max(workers, 1)
            print(f"{kind:<8} {workers:>7} {seconds:>8.3f} {seconds / serial:>6.2f} {ideal:>6.2f}")


if __name__ == "__main__":
    main()
