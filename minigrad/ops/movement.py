"""Ops that move or copy values without computing new ones: repeat, repeat_interleave, flip,
roll, clone, tril/triu, diagonal and its inverse diag_embed.

Each backward routes the gradient back to where each value came from: a repeated value gets
the sum of its copies' gradients, a flipped or rolled one its gradient flipped or rolled back,
a value tril/triu zeroed gets none, a diagonal's gradient goes back onto the diagonal.
"""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function
from .reduction import sum
from .shape import reshape


class Repeat(Function):
    """x tiled `reps` times along each dim (len(reps) >= x.ndim; x gets leading 1-dims)."""

    def forward(self, x, reps):
        self.reps = reps
        return backend.xp_of(x).tile(x, reps)

    def backward(self, g, x):  # view g as (r0, n0, r1, n1, ...) and add up the copies
        sizes = (1,) * (len(self.reps) - x.ndim) + tuple(x.shape)
        split = tuple(n for pair in zip(self.reps, sizes) for n in pair)
        summed = sum(reshape(g, split), tuple(range(0, len(split), 2)))
        return reshape(summed, tuple(x.shape))


class RepeatInterleave(Function):
    """Each element of x repeated `repeats` times in a row along `dim`."""

    def forward(self, x, repeats, dim):
        self.repeats, self.dim = repeats, dim
        return backend.xp_of(x).repeat(x, repeats, axis=dim)

    def backward(self, g, x):  # view g's dim as (n, repeats) and add up the copies
        shape = tuple(x.shape)
        split = shape[: self.dim] + (shape[self.dim], self.repeats) + shape[self.dim + 1 :]
        return sum(reshape(g, split), self.dim + 1)


class Flip(Function):
    def forward(self, x, dims):
        self.dims = dims
        return backend.xp_of(x).flip(x, axis=dims)

    def backward(self, g, x):
        return Flip.apply(g, dims=self.dims)


class Roll(Function):
    """x shifted by `shifts` along `dims` (None: the flattened x), wrapping around."""

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return backend.xp_of(x).roll(x, shifts, axis=dims)

    def backward(self, g, x):  # roll back
        return Roll.apply(g, shifts=tuple(-s for s in self.shifts), dims=self.dims)


class Clone(Function):
    """A copy of x: in x's memory layout (order 'K', clone) or C-contiguous ('C')."""

    def forward(self, x, order):
        return x.copy(order=order)

    def backward(self, g, x):
        return g


class Tril(Function):
    """The lower triangle of the last two dims, below and on diagonal `k`; zeros elsewhere."""

    pick = "tril"

    def forward(self, x, k):
        self.k = k
        return getattr(backend.xp_of(x), self.pick)(x, k)

    def backward(self, g, x):  # the zeroed values had no effect: their gradient is 0
        return type(self).apply(g, k=self.k)


class Triu(Tril):
    """The upper triangle of the last two dims, above and on diagonal `k`."""

    pick = "triu"


class Diagonal(Function):
    """The diagonal at `offset` of the planes (dim1, dim2), as a new last dim (a copy: numpy's
    diagonal is a read-only view, which no tensor should hold)."""

    def forward(self, x, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        return backend.xp_of(x).diagonal(x, offset, dim1, dim2).copy()

    def backward(self, g, x):
        return DiagEmbed.apply(
            g, offset=self.offset, dim1=self.dim1, dim2=self.dim2, shape=tuple(x.shape)
        )


class DiagEmbed(Function):
    """zeros(shape) with g's last dim written onto the diagonal at `offset` of the planes
    (dim1, dim2): diagonal's inverse, and its backward."""

    def forward(self, g, offset, dim1, dim2, shape):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        xp = backend.xp_of(g)
        out = xp.zeros(shape, dtype=g.dtype)
        planes = xp.moveaxis(out, (dim1, dim2), (-2, -1))  # a view: writes land in out
        steps = xp.arange(g.shape[-1])
        planes[..., steps + max(-offset, 0), steps + max(offset, 0)] = g
        return out

    def backward(self, gg, g):
        return Diagonal.apply(gg, offset=self.offset, dim1=self.dim1, dim2=self.dim2)
