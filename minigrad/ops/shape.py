"""Shape ops: reshape, permute, expand, sum_to, cat, stack (and views built from them).

None of these change values, so each backward just routes the gradient back into the input's
layout: reshape it back, permute it back, sum what expand copied, slice what cat joined. The
dim and shape arguments are checked here (`normalize_dim`, `shape_arg`) for every caller.
"""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function
from ..errors import ShapeError, _described, as_int


def normalize_dim(dim: int, ndim: int, op: str, name: str = "dim") -> int:
    """A dim in [-ndim, ndim) as a non-negative axis (0-d tensors accept 0 and -1).

    Anything with __index__ is a dim (a numpy integer, a one-element integer tensor), as in
    PyTorch; a bool or a float is not.
    """
    if type(dim) is not int:
        dim = as_int(dim, name, op)
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(
            f"{op}: {name} out of range (expected to be in range of [{-bound}, {bound - 1}], "
            f"but got {dim})"
        )
    return dim % bound if ndim else 0


def normalize_dims(dim, ndim: int, op: str) -> tuple[int, ...] | None:
    """dim as given to a reduction (int, tuple of ints or None) as a sorted tuple or None.

    An empty tuple means every dim, as None does (PyTorch's rule; numpy's axis=() reduces
    nothing).
    """
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if not dim:
            return None
        axes = tuple(sorted(normalize_dim(d, ndim, op) for d in dim))
    else:
        try:
            axes = (normalize_dim(dim, ndim, op),)
        except TypeError:
            raise TypeError(
                f"{op}: dim must be an int or a tuple of ints, got {_described(dim)}"
            ) from None
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dim {dim} names a dimension more than once")
    return axes if ndim else ()


def shape_arg(shape, op: str, name: str = "shape") -> tuple[int, ...]:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]); each entry an int (or has __index__)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    if all(type(s) is int for s in shape):  # the usual call, checked at once
        return tuple(shape)
    try:
        return tuple(as_int(s, name, op) for s in shape)
    except TypeError:
        entries = ", ".join(_described(s) for s in shape)
        raise TypeError(f"{op}: {name} must be ints, got ({entries})") from None


class Reshape(Function):
    def forward(self, x, shape):
        try:
            return x.reshape(shape)
        except (ValueError, OverflowError):  # (a size past int64 overflows)
            raise ShapeError(
                f"reshape: shape {tuple(shape)} is invalid for input of size {x.size} "
                f"(shape {x.shape})"
            ) from None

    def backward(self, g, x):
        return reshape(g, x.shape)


class Permute(Function):
    def forward(self, x, dims):
        self.inverse = tuple(sorted(range(len(dims)), key=dims.__getitem__))
        return x.transpose(dims)

    def backward(self, g, x):
        return permute(g, self.inverse)


class Expand(Function):
    def forward(self, x, shape):
        return backend.xp_of(x).broadcast_to(x, shape)

    def backward(self, g, x):  # each input element was copied: add up the copies
        return sum_to(g, x.shape)


class SumTo(Function):
    """Sum x down to `shape`, undoing broadcasting (used by the engine for every op)."""

    def forward(self, x, shape):
        return backend.sum_to(x, shape)

    def backward(self, g, x):
        return expand(g, x.shape)


class Cat(Function):
    def forward(self, *xs, dim):
        self.dim = dim
        self.sizes = [x.shape[dim] for x in xs]
        return backend.xp_of(*xs).concatenate(xs, axis=dim)

    def backward(self, g, *xs):
        grads, start = [], 0
        for size in self.sizes:
            index = (slice(None),) * self.dim + (slice(start, start + size),)
            grads.append(g[index])
            start += size
        return tuple(grads)


class Stack(Function):
    def forward(self, *xs, dim):
        self.dim = dim
        return backend.xp_of(*xs).stack(xs, axis=dim)

    def backward(self, g, *xs):
        return tuple(g[(slice(None),) * self.dim + (i,)] for i in range(len(xs)))


# The functions backward formulas use: on arrays, or on Tensors under create_graph.
def reshape(x, shape: tuple[int, ...]):
    return x if x.shape == shape else Reshape.apply(x, shape=shape)


def permute(x, dims: tuple[int, ...]):
    return Permute.apply(x, dims=dims)


def transpose(x, dim0: int, dim1: int):
    """x with dims dim0 and dim1 (may be negative) swapped."""
    axes = list(range(x.ndim))
    axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
    return Permute.apply(x, dims=tuple(axes))


def expand(x, shape: tuple[int, ...]):
    return x if x.shape == shape else Expand.apply(x, shape=shape)


def sum_to(x, shape: tuple[int, ...]):
    """x summed down to `shape`, undoing a broadcast."""
    return x if x.shape == shape else SumTo.apply(x, shape=tuple(shape))
