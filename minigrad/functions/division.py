"""What users call for more functions of two tensors: floor_divide, remainder, fmod, atan2,
lerp, and the closeness tests isclose, allclose and equal.

floor_divide, remainder and fmod keep integers integers (with PyTorch's signs: remainder
takes the divisor's, as Python's %, fmod the dividend's, as C's) and raise on an integer
division by zero, as PyTorch does; `div(rounding_mode=...)` is in arithmetic.py. The ops are
in minigrad.ops.binary.
"""

from __future__ import annotations

from .. import dtypes
from ..errors import DTypeError, OptionError, as_number, check_bool
from ..ops.binary import Atan2, FloorDivide, Fmod, Isclose, Lerp, Remainder
from ..tensor import Tensor
from .arithmetic import binary, divide, python_number, refused, require_tensor
from .elementwise import cast


def floor_divide(input, other) -> Tensor:
    """input / other rounded down (Python's //), as div(rounding_mode='floor'); gradient 0.

    >>> mg.floor_divide(mg.tensor([7, -7]), 2), mg.tensor([7.5]) // 2
    (tensor([ 3, -4]), tensor([3.]))
    """
    return divide(FloorDivide, input, other, "floor_divide")


def remainder(input, other) -> Tensor:
    """input - floor(input / other) * other: the sign of `other`, as Python's %.

    >>> mg.remainder(mg.tensor([7, -7]), 3), mg.tensor([7, -7]) % -3
    (tensor([1, 2]), tensor([-2, -1]))
    """
    return divide(Remainder, input, other, "remainder")


def fmod(input, other) -> Tensor:
    """input - trunc(input / other) * other: the sign of `input`, as C's fmod.

    >>> mg.fmod(mg.tensor([7, -7]), 3)
    tensor([ 1, -1])
    """
    return divide(Fmod, input, other, "fmod")


def atan2(input, other) -> Tensor:
    """The angle of the point (other, input), in (-pi, pi]; both tensors, broadcast together,
    integers giving the default float."""
    require_tensor(other, "other", "atan2")
    return binary(Atan2, input, other, to_float=True)


def lerp(input, end, weight) -> Tensor:
    """input + weight * (end - input): input and end float tensors of one dtype, weight a
    number or a tensor (of their dtype, or 0-d), all broadcast together; gradients to all.

    >>> mg.lerp(mg.tensor([0.0, 10.0]), mg.tensor([10.0, 20.0]), 0.25)
    tensor([ 2.5000, 12.5000])
    """
    require_tensor(end, "end", "lerp")
    if end.dtype != input.dtype:
        raise DTypeError(f"lerp: expected dtype {input.dtype} for end, got {end.dtype}")
    if isinstance(weight, Tensor):
        if weight.ndim and weight.dtype != input.dtype:
            raise DTypeError(f"lerp: expected dtype {input.dtype} for weight, got {weight.dtype}")
    else:
        weight = as_number(python_number(weight), "weight", "lerp")
    # PyTorch's promotion: a 0-d float tensor weight makes integer input its float dtype (a
    # number weight takes no part).
    dtype = dtypes.result_type(input, end, weight) if isinstance(weight, Tensor) else input.dtype
    if not dtypes.is_floating(dtype):
        raise DTypeError(f"lerp: input and end of dtype {dtype} need a float tensor weight")
    input, end = cast(input, dtype), cast(end, dtype)
    if isinstance(weight, Tensor):
        weight = cast(weight, dtype)
    try:
        return Lerp.apply(input, end, weight)
    except ValueError as error:
        raise refused("lerp", error, input=input, end=end, weight=weight) from None


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan: bool = False) -> Tensor:
    """Elementwise |input - other| <= atol + rtol |other| (a bool tensor); equal infinities
    are close, NaNs only to each other with equal_nan. Both tensors of one dtype, broadcast.

    >>> mg.isclose(mg.tensor([1.0, 1.1, float('nan')]), mg.tensor([1.0 + 1e-6, 1.0, float('nan')]))
    tensor([ True, False, False])
    """
    require_tensor(other, "other", "isclose")
    if input.dtype != other.dtype:
        raise DTypeError(
            f"isclose: input and other must have the same dtype, got {input.dtype} and "
            f"{other.dtype}"
        )
    tolerances = {}
    for name, value in (("rtol", rtol), ("atol", atol)):
        tolerances[name] = as_number(value, name, "isclose")
        if not tolerances[name] >= 0:
            raise OptionError(f"isclose: {name} must be >= 0, got {value}")
    check_bool(equal_nan, "equal_nan", "isclose")
    try:
        return Isclose.apply(input, other, equal_nan=equal_nan, **tolerances)
    except ValueError as error:
        raise refused("isclose", error, input=input, other=other) from None


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan: bool = False) -> bool:
    """Whether isclose holds everywhere (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


def equal(input, other) -> bool:
    """Whether input and other have the same shape and the same values (a Python bool; NaN
    is not equal to itself). The dtypes may differ: values are compared after promotion."""
    require_tensor(other, "other", "equal")
    if input.shape != other.shape:
        return False
    dtype = dtypes.result_type(input, other)
    return bool((cast(input, dtype).array == cast(other, dtype).array).all())
