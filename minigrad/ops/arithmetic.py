"""Arithmetic: + - * / neg ** and matmul.

Each backward returns the gradient of every input at the *broadcast* shape; the engine sums it
back to each input's own shape and casts it to its dtype. Inputs are arrays, or Tensors when
a backward is recorded (create_graph); PyTorch's dtype promotion and the argument checks
happen before, in minigrad.functions.
"""

from __future__ import annotations

import math

from .. import backend, dtypes
from ..autograd.engine import Function
from ..errors import DTypeError, ShapeError
from .elementwise import log, where
from .shape import reshape, transpose


class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, g, a, b):
        return g, g


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, g, a, b):
        return g, -g


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, g, a, b):  # d(ab)/da = b, d(ab)/db = a
        return g * b, g * a


class Div(Function):
    def forward(self, a, b):
        return a / b

    def backward(self, g, a, b):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        g_over_b = g / b
        return g_over_b, -g_over_b * a / b


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, g, a):
        return -g


class Pow(Function):
    saves_output = True

    def forward(self, a, b):
        return power(a, b) if _is_number(b) else a**b

    def backward(self, g, a, b):
        # d(a^b)/da = b a^(b-1); PyTorch defines it as 0 for a constant exponent of 0.
        if _is_number(b):
            return (g * 0 if b == 0 else g * b * Pow.apply(a, b - 1)), None
        # d(a^b)/db = a^b ln a; where a == 0 and b >= 0 the limit is 0, not nan.
        if _is_number(a):
            if a == 0:  # 0 where b >= 0 (where 0 * -inf, masked, would warn); else -inf
                with backend.numpy.errstate(invalid="ignore"):
                    return None, g * where(b >= 0, 0.0, self.output * -math.inf)
            return None, g * self.output * (math.log(a) if a > 0 else math.nan)
        zero_base = (a == 0) & (b >= 0)
        grad_b = g * where(zero_base, 0.0, self.output * log(where(zero_base, 1.0, a)))
        # b a^(b-1) is 0 * inf at a = 0, b = 0: PyTorch defines it as 0 wherever b == 0.
        grad_a = g * where(b == 0, 0.0, b * a ** where(b == 0, 1.0, b - 1))
        return grad_a, grad_b


def _is_number(x) -> bool:
    return isinstance(x, (int, float))


# The largest integers float16 and float32 hold exactly; float64 holds any exponent we meet.
_EXACT_UP_TO = {dtypes.float16: 2**11, dtypes.float32: 2**24}


def power(a, b):
    """Array a to the power of the Python number b, with an integer b kept exact.

    numpy first rounds b to a's dtype, which can make an odd exponent even (2**24 + 1 is
    2**24 in float32) and so flip the sign of the result, and of its gradient, at a < 0.
    Such exponents are applied in float64.
    """
    limit = _EXACT_UP_TO.get(a.dtype)
    if limit is None or -limit <= b <= limit or not float(b).is_integer():
        return a**b
    return (a.astype(dtypes.float64) ** b).astype(a.dtype)


class Matmul(Function):
    """Matrix product with numpy/PyTorch semantics: 1-D operands and broadcast batch dims."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"matmul: both arguments need at least 1 dimension, got input of shape "
                f"{a.shape} and other of shape {b.shape}"
            )
        if a.dtype != b.dtype:
            raise DTypeError(
                f"matmul: expected input and other to have the same dtype, got {a.dtype} "
                f"and {b.dtype}"
            )
        k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if a.shape[-1] != k_b:
            raise ShapeError(
                f"matmul: input of shape {a.shape} and other of shape {b.shape} cannot be "
                f"multiplied ({a.shape[-1]} != {k_b})"
            )
        return a @ b

    def backward(self, g, a, b):
        # Treat 1-D operands as matrices (a row, b a column), as the forward did.
        a2 = reshape(a, (1, a.shape[0])) if a.ndim == 1 else a
        b2 = reshape(b, (b.shape[0], 1)) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = reshape(g2, g2.shape[:-1] + (1,) + g2.shape[-1:])
        if b.ndim == 1:
            g2 = reshape(g2, g2.shape + (1,))
        grad_a = g2 @ transpose(b2, -1, -2)  # dL/dA = G B^T
        grad_b = transpose(a2, -1, -2) @ g2  # dL/dB = A^T G
        if a.ndim == 1:
            grad_a = reshape(grad_a, grad_a.shape[:-2] + grad_a.shape[-1:])
        if b.ndim == 1:
            grad_b = reshape(grad_b, grad_b.shape[:-1])
        return grad_a, grad_b  # batch dims that were broadcast are summed by the engine
