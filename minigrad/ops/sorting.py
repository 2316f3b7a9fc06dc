"""Sorting and selection: sort, argsort, topk, kthvalue, median; and unique, bincount, histc.

Each selection is two steps: the indices of the picked elements (array functions, never
recorded), then the values at them, an op whose backward sends each value's gradient back to
where it was picked (gather's, or max's along one dim). NaN sorts as the largest value, as in
PyTorch: last ascending, first descending, and a median of a slice holding a NaN is NaN.
"""

from __future__ import annotations

import math

from .. import backend, dtypes
from ..autograd.engine import Function
from .elementwise import cast, where
from .indexing import Gather
from .reduction import Max, sum


def _along(dim: int, key) -> tuple:
    """The index that applies `key` (a slice) along dim."""
    return (slice(None),) * dim + (key,)


def sort_indices(x, dim: int, descending: bool, stable: bool):
    """The indices that sort x along dim (x has at least one dim)."""
    xp = backend.xp_of(x)
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable" if stable else None)
    # Descending without negating (which would overflow the smallest integer and keep NaN
    # last): sort the reversed slices stably, then reverse back. Equal values keep their
    # order, and NaN, last in the ascending order, comes first. (Reversing is a view.)
    backwards = _along(dim, slice(None, None, -1))
    return (x.shape[dim] - 1) - xp.argsort(x[backwards], axis=dim, kind="stable")[backwards]


def topk_indices(x, k: int, dim: int, largest: bool):
    """The indices of the k largest (or smallest) entries along dim, in sorted order."""
    xp, n = backend.xp_of(x), x.shape[dim]
    if 4 * k >= n or n <= 256:  # a sort of it all costs less than the steps below
        return sort_indices(x, dim, largest, stable=True)[_along(dim, slice(0, k))]
    # Partition first (linear time), then sort only the k picked.
    picked = xp.argpartition(x, n - k if largest else k - 1, axis=dim)
    picked = picked[_along(dim, slice(n - k, n) if largest else slice(0, k))]
    values = xp.take_along_axis(x, picked, axis=dim)
    return xp.take_along_axis(picked, sort_indices(values, dim, largest, stable=True), axis=dim)


def kth_indices(x, k: int, dim: int):
    """The index of the k-th smallest entry (k from 1) along dim, as a size-1 dim."""
    return backend.xp_of(x).argpartition(x, k - 1, axis=dim)[_along(dim, slice(k - 1, k))]


def median_indices(x, dim: int):
    """The index of the lower median along dim (of a NaN, where a slice holds one)."""
    xp = backend.xp_of(x)
    index = kth_indices(x, (x.shape[dim] + 1) // 2, dim)
    if x.dtype.kind == "f":
        nan = xp.isnan(x)
        first_nan = xp.argmax(nan, axis=dim, keepdims=True)
        index = xp.where(nan.any(axis=dim, keepdims=True), first_nan, index)
    return index


class Argsort(Function):
    differentiable = False

    def forward(self, x, dim, descending, stable):
        return sort_indices(x, dim, descending, stable)


class Sort(Gather):
    """The values at the sorted indices; the gradient goes back to where each came from."""


class Topk(Gather):
    """The values at the top-k indices."""


class Kthvalue(Max):
    """The value at `index` (the k-th smallest) along one dim."""


class Median(Max):
    """The value at `index` (the lower median) along one dim."""


class MedianAll(Function):
    """The lower median of all entries. Its gradient is shared equally by the entries equal
    to it (PyTorch's rule for median() without dim; with a dim, one index gets it)."""

    saves_output = True

    def forward(self, x):
        flat = x.reshape(-1)
        if not flat.size:  # the median of nothing: NaN (floats only reach here)
            return backend.xp_of(x).full((), math.nan, dtype=x.dtype)
        return flat[median_indices(flat, 0)[0]]

    def backward(self, g, x):
        y = self.output
        winners = (x == y) | ((x != x) & (y != y))  # NaN: the NaNs share it
        return where(winners, g / sum(cast(winners, x.dtype)), 0)


class Bincount(Function):
    """How often each value 0, 1, ... occurs in a 1-d non-negative integer array; with
    weights, their sums: in float32 for float32 weights, else float64 (as PyTorch)."""

    differentiable = False

    def forward(self, x, weights, minlength):
        out = backend.xp_of(x).bincount(x, weights=weights, minlength=minlength)
        if weights is None:
            return out.astype(dtypes.int64, copy=False)
        return out.astype(weights.dtype if weights.dtype == dtypes.float32 else dtypes.float64)


class Histc(Function):
    """Counts in `bins` equal bins over [low, high], in x's dtype; entries outside the range,
    and NaNs, are not counted; an entry at high goes into the last bin."""

    differentiable = False

    def forward(self, x, bins, low, high):
        xp = backend.xp_of(x)
        flat = x.reshape(-1)
        low, high = flat.dtype.type(low), flat.dtype.type(high)
        inside = flat[(flat >= low) & (flat <= high)]
        # PyTorch's bin of a value, computed as it does, in x's dtype.
        position = ((inside - low) * bins / (high - low)).astype(dtypes.int64)
        position = xp.minimum(position, bins - 1)
        return xp.bincount(position, minlength=bins).astype(x.dtype)


def unique_arrays(x, return_inverse: bool, return_counts: bool, dim):
    """The sorted unique values of x (its unique slices along dim), the index of each entry's
    value among them (shaped as x, or along dim), and how often each occurs. NaNs are not
    equal to each other, as in PyTorch."""
    xp = backend.xp_of(x)
    source = x.reshape(-1) if dim is None else x
    found = xp.unique(source, return_inverse=True, return_counts=True, axis=dim, equal_nan=False)
    values, inverse, counts = found
    inverse = inverse.reshape(x.shape if dim is None else (-1,))
    return values, inverse if return_inverse else None, counts if return_counts else None
