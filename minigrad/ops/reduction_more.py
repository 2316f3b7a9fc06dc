"""More reductions: the standard deviation, the logical all/any, and counts of set entries.

The standard deviation is the variance's op with a square root on top, its backward the
variance's scaled by 1 / (2 std), so that a slice of equal values (std 0) gets gradient 0, as
in PyTorch, rather than 0 / 0.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..autograd.engine import Function
from .elementwise import where
from .reduction import Var


class Std(Var):
    saves_output = True

    def forward(self, x, axes, keepdim, correction):
        return backend.xp_of(x).sqrt(super().forward(x, axes, keepdim, correction))

    def backward(self, g, x):  # std = sqrt(var): d std = d var / (2 std), 0 where std is 0
        y = self.output
        return super().backward(where(y == 0, 0, g / (2 * where(y == 0, 1, y))), x)


class All(Function):
    """Whether every entry over `axes` is non-zero (any: some entry); never recorded."""

    differentiable = False
    pick = "all"

    def forward(self, x, axes, keepdim):
        out = getattr(backend.xp_of(x), self.pick)(x, axis=axes, keepdims=keepdim)
        return out if x.dtype.kind != "u" else out.astype(x.dtype)  # (uint8 stays uint8)


class Any(All):
    pick = "any"


class Count(Function):
    """How many entries of a bool mask are set over `axes` (None: all), in int64."""

    differentiable = False

    def forward(self, mask, axes, keepdim):
        return mask.sum(axis=axes, keepdims=keepdim, dtype=dtypes.int64)


class RunningCount(Function):
    """How many entries of a bool mask are set up to each position along `dim`."""

    differentiable = False

    def forward(self, mask, dim):
        return backend.xp_of(mask).cumsum(mask, dim)
