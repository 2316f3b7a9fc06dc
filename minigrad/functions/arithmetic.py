"""What users call for arithmetic: + - * / neg ** and matmul, with PyTorch's type promotion.

These take Tensors (and numbers), check them, promote them to PyTorch's result dtype, and
apply the op from minigrad.ops.arithmetic. The checks and the promotion that every
elementwise function shares live here too.
"""

from __future__ import annotations

import math

from .. import backend, dtypes
from ..autograd.engine import Function
from ..errors import DTypeError, OptionError, ShapeError, _described
from ..ops import elementwise
from ..ops.arithmetic import Add, Div, Matmul, Mul, Neg, Pow, Sub, _is_number
from ..ops.binary import FloorDivide, TruncDivide
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
        dtype = dtypes.get_default_dtype()
    return tuple(elementwise.cast(x, dtype) if isinstance(x, Tensor) else x for x in operands)


def python_number(x) -> object:
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


def binary(cls: type[Function], a, b, to_float: bool = False, names=("input", "other")) -> Tensor:
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
    """Refuse a non-float tensor (or array) `x`, the argument `name` of `op`."""
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


def add(a, b) -> Tensor:
    return binary(Add, a, b)


def sub(a, b) -> Tensor:
    return binary(Sub, a, b)


def mul(a, b) -> Tensor:
    return binary(Mul, a, b)


def div(a, b, *, rounding_mode=None) -> Tensor:
    """True division (integer inputs give the default float, as in PyTorch); with
    rounding_mode='trunc' or 'floor' the quotient rounded toward zero or down, in the
    operands' promoted dtype (integers stay integers), with gradient 0."""
    if rounding_mode is None:
        return binary(Div, a, b, to_float=True)
    if not isinstance(rounding_mode, str):
        raise TypeError(f"div: rounding_mode must be a str, got {_described(rounding_mode)}")
    if rounding_mode not in _ROUNDED:
        raise OptionError(
            "div: expected rounding_mode to be one of None, 'trunc' or 'floor', but got "
            f"{rounding_mode!r}"
        )
    return divide(_ROUNDED[rounding_mode], a, b, "div")


def divide(cls: type[Function], a, b, op: str, names=("input", "other")) -> Tensor:
    """A division that keeps integers integers (floor_divide, remainder, ...): undefined for
    bools, and for integers a zero divisor raises, as in PyTorch (numpy would give 0)."""
    a, b = python_number(a), python_number(b)
    for name, x in zip(names, (a, b)):
        check_operand(op, name, x)
    dtype = dtypes.result_type(a, b)
    if dtype == dtypes.bool:
        raise DTypeError(f"{op}: {names[0]} and {names[1]} are bools; {op} of bools is undefined")
    if not dtypes.is_floating(dtype) and _has_zero(b) and _size(a) and _size(b):
        raise RuntimeError(
            f"ZeroDivisionError: {op}: integer division by zero ({names[1]} has a 0)"
        )
    return binary(cls, a, b, names=names)


def _size(x) -> int:
    """How many entries x has (a number has one). (A division by a zero that broadcasts
    against nothing divides nothing: no error, as in PyTorch.)"""
    return x.numel() if isinstance(x, Tensor) else getattr(x, "size", 1)


def _has_zero(x) -> bool:
    data = x.array if isinstance(x, Tensor) else x
    return bool((data == 0).any()) if backend.is_array(data) else data == 0


_ROUNDED = {"trunc": TruncDivide, "floor": FloorDivide}


def neg(a) -> Tensor:
    refuse_bool(a, "input", "neg")
    return Neg.apply(a)


def refuse_bool(x, name: str, op: str) -> None:
    """For the ops PyTorch does not define on bools (neg, relu, abs), which numpy
    computes or refuses without saying which operand is the bool. (Invert a mask with ~.)"""
    if x is True or x is False or (isinstance(x, Tensor) and x.dtype == dtypes.bool):
        raise DTypeError(f"{op}: {name} is a bool ({_described(x)}); {op} of bools is undefined")


def pow(a, b) -> Tensor:
    """a ** b; a number exponent of a float16 tensor must fit float16, as in PyTorch."""
    half = isinstance(a, Tensor) and a.dtype == dtypes.float16
    if half and _is_number(b) and math.isfinite(b) and abs(b) > 65504:  # (inf is a float16)
        raise OptionError(f"pow: exponent {b} cannot be converted to float16 without overflow")
    return binary(Pow, a, b, names=("input", "exponent"))


def matmul(input, other) -> Tensor:  # (PyTorch's names: mg.matmul(input=a, other=b))
    """Matrix product: (n,k)@(k,m)->(n,m), (...,n,k)@(...,k,m)->(...,n,m), 1-D as numpy."""
    for name, x in (("input", input), ("other", other)):
        if not isinstance(x, Tensor) and not backend.is_array(x):
            raise TypeError(f"matmul: {name} must be a Tensor, got {type(x).__name__}")
    return Matmul.apply(input, other)
