"""More reductions: `nansum`, `nanmean` (skipping nans), `trace`, `aminmax`, and the running
extremes `cummax` and `cummin` (values with their indices). Composed from minigrad's ops, so
their gradients are those ops'.
"""

from __future__ import annotations

from collections import namedtuple

from .. import dtypes
from ..errors import ShapeError
from ..ops.running import running_extreme_indices
from ..ops.shape import normalize_dim
from ..tensor import Tensor
from .arithmetic import div, require_float, require_tensor
from .elementwise import cast, where
from .indexing import gather
from .layout import diagonal
from .reduction import amax, amin, sum
from .shape import reshape
from .unary import isnan

AminmaxResult = namedtuple("AminmaxResult", ["min", "max"])
CummaxResult = namedtuple("CummaxResult", ["values", "indices"])
CumminResult = namedtuple("CumminResult", ["values", "indices"])


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The sum over dim (int, tuple or None = all) treating nans as zero; `dtype` casts the
    input first.

    >>> mg.nansum(mg.tensor([1.0, float("nan"), 2.0]))
    tensor(3.)
    """
    require_tensor(input, "input", "nansum")
    if dtype is not None:
        input = cast(input, dtype)
    if dtypes.is_floating(input.dtype):
        input = where(isnan(input), 0.0, input)
    return sum(input, dim, keepdim)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The mean over dim of the elements that are not nan (nan where all are); floating point
    input only (or a floating `dtype` to cast it to).

    >>> mg.nanmean(mg.tensor([1.0, float("nan"), 3.0]))
    tensor(2.)
    """
    require_tensor(input, "input", "nanmean")
    if dtype is not None:
        input = cast(input, dtype)
    require_float(input, "input", "nanmean")
    counted = sum(~isnan(input), dim, keepdim)
    return div(nansum(input, dim, keepdim), counted)


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a 2-d tensor (integer input sums to int64).

    >>> mg.trace(mg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5.)
    """
    require_tensor(input, "input", "trace")
    if input.ndim != 2:
        raise ShapeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype == dtypes.bool:
        raise TypeError("trace: input is a bool tensor; trace is defined for numbers")
    return sum(diagonal(input))


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False) -> AminmaxResult:
    """(amin, amax) over dim (None = all) in one call, as a namedtuple (min, max).

    >>> mg.aminmax(mg.tensor([[1, 5], [-2, 3]]), dim=1)
    AminmaxResult(min=tensor([ 1, -2]), max=tensor([5, 3]))
    """
    require_tensor(input, "input", "aminmax")
    if dim is None and keepdim:  # PyTorch keeps every dim (as size 1) here
        dim = tuple(range(input.ndim))
    return AminmaxResult(amin(input, dim, keepdim), amax(input, dim, keepdim))


def _running(input: Tensor, dim: int, largest: bool, op: str) -> tuple:
    require_tensor(input, "input", op)
    axis = normalize_dim(dim, input.ndim, op)
    x = reshape(input, (1,)) if input.ndim == 0 else input
    if x.shape[axis] == 0:
        indices = Tensor.wrap(x.array.astype(dtypes.int64))
    else:
        indices = Tensor.wrap(running_extreme_indices(x.array, axis, largest))
    values = gather(x, axis, indices)
    if input.ndim == 0:
        return reshape(values, ()), reshape(indices, ())
    return values, indices


def cummax(input: Tensor, dim: int) -> CummaxResult:
    """The running maximum along dim, with where each came from: (values, indices); a nan,
    once met, is the maximum from there on.

    >>> mg.cummax(mg.tensor([1.0, 3.0, 2.0]), 0)
    CummaxResult(values=tensor([1., 3., 3.]), indices=tensor([0, 1, 1]))
    """
    return CummaxResult(*_running(input, dim, True, "cummax"))


def cummin(input: Tensor, dim: int) -> CumminResult:
    """The running minimum along dim, with where each came from: (values, indices).

    >>> mg.cummin(mg.tensor([1.0, 3.0, 0.0]), 0)
    CumminResult(values=tensor([1., 1., 0.]), indices=tensor([0, 0, 2]))
    """
    return CumminResult(*_running(input, dim, False, "cummin"))
