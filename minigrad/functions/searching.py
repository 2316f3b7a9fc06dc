"""Searching sorted boundaries and listing triangle coordinates: `searchsorted`, `bucketize`,
`triu_indices`, `tril_indices`. Their results are integer indices (not differentiable).
"""

from __future__ import annotations

from .. import backend, dtypes
from ..errors import DTypeError, OptionError, ShapeError, _described, as_int, check_bool
from ..ops.running import search_sorted, triangle_indices
from ..tensor import Tensor
from .arithmetic import python_number, require_tensor
from .convert import target_device
from .elementwise import cast
from .factories import new_full
from .indexing import gather


def _found(indices, out_int32: bool, op: str) -> Tensor:
    out = Tensor.wrap(indices)
    return cast(out, dtypes.int32) if check_bool(out_int32, "out_int32", op) else out


def _as_values(input, like: Tensor, op: str) -> Tensor:
    """The values searched for: a Tensor, or a number (giving a 0-d result)."""
    input = python_number(input)
    if isinstance(input, Tensor):
        return input
    if isinstance(input, (int, float)):
        return new_full(like, (), input)
    raise TypeError(f"{op}: input must be a Tensor or a number, got {_described(input)}")


def searchsorted(
    sorted_sequence: Tensor, input, *, out_int32=False, right=False, side=None, sorter=None
) -> Tensor:
    """For each value of input, the index where it would be inserted into the last dim of
    sorted_sequence to keep it sorted: before equal values (side='left'), or after them
    (right=True or side='right'). sorted_sequence is 1-d, or has input's leading dims;
    `sorter` holds the indices that sort it, if it is not sorted itself. int64 (int32 with
    out_int32) indices of input's shape.

    >>> mg.searchsorted(mg.tensor([1, 3, 5, 7]), mg.tensor([3, 6]))
    tensor([1, 3])
    """
    require_tensor(sorted_sequence, "sorted_sequence", "searchsorted")
    values = _as_values(input, sorted_sequence, "searchsorted")
    right = check_bool(right, "right", "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise OptionError(f"searchsorted: side can only be 'left' or 'right' but got {side!r}")
        if right and side == "left":
            raise OptionError(
                "searchsorted: side and right can't be set to opposites, got side of left while "
                "right was True"
            )
        right = side == "right"
    if sorted_sequence.ndim == 0:
        raise ShapeError("searchsorted: sorted_sequence must have at least one dim")
    batched = sorted_sequence.ndim > 1
    if batched and (
        values.ndim != sorted_sequence.ndim or values.shape[:-1] != sorted_sequence.shape[:-1]
    ):
        raise ShapeError(
            "searchsorted: sorted_sequence should be 1-d, or its leading dims and input's must "
            f"match, got shapes {tuple(sorted_sequence.shape)} and {tuple(values.shape)}"
        )
    if sorter is not None:
        require_tensor(sorter, "sorter", "searchsorted")
        if sorter.shape != sorted_sequence.shape or sorter.dtype != dtypes.int64:
            raise ShapeError(
                f"searchsorted: sorter must be an int64 tensor of sorted_sequence's shape "
                f"{tuple(sorted_sequence.shape)}, got {sorter.dtype} of {tuple(sorter.shape)}"
            )
        sorted_sequence = gather(sorted_sequence, -1, sorter)
    if sorted_sequence.device != values.device:
        raise RuntimeError(
            f"searchsorted: sorted_sequence is on {sorted_sequence.device}, input is on "
            f"{values.device}"
        )
    found = search_sorted(sorted_sequence.array, values.array, right)
    return _found(found, out_int32, "searchsorted")


def bucketize(input, boundaries: Tensor, *, out_int32=False, right=False) -> Tensor:
    """The bucket of each value of input among 1-d sorted `boundaries`: i with
    boundaries[i-1] < x <= boundaries[i] (right=False), or boundaries[i-1] <= x < boundaries[i]
    (right=True). int64 (int32 with out_int32) of input's shape.

    >>> mg.bucketize(mg.tensor([3, 6, 9]), mg.tensor([1, 3, 5, 7, 9]))
    tensor([1, 3, 4])
    """
    require_tensor(boundaries, "boundaries", "bucketize")
    if boundaries.ndim != 1:
        raise ShapeError(
            f"bucketize: boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})"
        )
    values = _as_values(input, boundaries, "bucketize")
    return searchsorted(boundaries, values, out_int32=out_int32, right=right)


def _triangle(row, col, offset, dtype, device, upper: bool) -> Tensor:
    op = "triu_indices" if upper else "tril_indices"
    row, col, offset = as_int(row, "row", op), as_int(col, "col", op), as_int(offset, "offset", op)
    for name, n in (("row", row), ("col", col)):
        if n < 0:
            raise OptionError(f"{op}: {name} must be non-negative, got {n}")
    dtype = dtypes.as_dtype(dtype)
    if dtype.kind not in "iu":
        raise DTypeError(f"{op}: dtype must be an integer dtype, got {dtype}")
    device = target_device(device)
    offset = max(-row, min(offset, col))  # (the same triangle: numpy overflows past int64)
    found = triangle_indices(backend.namespace(device), row, col, offset, upper)
    return Tensor.wrap(found.astype(dtype))


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=dtypes.int64, device=None) -> Tensor:
    """The (2, N) coordinates (row indices, then column indices) of the upper triangle of a
    row x col matrix, from diagonal `offset` on (above it for offset > 0), row by row.

    >>> mg.triu_indices(2, 2)
    tensor([[0, 0, 1],
            [0, 1, 1]])
    """
    return _triangle(row, col, offset, dtype, device, True)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=dtypes.int64, device=None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a row x col matrix, up to diagonal
    `offset` (below it for offset < 0), row by row.

    >>> mg.tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _triangle(row, col, offset, dtype, device, False)
