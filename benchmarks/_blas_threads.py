"""A benchmark's BLAS/OpenMP thread count, from its --threads flag, set before numpy loads.

OpenBLAS (and torch) read the variables once, when they load: a benchmark calls `set_from`
before its first import of numpy, or of a module that imports numpy (mnist_mlp.py does).
This module imports nothing that loads numpy.

    if __name__ == "__main__":
        import _blas_threads
        _blas_threads.set_from(sys.argv, default="1")
"""

from __future__ import annotations

import os

VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def requested(argv: list[str], default: str | None = None) -> str | None:
    """The N of `--threads N` or `--threads=N` in argv, else `default`."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return default


def set_from(argv: list[str], default: str | None = None) -> str | None:
    """Set the thread variables to what argv asks for (or `default`; None leaves them)."""
    threads = requested(argv, default)
    if threads is not None:
        for var in VARIABLES:
            os.environ[var] = threads
    return threads
