"""Elementwise functions, comparisons, `where`, dtype casts and device moves.

Inputs are arrays, or Tensors when a backward is recorded (create_graph); integer inputs of
functions of floats, dtype promotion and the argument checks are minigrad.functions' job.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..autograd.engine import Function


class Exp(Function):
    saves_output = True

    def forward(self, x):
        return backend.xp_of(x).exp(x)

    def backward(self, g, x):  # (e^x)' = e^x
        return g * self.output


class Log(Function):
    def forward(self, x):
        return backend.xp_of(x).log(x)

    def backward(self, g, x):  # (ln x)' = 1/x
        return g / x


class Sqrt(Function):
    saves_output = True

    def forward(self, x):
        return backend.xp_of(x).sqrt(x)

    def backward(self, g, x):  # (sqrt x)' = 1 / (2 sqrt x)
        return g / (self.output * 2)


class Tanh(Function):
    saves_output = True

    def forward(self, x):
        return backend.xp_of(x).tanh(x)

    def backward(self, g, x):  # tanh' = 1 - tanh^2
        y = self.output
        return g * (1 - y * y)


class Sigmoid(Function):
    saves_output = True

    def forward(self, x):
        xp = backend.xp_of(x)
        # exp(-|x|) never overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) for x < 0.
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, g, x):  # sigma' = sigma (1 - sigma)
        y = self.output
        return g * y * (1 - y)


class Relu(Function):
    def forward(self, x):
        return backend.xp_of(x).maximum(x, 0)

    def backward(self, g, x):  # 1 where x > 0, else 0 (PyTorch's choice at 0)
        return g * (x > 0)


class Abs(Function):
    def forward(self, x):
        return backend.xp_of(x).abs(x)

    def backward(self, g, x):  # sign(x), 0 at 0
        return g * sign(x)


class Maximum(Function):
    def forward(self, a, b):
        return backend.xp_of(a, b).maximum(a, b)

    def backward(self, g, a, b):  # ties share the gradient equally, as in PyTorch
        half = g / 2
        return where(a == b, half, where(a > b, g, 0)), where(a == b, half, where(a < b, g, 0))


class Minimum(Function):
    def forward(self, a, b):
        return backend.xp_of(a, b).minimum(a, b)

    def backward(self, g, a, b):
        half = g / 2
        return where(a == b, half, where(a < b, g, 0)), where(a == b, half, where(a > b, g, 0))


class Clamp(Function):
    """min(max(x, lo), hi): where lo > hi the result is hi, as in PyTorch (and numpy's clip)."""

    def forward(self, x, lo, hi):
        return backend.xp_of(x, lo, hi).clip(x, lo, hi)

    def backward(self, g, x, lo, hi):
        # PyTorch's subgradients. x: 1 inside [lo, hi], bounds included. A tensor lo gets the
        # gradient where it is the result (x < lo, and lo < hi); a tensor hi where it is the
        # result (x > hi, or hi < lo).
        inside = True
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            inside = (x <= hi) & inside
        grad_lo = grad_hi = None
        _, lo_needs, hi_needs = self.needs_input_grad
        if lo_needs:
            below = x < lo if hi is None else (x < lo) & (lo < hi)
            grad_lo = g * below
        if hi_needs:
            above = x > hi if lo is None else (x > hi) | (hi < lo)
            grad_hi = g * above
        return g * inside, grad_lo, grad_hi


class Where(Function):
    def forward(self, condition, a, b):
        return backend.xp_of(condition, a, b).where(condition, a, b)

    def backward(self, g, condition, a, b):
        return None, where(condition, g, 0), where(condition, 0, g)


class Cast(Function):
    """A float dtype to another (the gradient is cast back); see Convert for the others."""

    def forward(self, x, dtype):
        self.source = x.dtype
        return x.astype(dtype, copy=False)

    def backward(self, g, x):
        return cast(g, self.source)


class Convert(Cast):
    """A cast to or from a non-float dtype: not differentiable, as in PyTorch."""

    differentiable = False


class ToDevice(Function):
    def forward(self, x, device):
        self.source = backend.device_of(x)
        return backend.move(x, device)

    def backward(self, g, x):
        return to_device(g, self.source)


class Sign(Function):
    differentiable = False

    def forward(self, x):
        xp = backend.xp_of(x)
        if x.dtype.kind == "b":  # the sign of a bool is itself, as in PyTorch (numpy has none)
            return x.copy()
        if x.dtype.kind != "f":
            return xp.sign(x)
        return xp.where(xp.isnan(x), 0, xp.sign(x))  # PyTorch: sign(nan) is 0, numpy's nan


class Compare(Function):
    """a < b and friends: bool results, never recorded."""

    differentiable = False

    def forward(self, a, b, op):
        return op(a, b)


class Invert(Function):
    """~x: logical not of bools, bitwise not of integers; never recorded."""

    differentiable = False

    def forward(self, x):
        return backend.xp_of(x).invert(x)


# The functions backward formulas use: on arrays, or on Tensors under create_graph.
def exp(x):
    return Exp.apply(x)


def log(x):
    return Log.apply(x)


def sqrt(x):
    return Sqrt.apply(x)


def tanh(x):
    return Tanh.apply(x)


def sigmoid(x):
    return Sigmoid.apply(x)


def relu(x):
    return Relu.apply(x)


def abs(x):  # (shadows the builtin: PyTorch's name)
    return Abs.apply(x)


def maximum(a, b):
    return Maximum.apply(a, b)


def minimum(a, b):
    return Minimum.apply(a, b)


def sign(x):
    return Sign.apply(x)


def where(condition, a, b):
    """Elementwise `a if condition else b`."""
    return Where.apply(condition, a, b)


def cast(x, dtype):
    """x as `dtype` (a numpy dtype); only float-to-float casts carry gradients."""
    if x.dtype == dtype:
        return x
    if dtypes.is_floating(dtype) and dtypes.is_floating(x.dtype):
        return Cast.apply(x, dtype=dtype)
    return Convert.apply(x, dtype=dtype)


def to_device(x, device):
    """x moved to `device` (a backend.Device)."""
    return ToDevice.apply(x, device=device)
