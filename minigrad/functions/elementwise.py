"""What users call for elementwise functions, comparisons, `where`, casts and device moves.

Functions of floats (exp, log, ...) give the default float for integer input, as PyTorch
does; two operands are promoted to PyTorch's result dtype. The ops are in
minigrad.ops.elementwise.
"""

from __future__ import annotations

import operator

from .. import backend, dtypes
from ..errors import DTypeError, ShapeError
from ..ops import elementwise as ops
from ..ops.elementwise import (
    Abs,
    Clamp,
    Compare,
    Exp,
    Invert,
    Log,
    Maximum,
    Minimum,
    Relu,
    Sigmoid,
    Sign,
    Sqrt,
    Tanh,
    Where,
)
from ..tensor import Tensor
from .arithmetic import binary, check_operand, promote, python_number, refuse_bool, refused


def _float_input(x):
    """Integer and bool tensors become the default float before a function of floats."""
    if isinstance(x, Tensor) and not dtypes.is_floating(x.dtype):
        return cast(x, dtypes.get_default_dtype())
    return x


def exp(x) -> Tensor:
    return Exp.apply(_float_input(x))


def log(x) -> Tensor:
    return Log.apply(_float_input(x))


def sqrt(x) -> Tensor:
    return Sqrt.apply(_float_input(x))


def tanh(x) -> Tensor:
    return Tanh.apply(_float_input(x))


def sigmoid(x) -> Tensor:
    return Sigmoid.apply(_float_input(x))


def relu(x) -> Tensor:
    refuse_bool(x, "input", "relu")
    return Relu.apply(x)


def abs(x) -> Tensor:
    refuse_bool(x, "input", "abs")
    return Abs.apply(x)


def sign(x) -> Tensor:
    return Sign.apply(x)


def maximum(a, b) -> Tensor:
    return binary(Maximum, a, b)


def minimum(a, b) -> Tensor:
    return binary(Minimum, a, b)


def clamp(x, min=None, max=None) -> Tensor:
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
    if (
        isinstance(x, Tensor)
        and not dtypes.is_floating(x.dtype)
        and (isinstance(min, float) or isinstance(max, float))
    ):
        x = cast(x, dtypes.get_default_dtype())
    return Clamp.apply(x, min, max)


def where(condition, a, b) -> Tensor:
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


def cast(x, dtype) -> Tensor:
    """x converted to `dtype`. Only float-to-float casts carry gradients (as in PyTorch)."""
    return ops.cast(x, dtypes.as_dtype(dtype))


def to_device(x, device) -> Tensor:
    device = backend.as_device(device)
    return x if x.device == device else ops.to_device(x, device)


def compare(op, a, b) -> Tensor:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a, b = python_number(a), python_number(b)
        check_operand(op.__name__, "input", a)
        check_operand(op.__name__, "other", b)
        a, b = promote(a, b)
    try:
        return Compare.apply(a, b, op=op)
    except (ValueError, TypeError, OverflowError) as error:  # (& of floats: numpy's TypeError)
        raise refused(op.__name__, error, input=a, other=b) from None


def _comparison(op, name: str):
    def compare_with(input, other) -> Tensor:
        return compare(op, input, other)

    compare_with.__name__ = compare_with.__qualname__ = name
    compare_with.__doc__ = (
        f"Elementwise input {_SYMBOLS[name]} other: a bool tensor (torch.{name})."
    )
    return compare_with


_SYMBOLS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
eq, ne = _comparison(operator.eq, "eq"), _comparison(operator.ne, "ne")
lt, le = _comparison(operator.lt, "lt"), _comparison(operator.le, "le")
gt, ge = _comparison(operator.gt, "gt"), _comparison(operator.ge, "ge")


def bitwise_not(input) -> Tensor:
    """~input: logical not of a bool tensor, bitwise not of an integer one (not recorded)."""
    if input.dtype.kind not in "biu":
        raise DTypeError(f"bitwise_not: input must be a bool or integer tensor, got {input.dtype}")
    return Invert.apply(input)
