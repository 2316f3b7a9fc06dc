"""Embedding lookup: rows of a weight matrix picked by integer indices.

Its backward adds each output row's gradient into the row it was read from, with one
scatter-add (an index that repeats gets the sum of its rows' gradients), which is IndexAdd,
the backward of indexing: so gradients of gradients work as they do for `x[index]`.
"""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function
from .elementwise import where
from .indexing import IndexAdd
from .shape import reshape


class Embedding(Function):
    """weight (V, D)[indices] -> (*indices.shape, D); no gradient reaches row `padding_idx`;
    with `scale_by_freq` each row's gradient is divided by how often the batch uses it."""

    def forward(self, weight, indices, padding_idx, scale_by_freq):
        self.indices, self.padding_idx, self.scale_by_freq = indices, padding_idx, scale_by_freq
        return backend.xp_of(weight).take(weight, indices, axis=0)

    def backward(self, g, weight):
        flat = self.indices.reshape(-1)
        rows = reshape(g, (flat.shape[0], weight.shape[1]))
        if self.padding_idx is not None:
            rows = where((flat == self.padding_idx)[:, None], 0.0, rows)
        if self.scale_by_freq:
            xp = backend.xp_of(flat)
            counts = xp.bincount(flat, minlength=weight.shape[0])[flat]
            rows = rows / counts[:, None].astype(weight.dtype)
        return IndexAdd.apply(rows, shape=weight.shape, key=flat)
