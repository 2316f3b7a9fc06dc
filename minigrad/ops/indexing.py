"""Indexing: `x[key]`, `gather`, and the scatter-adds that are their backward.

The backward of reading some elements is writing the gradient back into a zero tensor at the
same places, *adding* where an index repeats (x[[0, 0]] uses x[0] twice). That write is an op
too (its backward is the read again), which keeps gradients of gradients working.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..autograd.engine import Function
from ..errors import DTypeError, ShapeError
from ..tensor import Tensor
from .shape import normalize_dim, reshape


def _as_index(key):
    """Turn Tensors (and lists) inside an indexing key into arrays."""
    if isinstance(key, tuple):
        return tuple(_as_index(k) for k in key)
    if isinstance(key, Tensor):
        if key.dtype.kind not in "biu":
            raise IndexError(
                f"index: tensors used as indices must be integer or bool, got {key.dtype}"
            )
        return key.array
    if isinstance(key, list):
        return backend.numpy.asarray(key)
    return key


def _has_array(key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(backend.is_array(k) for k in parts)


class Getitem(Function):
    def forward(self, x, key):
        self.key = key
        return x[key]

    def backward(self, g, x):
        return IndexAdd.apply(g, shape=x.shape, key=self.key)


class IndexAdd(Function):
    """zeros(shape) with g added at `key`: the backward of x[key]."""

    def forward(self, g, shape, key):
        self.key = key
        out = backend.xp_of(g).zeros(shape, dtype=g.dtype)
        if _has_array(key):  # integer arrays may repeat an index: add, don't overwrite
            backend.scatter_add(out, key, g)
        else:
            out[key] = g
        return out

    def backward(self, gg, g):
        return gg[self.key]


def _along(index, dim: int, xp):
    """The full index tuple that picks index[i, j, ...] along `dim` (for take/put along)."""
    grids = []
    for d, n in enumerate(index.shape):
        if d == dim:
            grids.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = n
            grids.append(xp.arange(n).reshape(shape))
    return tuple(grids)


class Gather(Function):
    def forward(self, x, dim, index):
        self.dim, self.index = dim, index
        return x[_along(index, dim, backend.xp_of(x, index))]

    def backward(self, g, x):
        return ScatterAdd.apply(g, dim=self.dim, index=self.index, shape=x.shape)


class ScatterAdd(Function):
    """zeros(shape) with g[i, j, ...] added at index[i, j, ...] along dim: gather's backward."""

    def forward(self, g, dim, index, shape):
        self.dim, self.index = dim, index
        xp = backend.xp_of(g, index)
        out = xp.zeros(shape, dtype=g.dtype)
        backend.scatter_add(out, _along(index, dim, xp), g)
        return out

    def backward(self, gg, g):
        return gather(gg, self.dim, self.index)


def getitem(x, key):
    """x[key] with ints, slices, None, Ellipsis, integer arrays/tensors and bool masks."""
    key = _as_index(key)
    return Getitem.apply(x, key=key)


def gather(x, dim: int, index):
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
