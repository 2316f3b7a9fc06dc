"""What users call to index: `x[key]` and `gather`, with their keys and indices checked.

The ops (and their scatter-add backwards) are in minigrad.ops.indexing.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..errors import DTypeError, ShapeError
from ..ops.indexing import Gather, Getitem
from ..ops.shape import normalize_dim, reshape
from ..tensor import Tensor


def as_index(key) -> object:
    """Turn Tensors (and lists) inside an indexing key into arrays."""
    if isinstance(key, tuple):
        return tuple(as_index(k) for k in key)
    if isinstance(key, Tensor):
        if key.dtype.kind not in "biu":
            raise IndexError(
                f"index: tensors used as indices must be integer or bool, got {key.dtype}"
            )
        return key.array
    if isinstance(key, list):
        return backend.host_array(key)
    return key


def getitem(x, key) -> Tensor:
    """x[key] with ints, slices, None, Ellipsis, integer arrays/tensors and bool masks."""
    key = as_index(key)
    return Getitem.apply(x, key=key)


def gather(x, dim: int, index) -> Tensor:
    """out[i][j] = x[i][index[i][j]] for dim=1 (and likewise for any dim).

    index has x's number of dims, int64 values in [0, x.shape[dim]), and is no larger than x
    in the other dims; the output has index's shape.
    """
    axis = normalize_dim(dim, x.ndim, "gather")
    index_array = index.array if isinstance(index, Tensor) else index
    if not backend.is_array(index_array) or index_array.dtype != dtypes.int64:
        raise DTypeError(
            f"gather: index must be an int64 tensor, got {getattr(index, 'dtype', type(index))}"
        )
    if x.ndim == 0 and index_array.ndim == 0:  # as a tensor of one element along dim 0
        one = gather(reshape(x, (1,)), 0, Tensor._make(index_array.reshape(1), False))
        return reshape(one, ())
    if index_array.ndim != x.ndim:
        raise ShapeError(
            f"gather: index must have as many dims as input ({x.ndim}), got shape "
            f"{index_array.shape}"
        )
    for d, (n, m) in enumerate(zip(index_array.shape, x.shape)):
        if d != axis and n > m:
            raise ShapeError(
                f"gather: index shape {index_array.shape} is larger than input shape {x.shape} "
                f"at dim {d}"
            )
    if index_array.size:
        low, high = int(index_array.min()), int(index_array.max())
        if low < 0 or high >= x.shape[axis]:
            bad = low if low < 0 else high
            raise IndexError(
                f"gather: index {bad} is out of bounds for dim {axis} with size {x.shape[axis]}"
            )
    return Gather.apply(x, dim=axis, index=index_array)
