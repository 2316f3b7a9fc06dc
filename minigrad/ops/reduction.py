"""Reductions over `dim` (an int, a tuple of ints, or None for all) with `keepdim`.

A reduction's backward spreads the output gradient back over the reduced dims: first put the
reduced dims back as size-1 dims (`_unreduce`), then broadcast.
"""

from __future__ import annotations

import math
from collections import namedtuple

from .. import backend, dtypes
from ..autograd.engine import Function
from ..errors import as_int, as_number, check_bool
from ..tensor import Tensor
from .arithmetic import require_float
from .elementwise import cast, exp, where
from .indexing import ScatterAdd
from .shape import expand, normalize_dims, reshape

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def _unreduce(g, in_shape, axes, keepdim):
    """The reduced gradient reshaped so that it broadcasts against the input."""
    if keepdim:
        return g
    if axes is None:
        return reshape(g, (1,) * len(in_shape))
    return reshape(g, tuple(1 if i in axes else n for i, n in enumerate(in_shape)))


def _accumulator(x):
    """The dtype to reduce x in: float32 for float16 (None: x's own), as PyTorch does. In
    float16 a sum of squares overflows at 65504 and a running sum stalls at 2048."""
    return dtypes.float32 if x.dtype == dtypes.float16 else None


def _as_dtype_of(out, x):
    return out if out.dtype == x.dtype else out.astype(x.dtype)


def _count(shape, axes) -> int:
    n = 1
    for i, size in enumerate(shape):
        if axes is None or i in axes:
            n *= size
    return n


class Sum(Function):
    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return _as_dtype_of(x.sum(axis=axes, keepdims=keepdim, dtype=_accumulator(x)), x)

    def backward(self, g, x):
        return expand(_unreduce(g, x.shape, self.axes, self.keepdim), x.shape)


class Mean(Function):
    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return _as_dtype_of(x.mean(axis=axes, keepdims=keepdim, dtype=_accumulator(x)), x)

    def backward(self, g, x):
        n = _count(x.shape, self.axes)
        return expand(_unreduce(g, x.shape, self.axes, self.keepdim), x.shape) / n


class Var(Function):
    def forward(self, x, axes, keepdim, correction):
        self.axes, self.keepdim, self.correction = axes, keepdim, correction
        wide = x if _accumulator(x) is None else x.astype(_accumulator(x))
        return _as_dtype_of(wide.var(axis=axes, keepdims=keepdim, ddof=correction), x)

    def backward(self, g, x):  # d/dx_i sum_j (x_j - m)^2 / (n - c) = 2 (x_i - m) / (n - c)
        n = _count(x.shape, self.axes)
        centred = x - mean(x, self.axes, keepdim=True)
        if n == self.correction:  # 0/0 at every element: nan, as in PyTorch
            with backend.numpy.errstate(invalid="ignore"):
                return _unreduce(g, x.shape, self.axes, self.keepdim) * centred * math.inf
        scale = 2 / (n - self.correction)
        return _unreduce(g, x.shape, self.axes, self.keepdim) * centred * scale


class Amax(Function):
    """Largest value over dims; ties share the gradient equally (PyTorch's amax and max())."""

    saves_output = True
    pick = "amax"

    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return getattr(backend.xp_of(x), self.pick)(x, axis=axes, keepdims=keepdim)

    def backward(self, g, x):
        winners = x == _unreduce(self.output, x.shape, self.axes, self.keepdim)
        share = cast(sum(winners, self.axes, keepdim=True), x.dtype)
        return where(winners, _unreduce(g, x.shape, self.axes, self.keepdim), 0) / share


class Amin(Amax):
    pick = "amin"


class Max(Function):
    """The value at `index` along one dim (the argmax); the gradient goes to that index."""

    def forward(self, x, dim, keepdim, index):
        self.dim, self.keepdim, self.index = dim, keepdim, index
        values = backend.xp_of(x).take_along_axis(x, index, axis=dim)
        return values if keepdim else values.squeeze(dim)

    def backward(self, g, x):
        g = g if self.keepdim else reshape(g, self.index.shape)
        return ScatterAdd.apply(g, dim=self.dim, index=self.index, shape=x.shape)


class Min(Max):
    """The value at `index` along one dim (the argmin)."""


class Logsumexp(Function):
    saves_output = True

    def forward(self, x, axes, keepdim):
        xp = backend.xp_of(x)
        self.axes, self.keepdim = axes, keepdim
        # Shift by the max so exp never overflows; an all -inf slice must not give nan.
        if x.size:
            shift = xp.amax(x, axis=axes, keepdims=True)
            shift = xp.where(xp.isfinite(shift), shift, 0)
        else:  # no max to shift by: the sum of no exponentials is 0, its log -inf
            shift = 0
        with backend.numpy.errstate(divide="ignore"):  # log(0) = -inf is the answer, no warning
            total = xp.exp(x - shift).sum(axis=axes, keepdims=True, dtype=_accumulator(x))
            out = _as_dtype_of(xp.log(total), x) + shift
        return out if keepdim else out.reshape(self._reduced_shape(x.shape))

    def _reduced_shape(self, shape):
        return tuple(n for i, n in enumerate(shape) if self.axes is not None and i not in self.axes)

    def backward(self, g, x):  # d/dx_i log sum_j e^x_j = softmax(x)_i
        out = _unreduce(self.output, x.shape, self.axes, self.keepdim)
        return _unreduce(g, x.shape, self.axes, self.keepdim) * exp(x - out)


class Argmax(Function):
    differentiable = False
    pick = "argmax"

    def forward(self, x, dim, keepdim):
        xp = backend.xp_of(x)
        if dim is None and keepdim:
            return getattr(xp, self.pick)(x).reshape((1,) * x.ndim)
        return getattr(xp, self.pick)(x, axis=dim, keepdims=keepdim)


class Argmin(Argmax):
    pick = "argmin"


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


def sum(x, dim=None, keepdim: bool = False):
    """Sum over dim (int, tuple or None = all). Integer and bool inputs sum to int64."""
    axes = _axes(x, dim, keepdim, "sum")
    if not dtypes.is_floating(x.dtype) and x.dtype != dtypes.int64:
        x = cast(x, dtypes.int64)
    return Sum.apply(x, axes=axes, keepdim=keepdim)


def mean(x, dim=None, keepdim: bool = False):
    """Mean over dim (int, tuple or None = all); floating point input only."""
    require_float(x, "input", "mean")
    return Mean.apply(x, axes=_axes(x, dim, keepdim, "mean"), keepdim=keepdim)


def var(x, dim=None, *, correction: int | None = None, keepdim: bool = False, unbiased=None):
    """Variance over dim, divided by N - correction (correction=1 by default, Bessel's)."""
    require_float(x, "input", "var")
    if correction is not None and unbiased is not None:
        raise ValueError("var: give correction or unbiased, not both")
    if correction is None:
        correction = 1 if unbiased is None or check_bool(unbiased, "unbiased", "var") else 0
    else:
        correction = as_number(correction, "correction", "var")
    axes = _axes(x, dim, keepdim, "var")
    return Var.apply(x, axes=axes, keepdim=keepdim, correction=correction)


def amax(x, dim=None, keepdim: bool = False):
    return Amax.apply(x, axes=_axes(x, dim, keepdim, "amax", True), keepdim=keepdim)


def amin(x, dim=None, keepdim: bool = False):
    return Amin.apply(x, axes=_axes(x, dim, keepdim, "amin", True), keepdim=keepdim)


def _max_or_min(op: str, x, dim, keepdim: bool, other):
    if isinstance(dim, Tensor) or other is not None:  # max(a, b) is the elementwise maximum
        from .elementwise import maximum, minimum

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


def max(x, dim=None, keepdim: bool = False, *, other=None):
    """max(x) -> largest value; max(x, dim) -> (values, indices); max(x, y) -> maximum(x, y).

    A tuple `dim` reduces over several dims like `amax` (PyTorch's max accepts only an int).
    """
    return _max_or_min("max", x, dim, keepdim, other)


def min(x, dim=None, keepdim: bool = False, *, other=None):
    """min(x) -> smallest value; min(x, dim) -> (values, indices); min(x, y) -> minimum(x, y)."""
    return _max_or_min("min", x, dim, keepdim, other)


def logsumexp(x, dim=None, keepdim: bool = False):
    """log(sum(exp(x))) over dim, computed without overflow."""
    if isinstance(x, Tensor) and not dtypes.is_floating(x.dtype):
        x = cast(x, dtypes.DEFAULT_FLOAT)
    return Logsumexp.apply(x, axes=_axes(x, dim, keepdim, "logsumexp"), keepdim=keepdim)


def _argmax_or_argmin(fn: type[Function], x, dim, keepdim: bool):
    """The flat index (dim None) or the index along `dim`; 0-d input has only index 0."""
    op = fn.pick
    if dim is None:
        _axes(x, None, keepdim, op, True)
        return fn.apply(x, dim=None, keepdim=keepdim)
    (axis,) = _axes(x, as_int(dim, "dim", op), keepdim, op, True) or (None,)  # (None: 0-d)
    return fn.apply(x, dim=axis, keepdim=keepdim)


def argmax(x, dim: int | None = None, keepdim: bool = False):
    """Index of the largest value (of the flattened tensor when dim is None); int64."""
    return _argmax_or_argmin(Argmax, x, dim, keepdim)


def argmin(x, dim: int | None = None, keepdim: bool = False):
    """Index of the smallest value (of the flattened tensor when dim is None); int64."""
    return _argmax_or_argmin(Argmin, x, dim, keepdim)
