"""More elementwise functions of one tensor: trigonometry, exponentials and logarithms,
reciprocals, rounding, and the tests for NaN and infinity.

Inputs are float arrays (functions of floats get integer input converted before, in
minigrad.functions), or Tensors when a backward is recorded (create_graph). Each derivative is
written with the helpers at the end, which run on both. Rounding is flat, so its gradient is
zero everywhere (PyTorch's choice at the jumps too).
"""

from __future__ import annotations

import math

from .. import backend, dtypes
from ..autograd.engine import Function
from .elementwise import sqrt

_LN2, _LN10 = math.log(2), math.log(10)


class Sin(Function):
    def forward(self, x):
        return backend.xp_of(x).sin(x)

    def backward(self, g, x):  # sin' = cos
        return g * cos(x)


class Cos(Function):
    def forward(self, x):
        return backend.xp_of(x).cos(x)

    def backward(self, g, x):  # cos' = -sin
        return g * -sin(x)


class Tan(Function):
    saves_output = True

    def forward(self, x):
        return backend.xp_of(x).tan(x)

    def backward(self, g, x):  # tan' = 1 + tan^2
        y = self.output
        return g * (1 + y * y)


class Asin(Function):
    def forward(self, x):
        return backend.xp_of(x).arcsin(x)

    def backward(self, g, x):  # asin' = 1 / sqrt(1 - x^2)
        return g / sqrt(1 - x * x)


class Acos(Function):
    def forward(self, x):
        return backend.xp_of(x).arccos(x)

    def backward(self, g, x):  # acos' = -1 / sqrt(1 - x^2)
        return -g / sqrt(1 - x * x)


class Atan(Function):
    def forward(self, x):
        return backend.xp_of(x).arctan(x)

    def backward(self, g, x):  # atan' = 1 / (1 + x^2)
        return g / (1 + x * x)


class Sinh(Function):
    def forward(self, x):
        return backend.xp_of(x).sinh(x)

    def backward(self, g, x):  # sinh' = cosh
        return g * cosh(x)


class Cosh(Function):
    def forward(self, x):
        return backend.xp_of(x).cosh(x)

    def backward(self, g, x):  # cosh' = sinh
        return g * sinh(x)


class Exp2(Function):
    saves_output = True

    def forward(self, x):
        return backend.xp_of(x).exp2(x)

    def backward(self, g, x):  # (2^x)' = 2^x ln 2
        return g * self.output * _LN2


class Expm1(Function):
    saves_output = True

    def forward(self, x):
        return backend.xp_of(x).expm1(x)

    def backward(self, g, x):  # (e^x - 1)' = e^x
        return g * (self.output + 1)


class Log2(Function):
    def forward(self, x):
        return backend.xp_of(x).log2(x)

    def backward(self, g, x):  # (log2 x)' = 1 / (x ln 2)
        return g / (x * _LN2)


class Log10(Function):
    def forward(self, x):
        return backend.xp_of(x).log10(x)

    def backward(self, g, x):
        return g / (x * _LN10)


class Log1p(Function):
    def forward(self, x):
        return backend.xp_of(x).log1p(x)

    def backward(self, g, x):  # (ln(1 + x))' = 1 / (1 + x)
        return g / (1 + x)


class Reciprocal(Function):
    saves_output = True

    def forward(self, x):
        return 1 / x

    def backward(self, g, x):  # (1/x)' = -1/x^2
        y = self.output
        return g * -(y * y)


class Rsqrt(Function):
    saves_output = True

    def forward(self, x):
        return 1 / backend.xp_of(x).sqrt(x)

    def backward(self, g, x):  # (x^-1/2)' = -x^-3/2 / 2
        y = self.output
        return g * (y * y * y * -0.5)


class Floor(Function):
    """Rounding down; an integer tensor is already whole (a copy of it is returned)."""

    pick = "floor"

    def forward(self, x):
        if x.dtype.kind != "f":
            return x.copy()
        return getattr(backend.xp_of(x), self.pick)(x)

    def backward(self, g, x):
        return zeros_like(g)


class Ceil(Floor):
    pick = "ceil"


class Trunc(Floor):
    pick = "trunc"


class Round(Floor):
    """Half to even (as PyTorch and numpy); with `decimals`, of x * 10^decimals."""

    def forward(self, x, decimals=0):
        if x.dtype.kind != "f":
            return x.copy()
        if decimals and x.dtype == dtypes.float16:  # x * 10^d rounded once, as PyTorch's
            return backend.xp_of(x).round(x.astype(dtypes.float32), decimals).astype(x.dtype)
        return backend.xp_of(x).round(x, decimals)


class Frac(Function):
    def forward(self, x):
        return x - backend.xp_of(x).trunc(x)

    def backward(self, g, x):  # x - trunc(x): slope 1 between the jumps
        return g


class NanToNum(Function):
    def forward(self, x, nan, posinf, neginf):
        if x.dtype.kind != "f":
            return x.copy()
        return backend.xp_of(x).nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g, x):  # 1 where x is finite, 0 where it was replaced
        return g * isfinite(x)


class ZerosLike(Function):
    """The gradient of a flat function: zeros (not g * 0, which is NaN where g is inf)."""

    def forward(self, g):
        return backend.xp_of(g).zeros_like(g)

    def backward(self, gg, g):
        return zeros_like(gg)


class Classify(Function):
    """isnan, isinf, isfinite: bool results, never recorded. Integers are always finite."""

    differentiable = False

    def forward(self, x, test):
        xp = backend.xp_of(x)
        if x.dtype.kind != "f":
            return xp.full(x.shape, test == "isfinite")
        return getattr(xp, test)(x)


# The functions backward formulas use: on arrays, or on Tensors under create_graph.
def sin(x):
    return Sin.apply(x)


def cos(x):
    return Cos.apply(x)


def sinh(x):
    return Sinh.apply(x)


def cosh(x):
    return Cosh.apply(x)


def isfinite(x):
    return Classify.apply(x, test="isfinite")


def zeros_like(x):
    return ZerosLike.apply(x)
