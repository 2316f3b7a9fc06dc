"""Index-valued helpers: where running maxima and minima come from (cummax, cummin), where
values fall among sorted boundaries (searchsorted, bucketize), triangle coordinates.

None is a Function: their results are integers. (cummax's values are gathered from the input
at its indices, so their gradient is gather's: each goes to the element it came from.)
"""

from __future__ import annotations

import math

from .. import backend


def running_extreme_indices(x, axis: int, largest: bool):
    """For each position i along `axis`, the index j <= i of the running max (min) of x[..j..]:
    the latest index on ties, and a nan, once met, stays the extreme (as PyTorch's)."""
    xp = backend.xp_of(x)
    extreme = (xp.maximum if largest else xp.minimum).accumulate(x, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    positions = xp.arange(x.shape[axis], dtype="int64").reshape(shape)
    arrived = (x == extreme) | (xp.isnan(x) if x.dtype.kind == "f" else False)
    return xp.maximum.accumulate(xp.where(arrived, positions, 0), axis=axis)


def search_sorted(boundaries, values, right: bool):
    """Where each of `values` would go in the sorted last dim of `boundaries` (1-d, or with
    values' leading dims): numpy's searchsorted, row by row for batched boundaries."""
    xp = backend.xp_of(values)
    side = "right" if right else "left"
    if boundaries.ndim == 1:
        return xp.asarray(xp.searchsorted(boundaries, values, side=side), dtype="int64")
    count = math.prod(boundaries.shape[:-1])  # (not -1: a last dim of size 0 is ambiguous)
    rows = boundaries.reshape(count, boundaries.shape[-1])
    found = values.reshape(count, values.shape[-1])
    out = xp.stack([xp.searchsorted(b, v, side=side) for b, v in zip(rows, found)])
    return out.reshape(values.shape).astype("int64")


def triangle_indices(xp, row: int, col: int, offset: int, upper: bool):
    """The (2, N) coordinates of a row x col matrix's upper (lower) triangle from diagonal
    `offset`, row by row: numpy's triu_indices / tril_indices."""
    find = xp.triu_indices if upper else xp.tril_indices
    return xp.stack(find(row, offset, col)).astype("int64").reshape(2, -1)
