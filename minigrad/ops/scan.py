"""Running sums and products along a dim (cumsum, cumprod) and the product reduction (prod).

The backward of a running sum is a running sum from the other end, which is the op again,
reversed: gradients of gradients work. Products divide by the input in the backward, so
zeros in the input take PyTorch's care: the gradient at a zero is the product of the others,
computed without dividing by it.
"""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function
from .elementwise import where
from .reduction import _accumulator, _as_dtype_of, _count, _unreduce, sum
from .reduction_more import RunningCount
from .shape import Cat, expand, permute, reshape
from .unary import zeros_like


class Cumsum(Function):
    """out[i] = x[0] + ... + x[i] along dim (or x[i] + ... + x[n-1] with reverse)."""

    def forward(self, x, dim, reverse=False):
        self.dim, self.reverse = dim, reverse
        xp, wide = backend.xp_of(x), _accumulator(x) or x.dtype
        if x.ndim == 0:
            return x.copy()
        if reverse:  # (reversed by slicing: a view, where xp.flip is slow on small arrays)
            backwards = (slice(None),) * (dim % x.ndim) + (slice(None, None, -1),)
            return _as_dtype_of(xp.cumsum(x[backwards], dim, dtype=wide)[backwards], x)
        return _as_dtype_of(xp.cumsum(x, dim, dtype=wide), x)

    def backward(self, g, x):  # d out[j] / d x[i] = 1 for j >= i: the sum of g from i on
        return cumsum(g, self.dim, reverse=not self.reverse)


class Cumprod(Function):
    """out[i] = x[0] * ... * x[i] along dim."""

    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        if x.ndim == 0:
            return x.copy()
        return _as_dtype_of(backend.xp_of(x).cumprod(x, dim, dtype=_accumulator(x) or x.dtype), x)

    def backward(self, g, x):
        # d out[j] / d x[i] = out[j] / x[i] for j >= i: a reversed running sum of g * out,
        # divided by x[i]. Before the first zero of a slice that holds; at the first zero z
        # it is the sum over j >= z of g[j] times the running product with x[z] taken as 1;
        # after it, every out[j] has two zero factors or none that moves: 0.
        dim, y = self.dim, self.output
        if x.ndim == 0 or x.shape[dim] == 1:  # out = x (PyTorch returns g itself too)
            return g
        zero = x == 0
        if not bool(zero.any()):
            return cumsum(g * y, dim, reverse=True) / x
        if not backend.is_array(g):  # recording a backward: a formula with the right slopes
            return _cumprod_grad_by_pairs(g, x, dim)
        seen = RunningCount.apply(zero, dim=dim)  # zeros so far along dim
        before, first = seen == 0, zero & (seen == 1)
        around = cumprod(where(first, 1, x), dim)
        at_first = cumsum(g * around, dim, reverse=True)
        before_first = cumsum(where(before, g * y, 0), dim, reverse=True) / where(before, x, 1)
        return where(before, before_first, where(first, at_first, 0))


def _cumprod_grad_by_pairs(g, x, dim: int):
    """cumprod's gradient as sum over j >= i of g[j] prod_{k <= j, k != i} x[k], written out
    for every pair (i, j): O(n^2), but every factor is there, so that its own derivatives
    (gradients of gradients) are right at zeros too; PyTorch does the same under grad mode."""
    order = [d for d in range(x.ndim) if d != dim] + [dim]
    back = tuple(order.index(d) for d in range(x.ndim))
    x, g = permute(x, tuple(order)), permute(g, tuple(order))
    n, xp = x.shape[-1], backend.namespace(x.device)
    i, j = xp.arange(n)[:, None], xp.arange(n)[None, :]
    pairs = x.shape[:-1] + (n, n)
    # between[..., i, j] = prod of x[k] for i < k <= j (1 for j <= i)
    between = cumprod(where(j > i, expand(reshape(x, x.shape[:-1] + (1, n)), pairs), 1), -1)
    after = sum(where(j >= i, reshape(g, g.shape[:-1] + (1, n)) * between, 0), -1)
    return permute(_exclusive_cumprod(x, x.ndim - 1) * after, back)


def _exclusive_cumprod(x, axis: int):
    """out[i] = x[0] * ... * x[i - 1] along axis (1 at i = 0)."""
    n = x.shape[axis]
    first = x[(slice(None),) * axis + (slice(0, 1),)]
    rest = x[(slice(None),) * axis + (slice(0, n - 1),)]
    return cumprod(Cat.apply(zeros_like(first) + 1, rest, dim=axis), axis)


class Prod(Function):
    """The product over one dim (or all). Its gradient is prod / x, or where the input has a
    zero, each entry's product of the others: running products from both ends, no division
    (PyTorch's formula, which also gives NaN where a zero meets an inf)."""

    saves_output = True

    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        out = backend.xp_of(x).prod(x, axis=axes, keepdims=keepdim, dtype=_accumulator(x))
        return _as_dtype_of(out, x)

    def backward(self, g, x):
        g = _unreduce(g, x.shape, self.axes, self.keepdim)
        if _count(x.shape, self.axes) == 1:  # a product of one entry is that entry
            return expand(g, x.shape)
        if not bool((x == 0).any()):
            return g * _unreduce(self.output, x.shape, self.axes, self.keepdim) / x
        if self.axes is None or x.ndim == 0:
            return g * reshape(_products_of_others(reshape(x, (-1,)), 0), x.shape)
        return g * _products_of_others(x, self.axes[0])


def _products_of_others(x, axis: int):
    """Each entry's product of the other entries of its slice along axis: the running product
    before it times the running product after it (no division)."""
    backwards = (slice(None),) * axis + (slice(None, None, -1),)
    return _exclusive_cumprod(x, axis) * _exclusive_cumprod(x[backwards], axis)[backwards]


def cumsum(x, dim: int, reverse: bool = False):
    return Cumsum.apply(x, dim=dim, reverse=reverse)


def cumprod(x, dim: int):
    return Cumprod.apply(x, dim=dim)
