"""Arithmetic: + - * / neg ** and matmul, with broadcasting and PyTorch's dtype promotion.

Each backward returns the gradient for every input at the *broadcast* shape; the engine sums
it back to each input's own shape. Forward and backward take arrays or Tensors alike.
"""

from __future__ import annotations

import math

from .. import backend, dtypes
from ..autograd.engine import Function
from ..errors import DTypeError, OptionError, ShapeError, _described
from ..tensor import Tensor


def promote(*operands, to_float: bool = False) -> tuple:
    """Cast tensor operands to PyTorch's result dtype; Python scalars stay as they are.

    numpy already treats Python scalars as "weak" (float32 * 2.0 is float32), so only
    tensor-tensor mixes and integer tensors meeting a float need a cast. `to_float` makes an
    integer result the default float (true division).
    """
    if len(operands) == 2 and _already_agree(*operands, to_float):
        return operands  # the common case, decided without computing a result type
    tensors = [x for x in operands if isinstance(x, Tensor)]
    if not tensors:  # raw arrays inside a backward: numpy's rules suffice there
        return operands
    dtype = dtypes.result_type(*operands)
    if to_float and not dtypes.is_floating(dtype):
        dtype = dtypes.DEFAULT_FLOAT
    from .elementwise import cast

    return tuple(cast(x, dtype) if isinstance(x, Tensor) else x for x in operands)


def python_number(x):
    """A numpy scalar (np.float64(2.5), np.int64(2)) as the Python number it holds: PyTorch
    treats numpy scalars like Python numbers, which never widen a tensor's dtype.

    Only for operands of a call on Tensors: between raw arrays inside a backward, numpy
    scalars are what numpy returns for 0-d results, and must keep their dtype.
    """
    return x.item() if isinstance(x, _numpy_scalar) else x


_numpy_scalar = backend.numpy.generic


def _already_agree(a, b, to_float: bool) -> bool:
    """True when numpy computes a op b in PyTorch's result dtype with no cast needed."""
    if isinstance(a, Tensor):
        tensor, other = a, b
    elif isinstance(b, Tensor):
        tensor, other = b, a
    else:
        return True  # arrays and scalars only
    kind = tensor.array.dtype.kind
    if isinstance(other, Tensor):
        return tensor.array.dtype == other.array.dtype and (kind == "f" or not to_float)
    if kind == "f":
        return isinstance(other, (float, int))
    return kind == "i" and type(other) is int and not to_float


def binary(cls: type[Function], a, b, to_float: bool = False, names=("input", "other")):
    """Apply an elementwise binary op, turning numpy's broadcast error into a clear one."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):  # a user's call, not a backward's
        a, b = python_number(a), python_number(b)
        if not _already_agree(a, b, to_float):  # the common case needs no result type
            check_operand(cls.name, names[0], a)
            check_operand(cls.name, names[1], b)
            a, b = promote(a, b, to_float=to_float)
    try:
        return cls.apply(a, b)
    except (ValueError, TypeError, OverflowError) as error:
        raise refused(cls.name, error, **{names[0]: a, names[1]: b}) from None


def require_tensor(x, name: str, op: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {_described(x)}")


def require_float(x, name: str, op: str) -> None:
    if not dtypes.is_floating(x.dtype):
        raise DTypeError(f"{op}: {name} must have a floating point dtype, got {x.dtype}")


def check_operand(op: str, name: str, x) -> None:
    """Refuse an operand that is not a Tensor, an array or a number, naming the argument.

    (Without this, numpy makes a dict or a tuple into an array of objects or of numbers.)
    """
    if isinstance(x, (Tensor, int, float)):  # (a bool is an int)
        return
    if backend.is_array(x) or isinstance(x, _numpy_scalar):
        if x.dtype.kind in "biuf":
            return
        raise TypeError(f"{op}: {name} has dtype {x.dtype}; minigrad has no tensors of it")
    if isinstance(x, complex):
        raise TypeError(f"{op}: {name} is a complex number; minigrad has no complex dtypes")
    raise TypeError(f"{op}: {name} must be a Tensor or a number, got {type(x).__name__}")


def refused(op: str, error: Exception, **operands) -> Exception:
    """The clear error for numpy refusing to compute `op` on `operands` (a broadcast that
    fails, a dtype it has no loop for, a Python int too large for the dtype), naming them."""
    if isinstance(error, (ShapeError, DTypeError, OptionError)):  # already a clear one
        return error
    raise_if_not_broadcastable(op, **operands)
    given = ", ".join(f"{name} {_described(x)}" for name, x in operands.items())
    kind = DTypeError if isinstance(error, TypeError) else OptionError
    return kind(f"{op}: cannot compute it for {given}: {error}")


def raise_if_not_broadcastable(op: str, **operands) -> None:
    """Raise a ShapeError naming the shapes if `operands` do not broadcast together.

    Called after numpy raised a ValueError, to say clearly what its message says cryptically.
    """
    shapes = {name: tuple(getattr(x, "shape", ())) for name, x in operands.items()}
    try:
        backend.numpy.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ShapeError(f"{op}: the shapes of {listed} cannot be broadcast together") from None


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
        return _power(a, b) if _is_number(b) else a**b

    def backward(self, g, a, b):
        from .elementwise import log, where

        constant_base, constant_exponent = _is_number(a), _is_number(b)
        # d(a^b)/da = b a^(b-1); PyTorch defines it as 0 for a constant exponent of 0.
        if constant_exponent:
            if b == 0:
                return g * 0, None
            return g * b * (a ** (b - 1) if isinstance(a, Tensor) else _power(a, b - 1)), None
        # d(a^b)/db = a^b ln a; where a == 0 and b >= 0 the limit is 0, not nan.
        if constant_base:
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


def _power(a, b):
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
        from .shape import reshape, transpose

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


def add(a, b):
    return binary(Add, a, b)


def sub(a, b):
    return binary(Sub, a, b)


def mul(a, b):
    return binary(Mul, a, b)


def div(a, b):
    """True division; integer inputs give the default float, as in PyTorch."""
    return binary(Div, a, b, to_float=True)


def neg(a):
    refuse_bool(a, "input", "neg")
    return Neg.apply(a)


def refuse_bool(x, name: str, op: str) -> None:
    """For the ops PyTorch does not define on bools (neg, relu, abs), which numpy
    computes or refuses without saying which operand is the bool. (Invert a mask with ~.)"""
    if x is True or x is False or (isinstance(x, Tensor) and x.dtype == dtypes.bool):
        raise DTypeError(f"{op}: {name} is a bool ({_described(x)}); {op} of bools is undefined")


def pow(a, b):  # noqa: A001 - PyTorch's name
    """a ** b; a number exponent of a float16 tensor must fit float16, as in PyTorch."""
    half = isinstance(a, Tensor) and a.dtype == dtypes.float16
    if half and _is_number(b) and math.isfinite(b) and abs(b) > 65504:  # (inf is a float16)
        raise OptionError(f"pow: exponent {b} cannot be converted to float16 without overflow")
    return binary(Pow, a, b, names=("input", "exponent"))


def matmul(a, b):
    """Matrix product: (n,k)@(k,m)->(n,m), (...,n,k)@(...,k,m)->(...,n,m), 1-D as numpy."""
    for name, x in (("input", a), ("other", b)):
        if not isinstance(x, Tensor) and not backend.is_array(x):
            raise TypeError(f"matmul: {name} must be a Tensor, got {type(x).__name__}")
    return Matmul.apply(a, b)
