"""More elementwise functions, composed from minigrad's ops so that their gradients are those
ops' (and so reach any order): `logaddexp`, `hypot`, `logit`, `xlogy`.
"""

from __future__ import annotations

import math

from .. import dtypes
from ..errors import _described, as_number
from ..tensor import Tensor
from .arithmetic import (
    add,
    check_operand,
    div,
    mul,
    python_number,
    require_float,
    require_tensor,
    sub,
)
from .elementwise import abs, clamp, eq, exp, log, maximum, sqrt, where
from .factories import new_full
from .unary import isnan, log1p


def _float_pair(input, other, op: str) -> tuple:
    require_tensor(input, "input", op)
    require_tensor(other, "other", op)
    require_float(input, "input", op)
    require_float(other, "other", op)
    return input, other


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(exp(input) + exp(other)) elementwise, without overflow: max + log1p(exp(-|a - b|)).
    Floating point tensors, broadcast.

    >>> mg.logaddexp(mg.tensor([0.0, 1.0]), mg.tensor([0.0, 2.0]))
    tensor([0.6931, 2.3133])
    """
    a, b = _float_pair(input, other, "logaddexp")
    spread = log1p(exp(-abs(sub(a, b))))
    # Equal operands (infinities among them, where a - b is nan): their mean + log 2, which
    # also splits the gradient evenly, as the derivative there is 1/2 each.
    return where(eq(a, b), add(mul(add(a, b), 0.5), math.log(2.0)), add(maximum(a, b), spread))


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(input**2 + other**2) elementwise: the hypotenuse. Floating point tensors, broadcast.

    >>> mg.hypot(mg.tensor([3.0]), mg.tensor([4.0]))
    tensor([5.])
    """
    a, b = _float_pair(input, other, "hypot")
    return sqrt(add(mul(a, a), mul(b, b)))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(p / (1 - p)) elementwise, the inverse of sigmoid; with `eps`, p is first clamped to
    [eps, 1 - eps] (so 0 and 1 give finite values). An integer input gives the default float.

    >>> mg.logit(mg.tensor([0.5, 0.75]))
    tensor([0.0000, 1.0986])
    """
    require_tensor(input, "input", "logit")
    if not dtypes.is_floating(input.dtype):
        input = input.to(dtypes.get_default_dtype())
    if eps is not None:
        eps = as_number(eps, "eps", "logit")
        input = clamp(input, eps, 1.0 - eps)
    return log(div(input, sub(1.0, input)))


def xlogy(input, other) -> Tensor:
    """input * log(other) elementwise, 0 where input is 0 (unless other is nan), as in
    entropies: 0 log 0 = 0. Either may be a number; the result is floating point.

    >>> mg.xlogy(mg.tensor([0.0, 1.0]), mg.tensor([0.0, 2.0]))
    tensor([0.0000, 0.6931])
    """
    input, other = python_number(input), python_number(other)
    check_operand("xlogy", "input", input)
    check_operand("xlogy", "other", other)
    if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
        raise TypeError(
            f"xlogy: input or other must be a Tensor, got {_described(input)} and "
            f"{_described(other)}"
        )
    dtype = dtypes.result_type(input, other)
    dtype = dtype if dtypes.is_floating(dtype) else dtypes.get_default_dtype()
    ref = input if isinstance(input, Tensor) else other
    x, y = (
        v.to(dtype) if isinstance(v, Tensor) else new_full(ref, (), v, dtype=dtype)
        for v in (input, other)
    )
    zero = eq(x, 0) & ~isnan(y)
    return where(zero, 0.0, mul(x, log(where(zero, 1.0, y))))
