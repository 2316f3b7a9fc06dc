"""Fused CUDA kernels for the hot path of training: cross-entropy over class indices.

Part of the backend (only `minigrad/backend.py` imports this module, and only once it holds a
cupy array), so it may use cupy directly: a kernel is cupy-specific by definition. Each kernel
is compiled on first use, never at import. Ops reach them by name through `backend.kernel`,
which asks `kernel` here: the registry is `KERNELS`, each entry a (forward, backward) pair and
the test of which arrays it handles.

"cross_entropy" covers the training step: logits (N, C) of float32 or float64, int64 targets,
any ignore_index, no class weights (and no label smoothing: that is composed elsewhere).
Everything else takes the array code of `nn/functional/_class_losses.py`, which these kernels
must match. A target that is neither a class nor ignore_index is caught here, on the device,
without a host sync: its loss and its row of the gradient are nan.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import cupy

BLOCK = 256  # threads per row; a power of two, as the tree reduction halves it each step

_FORWARD_SOURCE = r"""
// BLOCK (threads per row) is defined at compile time from the Python constant.
// Accurate exp/log for each type (expf/logf, never the approximate __expf).
__device__ inline float ce_exp(float v) { return expf(v); }
__device__ inline double ce_exp(double v) { return exp(v); }
__device__ inline float ce_log(float v) { return logf(v); }
__device__ inline double ce_log(double v) { return log(v); }
__device__ inline float ce_neg_inf(float) { return __int_as_float(0xff800000); }
__device__ inline double ce_neg_inf(double) {
    return __longlong_as_double((long long)0xfff0000000000000ULL);
}
__device__ inline float ce_nan(float) { return __int_as_float(0x7fc00000); }
__device__ inline double ce_nan(double) {
    return __longlong_as_double((long long)0x7ff8000000000000ULL);
}

// Max that keeps a nan, as numpy's max does (fmax would drop it).
template <typename T> __device__ inline T ce_max(T a, T b) { return (a > b || a != a) ? a : b; }

// Combine one value per thread into one value for the block: each thread parks its value in
// shared memory, then half the threads fold the other half in, log2(BLOCK) times. Shared
// memory is what lets the threads of a block see each other's partial results.
template <typename T, bool IS_MAX>
__device__ T ce_block_reduce(T v, T* shared) {
    const int tid = threadIdx.x;
    shared[tid] = v;
    __syncthreads();
    for (int half = BLOCK / 2; half > 0; half >>= 1) {
        if (tid < half) {
            T other = shared[tid + half];
            shared[tid] = IS_MAX ? ce_max(shared[tid], other) : shared[tid] + other;
        }
        __syncthreads();
    }
    T total = shared[0];
    __syncthreads();  // every thread has read the result before `shared` is reused
    return total;
}

// One block per row i. Thread t handles columns t, t + BLOCK, t + 2*BLOCK, ... (coalesced:
// neighbouring threads read neighbouring logits). Three passes over the row:
//   m = max_c x[i, c];  s = sum_c exp(x[i, c] - m);  p[i, c] = exp(x[i, c] - m) / s,
// and loss[i] = log(s) - (x[i, y[i]] - m), the same arithmetic as the array path; 0 where
// y[i] == ignore, and nan (loss and the row of p) where y[i] is neither that nor a class.
template <typename T>
__global__ void ce_forward(const T* x, const long long* y, T* loss, T* p, int classes,
                           long long ignore) {
    __shared__ T shared[BLOCK];
    const long long start = (long long)blockIdx.x * classes;  // N * C may exceed 2^31
    const T* row = x + start;
    T* prob = p + start;
    const long long target = y[blockIdx.x];
    const bool ignored = target == ignore;
    const bool bad = !ignored && (target < 0 || target >= classes);

    T m = ce_neg_inf(T(0));
    for (int c = threadIdx.x; c < classes; c += BLOCK) m = ce_max(m, row[c]);
    m = ce_block_reduce<T, true>(m, shared);

    T s = 0;
    for (int c = threadIdx.x; c < classes; c += BLOCK) s += ce_exp(row[c] - m);
    s = ce_block_reduce<T, false>(s, shared);

    // Recomputing exp costs less than writing it out and reading it back.
    const T nan = ce_nan(T(0));
    for (int c = threadIdx.x; c < classes; c += BLOCK)
        prob[c] = bad ? nan : ce_exp(row[c] - m) / s;
    if (threadIdx.x == 0)  // (row[target] is read only for a class in range)
        loss[blockIdx.x] = ignored ? T(0) : bad ? nan : ce_log(s) - (row[target] - m);
}
"""


@functools.cache
def _forward_kernels() -> dict:
    names = {"float32": "ce_forward<float>", "float64": "ce_forward<double>"}
    module = cupy.RawModule(
        code=_FORWARD_SOURCE, options=(f"-DBLOCK={BLOCK}",), name_expressions=list(names.values())
    )
    return {dtype: module.get_function(name) for dtype, name in names.items()}


# One thread per element (i, c) of the gradient: p[i, c] * s_i, less s_i at the target class;
# 0 in a row whose target is ignored. `step` is 1 for a per-row scale, 0 for one shared by all.
@functools.cache
def _backward_kernel() -> cupy.ElementwiseKernel:
    return cupy.ElementwiseKernel(
        "T p, raw int64 y, raw T scale, int64 classes, int64 step, int64 ignore",
        "T grad",
        """
        const long long row = i / classes;
        const long long target = y[row];
        const T s = scale[row * step];
        grad = target == ignore ? (T)0 : p * s - (i - row * classes == target ? s : (T)0);
        """,
        "minigrad_cross_entropy_backward",
    )


def cross_entropy_forward(x, y, ignore_index: int) -> tuple:
    """Per-row losses (N,) and the softmax p (N, C) of logits x (N, C), targets y (N,)."""
    x = cupy.ascontiguousarray(x)
    y = cupy.ascontiguousarray(y, dtype=cupy.int64)
    rows, classes = x.shape
    loss = cupy.empty(rows, dtype=x.dtype)
    p = cupy.empty_like(x)
    kernel = _forward_kernels()[x.dtype.name]
    kernel((rows,), (BLOCK,), (x, y, loss, p, cupy.int32(classes), cupy.int64(ignore_index)))
    return loss, p


def cross_entropy_backward(p, y, scale, ignore_index: int) -> cupy.ndarray:
    """grad (N, C) = p * scale_i - scale_i at each row's target (0 in ignored rows); scale is
    0-d or (N,)."""
    scale = cupy.ascontiguousarray(cupy.asarray(scale, dtype=p.dtype).reshape(-1))
    y = cupy.ascontiguousarray(y, dtype=cupy.int64)
    step = 0 if scale.size == 1 else 1
    kernel = _backward_kernel()
    return kernel(cupy.ascontiguousarray(p), y, scale, p.shape[1], step, ignore_index)


# ----- the registry that backend.kernel asks ------------------------------------------------
class Kernels(NamedTuple):
    forward: Callable
    backward: Callable


def _cross_entropy_handles(x) -> bool:
    """Logits (N, C) of float32/float64 with N, C >= 1."""
    return x.ndim == 2 and x.size > 0 and x.dtype.name in ("float32", "float64")


KERNELS = {  # name: (the arrays it handles, its kernels)
    "cross_entropy": (
        _cross_entropy_handles,
        Kernels(cross_entropy_forward, cross_entropy_backward),
    ),
}


def kernel(name: str, x) -> Kernels | None:
    """The kernels registered as `name` if they handle the cupy array `x`, else None."""
    handles, kernels = KERNELS[name]
    return kernels if handles(x) else None
