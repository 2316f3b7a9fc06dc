"""softmax and log_softmax along a dim: forward and backward side by side (applied by
minigrad.functions.softmaxes, which F.softmax and Tensor.softmax are)."""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function
from . import elementwise, reduction  # the raw functions: backward runs on arrays


class Softmax(Function):
    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        xp = backend.xp_of(x)
        if x.ndim == 0:
            return xp.exp(x - x)  # exp(0) = 1, and nan stays nan
        if x.shape[dim] == 0:
            return xp.empty_like(x)
        e = xp.exp(x - x.max(axis=dim, keepdims=True))  # shifted: exp never overflows
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(self, g, x):  # dy_i/dx_j = y_i (delta_ij - y_j)
        y = self.output
        gy = g * y
        return gy - y * reduction.sum(gy, self.dim, keepdim=True)


class LogSoftmax(Function):
    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        xp = backend.xp_of(x)
        if x.ndim == 0:
            return x - x
        if x.shape[dim] == 0:
            return xp.empty_like(x)
        z = x - x.max(axis=dim, keepdims=True)  # log softmax(x) = z - log sum exp z
        z -= xp.log(xp.exp(z).sum(axis=dim, keepdims=True))
        return z

    def backward(self, g, x):  # d/dx_j (x_i - lse) = delta_ij - softmax_j
        return g - elementwise.exp(self.output) * reduction.sum(g, self.dim, keepdim=True)
