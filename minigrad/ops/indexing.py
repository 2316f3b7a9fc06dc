"""Indexing: `x[key]`, `gather`, and the scatter-adds that are their backward.

The backward of reading some elements is writing the gradient back into a zero tensor at the
same places, *adding* where an index repeats (x[[0, 0]] uses x[0] twice). That write is an op
too (its backward is the read again), which keeps gradients of gradients working.
"""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function


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


def gather(x, dim: int, index):
    """out[i][j] = x[i][index[i][j]] for dim=1, for backward formulas: index an int64 array."""
    return Gather.apply(x, dim=dim, index=index)
