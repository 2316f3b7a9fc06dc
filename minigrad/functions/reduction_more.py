"""What users call for more reductions: std, prod, cumsum, cumprod, all, any, count_nonzero.

PyTorch's argument rules: `keepdims` is accepted for `keepdim` (PyTorch's numpy-style alias,
where its own parser takes it); integer and bool input to prod, cumsum and cumprod give int64
unless `dtype` says otherwise (the input is cast to `dtype` first); all/any give bools (uint8
for uint8 input, as PyTorch keeps for compatibility). The ops are in minigrad.ops.scan and
minigrad.ops.reduction_more.
"""

from __future__ import annotations

import operator

from .. import dtypes
from ..autograd import grad_mode
from ..errors import DTypeError, as_int
from ..ops import reduction_more as ops
from ..ops.scan import Cumprod, Cumsum, Prod
from ..ops.shape import normalize_dim, normalize_dims
from ..tensor import Tensor
from .arithmetic import require_float
from .elementwise import cast, compare
from .reduction import _axes, corrections


def keepdim_of(keepdim, keepdims) -> bool:
    """keepdim, or its alias keepdims when given."""
    return keepdim if keepdims is None else keepdims


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, keepdims=None) -> Tensor:
    """Standard deviation over dim: sqrt(sum (x - mean)^2 / (N - correction)), correction 1
    by default (Bessel's; unbiased=False is correction=0). std(x, True) reads the flag as
    unbiased, as PyTorch does. Its gradient is 0 where the std is 0.

    >>> mg.tensor([[1.0, 3.0], [2.0, 2.0]]).std(1, keepdim=True)
    tensor([[1.4142],
            [0.0000]])
    """
    require_float(input, "input", "std")
    if dim is True or dim is False:  # std(x, unbiased)
        dim, unbiased = None, dim
    keepdim = keepdim_of(keepdim, keepdims)
    correction = corrections(correction, unbiased, "std")
    axes = _axes(input, dim, keepdim, "std")
    return ops.Std.apply(input, axes=axes, keepdim=keepdim, correction=correction)


def _as_accumulated(x, dtype, op: str):
    """x cast to `dtype` when given, else integers and bools to int64 (PyTorch's sums and
    products of integers)."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        if x.requires_grad and grad_mode.is_grad_enabled() and not dtypes.is_floating(dtype):
            raise DTypeError(
                f"{op}: dtype={dtype} for an input that requires grad: autograd has no "
                f"gradients of {dtype} results (detach the input, or use a float dtype)"
            )
        return cast(x, dtype)
    if not dtypes.is_floating(x.dtype) and x.dtype != dtypes.int64:
        return cast(x, dtypes.int64)
    return x


def prod(input, dim=None, keepdim=False, *, dtype=None, keepdims=None) -> Tensor:
    """The product of all entries, or over one dim. Gradient prod / x, or where an entry is
    0 the product of the others (PyTorch's care for zeros).

    >>> mg.tensor([[1.0, 2.0], [3.0, 0.0]]).prod(1), mg.prod(mg.tensor([2, 3]))
    (tensor([2., 0.]), tensor(6))
    """
    keepdim = keepdim_of(keepdim, keepdims)
    axes = _axes(input, None if dim is None else as_int(dim, "dim", "prod"), keepdim, "prod")
    return Prod.apply(_as_accumulated(input, dtype, "prod"), axes=axes, keepdim=keepdim)


def cumsum(input, dim, *, dtype=None) -> Tensor:
    """Running sums along dim: out[i] = input[0] + ... + input[i].

    >>> mg.cumsum(mg.tensor([1, 2, 3]), 0)
    tensor([1, 3, 6])
    """
    axis = normalize_dim(dim, input.ndim, "cumsum")
    return Cumsum.apply(_as_accumulated(input, dtype, "cumsum"), dim=axis)


def cumprod(input, dim, *, dtype=None) -> Tensor:
    """Running products along dim: out[i] = input[0] * ... * input[i]; gradients right with
    zeros in the input too.

    >>> mg.cumprod(mg.tensor([1.0, 2.0, 3.0]), 0)
    tensor([1., 2., 6.])
    """
    axis = normalize_dim(dim, input.ndim, "cumprod")
    return Cumprod.apply(_as_accumulated(input, dtype, "cumprod"), dim=axis)


def _logical(fn: type[ops.All], x, dim, keepdim, keepdims) -> Tensor:
    keepdim = keepdim_of(keepdim, keepdims)
    if isinstance(dim, (tuple, list)) and not dim:  # PyTorch: dim=() reduces nothing here
        _axes(x, None, keepdim, fn.pick)
        return fn.apply(x, axes=(), keepdim=keepdim)
    return fn.apply(x, axes=_axes(x, dim, keepdim, fn.pick), keepdim=keepdim)


def all(input, dim=None, keepdim=False, *, keepdims=None) -> Tensor:
    """Whether every entry (over dim: an int or a tuple) is non-zero, as a bool tensor.

    >>> mg.tensor([[1, 0], [2, 3]]).all(1)
    tensor([False,  True])
    """
    return _logical(ops.All, input, dim, keepdim, keepdims)


def any(input, dim=None, keepdim=False, *, keepdims=None) -> Tensor:
    """Whether some entry (over dim: an int or a tuple) is non-zero, as a bool tensor."""
    return _logical(ops.Any, input, dim, keepdim, keepdims)


def count_nonzero(input, dim=None) -> Tensor:
    """How many entries are non-zero, over dim (an int or a tuple; None or () for all), int64.

    >>> mg.count_nonzero(mg.tensor([[0, 1, 2], [0, 0, 3]]), dim=1)
    tensor([2, 1])
    """
    axes = normalize_dims(dim, input.ndim, "count_nonzero")
    return ops.Count.apply(compare(operator.ne, input, 0), axes=axes, keepdim=False)
