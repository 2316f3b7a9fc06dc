"""Writing values at indices or under a mask: scatter (overwrite), masked_fill, and
masked_select with its inverse.

scatter_add and index_add are built from ops.indexing's ScatterAdd and IndexAdd (adding into
zeros) plus an add. An overwrite is different: the values written over get no gradient, and
the values written get the gradient of where they landed (a gather).
"""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function
from .elementwise import where
from .indexing import _along, gather


class Scatter(Function):
    """x with src[i, j, ...] written at index[i, j, ...] along `dim` (src: an array of index's
    shape, or a number written everywhere index points)."""

    def forward(self, x, src, dim, index):
        self.dim, self.index = dim, index
        out = x.copy()
        out[_along(index, dim, backend.xp_of(x, index))] = src
        return out

    def backward(self, g, x, src):
        grad_x = grad_src = None
        if self.needs_input_grad[0]:  # what was written over had no effect on the output
            grad_x = Scatter.apply(g, 0, dim=self.dim, index=self.index)
        if self.needs_input_grad[1]:
            grad_src = gather(g, self.dim, self.index)
        return grad_x, grad_src


class MaskedFill(Function):
    """x with `value` (a number, or a 0-d array of x's dtype) where `mask` is True; the
    result has the broadcast shape of x and mask."""

    def forward(self, x, value, mask):
        self.mask = mask
        return backend.xp_of(x, mask).where(mask, value, x)

    def backward(self, g, x, value):  # (where.backward, skipping what nothing needs)
        grad_x = where(self.mask, 0, g) if self.needs_input_grad[0] else None
        grad_value = where(self.mask, g, 0) if self.needs_input_grad[1] else None
        return grad_x, grad_value  # (the engine sums grad_value down to value's shape, ())


class MaskedSelect(Function):
    """The elements of x where `mask` (a bool array of x's shape) is True, as a 1-d array."""

    def forward(self, x, mask):
        self.mask = mask
        return x[mask]

    def backward(self, g, x):
        return MaskedScatter.apply(g, mask=self.mask, shape=tuple(x.shape))


class MaskedScatter(Function):
    """zeros(shape) with g's values where `mask` is True, in order: masked_select's inverse."""

    def forward(self, g, mask, shape):
        self.mask = mask
        out = backend.xp_of(g).zeros(shape, dtype=g.dtype)
        out[mask] = g
        return out

    def backward(self, gg, g):
        return MaskedSelect.apply(gg, mask=self.mask)
