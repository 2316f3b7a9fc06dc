"""Elementwise functions, comparisons, `where`, dtype casts and device moves.

Functions of floats (exp, log, ...) give the default float for integer input, as PyTorch does.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..autograd.engine import Function
from ..errors import DTypeError, ShapeError
from ..tensor import Tensor
from .arithmetic import binary, check_operand, promote, python_number, refuse_bool, refused


def _float_input(x):
    """Integer and bool tensors become the default float before a function of floats."""
    if isinstance(x, Tensor) and not dtypes.is_floating(x.dtype):
        return cast(x, dtypes.DEFAULT_FLOAT)
    return x


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
        _, lo_needs, hi_needs = (isinstance(a, Tensor) and a.requires_grad for a in self.inputs)
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
    def forward(self, x, dtype):
        self.source = x.dtype
        return x.astype(dtype, copy=False)

    def backward(self, g, x):
        return cast(g, self.source)


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


def exp(x):
    return Exp.apply(_float_input(x))


def log(x):
    return Log.apply(_float_input(x))


def sqrt(x):
    return Sqrt.apply(_float_input(x))


def tanh(x):
    return Tanh.apply(_float_input(x))


def sigmoid(x):
    return Sigmoid.apply(_float_input(x))


def relu(x):
    refuse_bool(x, "input", "relu")
    return Relu.apply(x)


def abs(x):  # noqa: A001 - PyTorch's name
    refuse_bool(x, "input", "abs")
    return Abs.apply(x)


def sign(x):
    return Sign.apply(x)


def maximum(a, b):
    return binary(Maximum, a, b)


def minimum(a, b):
    return binary(Minimum, a, b)


def clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's names
    """Limit x to [min, max] elementwise; where min > max the result is max.

    min and max are both Python numbers, or both tensors that broadcast against x (with
    gradients, as in PyTorch); either may be None, not both. Tensor bounds take part in
    dtype promotion; a float number bound makes an integer x the default float.
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    min, max = python_number(min), python_number(max)  # (np.float64(0.5) must not widen x)
    numbers = [b for b in (min, max) if isinstance(b, (int, float)) and not isinstance(b, bool)]
    tensors = [b for b in (min, max) if isinstance(b, Tensor)]
    given = [b for b in (min, max) if b is not None]
    if len(numbers) != len(given) and len(tensors) != len(given):
        kinds = ", ".join(f"{n}={type(b).__name__}" for n, b in (("min", min), ("max", max)))
        raise TypeError(
            f"clamp: min and max must both be numbers or both be tensors (or None), got {kinds}"
        )
    if tensors:
        x, *bounds = promote(x, *given)
        promoted = iter(bounds)
        min = next(promoted) if min is not None else None
        max = next(promoted) if max is not None else None
        try:
            return Clamp.apply(x, min, max)
        except ValueError:  # numpy's broadcast error, said clearly
            shapes = [tuple(t.shape) for t in (x, min, max) if t is not None]
            raise ShapeError(
                f"clamp: the shapes of input and bounds {shapes} cannot be broadcast together"
            ) from None
    if isinstance(x, Tensor) and not dtypes.is_floating(x.dtype) and (
        isinstance(min, float) or isinstance(max, float)
    ):
        x = cast(x, dtypes.DEFAULT_FLOAT)
    return Clamp.apply(x, min, max)


def where(condition, a, b):
    """Elementwise `a if condition else b`; condition is a bool tensor, a and b broadcast."""
    if isinstance(condition, Tensor):  # a user's call (backward formulas pass arrays)
        if condition.dtype != dtypes.bool:
            raise DTypeError(f"where: condition must be a bool tensor, got dtype {condition.dtype}")
        a, b = python_number(a), python_number(b)
        check_operand("where", "input", a)
        check_operand("where", "other", b)
    try:
        if isinstance(condition, Tensor) and not any(
            isinstance(v, Tensor) or backend.is_array(v) for v in (a, b)
        ):  # two numbers: a result of PyTorch's default dtype, not numpy's float64
            dtype, xp = dtypes.result_type(a, b), backend.xp_of(condition.array)
            a, b = xp.asarray(a, dtype=dtype), xp.asarray(b, dtype=dtype)
        a, b = promote(a, b)
        return Where.apply(condition, a, b)
    except (ValueError, TypeError, OverflowError) as error:  # (2**70 as an int64)
        raise refused("where", error, condition=condition, input=a, other=b) from None


def cast(x, dtype):
    """x converted to `dtype`. Only float-to-float casts carry gradients (as in PyTorch)."""
    dtype = dtypes.as_dtype(dtype)
    if x.dtype == dtype:
        return x
    if isinstance(x, Tensor) and not dtypes.is_floating(dtype):
        return Tensor._make(x.array.astype(dtype), False)
    return Cast.apply(x, dtype=dtype)


def to_device(x, device):
    device = backend.as_device(device)
    if backend.device_of(x.array if isinstance(x, Tensor) else x) == device:
        return x
    return ToDevice.apply(x, device=device)


def compare(op, a, b):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a, b = python_number(a), python_number(b)
        check_operand(op.__name__, "input", a)
        check_operand(op.__name__, "other", b)
        a, b = promote(a, b)
    try:
        return Compare.apply(a, b, op=op)
    except (ValueError, TypeError, OverflowError) as error:  # (& of floats: numpy's TypeError)
        raise refused(op.__name__, error, input=a, other=b) from None
