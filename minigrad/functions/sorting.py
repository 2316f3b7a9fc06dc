"""What users call for sorting and selection: sort, argsort, topk, kthvalue, median; and the
counting functions unique, bincount and histc (not differentiable, as in PyTorch).

The (values, indices) results are named tuples, one type per PyTorch return type, each with
`.values` and `.indices`; the values carry gradients back to the entries they were picked
from. The ops are in minigrad.ops.sorting.
"""

from __future__ import annotations

import math
from collections import namedtuple

from .. import dtypes
from ..errors import (
    DTypeError,
    OptionError,
    ShapeError,
    _described,
    as_int,
    as_number,
    as_size,
    check_bool,
)
from ..ops import sorting as ops
from ..ops.shape import normalize_dim
from ..tensor import Tensor
from .arithmetic import require_float, require_tensor
from .reduction import _axes, amax, amin
from .reduction_more import keepdim_of
from .shape import reshape

SortResult = namedtuple("SortResult", ["values", "indices"])
TopkResult = namedtuple("TopkResult", ["values", "indices"])
KthvalueResult = namedtuple("KthvalueResult", ["values", "indices"])
MedianResult = namedtuple("MedianResult", ["values", "indices"])


def _vector(x, op: str, dim):
    """(x with at least one dim, the axis `dim` names in it); a 0-d x is one entry along 0."""
    axis = normalize_dim(dim, x.ndim, op)
    return (x if x.ndim else reshape(x, (1,))), axis


def _refuse_bool(x, op: str) -> None:
    if x.dtype == dtypes.bool:
        raise DTypeError(f"{op}: input has dtype bool, which {op} is not implemented for")


def _picked(cls, x, source, axis: int, index) -> tuple:
    """(the values of `source` at `index` along axis, the indices), shaped as x's."""
    values = cls.apply(source, dim=axis, index=index)
    if not x.ndim:
        return reshape(values, ()), Tensor._make(index.reshape(()), False)
    return values, Tensor._make(index, False)


def sort(input, dim=-1, descending=False, *, stable=False) -> SortResult:
    """(values, indices) of input sorted along dim, ascending (descending=True: descending);
    NaN counts as the largest value. With stable=True equal values keep their order.

    >>> mg.sort(mg.tensor([3.0, 1.0, 2.0]), descending=True)
    SortResult(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
    """
    check_bool(descending, "descending", "sort")
    check_bool(stable, "stable", "sort")
    source, axis = _vector(input, "sort", dim)
    index = ops.sort_indices(source.array, axis, descending, stable)
    return SortResult(*_picked(ops.Sort, input, source, axis, index))


def argsort(input, dim=-1, descending=False, *, stable=False) -> Tensor:
    """The indices that sort input along dim (sort(...).indices), int64."""
    check_bool(descending, "descending", "argsort")
    check_bool(stable, "stable", "argsort")
    source, axis = _vector(input, "argsort", dim)
    index = ops.Argsort.apply(source, dim=axis, descending=descending, stable=stable)
    return index if input.ndim else reshape(index, ())


def topk(input, k, dim=-1, largest=True, sorted=True) -> TopkResult:
    """(values, indices) of the k largest entries along dim (largest=False: smallest), in
    sorted order (also with sorted=False, which PyTorch leaves free); NaN is the largest.

    >>> mg.tensor([1.0, 5.0, 3.0, 4.0]).topk(2)
    TopkResult(values=tensor([5., 4.]), indices=tensor([1, 3]))
    """
    k = as_int(k, "k", "topk")
    check_bool(largest, "largest", "topk")
    check_bool(sorted, "sorted", "topk")
    _refuse_bool(input, "topk")
    source, axis = _vector(input, "topk", dim)
    n = source.shape[axis]
    if not 0 <= k <= n:
        raise OptionError(f"topk: k must be in [0, {n}] (the size of dim {dim}), got {k}")
    if not input.ndim:  # its one entry, for k = 0 too (as PyTorch)
        k = 1
    index = ops.topk_indices(source.array, k, axis, largest)
    return TopkResult(*_picked(ops.Topk, input, source, axis, index))


def _one_dim(x, dim, keepdim, op: str) -> tuple:
    """(x with at least one dim, the axis of dim) for a selection along one non-empty dim."""
    _refuse_bool(x, op)
    source, axis = _vector(x, op, as_int(dim, "dim", op))
    _axes(source, axis, keepdim, op, of_something=True)
    return source, axis


def _selected(cls, x, source, axis: int, keepdim: bool, index) -> tuple:
    """(values, indices) of the entries at `index` (a size-1 dim at axis) along axis."""
    values = cls.apply(source, dim=axis, keepdim=keepdim or not x.ndim, index=index)
    if not x.ndim:
        return reshape(values, ()), Tensor._make(index.reshape(()), False)
    return values, Tensor._make(index if keepdim else index.squeeze(axis), False)


def kthvalue(input, k, dim=-1, keepdim=False, *, keepdims=None) -> KthvalueResult:
    """(values, indices) of the k-th smallest entry (k from 1) along dim.

    >>> mg.kthvalue(mg.tensor([[3.0, 1.0, 2.0]]), 2)
    KthvalueResult(values=tensor([2.]), indices=tensor([2]))
    """
    k, keepdim = as_int(k, "k", "kthvalue"), keepdim_of(keepdim, keepdims)
    source, axis = _one_dim(input, dim, keepdim, "kthvalue")
    n = source.shape[axis]
    if not 1 <= k <= n:
        raise OptionError(f"kthvalue: k must be in [1, {n}] (the size of dim {dim}), got {k}")
    index = ops.kth_indices(source.array, k, axis)
    return KthvalueResult(*_selected(ops.Kthvalue, input, source, axis, keepdim, index))


def median(input, dim=None, keepdim=False, *, keepdims=None) -> Tensor | MedianResult:
    """median(input): the lower median of all entries (of an even count, the smaller middle
    one), NaN if there is a NaN; its gradient is shared by the entries equal to it.
    median(input, dim): (values, indices) of each slice's lower median along dim.

    >>> mg.median(mg.tensor([4.0, 1.0, 3.0, 2.0])), mg.tensor([[4.0, 1.0, 3.0]]).median(1)
    (tensor(2.), MedianResult(values=tensor([3.]), indices=tensor([2])))
    """
    _refuse_bool(input, "median")
    if dim is None:
        if input.numel() == 0 and not dtypes.is_floating(input.dtype):
            raise OptionError(f"median: input of dtype {input.dtype} is empty: no median")
        return ops.MedianAll.apply(input)
    keepdim = keepdim_of(keepdim, keepdims)
    source, axis = _one_dim(input, dim, keepdim, "median")
    index = ops.median_indices(source.array, axis)
    return MedianResult(*_selected(ops.Median, input, source, axis, keepdim, index))


def unique(
    input, sorted=True, return_inverse=False, return_counts=False, dim=None
) -> Tensor | tuple:
    """The unique values of input, sorted (also with sorted=False, as PyTorch's CPU gives
    them); with dim, the unique slices along dim. With return_inverse, also each entry's
    index into them; with return_counts, how often each occurs. NaNs are all distinct.

    >>> mg.unique(mg.tensor([3, 1, 3, 2]), return_counts=True)
    (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    check_bool(sorted, "sorted", "unique")
    check_bool(return_inverse, "return_inverse", "unique")
    check_bool(return_counts, "return_counts", "unique")
    if dim is not None:
        if not input.ndim:
            raise IndexError("unique: dim was given, but input is 0-d (it has no dims)")
        dim = normalize_dim(dim, input.ndim, "unique")
        if any(n == 0 for i, n in enumerate(input.shape) if i != dim):
            raise ShapeError(
                f"unique: input of shape {tuple(input.shape)} has a dim of size 0 other than "
                f"dim={dim}: its slices along dim are empty"
            )
    values, inverse, counts = ops.unique_arrays(input.array, return_inverse, return_counts, dim)
    found = [Tensor._make(a, False) for a in (values, inverse, counts) if a is not None]
    return found[0] if len(found) == 1 else tuple(found)


def bincount(input, weights=None, minlength=0) -> Tensor:
    """How often each of 0, 1, ..., max(input) occurs in input, a 1-d tensor of non-negative
    integers (at least minlength counts). With weights (a 1-d tensor as long as input), the
    sum of the weights at each value instead: float32 for float32 weights, else float64.

    >>> mg.bincount(mg.tensor([0, 1, 1, 3]))
    tensor([1, 2, 0, 1])
    """
    minlength = as_size(minlength, "minlength", "bincount")
    if input.ndim != 1 or input.dtype.kind not in "iu":
        raise DTypeError(
            "bincount: input must be a 1-d tensor of non-negative integers, got "
            f"{_described(input)}"
        )
    if input.numel() and bool((input.array < 0).any()):
        raise OptionError("bincount: input must be non-negative integers, got a negative one")
    if not input.numel():  # (PyTorch: int64 counts of nothing, whatever the weights)
        weights = None
    if weights is not None:
        require_tensor(weights, "weights", "bincount")
        if weights.shape != input.shape:
            raise ShapeError(
                f"bincount: weights must be 1-d and as long as input ({input.shape}), got "
                f"shape {weights.shape}"
            )
    return ops.Bincount.apply(input, weights, minlength=minlength)


def histc(input, bins=100, min=0, max=0) -> Tensor:
    """A histogram of input in `bins` equal bins spanning [min, max] (the input's own range
    when min == max), in input's dtype; entries outside it, and NaNs, are not counted.

    >>> mg.histc(mg.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    require_float(input, "input", "histc")
    bins = as_int(bins, "bins", "histc")
    if bins <= 0:
        raise OptionError(f"histc: bins must be > 0, got {bins}")
    low, high = as_number(min, "min", "histc"), as_number(max, "max", "histc")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise OptionError(f"histc: the range [min, max] must be finite, got [{low}, {high}]")
    if low > high:
        raise OptionError(f"histc: max must be larger than min, got min={low} > max={high}")
    if low == high and input.numel():
        low, high = amin(input).item(), amax(input).item()
        if not (math.isfinite(low) and math.isfinite(high)):
            raise OptionError(
                f"histc: min == max asks for input's own range, which is not finite: "
                f"[{low}, {high}]"
            )
    if low == high:
        low, high = low - 1, high + 1
    return ops.Histc.apply(input, bins=bins, low=low, high=high)
