"""The column buffer of a convolution (im2col) and its inverse (fold, col2im), on arrays.

`columns(x, geo)` copies every window of the zero-padded x into a column: (G, C/G * kernel
size, N * positions), the columns of all N samples side by side, so that a convolution is one
matrix product per group for the whole batch. `fold(dcols, geo, n)` adds each column back
onto the window it came from, one kernel offset at a time. (Samples side by side rather than
a batch of N products: one GEMM instead of N small ones, no sum over N for the weight's
gradient, and a fold that reads longer runs. Forward + backward of the CNN example's second
convolution, x (128, 8, 12, 12) and w (16, 8, 5, 5): 15.8 ms of CPU time with a batch of
products, 11.8 ms so; of (32, 64, 32, 32) and (64, 64, 3, 3): 203 and 175 ms; interleaved
in one process, docs/performance.md.) Two layouts of the positions:

- standard: one column per output pixel; the window view is `backend.windows` (the padded
  input's own strides). Folding adds a (N, C, Ho, Wo) strided slice per kernel offset.
- wide (2-d and up, stride 1 along the last dim): the padded input is flattened, and a
  column starts at every (output row, padded column) pair, Ho * Wp positions instead of
  Ho * Wo. The kw - 1 extra columns per row straddle two rows and are garbage, but every
  copy and every fold step is then a run of Ho * Wp contiguous elements instead of Ho runs
  of Wo: on small feature maps (12 x 12 with a 5 x 5 kernel) folding is ~10x faster, for
  ~1.5x the multiply work. The output drops the garbage columns (`crop`); the gradient
  coming back is spread over the wide grid with zeros there (`spread`), so they add nothing.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

from ... import backend
from ._spatial import window_slices


class Geometry(NamedTuple):
    """A convolution from spatial `size` to `out` (transposed: from `out` back to `size`)."""

    size: tuple  # the input's spatial size (for a transposed convolution, its output's)
    out: tuple  # the output's spatial size (for a transposed convolution, its input's)
    kernel: tuple
    stride: tuple
    padding: tuple  # ((before, after), ...) per spatial dim
    dilation: tuple
    groups: int
    batched: bool  # False for an unbatched (C, *size) input: one sample, no N dim

    @property
    def padded(self) -> tuple:
        return tuple(n + lo + hi for n, (lo, hi) in zip(self.size, self.padding))

    @property
    def wide(self) -> bool:
        return len(self.kernel) >= 2 and self.stride[-1] == 1

    @property
    def positions(self) -> int:
        """Columns per sample: output pixels, or Ho * Wp on the wide grid."""
        last = self.padded[-1] if self.wide else self.out[-1]
        return math.prod(self.out[:-1]) * last


def _flat_steps(geo: Geometry) -> list:
    """Elements between neighbours along each spatial dim of the flattened padded input."""
    return [math.prod(geo.padded[d + 1 :]) for d in range(len(geo.padded))]


def _tail(geo: Geometry) -> int:
    """How far the wide grid's last windows reach past the flattened padded input."""
    return (geo.kernel[-1] - 1) * geo.dilation[-1]


def columns(x, geo: Geometry):
    """The column buffer of x (N, C, *size): (G, C/G * kernel size, N * positions)."""
    xp = backend.xp_of(x)
    n, c = x.shape[:2]
    rows = c // geo.groups * math.prod(geo.kernel)
    if geo.wide:
        total = math.prod(geo.padded)
        flat = xp.zeros((n, c, total + _tail(geo)), dtype=x.dtype)
        inner = flat[:, :, :total].reshape((n, c) + geo.padded)
        inner[(..., *(slice(lo, lo + m) for m, (lo, _) in zip(geo.size, geo.padding)))] = x
        steps = _flat_steps(geo)
        kernel_steps = [d * s for d, s in zip(geo.dilation, steps)]
        out_steps = [s * t for s, t in zip(geo.stride[:-1], steps[:-1])]
        shape = (n, c, *geo.kernel, *geo.out[:-1], geo.padded[-1])
        view = backend.strided(
            flat, shape, (c * flat.shape[2], flat.shape[2], *kernel_steps, *out_steps, 1)
        )
    else:
        if any(lo or hi for lo, hi in geo.padding):
            x = xp.pad(x, ((0, 0), (0, 0)) + tuple(geo.padding))
        view = backend.windows(x, geo.kernel, geo.stride, geo.dilation)  # (N, C, *k, *out)
        view = view[(..., *(slice(o) for o in geo.out))]  # (a transposed one may have fewer)
    # (N, C, *kernel, *out) -> (C, *kernel, N, *out), copied (never x itself)
    k = len(geo.kernel)
    order = (1, *range(2, 2 + k), 0, *range(2 + k, 2 + 2 * k))
    return view.transpose(order).copy().reshape(geo.groups, rows, n * geo.positions)


def fold(dcols, geo: Geometry, n: int):
    """Add each column of dcols (G, C/G * kernel size, n * positions) back onto the window it
    came from: (n, C, *size). One strided add per kernel offset."""
    xp = backend.xp_of(dcols)
    c = dcols.shape[0] * dcols.shape[1] // max(math.prod(geo.kernel), 1)
    crop = (..., *(slice(lo, lo + m) for m, (lo, _) in zip(geo.size, geo.padding)))
    if geo.wide:
        total = math.prod(geo.padded)
        cols = dcols.reshape((c, *geo.kernel, n, geo.positions))
        flat = xp.zeros((n, c, total + _tail(geo)), dtype=dcols.dtype)
        steps = _flat_steps(geo)
        # 2-d, stride 1 over rows: an offset's windows cover one run of the flat input
        run = len(geo.kernel) == 2 and geo.stride[0] == 1
        shape = (n, c, *geo.out[:-1], geo.padded[-1])
        out_steps = [s * t for s, t in zip(geo.stride[:-1], steps[:-1])]
        for offset in itertools.product(*(range(k) for k in geo.kernel)) if all(geo.out) else ():
            start = sum(i * d * s for i, d, s in zip(offset, geo.dilation, steps))
            column = cols[(slice(None), *offset)].swapaxes(0, 1)  # (n, c, positions)
            if run:
                flat[:, :, start : start + geo.positions] += column
            else:
                target = backend.strided(
                    flat[:, :, start:],
                    shape,
                    (c * flat.shape[2], flat.shape[2], *out_steps, 1),
                    writeable=True,
                )
                target += column.reshape(shape)
        return flat[:, :, :total].reshape((n, c) + geo.padded)[crop]
    cols = dcols.reshape((c, *geo.kernel, n, *geo.out))
    x = xp.zeros((n, c) + geo.padded, dtype=dcols.dtype)
    if all(geo.out):
        for offset, window in window_slices(geo.kernel, geo.stride, geo.dilation, geo.out):
            x[(..., *window)] += cols[(slice(None), *offset)].swapaxes(0, 1)
    return x[crop]


def spread(g, geo: Geometry):
    """A gradient g (N, K, *out) as (G, K/G, N * positions), the samples side by side as in
    the column buffer: on the wide grid, with zeros at the garbage columns."""
    n, k = g.shape[:2]
    g = g.swapaxes(0, 1)  # (K, N, *out)
    if geo.wide:
        wide = backend.xp_of(g).zeros((k, n, *geo.out[:-1], geo.padded[-1]), dtype=g.dtype)
        wide[..., : geo.out[-1]] = g
        g = wide
    return g.reshape(geo.groups, k // geo.groups, n * geo.positions)  # (copied if need be)


def crop(y, geo: Geometry, n: int):
    """A product y (G, K/G, n * positions) as the output (n, K, *out)."""
    k = y.shape[0] * y.shape[1]
    if geo.wide:
        y = y.reshape((k, n, *geo.out[:-1], geo.padded[-1]))[..., : geo.out[-1]]
    else:
        y = y.reshape((k, n) + geo.out)
    return backend.xp_of(y).ascontiguousarray(y.swapaxes(0, 1))
