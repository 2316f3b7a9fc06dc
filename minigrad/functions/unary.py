"""What users call for more functions of one tensor: trigonometry, exponentials and logarithms,
erf, reciprocals, rounding, and the tests for NaN and infinity.

PyTorch's dtype rules: functions of floats (sin, exp2, erf, rsqrt, reciprocal, ...) give the
default float for integer and bool input; rounding returns an integer tensor unchanged (as a
copy) and refuses bools; `square` keeps integers (int64 for bools); isnan/isinf/isfinite give
bools. The ops are in minigrad.ops.unary and minigrad.ops.special.
"""

from __future__ import annotations

from .. import dtypes
from ..errors import DTypeError, as_int, as_number
from ..ops import unary as ops
from ..ops.special import Erf, Erfc
from ..tensor import Tensor
from .arithmetic import pow
from .elementwise import _float_input, cast


def _of_floats(fn):
    """A function of floats (integer input becomes the default float), named as its op."""
    name = fn.name

    def function(input) -> Tensor:
        return fn.apply(_float_input(input))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name}; integer and bool input give the default float."
    return function


sin, cos, tan = _of_floats(ops.Sin), _of_floats(ops.Cos), _of_floats(ops.Tan)
asin, acos, atan = _of_floats(ops.Asin), _of_floats(ops.Acos), _of_floats(ops.Atan)
sinh, cosh = _of_floats(ops.Sinh), _of_floats(ops.Cosh)
exp2, expm1 = _of_floats(ops.Exp2), _of_floats(ops.Expm1)
log2, log10, log1p = _of_floats(ops.Log2), _of_floats(ops.Log10), _of_floats(ops.Log1p)
reciprocal, rsqrt = _of_floats(ops.Reciprocal), _of_floats(ops.Rsqrt)
erf, erfc = _of_floats(Erf), _of_floats(Erfc)


def square(input) -> Tensor:
    """input * input, as pow(input, 2): integers stay integers, bools give int64."""
    if input.dtype == dtypes.bool:
        input = cast(input, dtypes.int64)
    return pow(input, 2)


def _refuse_bool(x, op: str) -> None:
    if x.dtype == dtypes.bool:
        raise DTypeError(f"{op}: input has dtype bool, which {op} is not implemented for")


def floor(input) -> Tensor:
    """Round down elementwise; an integer tensor is returned unchanged. Gradient 0."""
    _refuse_bool(input, "floor")
    return ops.Floor.apply(input)


def ceil(input) -> Tensor:
    """Round up elementwise; an integer tensor is returned unchanged. Gradient 0."""
    _refuse_bool(input, "ceil")
    return ops.Ceil.apply(input)


def trunc(input) -> Tensor:
    """Round toward zero elementwise; an integer tensor is returned unchanged. Gradient 0."""
    _refuse_bool(input, "trunc")
    return ops.Trunc.apply(input)


def round(input, *, decimals: int = 0) -> Tensor:
    """Round half to even, to `decimals` decimal places (negative: to tens, hundreds, ...).

    >>> mg.round(mg.tensor([0.5, 1.5, 2.675]), decimals=0), mg.tensor([1234.5]).round(decimals=-2)
    (tensor([0., 2., 3.]), tensor([1200.]))
    """
    _refuse_bool(input, "round")
    decimals = as_int(decimals, "decimals", "round")
    if decimals and not dtypes.is_floating(input.dtype):
        raise DTypeError(f"round: decimals={decimals} is not implemented for {input.dtype} input")
    return ops.Round.apply(input, decimals=decimals)


def frac(input) -> Tensor:
    """input - trunc(input), keeping the sign: frac(-1.5) is -0.5. Floating point only."""
    if not dtypes.is_floating(input.dtype):
        raise DTypeError(f"frac: input must have a floating point dtype, got {input.dtype}")
    return ops.Frac.apply(input)


def _replacement(value, name: str):
    """A replacement value of nan_to_num: None (the dtype's default) or a real number."""
    return None if value is None else as_number(value, name, "nan_to_num")


def nan_to_num(input, nan=0.0, posinf=None, neginf=None) -> Tensor:
    """NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf`; by default (None) NaN by 0
    and the infinities by the dtype's largest and smallest finite values. Integer input is
    returned unchanged.
    The gradient passes where input was finite, 0 where it was replaced.

    >>> mg.tensor([float('nan'), float('inf'), -1.0]).nan_to_num(posinf=9.0)
    tensor([ 0.,  9., -1.])
    """
    return ops.NanToNum.apply(
        input,
        nan=_replacement(nan, "nan") or 0.0,
        posinf=_replacement(posinf, "posinf"),
        neginf=_replacement(neginf, "neginf"),
    )


def isnan(input) -> Tensor:
    """Elementwise: is input NaN? (a bool tensor; never for integers)"""
    return ops.Classify.apply(input, test="isnan")


def isinf(input) -> Tensor:
    """Elementwise: is input +inf or -inf? (a bool tensor)"""
    return ops.Classify.apply(input, test="isinf")


def isfinite(input) -> Tensor:
    """Elementwise: is input neither NaN nor infinite? (a bool tensor; always for integers)"""
    return ops.Classify.apply(input, test="isfinite")
