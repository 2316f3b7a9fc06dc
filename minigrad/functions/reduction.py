"""What users call for reductions over `dim` (an int, a tuple of ints, or None for all).

The ops are in minigrad.ops.reduction; here are PyTorch's argument rules: keepdim a bool,
integer and bool sums in int64, `max(x, dim)` as (values, indices), no max of nothing.
"""

from __future__ import annotations

from collections import namedtuple

from .. import backend, dtypes
from ..autograd.engine import Function
from ..errors import as_int, as_number, check_bool
from ..ops.elementwise import cast
from ..ops.reduction import Amax, Amin, Argmax, Argmin, Logsumexp, Max, Mean, Min, Sum, Var
from ..ops.shape import normalize_dims, reshape
from ..tensor import Tensor
from .arithmetic import require_float
from .elementwise import maximum, minimum

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def _axes(x, dim, keepdim, op: str, of_something: bool = False):
    """The axes `dim` names (see normalize_dims), after checking `keepdim`.

    `of_something`: the reduction has no value over nothing (a max of no elements), so each
    reduced dim must have a size, as PyTorch requires.
    """
    if keepdim is not False and keepdim is not True:
        check_bool(keepdim, "keepdim", op)
    axes = normalize_dims(dim, x.ndim, op)
    if of_something and 0 in x.shape:
        if axes is None:
            raise RuntimeError(
                f"{op}: input of shape {x.shape} is empty; name the dims to reduce with dim="
            )
        for axis in axes:
            if x.shape[axis] == 0:
                raise IndexError(
                    f"{op}: expected reduction dim {axis} to have non-zero size (input of "
                    f"shape {x.shape})"
                )
    return axes


def sum(x, dim=None, keepdim: bool = False) -> Tensor:
    """Sum over dim (int, tuple or None = all). Integer and bool inputs sum to int64."""
    axes = _axes(x, dim, keepdim, "sum")
    if not dtypes.is_floating(x.dtype) and x.dtype != dtypes.int64:
        x = cast(x, dtypes.int64)
    return Sum.apply(x, axes=axes, keepdim=keepdim)


def mean(x, dim=None, keepdim: bool = False) -> Tensor:
    """Mean over dim (int, tuple or None = all); floating point input only."""
    require_float(x, "input", "mean")
    return Mean.apply(x, axes=_axes(x, dim, keepdim, "mean"), keepdim=keepdim)


def var(
    x, dim=None, *, correction: int | None = None, keepdim: bool = False, unbiased=None
) -> Tensor:
    """Variance over dim, divided by N - correction (correction=1 by default, Bessel's)."""
    require_float(x, "input", "var")
    correction = corrections(correction, unbiased, "var")
    axes = _axes(x, dim, keepdim, "var")
    return Var.apply(x, axes=axes, keepdim=keepdim, correction=correction)


def corrections(correction, unbiased, op: str) -> float:
    """The N - correction divisor's correction (var, std): 1 by default (Bessel's), 0 for
    unbiased=False."""
    if correction is not None and unbiased is not None:
        raise ValueError(f"{op}: give correction or unbiased, not both")
    if correction is None:
        return 1 if unbiased is None or check_bool(unbiased, "unbiased", op) else 0
    return as_number(correction, "correction", op)


def amax(x, dim=None, keepdim: bool = False) -> Tensor:
    return Amax.apply(x, axes=_axes(x, dim, keepdim, "amax", True), keepdim=keepdim)


def amin(x, dim=None, keepdim: bool = False) -> Tensor:
    return Amin.apply(x, axes=_axes(x, dim, keepdim, "amin", True), keepdim=keepdim)


def _max_or_min(op: str, x, dim, keepdim: bool, other):
    if isinstance(dim, Tensor) or other is not None:  # max(a, b) is the elementwise maximum
        return (maximum if op == "max" else minimum)(x, dim if other is None else other)
    if dim is None or isinstance(dim, (tuple, list)):  # (a tuple: minigrad's, as amax)
        return (amax if op == "max" else amin)(x, dim, keepdim)
    # One axis; none for 0-d input, which is its own max along dim 0 (or -1), at index 0.
    (axis,) = _axes(x, as_int(dim, "dim", op), keepdim, op, True) or (0,)
    data = x.array if x.ndim else x.array.reshape(1)
    xp = backend.xp_of(data)
    index = (xp.argmax if op == "max" else xp.argmin)(data, axis=axis, keepdims=True)
    source = x if x.ndim else reshape(x, (1,))
    values = (Max if op == "max" else Min).apply(source, dim=axis, keepdim=keepdim, index=index)
    if not x.ndim:
        values, index = reshape(values, ()), index.reshape(())
    return MaxResult(values, Tensor._make(index if keepdim else index.squeeze(axis), False))


def max(x, dim=None, keepdim: bool = False, *, other=None) -> Tensor | tuple:
    """max(x) -> largest value; max(x, dim) -> (values, indices); max(x, y) -> maximum(x, y).

    A tuple `dim` reduces over several dims like `amax` (PyTorch's max accepts only an int).
    """
    return _max_or_min("max", x, dim, keepdim, other)


def min(x, dim=None, keepdim: bool = False, *, other=None) -> Tensor | tuple:
    """min(x) -> smallest value; min(x, dim) -> (values, indices); min(x, y) -> minimum(x, y)."""
    return _max_or_min("min", x, dim, keepdim, other)


def logsumexp(x, dim=None, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over dim, computed without overflow."""
    if isinstance(x, Tensor) and not dtypes.is_floating(x.dtype):
        x = cast(x, dtypes.get_default_dtype())
    return Logsumexp.apply(x, axes=_axes(x, dim, keepdim, "logsumexp"), keepdim=keepdim)


def _argmax_or_argmin(fn: type[Function], x, dim, keepdim: bool):
    """The flat index (dim None) or the index along `dim`; 0-d input has only index 0."""
    op = fn.pick
    if dim is None:
        _axes(x, None, keepdim, op, True)
        return fn.apply(x, dim=None, keepdim=keepdim)
    (axis,) = _axes(x, as_int(dim, "dim", op), keepdim, op, True) or (None,)  # (None: 0-d)
    return fn.apply(x, dim=axis, keepdim=keepdim)


def argmax(x, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest value (of the flattened tensor when dim is None); int64."""
    return _argmax_or_argmin(Argmax, x, dim, keepdim)


def argmin(x, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest value (of the flattened tensor when dim is None); int64."""
    return _argmax_or_argmin(Argmin, x, dim, keepdim)
