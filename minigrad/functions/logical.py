"""Truth-value and bitwise functions: `logical_and/or/xor/not` (any dtype, read as nonzero,
giving bool) and `bitwise_and/or/xor` (integer and bool tensors only, as `&`, `|`, `^`).
None of them is differentiable: their results are bools or integers.
"""

from __future__ import annotations

import operator

from .. import dtypes
from ..errors import DTypeError, ShapeError, _described
from ..tensor import Tensor
from .aliases import broadcast_shapes
from .arithmetic import python_number, require_tensor
from .elementwise import bitwise_not, compare, ne


def _truth(input: Tensor) -> Tensor:
    return input if input.dtype == dtypes.bool else ne(input, 0)


def _logical(op, name: str):
    def logical(input: Tensor, other: Tensor) -> Tensor:
        require_tensor(input, "input", name)
        require_tensor(other, "other", name)
        try:
            broadcast_shapes(input.shape, other.shape)
        except ShapeError:
            raise ShapeError(
                f"{name}: input of shape {input.shape} and other of shape {other.shape} do not "
                "broadcast"
            ) from None
        return compare(op, _truth(input), _truth(other))

    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = f"""Elementwise {name.removeprefix("logical_")} of input and other read as
    truth values (nonzero is True): a bool tensor of their broadcast shape.

    >>> mg.{name}(mg.tensor([1, 0, 2]), mg.tensor([True, True, False]))
    {_EXAMPLES[name]}
    """
    return logical


_EXAMPLES = {
    "logical_and": "tensor([ True, False, False])",
    "logical_or": "tensor([True, True, True])",
    "logical_xor": "tensor([False,  True,  True])",
}
logical_and = _logical(operator.and_, "logical_and")
logical_or = _logical(operator.or_, "logical_or")
logical_xor = _logical(operator.xor, "logical_xor")


def logical_not(input: Tensor) -> Tensor:
    """Elementwise not of input read as truth values: True where input is zero.

    >>> mg.logical_not(mg.tensor([0.0, 1.5]))
    tensor([ True, False])
    """
    require_tensor(input, "input", "logical_not")
    return bitwise_not(_truth(input))


def _check_integral(x, name: str, op: str) -> None:
    kind = x.dtype.kind if isinstance(x, Tensor) else "b" if isinstance(x, bool) else None
    if kind is None and isinstance(x, int):
        kind = "i"
    if kind not in ("b", "i", "u"):
        got = x.dtype if isinstance(x, Tensor) else _described(x)
        raise DTypeError(f"{op}: {name} must be an integer or bool tensor or number, got {got}")


def _bitwise(op, name: str, symbol: str):
    def bitwise(input, other) -> Tensor:
        input, other = python_number(input), python_number(other)
        if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
            raise TypeError(
                f"{name}: input or other must be a Tensor, got {_described(input)} and "
                f"{_described(other)}"
            )
        _check_integral(input, "input", name)
        _check_integral(other, "other", name)
        return compare(op, input, other)

    bitwise.__name__ = bitwise.__qualname__ = name
    bitwise.__doc__ = f"""Elementwise input {symbol} other of integer or bool tensors (or
    numbers); bools give bools, as logical operations."""
    return bitwise


bitwise_and = _bitwise(operator.and_, "bitwise_and", "&")
bitwise_or = _bitwise(operator.or_, "bitwise_or", "|")
bitwise_xor = _bitwise(operator.xor, "bitwise_xor", "^")
