"""PyTorch's other names for minigrad's functions (`clip` is `clamp`, `negative` is `neg`,
`true_divide` is `div`) and small functions built on the existing ops: `unflatten`,
`positive`, `Tensor.where(condition, y)`, `is_floating_point`, `stride`, `element_size`, and
broadcasting by hand: `broadcast_shapes`, `broadcast_to`, `broadcast_tensors`.
"""

from __future__ import annotations

import math

from .. import dtypes
from ..errors import ShapeError, _described
from ..ops.shape import normalize_dim, shape_arg
from ..size import Size
from ..tensor import Tensor
from .arithmetic import div, neg, require_tensor
from .elementwise import clamp, where
from .inplace_ops import clamp_
from .shape import expand, reshape


def clip(input: Tensor, min=None, max=None) -> Tensor:
    """torch.clip, an alias of clamp: input limited to [min, max] elementwise.

    >>> mg.clip(mg.tensor([-2.0, 0.5, 3.0]), -1, 1)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    return clamp(input, min, max)


def clip_(input: Tensor, min=None, max=None) -> Tensor:
    """Tensor.clip_, an alias of clamp_: input limited to [min, max], in place."""
    return clamp_(input, min, max)


def negative(input: Tensor) -> Tensor:
    """torch.negative, an alias of neg: -input (bool tensors are refused).

    >>> mg.negative(mg.tensor([1.0, -2.0]))
    tensor([-1.,  2.])
    """
    return neg(input)


def positive(input: Tensor) -> Tensor:
    """torch.positive: +input, which is input itself (not a copy); a bool tensor is refused,
    as PyTorch refuses `+` on one.

    >>> x = mg.tensor([1.0, -2.0])
    >>> mg.positive(x) is x
    True
    """
    if input.dtype == dtypes.bool:
        raise RuntimeError("positive: the `+` operator, on a bool tensor is not supported")
    return input


def true_divide(input, other) -> Tensor:
    """torch.true_divide, an alias of div without rounding: input / other, a float result.

    >>> mg.true_divide(mg.tensor([1, 2]), 4)
    tensor([0.2500, 0.5000])
    """
    return div(input, other)


def where_method(input: Tensor, condition, y) -> Tensor:
    """Tensor.where(condition, y): `mg.where(condition, input, y)` (input where condition
    holds, y elsewhere), as torch.Tensor.where."""
    return where(condition, input, y)


def is_floating_point(input: Tensor) -> bool:
    """Whether input's dtype is a floating point one (float16, float32, float64)."""
    require_tensor(input, "input", "is_floating_point")
    return dtypes.is_floating(input.dtype)


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Dim `dim` of input split into dims of `sizes` (a tuple or list of ints; one may be -1,
    inferred), the inverse of flatten: shape (..., prod(sizes), ...) -> (..., *sizes, ...).

    >>> mg.unflatten(mg.zeros(2, 6), 1, (3, -1)).shape
    Size([2, 3, 2])
    """
    axis = normalize_dim(dim, input.ndim, "unflatten")
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(
            f"unflatten: sizes must be a tuple or list of ints, got {_described(sizes)}"
        )
    sizes = shape_arg(tuple(sizes), "unflatten", "sizes")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1 or any(n < -1 for n in sizes):
        raise RuntimeError(
            f"unflatten: sizes {list(sizes)} may hold one -1 (inferred) and otherwise sizes >= 0"
        )
    size = input.shape[axis] if input.ndim else 1
    known = math.prod(n for n in sizes if n != -1)
    if -1 in sizes and known and size % known == 0:
        sizes = tuple(size // known if n == -1 else n for n in sizes)
    if -1 in sizes or math.prod(sizes) != size:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({size}) in the input tensor"
        )
    return reshape(input, input.shape[:axis] + sizes + input.shape[axis + 1 :])


def stride(input: Tensor, dim: int | None = None):  # noqa: ANN201 - a tuple, or an int
    """Tensor.stride: the step in elements between neighbours along each dim (a tuple), or
    along `dim` (an int), as PyTorch counts them (numpy counts bytes).

    >>> mg.zeros(2, 3).stride()
    (3, 1)
    """
    steps = tuple(s // input.array.itemsize for s in input.array.strides)
    if dim is None:
        return steps
    if input.ndim == 0:
        raise IndexError(f"stride: dim {dim} is out of range: this tensor is 0-d (no dims)")
    return steps[normalize_dim(dim, input.ndim, "stride")]


def element_size(input: Tensor) -> int:
    """Tensor.element_size: the size of one element in bytes (4 for float32).

    >>> mg.zeros(2, dtype=mg.float64).element_size()
    8
    """
    return int(input.array.itemsize)


def _check_shape_arg(shape, index: int) -> tuple[int, ...]:
    """One argument of broadcast_shapes: an int or a sequence of ints, as a tuple."""
    shape = (shape,) if not isinstance(shape, (tuple, list)) else tuple(shape)
    if not all(type(n) is int for n in shape):
        bad = next(n for n in shape if type(n) is not int)
        raise TypeError(
            f"broadcast_shapes: shape {index} must be an int or a sequence of ints, got an "
            f"item {_described(bad)}"
        )
    if any(n < 0 for n in shape):
        raise ValueError(
            "broadcast_shapes: Attempting to broadcast a dimension with negative length!"
        )
    return shape


def broadcast_shapes(*shapes):  # noqa: ANN201 - a Size
    """The shape that tensors of `shapes` broadcast to, without making them (a Size).

    >>> mg.broadcast_shapes((2, 1), (3,))
    Size([2, 3])
    """
    result: list[int] = []
    for index, shape in enumerate(shapes):
        shape = _check_shape_arg(shape, index)
        result = [1] * (len(shape) - len(result)) + result
        for i, n in enumerate(shape, len(result) - len(shape)):
            if n != result[i] and 1 not in (n, result[i]):
                raise ShapeError(
                    f"broadcast_shapes: Attempting to broadcast a dimension of length {n} at "
                    f"{i - len(result)}! Mismatching argument at index {index} had {shape}; but "
                    f"expected shape should be broadcastable to {result}"
                )
            result[i] = n if result[i] == 1 else result[i]
    return Size(result)


def broadcast_to(input: Tensor, size) -> Tensor:
    """torch.broadcast_to, which is expand: input seen with shape `size` (-1 keeps a dim).

    >>> mg.broadcast_to(mg.tensor([1.0, 2.0]), (2, 2))
    tensor([[1., 2.],
            [1., 2.]])
    """
    return expand(input, size)


def broadcast_tensors(*tensors) -> tuple:
    """The tensors expanded to their common broadcast shape (views: no copy), as a tuple.

    >>> [t.shape for t in mg.broadcast_tensors(mg.zeros(2, 1), mg.zeros(3))]
    [Size([2, 3]), Size([2, 3])]
    """
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"broadcast_tensors: expected a Tensor as element {i}, got {_described(t)}"
            )
    shapes = [t.shape for t in tensors]
    try:
        shape = broadcast_shapes(*shapes)
    except ShapeError:
        listed = ", ".join(str(tuple(s)) for s in shapes)
        raise ShapeError(
            f"broadcast_tensors: shapes {listed} cannot be broadcast together"
        ) from None
    return tuple(expand(t, shape) for t in tensors)
