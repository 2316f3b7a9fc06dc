"""Resampling along axes: each output element is a weighted sum of a few input elements picked
by index, one axis at a time. Padding by reflection, replication or wrapping, nearest and
(bi)linear interpolation and adaptive average pooling are all of this form.

Along one axis a `Plan` gives, for each of the O output positions, T input positions
(`index`, (O, T)) and their weights (`weight`, (O, T), or None for T = 1 and weight 1):

    out[..., o, ...] = sum_t weight[o, t] * x[..., index[o, t], ...]

This is linear in x, so its backward is its adjoint: each output's gradient, times the weight,
is added back onto the input positions it was read from (`ResampleAdjoint`), and the adjoint's
backward is the resampling again: gradients of gradients work to any order. Positions read
more than once (an upsampled pixel, a reflected edge) get the sum: the adjoint adds in
"layers", each a fancy-indexed `+=` in which no position repeats, as many layers as the most
reads of one position (2 for nearest x2 upsampling), instead of numpy's slow `add.at`.
"""

from __future__ import annotations

from typing import NamedTuple

from .. import backend
from ..autograd.engine import Function


class Plan(NamedTuple):
    """How one axis is resampled: index and weight are host arrays or nested lists (O, T)."""

    axis: int
    index: object  # int (O, T)
    weight: object  # float (O, T), or None: T = 1, weight 1 (a pure gather, exact)
    size: int  # the input's length along the axis
    masked: bool = False  # a zero weight ignores its element entirely (even inf or nan)


def _shape_at(shape: tuple, axis: int, *sizes: int) -> tuple:
    return shape[:axis] + sizes + shape[axis + 1 :]


def resample(x, plans):
    """Apply each plan in turn (on arrays)."""
    xp = backend.xp_of(x)
    for plan in plans:
        index = xp.asarray(plan.index)
        o, t = index.shape
        taken = xp.take(x, index.reshape(-1), axis=plan.axis)
        if plan.weight is None:
            x = taken
            continue
        taken = taken.reshape(_shape_at(x.shape, plan.axis, o, t))
        weight = _weight(xp, plan, x.dtype, x.ndim)
        if plan.masked:
            taken = xp.where(weight != 0, taken, 0)
        x = (taken * weight).sum(axis=plan.axis + 1)
    return x


def _weight(xp, plan: Plan, dtype, ndim: int):
    """The plan's weights as an array that broadcasts against (..., O, T, ...), where the
    resampled array has `ndim` dims."""
    weight = xp.asarray(plan.weight, dtype=dtype)
    return weight.reshape(weight.shape + (1,) * (ndim - plan.axis - 1))


def _layers(xp, index):
    """(positions, targets) pairs covering `index` (flat) in which no target repeats."""
    order = xp.argsort(index, kind="stable")
    ordered = index[order]
    rank = xp.arange(index.size) - xp.searchsorted(ordered, ordered, side="left")
    depth = int(rank.max()) + 1 if index.size else 0
    for r in range(depth):
        positions = order[rank == r]
        yield positions, index[positions]


def resample_adjoint(g, plans):
    """The adjoint of `resample` (on arrays): each g, times its weights, added back where it
    was read from."""
    xp = backend.xp_of(g)
    for plan in reversed(plans):
        index = xp.asarray(plan.index)
        o, t = index.shape
        if plan.weight is not None:
            merged = _shape_at(g.shape, plan.axis, o * t)  # (O, T) read as one axis of O * T
            g = g.reshape(_shape_at(g.shape, plan.axis, o, 1)) * _weight(xp, plan, g.dtype, g.ndim)
            g = g.reshape(merged)
        grad = xp.zeros(_shape_at(g.shape, plan.axis, plan.size), dtype=g.dtype)
        lead = (slice(None),) * plan.axis
        for positions, targets in _layers(xp, index.reshape(-1)):
            grad[(*lead, targets)] += xp.take(g, positions, axis=plan.axis)
        g = grad
    return g


class Resample(Function):
    """x resampled along axes by `plans` (see the module's docstring)."""

    def forward(self, x, plans):
        self.plans = plans
        return resample(x, plans)

    def backward(self, g, x):
        return ResampleAdjoint.apply(g, plans=self.plans)


class ResampleAdjoint(Function):
    """The backward of Resample: gradients added back onto the positions they were read from."""

    def forward(self, g, plans):
        self.plans = plans
        return resample_adjoint(g, plans)

    def backward(self, gg, g):
        return Resample.apply(gg, plans=self.plans)


def pad_plan(axis: int, size: int, before: int, after: int, mode: str) -> Plan:
    """The plan that pads an axis of `size` by (before, after) (negative: crop) with `mode`:
    'reflect' (mirrored, the edge not repeated), 'replicate' (the edge repeated) or
    'circular' (wrapped around: what the crop leaves)."""
    if mode == "circular":  # (as in PyTorch: negative widths crop first, the rest wraps)
        start = max(-before, 0)
        kept = size - start - max(-after, 0)
        positions = backend.host_array(range(-max(before, 0), kept + max(after, 0)), dtype="int64")
        index = positions % max(kept, 1) + start
    elif mode == "reflect":
        positions = backend.host_array(range(-before, size + after), dtype="int64")
        period = max(2 * (size - 1), 1)
        folded = positions % period
        index = folded + (period - 2 * folded) * (folded >= size)
    else:  # replicate
        index = backend.host_array(range(-before, size + after), dtype="int64").clip(0, size - 1)
    return Plan(axis, index.reshape(-1, 1), None, size)
