"""The in-place forms of functions: `t.add_(x, alpha=2)`, `t.exp_()`, `t.clamp_(0, 1)`,
`t.masked_fill_(mask, v)`, `t.index_add_(...)`, `t.scatter_(...)`, `t.scatter_add_(...)`,
`t.lerp_(end, weight)`.

Each computes what its out-of-place function computes, with PyTorch's rules, and writes the
result into t's array (`inplace.update`): the shape must stay t's and the result must fit
t's dtype (`int_tensor.exp_()` is refused, as in PyTorch). None of them is recorded: while
grad mode is on, a leaf that requires grad, a tensor a recorded op produced, and an operand
that requires grad are refused (see inplace.py). Each returns t.
"""

from __future__ import annotations

from .. import dtypes
from ..errors import OptionError, as_number
from ..tensor import Tensor
from .arithmetic import add, div, mul, neg, pow, sub
from .division import lerp
from .elementwise import abs, clamp, exp, log, relu, sigmoid, sqrt, tanh
from .inplace import update
from .selection import index_add, masked_fill, scatter, scatter_add


def _scaled(t: Tensor, other, alpha, op: str):
    """alpha * other, with PyTorch's rules for alpha: a number; a bool only for a bool
    tensor, a float only for a floating point result."""
    if alpha is True or alpha is False:
        if t.dtype != dtypes.bool:
            raise OptionError(
                f"{op}: a bool alpha is only supported for bool tensors, not {t.dtype}"
            )
    else:
        alpha = as_number(alpha, "alpha", op)
        if isinstance(alpha, float) and not dtypes.is_floating(dtypes.result_type(t, other)):
            raise OptionError(
                f"{op}: for integral input tensors, argument alpha must not be a floating point "
                f"number, got {alpha}"
            )
        if alpha == 1:
            return other
    if alpha is True:
        return other
    return mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def add_(t: Tensor, other, *, alpha=1) -> Tensor:
    """t += alpha * other (other a tensor broadcasting to t, or a number)."""
    return update(t, "add_", lambda: add(t, _scaled(t, other, alpha, "add_")), other=other)


def sub_(t: Tensor, other, *, alpha=1) -> Tensor:
    """t -= alpha * other."""
    return update(t, "sub_", lambda: sub(t, _scaled(t, other, alpha, "sub_")), other=other)


def mul_(t: Tensor, other) -> Tensor:
    return update(t, "mul_", lambda: mul(t, other), other=other)


def div_(t: Tensor, other, *, rounding_mode=None) -> Tensor:
    """t /= other (true division: refused for an integer t, whose dtype cannot hold it), or
    rounded with rounding_mode='trunc' or 'floor', as div."""
    return update(t, "div_", lambda: div(t, other, rounding_mode=rounding_mode), other=other)


def pow_(t: Tensor, exponent) -> Tensor:
    return update(t, "pow_", lambda: pow(t, exponent), exponent=exponent)


def clamp_(t: Tensor, min=None, max=None) -> Tensor:
    return update(t, "clamp_", lambda: clamp(t, min, max), min=min, max=max)


def clamp_min_(t: Tensor, min) -> Tensor:
    return update(t, "clamp_min_", lambda: clamp(t, min, None), min=min)


def clamp_max_(t: Tensor, max) -> Tensor:
    return update(t, "clamp_max_", lambda: clamp(t, None, max), max=max)


def _unary(fn, name: str):
    """The in-place form `t.<name>()` of the function of one tensor `fn`."""

    def in_place(t: Tensor) -> Tensor:
        return update(t, name, lambda: fn(t))

    in_place.__name__ = in_place.__qualname__ = name
    in_place.__doc__ = f"t = {fn.__name__}(t), written into t."
    return in_place


exp_, log_, sqrt_ = _unary(exp, "exp_"), _unary(log, "log_"), _unary(sqrt, "sqrt_")
neg_, abs_, relu_ = _unary(neg, "neg_"), _unary(abs, "abs_"), _unary(relu, "relu_")
sigmoid_, tanh_ = _unary(sigmoid, "sigmoid_"), _unary(tanh, "tanh_")


def masked_fill_(t: Tensor, mask: Tensor, value) -> Tensor:
    """Set t to `value` (a number or a 0-d tensor) where the bool `mask` (broadcasting to
    t's shape) is True.

    >>> mg.zeros(3).masked_fill_(mg.tensor([True, False, True]), 5.0)
    tensor([5., 0., 5.])
    """
    return update(t, "masked_fill_", lambda: masked_fill(t, mask, value), value=value)


def index_add_(t: Tensor, dim, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """Add alpha * source's slices along `dim` at `index` (a 1-d integer tensor, one entry
    per slice); repeated indices add up.

    >>> mg.zeros(3).index_add_(0, mg.tensor([0, 0, 2]), mg.tensor([1.0, 2.0, 3.0]))
    tensor([3., 0., 3.])
    """
    compute = lambda: index_add(t, dim, index, source, alpha=alpha)
    return update(t, "index_add_", compute, source=source)


def scatter_(t: Tensor, dim, index: Tensor, src=None, value=None, *, reduce=None) -> Tensor:
    """Write src[i][j] (a tensor, or a number everywhere: `src` or `value`) into t at
    index[i][j] along `dim` (dim=1: t[i][index[i][j]] = src[i][j]); reduce='add' adds.

    >>> mg.zeros(2, 3).scatter_(1, mg.tensor([[0], [2]]), 7.0)
    tensor([[7., 0., 0.],
            [0., 0., 7.]])
    """
    compute = lambda: scatter(t, dim, index, src, value, reduce=reduce)
    return update(t, "scatter_", compute, src=src)


def scatter_add_(t: Tensor, dim, index: Tensor, src: Tensor) -> Tensor:
    """Add src[i][j] into t at index[i][j] along `dim`; repeated indices add up."""
    return update(t, "scatter_add_", lambda: scatter_add(t, dim, index, src), src=src)


def lerp_(t: Tensor, end: Tensor, weight) -> Tensor:
    """t += weight * (end - t)."""
    return update(t, "lerp_", lambda: lerp(t, end, weight), end=end, weight=weight)
