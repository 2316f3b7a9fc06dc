"""More elementwise functions of two (or three) tensors: atan2, lerp, the rounded divisions
(floor_divide, div with rounding_mode), remainder and fmod, and isclose.

As in arithmetic.py, each backward returns gradients at the broadcast shape and the engine sums
them back to each input's shape. Operands arrive promoted to one dtype (minigrad.functions);
integer division by zero is refused there too, before numpy would warn and return 0.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..autograd.engine import Function
from .unary import zeros_like


class Atan2(Function):
    def forward(self, a, b):
        return backend.xp_of(a, b).arctan2(a, b)

    def backward(self, g, a, b):  # d atan2(a, b) = (b da - a db) / (a^2 + b^2)
        scale = g / (a * a + b * b)
        return scale * b, scale * -a


class Lerp(Function):
    """input + weight (end - input); weight a tensor or a number."""

    def forward(self, a, b, weight):
        # PyTorch's two-sided formula: exact at weight 0 (gives a) and at weight 1 (gives b).
        xp, diff = backend.xp_of(a, b), b - a
        return xp.where(xp.abs(weight) < 0.5, a + weight * diff, b - diff * (1 - weight))

    def backward(self, g, a, b, weight):
        _, _, weight_needs = self.needs_input_grad
        return g * (1 - weight), g * weight, g * (b - a) if weight_needs else None


class FloorDivide(Function):
    """a / b rounded down (Python's //); floor_divide and div(rounding_mode='floor')."""

    def forward(self, a, b):
        return backend.xp_of(a, b).floor_divide(a, b)

    def backward(self, g, a, b):  # a step function: zero, as PyTorch's div with rounding_mode
        zero = zeros_like(g)
        return zero, zero


class TruncDivide(FloorDivide):
    """a / b rounded toward zero: div(rounding_mode='trunc')."""

    def forward(self, a, b):
        xp = backend.xp_of(a, b)
        if a.dtype.kind == "f":
            return xp.trunc(a / b)
        quotient = xp.floor_divide(a, b)  # integers: floor, then one up where it went below 0
        return quotient + ((quotient < 0) & (quotient * b != a))


class Remainder(Function):
    """a - floor(a / b) b: the sign of the divisor, as Python's %."""

    def forward(self, a, b):
        return backend.xp_of(a, b).remainder(a, b)

    def backward(self, g, a, b):  # d/da = 1, d/db = -floor(a / b) (NaN where a is inf)
        return g, g * -FloorDivide.apply(a, b) if self.needs_input_grad[1] else None


class Fmod(Function):
    """a - trunc(a / b) b: the sign of the dividend, as C's fmod."""

    def forward(self, a, b):
        return backend.xp_of(a, b).fmod(a, b)

    def backward(self, g, a, b):  # d/da = 1, d/db = -trunc(a / b)
        return g, g * -TruncDivide.apply(a, b) if self.needs_input_grad[1] else None


class Isclose(Function):
    """|a - b| <= atol + rtol |b|, or a == b (infinities), or both NaN with equal_nan."""

    differentiable = False

    def forward(self, a, b, rtol, atol, equal_nan):
        xp = backend.xp_of(a, b)
        close = a == b
        if equal_nan and a.dtype.kind == "f":
            close = close | (xp.isnan(a) & xp.isnan(b))
        if a.dtype.kind != "f":  # integers, bools: the error in float64 (as PyTorch's, in a float)
            a, b = a.astype(dtypes.float64), b.astype(dtypes.float64)
        with backend.numpy.errstate(invalid="ignore"):  # inf - inf: not close, and no warning
            error = xp.abs(a - b)
            return close | (xp.isfinite(error) & (error <= atol + rtol * xp.abs(b)))
