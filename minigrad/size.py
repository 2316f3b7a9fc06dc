"""`Size`: what `t.shape` and `t.size()` return, PyTorch's torch.Size.

A tuple of ints (it compares equal to a plain tuple, hashes like one, and numpy takes it as a
shape) that prints as `Size([2, 3])` (repr and str; in an f-string it reads `(2, 3)`) and
knows its `numel()`. Slicing it, adding a tuple to it or repeating it gives a Size again, as
in PyTorch.
"""

from __future__ import annotations

import math
import operator

from .errors import _described


class Size(tuple):
    """A shape: `Size([2, 3])`; `Size()` is the shape of a 0-d tensor.

    >>> s = mg.zeros(2, 3).shape
    >>> s, s == (2, 3), s[0], s.numel()
    (Size([2, 3]), True, 2, 6)
    """

    __slots__ = ()

    def __new__(cls, sizes=()) -> Size:
        try:
            items = tuple(sizes)
        except TypeError:
            raise TypeError(
                f"Size: sizes must be an iterable of ints, got {_described(sizes)}"
            ) from None
        return super().__new__(
            cls, (n if type(n) is int else _index(n, i) for i, n in enumerate(items))
        )

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds (1 for `Size([])`)."""
        return math.prod(self)

    def __repr__(self) -> str:
        return f"Size({list(self)})"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        """In f-strings a Size reads as the tuple it is, `(2, 3)`: minigrad's messages put
        shapes in f-strings so. (PyTorch's f"{t.shape}" is torch.Size([2, 3]).)"""
        return format(tuple(self), format_spec)

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        result = tuple.__add__(self, other)
        return result if result is NotImplemented else Size(result)

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(other + tuple(self))

    def __mul__(self, count):
        result = tuple.__mul__(self, count)
        return result if result is NotImplemented else Size(result)

    __rmul__ = __mul__

    def __reduce__(self):  # pickle and copy: Size((2, 3)), not a plain tuple
        return (Size, (tuple(self),))


def _index(n, i: int) -> int:
    """Item i of a Size as an int: anything with __index__ (numpy ints, one-element integer
    tensors; negative sizes too), as PyTorch takes them."""
    try:
        return operator.index(n)
    except TypeError:
        raise TypeError(f"Size: sizes must be ints, but item {i} is {_described(n)}") from None
