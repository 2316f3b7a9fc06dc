"""Reductions over `dim` (an int, a tuple of ints, or None for all) with `keepdim`.

A reduction's backward spreads the output gradient back over the reduced dims: first put the
reduced dims back as size-1 dims (`_unreduce`), then broadcast.
"""

from __future__ import annotations

import math

from .. import backend, dtypes
from ..autograd.engine import Function
from .elementwise import cast, exp, where
from .indexing import ScatterAdd
from .shape import expand, normalize_dims, reshape


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
        share = sum(cast(winners, x.dtype), self.axes, keepdim=True)
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


# The functions backward formulas use: on arrays, or on Tensors under create_graph.
def sum(x, dim=None, keepdim: bool = False):  # (shadows the builtin: PyTorch's name)
    return Sum.apply(x, axes=normalize_dims(dim, x.ndim, "sum"), keepdim=keepdim)


def mean(x, dim=None, keepdim: bool = False):
    return Mean.apply(x, axes=normalize_dims(dim, x.ndim, "mean"), keepdim=keepdim)
