"""Exception types for bad input.

A shape that does not fit is a `ShapeError`, a dtype an op cannot take a `DTypeError`, a
value outside what an argument allows an `OptionError`. Each is also a `RuntimeError`, because
that is what PyTorch raises in the same situations, so code that catches PyTorch's errors
catches minigrad's too.
"""


class ShapeError(ValueError, RuntimeError):
    """Shapes that cannot be matched, broadcast or reshaped as asked."""


class DTypeError(TypeError, RuntimeError):
    """A dtype that an op cannot take."""


class OptionError(ValueError, RuntimeError):
    """A value outside the range its argument allows (label_smoothing=1.5, uniform_ with
    a > b, tensor(2**63) as int64, ...)."""
