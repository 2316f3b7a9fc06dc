"""The pooling ops: max pooling as "find the winners, then pick them", average pooling as a
windowed sum and its adjoint. Arguments are checked in _pooling.py.

Max pooling. A loop over the kernel offsets (4 for 2x2, never one per pixel) takes the
maximum of the element at that offset of every window (a strided slice, the same array shape
as the output), then a second loop finds where each maximum is: the flat positions of the
winners in the input (`index`, PyTorch's return_indices). As in PyTorch the first maximum wins
and a NaN wins over numbers; padding (-inf) and the overhang of a ceil_mode window never do.
The output is then `Pick(x, index)`, a gather: its backward `Unpool` adds each gradient at its
winner's position, and the backward of Unpool is Pick again, so max pooling is differentiable
to any order.
Adaptive max pooling searches its (variable) windows the same way, and max_unpool is Unpool.

Average pooling. The output is the sum over kernel offsets of strided slices of the
zero-padded input, times 1 / (window size); the divisor is a product of one count per dim
(count_include_pad, ceil_mode, divisor_override decide it). It is linear, so its backward is
its adjoint, `AvgPoolAdjoint`, which adds g / divisor back onto every window's elements, and
whose backward is AvgPool again.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from ... import backend
from ...autograd.engine import Function
from ._spatial import window_slices


class PoolGeometry(NamedTuple):
    """Windows of `kernel` at `stride` over spatial `size` padded by `padding` ((lo, hi),
    ...: hi covers a ceil_mode overhang), `out` windows per dim."""

    size: tuple
    out: tuple
    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple

    def starts(self, d: int):
        """Where each window starts along spatial dim d, in unpadded coordinates."""
        return (
            backend.host_array(range(self.out[d]), dtype="int64") * self.stride[d]
            - self.padding[d][0]
        )


def _spatial_shape(values, d: int, ndim: int):
    """A 1-d array of output positions along spatial dim d, shaped to broadcast over them."""
    return values.reshape((1,) * d + (-1,) + (1,) * (ndim - d - 1))


def _strides_of(size: tuple) -> list:
    """Row-major element strides of a spatial block: flat = sum(position * stride)."""
    return [math.prod(size[d + 1 :]) for d in range(len(size))]


def max_pool_winners(x, geo: PoolGeometry):
    """(values, index) of the max of every window of x (..., *size): both (..., *out), index
    the winner's flat position in the unpadded spatial block."""
    xp, nd = backend.xp_of(x), len(geo.size)
    widths = ((0, 0),) * (x.ndim - nd) + tuple(geo.padding)
    if any(lo or hi for lo, hi in geo.padding):  # padding that never wins, nor is picked
        low = -math.inf if x.dtype.kind == "f" else backend.numpy.iinfo(x.dtype).min
        x = xp.pad(x, widths, constant_values=low)
    steps = _strides_of(geo.size)
    candidates = []
    for offset, window in window_slices(geo.kernel, geo.stride, geo.dilation, geo.out):
        flat, valid = 0, True
        for d, i in enumerate(offset):
            position = _spatial_shape(geo.starts(d) + i * geo.dilation[d], d, nd)
            flat = flat + position * steps[d]
            valid = valid & (position >= 0) & (position < geo.size[d])
        candidates.append((x[(..., *window)], flat, valid))
    return winners(xp, candidates)


def winners(xp, candidates):
    """The winners among candidates, each (values (..., *out), their flat positions, and
    whether they are real input, both broadcasting to *out): the maximum, at the first
    position that has it, or at the last NaN (as PyTorch's kernels pick)."""
    best = candidates[0][0].copy()
    for values, _, _ in candidates[1:]:
        xp.maximum(best, values, out=best)  # (NaN wins: numpy's maximum propagates it)
    index = xp.empty(best.shape, dtype="int64")
    for values, flat, valid in reversed(candidates):  # the first one written last
        hit = values == best
        if not (valid is True or bool(xp.asarray(valid).all())):
            hit &= xp.asarray(valid)
        xp.copyto(index, xp.asarray(flat), where=hit)
    if best.dtype.kind == "f" and bool(xp.isnan(best).any()):
        for values, flat, valid in candidates:
            xp.copyto(index, xp.asarray(flat), where=(values != values) & xp.asarray(valid))
    return best, index


def _rows(a, nd: int):
    """(..., *spatial) as (rows, spatial size)."""
    return a.reshape(math.prod(a.shape[: a.ndim - nd]), -1)


class Pick(Function):
    """out[..., o] = x[..., index[..., o]] over the flattened spatial dims (max pooling's
    output); `values`, when given, is that already (the search found it), and `geo` the
    windows it searched (mg.compile searches them again)."""

    def forward(self, x, index, nd, values=None, geo=None):
        self.index, self.nd = index, nd
        if values is not None:
            return values
        xp = backend.xp_of(x)
        picked = xp.take_along_axis(_rows(x, nd), _rows(index, nd), axis=1)
        return picked.reshape(index.shape)

    def backward(self, g, x):
        return Unpool.apply(g, index=self.index, size=tuple(x.shape[x.ndim - self.nd :]))


class Unpool(Function):
    """zeros (..., *size) with g[..., o] added at flat position index[..., o] (Pick's adjoint,
    and max_unpool)."""

    def forward(self, g, index, size):
        self.index, self.nd = index, len(size)
        xp = backend.xp_of(g)
        rows = _rows(g, self.nd).shape[0]
        total = math.prod(size)
        out = xp.zeros(rows * total, dtype=g.dtype)
        flat = _rows(index, self.nd) + (xp.arange(rows) * total)[:, None]
        backend.scatter_add(out, flat.reshape(-1), g.reshape(-1))
        return out.reshape(g.shape[: g.ndim - self.nd] + tuple(size))

    def backward(self, gg, g):
        return Pick.apply(gg, index=self.index, nd=self.nd)


def _divisor(geo: PoolGeometry, count_include_pad: bool, override, dtype, xp):
    """1 / (the number each window's sum is divided by), shaped (*out)."""
    if override is not None:
        return 1.0 / override
    nd, inverse = len(geo.size), 1.0
    for d in range(nd):
        start = geo.starts(d)
        if count_include_pad:  # the padded input's extent counts, a ceil_mode overhang not
            count = (start + geo.kernel[d]).clip(None, geo.size[d] + geo.padding[d][0]) - start
        else:
            count = (start + geo.kernel[d]).clip(None, geo.size[d]) - start.clip(0, None)
        inverse = inverse * _spatial_shape(1.0 / count.clip(1, None), d, nd)
    return xp.asarray(inverse, dtype=dtype)


class AvgPool(Function):
    """The mean of every window: sum over kernel offsets of strided slices, divided."""

    def forward(self, x, geo, count_include_pad, divisor_override):
        self.options = {
            "geo": geo,
            "count_include_pad": count_include_pad,
            "divisor_override": divisor_override,
        }
        xp, nd = backend.xp_of(x), len(geo.size)
        widths = ((0, 0),) * (x.ndim - nd) + tuple(geo.padding)
        padded = xp.pad(x, widths) if any(lo or hi for lo, hi in geo.padding) else x
        total = xp.zeros(x.shape[: x.ndim - nd] + geo.out, dtype=x.dtype)
        for _, window in window_slices(geo.kernel, geo.stride, geo.dilation, geo.out):
            total += padded[(..., *window)]
        total *= _divisor(geo, count_include_pad, divisor_override, x.dtype, xp)
        return total

    def backward(self, g, x):
        return AvgPoolAdjoint.apply(g, **self.options)


class AvgPoolAdjoint(Function):
    """AvgPool's backward: g / divisor added onto each window's elements, then cropped."""

    def forward(self, g, geo, count_include_pad, divisor_override):
        self.options = {
            "geo": geo,
            "count_include_pad": count_include_pad,
            "divisor_override": divisor_override,
        }
        xp, nd = backend.xp_of(g), len(geo.size)
        share = g * _divisor(geo, count_include_pad, divisor_override, g.dtype, xp)
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(geo.size, geo.padding))
        out = xp.zeros(g.shape[: g.ndim - nd] + padded, dtype=g.dtype)
        for _, window in window_slices(geo.kernel, geo.stride, geo.dilation, geo.out):
            out[(..., *window)] += share
        return out[(..., *(slice(lo, lo + n) for n, (lo, _) in zip(geo.size, geo.padding)))]

    def backward(self, gg, g):
        return AvgPool.apply(gg, **self.options)
