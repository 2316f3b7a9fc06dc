"""What users call to copy a tensor or take parts of its matrices: clone, contiguous, tril,
triu, diag, diagonal, diag_embed; and the `*_as` methods and `type`, which take another
tensor's shape or dtype.

The ops are in minigrad.ops.movement.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..errors import OptionError, ShapeError, _described, as_int
from ..ops.movement import Clone, DiagEmbed, Diagonal, Tril, Triu
from ..ops.shape import normalize_dim, shape_arg
from ..tensor import Tensor
from .arithmetic import require_tensor
from .elementwise import cast, to_device
from .shape import expand, permute, reshape, sum_to, transpose


def clone(input) -> Tensor:
    """A copy of input with its own memory, in input's layout; gradients pass through."""
    return Clone.apply(input, order="K")


def contiguous(input) -> Tensor:
    """input itself when its memory is C-contiguous (row-major, no gaps), else such a copy.

    (numpy's C-contiguity is PyTorch's contiguity: a transpose is not, a slice of rows is.)
    """
    return input if input.array.flags.c_contiguous else Clone.apply(input, order="C")


def is_contiguous(input) -> bool:
    """Whether input's memory is C-contiguous (see contiguous)."""
    return bool(input.array.flags.c_contiguous)


def _matrices(input, diagonal, op: str) -> int:
    """`diagonal` checked, and limited to the matrices' size (past it, every diagonal leaves
    the same triangle): the k numpy gets must fit a C long."""
    if input.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dims, got shape {input.shape}")
    k = as_int(diagonal, "diagonal", op)
    return max(-input.shape[-2] - 1, min(k, input.shape[-1] + 1))


def tril(input, diagonal: int = 0) -> Tensor:
    """The lower triangle of each matrix (the last two dims): the elements on and below the
    `diagonal`-th diagonal (0 the main one, > 0 above it, < 0 below it); zeros elsewhere.

    >>> mg.ones(3, 3).tril()
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    return Tril.apply(input, k=_matrices(input, diagonal, "tril"))


def triu(input, diagonal: int = 0) -> Tensor:
    """The upper triangle of each matrix: the elements on and above the `diagonal`-th
    diagonal; zeros elsewhere (see tril)."""
    return Triu.apply(input, k=_matrices(input, diagonal, "triu"))


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal at `offset` of the matrices in dims (dim1, dim2), as a new last dim:
    out[..., i] = input[..., i, i + offset] (for dim1, dim2 the last two)."""
    if input.ndim < 2:
        raise ShapeError(f"diagonal: input must have at least 2 dims, got shape {input.shape}")
    offset = as_int(offset, "offset", "diagonal")
    d1 = normalize_dim(dim1, input.ndim, "diagonal", "dim1")
    d2 = normalize_dim(dim2, input.ndim, "diagonal", "dim2")
    if d1 == d2:
        raise OptionError(f"diagonal: dim1 and dim2 must differ, got {dim1} and {dim2}")
    return _diagonal(input, offset, d1, d2)


def _diagonal(input, offset: int, dim1: int, dim2: int) -> Tensor:
    offset = max(-input.shape[dim1], min(offset, input.shape[dim2]))  # (past the size: empty)
    return Diagonal.apply(input, offset=offset, dim1=dim1, dim2=dim2)


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with input's last dim on their `offset` diagonal, in dims (dim1, dim2) of the
    result (which has one more dim; the matrices are n + |offset| square); zeros elsewhere.
    The inverse of diagonal."""
    if input.ndim == 0:
        raise ShapeError("diag_embed: input must have at least 1 dim, got a 0-d tensor")
    offset = as_int(offset, "offset", "diag_embed")
    d1 = normalize_dim(dim1, input.ndim + 1, "diag_embed", "dim1")
    d2 = normalize_dim(dim2, input.ndim + 1, "diag_embed", "dim2")
    if d1 == d2:
        raise OptionError(f"diag_embed: dim1 and dim2 must differ, got {dim1} and {dim2}")
    n = input.shape[-1] + abs(offset)
    rest = iter(input.shape[:-1])
    shape = tuple(n if d in (d1, d2) else next(rest) for d in range(input.ndim + 1))
    return _embedded(input, offset, d1, d2, shape, "diag_embed")


def _embedded(input, offset: int, dim1: int, dim2: int, shape: tuple, op: str) -> Tensor:
    try:
        return DiagEmbed.apply(input, offset=offset, dim1=dim1, dim2=dim2, shape=shape)
    except (ValueError, OverflowError):  # numpy cannot make an array of that shape
        raise OptionError(
            f"{op}: the diagonal offset {offset} makes matrices too large ({shape})"
        ) from None


def diag(input, diagonal: int = 0) -> Tensor:
    """A vector (n,) as the `diagonal`-th diagonal of a square matrix of size n + |diagonal|
    (zeros elsewhere), or of a matrix, its `diagonal`-th diagonal as a vector.

    >>> mg.diag(mg.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    >>> mg.diag(mg.tensor([[1, 2], [3, 4]]), 1)
    tensor([2])
    """
    k = as_int(diagonal, "diagonal", "diag")
    if input.ndim == 1:
        n = input.shape[0] + abs(k)
        return _embedded(input, k, 0, 1, (n, n), "diag")
    if input.ndim == 2:
        return _diagonal(input, k, 0, 1)
    raise ShapeError(f"diag: input must be 1-d or 2-d, got shape {input.shape}")


def view_as(input, other) -> Tensor:
    """input reshaped to other's shape (view is reshape in minigrad)."""
    require_tensor(other, "other", "view_as")
    return reshape(input, other.shape)


def reshape_as(input, other) -> Tensor:
    """input reshaped to other's shape."""
    require_tensor(other, "other", "reshape_as")
    return reshape(input, other.shape)


def type_as(input, other) -> Tensor:
    """input cast to other's dtype."""
    require_tensor(other, "other", "type_as")
    return cast(input, other.dtype)


# Tensor.type's names for the dtypes, as PyTorch's (with minigrad's prefix).
_TYPE_NAMES = {
    dtypes.float32: "FloatTensor",
    dtypes.float64: "DoubleTensor",
    dtypes.float16: "HalfTensor",
    dtypes.int64: "LongTensor",
    dtypes.int32: "IntTensor",
    dtypes.bool: "BoolTensor",
    backend.numpy.dtype("int16"): "ShortTensor",
    backend.numpy.dtype("int8"): "CharTensor",
    backend.numpy.dtype("uint8"): "ByteTensor",
}


def tensor_type(input, dtype=None, non_blocking: bool = False) -> Tensor | str:
    """Tensor.type: with no dtype, the type's name, 'minigrad.FloatTensor' style (PyTorch's
    'torch.FloatTensor' with minigrad's name; 'minigrad.cuda.FloatTensor' on a GPU); with one,
    input cast to it. dtype is a dtype or such a name ('torch.' names work too, and a
    '.cuda.' name also moves input to the GPU, as in PyTorch).

    >>> mg.zeros(2).type(), mg.zeros(2).type("torch.LongTensor").dtype
    ('minigrad.FloatTensor', dtype('int64'))
    """
    if dtype is None:
        where = "cuda." if input.is_cuda else ""
        return f"minigrad.{where}{_TYPE_NAMES[input.dtype]}"
    if not isinstance(dtype, str):
        return cast(input, dtypes.as_dtype(dtype))
    prefix, _, name = dtype.rpartition(".")
    by_name = {v: k for k, v in _TYPE_NAMES.items()}
    if prefix not in ("minigrad", "torch", "minigrad.cuda", "torch.cuda") or name not in by_name:
        raise OptionError(
            f"type: dtype {dtype!r} is not a tensor type name such as 'minigrad.FloatTensor' "
            f"(or 'torch.FloatTensor'), nor a dtype; got {_described(dtype)}"
        )
    out = cast(input, by_name[name])
    return to_device(out, "cuda") if prefix.endswith("cuda") and not input.is_cuda else out


def t(input) -> Tensor:
    """Tensor.t: a matrix transposed (a 0-d or 1-d tensor as it is)."""
    if input.ndim > 2:
        raise ShapeError(f"t: expects a tensor with <= 2 dims, but self is {input.ndim}-d")
    return permute(input, tuple(reversed(range(input.ndim))))


def reversed_dims(input) -> Tensor:
    """Tensor.T: every dim in reverse order."""
    return permute(input, tuple(reversed(range(input.ndim))))


def matrix_transpose(input) -> Tensor:
    """Tensor.mT: the last two dims swapped (a 0-d tensor is its own; a 1-d one has none)."""
    if input.ndim == 0:
        return input
    if input.ndim == 1:
        raise ShapeError("mT: expects a tensor with >= 2 dims, but self is 1-d")
    return transpose(input, -2, -1)


def sum_to_size(input, *size) -> Tensor:
    """Tensor.sum_to_size: input summed down to `size`, which it must broadcast from."""
    return sum_to(input, shape_arg(size, "sum_to_size", "size"))


def expand_as(input, other) -> Tensor:
    """Tensor.expand_as: input broadcast to other's shape, without copying."""
    require_tensor(other, "other", "expand_as")
    return expand(input, other.shape)
