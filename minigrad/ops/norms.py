"""Norms: the vector p-norm over dims, and the singular values the matrix 2- and nuclear
norms are made of.

    ||x||_p = (sum |x_i|^p)^(1/p)     p = inf: max |x_i|,  -inf: min |x_i|,  0: #(x_i != 0)

The gradient is PyTorch's: sign(x) |x|^(p-1) / ||x||^(p-1), with 0 where the norm is 0 (not
0/0) and, for p < 1, where x_i is 0; for p = +-inf it is shared equally by the entries whose
|x_i| is the norm.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd.engine import Function
from .elementwise import abs, cast, sign, where
from .reduction import _accumulator, _as_dtype_of, _unreduce, sum


class VectorNorm(Function):
    saves_output = True

    def forward(self, x, ord, axes, keepdim):
        self.ord, self.axes, self.keepdim = ord, axes, keepdim
        xp = backend.xp_of(x)
        wide = x if _accumulator(x) is None else x.astype(_accumulator(x))
        if ord == math.inf or ord == -math.inf:
            pick = xp.amax if ord > 0 else xp.amin
            return pick(xp.abs(x), axis=axes, keepdims=keepdim)
        if ord == 0:
            out = (x != 0).sum(axis=axes, keepdims=keepdim, dtype=wide.dtype)
        elif ord == 1:
            out = xp.abs(wide).sum(axis=axes, keepdims=keepdim)
        elif ord == 2:
            out = xp.sqrt((wide * wide).sum(axis=axes, keepdims=keepdim))
        else:  # (|0|^p is inf for p < 0, and so the norm 0: no warning for it)
            with backend.numpy.errstate(divide="ignore"):
                out = (xp.abs(wide) ** ord).sum(axis=axes, keepdims=keepdim) ** (1 / ord)
        return _as_dtype_of(out, x)

    def backward(self, g, x):
        p, norm = self.ord, _unreduce(self.output, x.shape, self.axes, self.keepdim)
        g = _unreduce(g, x.shape, self.axes, self.keepdim)
        if p == 0:  # a count: PyTorch passes on no gradient at all (None, not zeros)
            return None
        if p == math.inf or p == -math.inf:  # shared by the entries at the norm (and NaNs)
            at_norm = (abs(x) == norm) | (x != x)
            share = sum(cast(at_norm, x.dtype), self.axes, keepdim=True)
            return sign(x) * where(at_norm, g / share, 0)
        if p == 1:
            return g * sign(x)
        flat = norm == 0
        if p == 2:
            return x * where(flat, 0, g / where(flat, 1, norm))
        scale = where(flat, 0, g / where(flat, 1, norm) ** (p - 1))
        zero = x == 0
        return sign(x) * where(zero, 0, where(zero, 1, abs(x)) ** (p - 1)) * scale


class Svdvals(Function):
    """The singular values of the matrices in the last two dims, largest first.

    d sigma_k = u_k^T dA v_k, so the gradient is U diag(g) V^T: right for distinct singular
    values (at repeated ones any singular basis is as good: a subgradient). Its own
    gradient (a second derivative) needs the derivatives of U and V, which are not written.
    """

    def forward(self, a):
        xp = backend.xp_of(a)
        # LAPACK can loop forever on a matrix holding infinities: such matrices (and those
        # with NaNs) are given NaN singular values instead, and never reach it.
        self.finite = xp.isfinite(a).all(axis=(-2, -1), keepdims=True)
        u, s, vh = xp.linalg.svd(xp.where(self.finite, a, 0), full_matrices=False)
        self.u, self.vh = u, vh
        return xp.where(self.finite[..., 0], s, math.nan)

    def backward(self, g, a):
        if not backend.is_array(g):
            raise NotImplementedError(
                "svdvals: second derivatives (create_graph=True) are not implemented"
            )
        return backend.xp_of(g).where(self.finite, (self.u * g[..., None, :]) @ self.vh, math.nan)
