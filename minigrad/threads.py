"""The CPU's threads: how many the BLAS (and OpenMP) libraries numpy calls into may use.

PyTorch's `torch.set_num_threads` sets its intra-op pool; minigrad's CPU work in threads is
numpy's BLAS (matrix products, convolutions as products), so these set and read that pool,
through threadpoolctl (the library scikit-learn uses for it: it finds whichever BLAS numpy
loaded, OpenBLAS, MKL or BLIS, and calls its own setter). Environment variables such as
OPENBLAS_NUM_THREADS work only before numpy loads; these work at any time.

>>> before = mg.get_num_threads()
>>> mg.set_num_threads(1)
>>> mg.get_num_threads()
1
>>> mg.set_num_threads(before)
"""

from __future__ import annotations

import os

__all__ = ["get_num_threads", "set_num_threads"]


def set_num_threads(num: int) -> None:
    """Let numpy's BLAS and OpenMP use `num` threads (a positive int), from now on."""
    if type(num) is not int:
        raise RuntimeError(f"set_num_threads expects an int, but got {type(num).__name__}")
    if num < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {num}")
    from threadpoolctl import threadpool_limits  # (it inspects the loaded libraries)

    threadpool_limits(limits=num)


def get_num_threads() -> int:
    """The threads numpy's BLAS may use now (the CPU count when no BLAS is found)."""
    from threadpoolctl import threadpool_info

    for library in threadpool_info():
        if library.get("user_api") == "blas":
            return int(library["num_threads"])
    return os.cpu_count() or 1
