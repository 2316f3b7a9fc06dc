"""Exception types for bad input, and the checks of the arguments most ops share.

A shape that does not fit is a `ShapeError`, a dtype an op cannot take a `DTypeError`, a
value outside what an argument allows an `OptionError`. Each is also a `RuntimeError`, because
that is what PyTorch raises in the same situations, so code that catches PyTorch's errors
catches minigrad's too. A value of the wrong type is a `TypeError`, as in PyTorch.
"""

import operator
from collections.abc import Callable

from .backend import numpy


class ShapeError(ValueError, RuntimeError):
    """Shapes that cannot be matched, broadcast or reshaped as asked."""


class DTypeError(TypeError, RuntimeError):
    """A dtype that an op cannot take."""


class OptionError(ValueError, RuntimeError):
    """A value outside the range its argument allows (label_smoothing=1.5, uniform_ with
    a > b, tensor(2**63) as int64, ...)."""


class IndexRangeError(IndexError, RuntimeError):
    """An index value outside the dim it indexes (index_select, scatter, index_add, ...):
    an IndexError, as Python's own, and a RuntimeError, as PyTorch raises for these."""


# ----- checks of common arguments, shared by every op that takes them -------------------------
# Each names the op and the argument, says what was expected and what was given, and returns
# the value as the Python type the op works with.


def check_bool(value, name: str, op: str) -> bool:
    """A flag: True or False (not 1, not a tensor), as PyTorch's C++ arguments take it."""
    if value is True or value is False:
        return value
    raise TypeError(f"{op}: {name} must be a bool, got {_described(value)}")


def truth(value, name: str, op: str) -> bool:
    """A flag PyTorch reads by its truth value (amsgrad, shuffle, ...): anything but a value
    whose truth is ambiguous (a tensor of several elements)."""
    try:
        return bool(value)
    except (RuntimeError, ValueError):
        raise TypeError(f"{op}: {name} must be a bool, got {_described(value)}") from None


def as_int(value, name: str, op: str) -> int:
    """An int, a numpy integer or a one-element integer tensor (anything with __index__, as
    PyTorch takes them) as a Python int; never a bool or a float."""
    if type(value) is int:
        return value
    is_bool = isinstance(value, (bool, numpy.bool_)) or getattr(value, "dtype", None) == numpy.bool_
    if not is_bool:  # (a bool tensor has __index__ too: True is not a dim or a size either)
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(f"{op}: {name} must be an int, got {_described(value)}")


def as_size(value, name: str, op: str) -> int:
    """A size: an int (see as_int) >= 0."""
    value = as_int(value, name, op)
    if value < 0:
        raise OptionError(f"{op}: {name} must be non-negative, got {value}")
    return value


def as_number(value, name: str, op: str) -> int | float:
    """A real number (a bool, an int, a float, a numpy number or a one-element real tensor)
    as a Python int or float."""
    if type(value) in (int, float):
        return value
    if isinstance(value, (int, float, numpy.bool_, numpy.integer, numpy.floating)):
        return value.item() if isinstance(value, numpy.generic) else value
    dtype = getattr(value, "dtype", None)
    if getattr(dtype, "kind", None) in ("b", "i", "u", "f"):  # a tensor or array of numbers
        count = value.numel() if hasattr(value, "numel") else value.size
        if count == 1:
            return value.item()
    raise TypeError(f"{op}: {name} must be a real number, got {_described(value)}")


def check_range(low, high, names: tuple[str, str], op: str) -> tuple:
    """The bounds of a uniform range [low, high), numbers with low <= high."""
    low, high = as_number(low, names[0], op), as_number(high, names[1], op)
    if not low <= high:
        a, b = names
        raise OptionError(
            f"{op}: expected {a} <= {b} (a range [{a}, {b})), got {a}={low} > {b}={high}"
        )
    return low, high


def check_std(std, op: str) -> int | float:
    """A standard deviation: a number >= 0."""
    std = as_number(std, "std", op)
    if not std >= 0:
        raise OptionError(f"{op}: expected std >= 0, got std={std}")
    return std


def check_callable(value, name: str, op: str) -> Callable:
    if not callable(value):
        raise TypeError(f"{op}: {name} must be callable, got {_described(value)}")
    return value


def _described(value) -> str:
    """A value's type, and the value itself when short (a number, a string) or the dtype and
    shape of an array-like (a Tensor of what?)."""
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and getattr(value, "dtype", None) is not None:
        return f"{kind} of dtype {value.dtype} and shape {shape}"
    if isinstance(value, (int, float, complex, str, bytes)) and len(repr(value)) <= 40:
        return f"{kind} {value!r}"
    return kind
