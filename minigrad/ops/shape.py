"""Shape ops: reshape, permute, expand, sum_to, cat, stack (and views built from them).

None of these change values, so each backward just routes the gradient back into the input's
layout: reshape it back, permute it back, sum what expand copied, slice what cat joined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import backend
from ..autograd.engine import Function
from ..errors import OptionError, ShapeError, _described, as_int
from ..tensor import Tensor
from .arithmetic import promote


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


def _shape_arg(shape, op: str, name: str = "shape") -> tuple[int, ...]:
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


def _summed_to(x, shape):
    """Array x summed over the dims that broadcasting added or stretched, to `shape`."""
    lead = x.ndim - len(shape)
    if lead:  # dims broadcasting added in front: sum them away (a fresh array, not a view)
        x = x.sum(axis=tuple(range(lead)))
        if x.shape == shape:  # nothing stretched: the usual case of a bias
            return x
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and x.shape[i] != 1)
    if stretched:  # size-1 dims broadcasting stretched: sum, keeping them as size 1
        x = x.sum(axis=stretched, keepdims=True)
    return x


class SumTo(Function):
    """Sum x down to `shape`, undoing broadcasting (used by the engine for every op)."""

    def forward(self, x, shape):
        return _summed_to(x, shape)

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


def reshape(x, *shape):
    """x with a new shape of the same size; one entry may be -1 (inferred)."""
    shape = _shape_arg(shape, "reshape")
    if x.shape == shape:
        return x
    for i, n in enumerate(shape):
        if n < -1:  # (numpy would infer any negative size, as it does -1)
            raise ShapeError(f"reshape: invalid size {n} at index {i} of shape {shape}")
    return Reshape.apply(x, shape=shape)


def flatten(x, start_dim: int = 0, end_dim: int = -1):
    """Merge dims start_dim..end_dim into one."""
    start = normalize_dim(start_dim, x.ndim, "flatten", "start_dim")
    end = normalize_dim(end_dim, x.ndim, "flatten", "end_dim")
    if x.ndim == 0:
        return reshape(x, (1,))
    if start > end:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    merged = math.prod(x.shape[start : end + 1])  # (not -1: ambiguous when a size is 0)
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1 :])


def permute(x, *dims):
    """Reorder dims: output dim i is input dim dims[i]."""
    dims = _shape_arg(dims, "permute", "dims")
    axes = tuple(normalize_dim(d, x.ndim, "permute", "dims") for d in dims)
    if sorted(axes) != list(range(x.ndim)):
        raise ShapeError(
            f"permute: dims {dims} must be a permutation of the {x.ndim} dims of the input"
        )
    if axes == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, dims=axes)


def transpose(x, dim0: int, dim1: int):
    """Swap two dims."""
    axes = list(range(x.ndim))
    d0 = normalize_dim(dim0, x.ndim, "transpose", "dim0")
    d1 = normalize_dim(dim1, x.ndim, "transpose", "dim1")
    if not x.ndim:  # a 0-d tensor is its own transpose (dims 0 and -1 name no dim)
        return x
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return permute(x, axes)


def unsqueeze(x, dim: int):
    """Insert a dim of size 1 at `dim` (in [-ndim-1, ndim])."""
    axis = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def squeeze(x, dim=None):
    """Remove dims of size 1: all of them, or those named by `dim` (int or tuple)."""
    axes = normalize_dims(dim, x.ndim, "squeeze")
    if axes is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1)))


def expand(x, *shape):
    """x broadcast to `shape` without copying; -1 keeps a dim's size."""
    shape = _shape_arg(shape, "expand", "size")
    lead = len(shape) - x.ndim
    if lead < 0:
        raise ShapeError(
            f"expand: the number of sizes ({len(shape)}) must be at least the number of dims "
            f"of the input ({x.ndim})"
        )
    for i, n in enumerate(shape):
        if n < -1 or (n == -1 and i < lead):
            raise ShapeError(
                f"expand: size {n} at dim {i} is not allowed (sizes are non-negative; -1 keeps "
                f"the size of an existing dim), got size {shape} for input shape {x.shape}"
            )
    shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    for i, n in enumerate(x.shape):
        if n != 1 and n != shape[lead + i]:
            raise ShapeError(
                f"expand: the input's size {n} at dim {i} must match the size "
                f"{shape[lead + i]} asked for, or be 1 (input shape {x.shape}, size {shape})"
            )
    if shape == x.shape:
        return x
    return Expand.apply(x, shape=shape)


def sum_to(x, shape: tuple[int, ...]):
    """Sum a broadcast gradient back to `shape`."""
    if x.shape == shape:
        return x
    if not isinstance(x, Tensor):  # the engine's fast path: plain arrays, nothing to record
        return _summed_to(x, shape)
    return SumTo.apply(x, shape=tuple(shape))


def _joinable(tensors, op: str) -> list:
    """`tensors` as a list, checked to be a non-empty sequence of Tensors."""
    if isinstance(tensors, Tensor) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{op}: tensors must be a sequence of Tensors, got {_described(tensors)}")
    tensors = list(tensors)
    if not tensors:
        raise OptionError(f"{op}: expected a non-empty sequence of tensors")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}: tensors[{i}] must be a Tensor, got {_described(x)}")
    return tensors


def _check_shapes(xs: Sequence, op: str, dim: int, same_size_at_dim: bool) -> None:
    first = xs[0].shape
    for i, x in enumerate(xs):
        if len(x.shape) != len(first) or any(
            a != b for d, (a, b) in enumerate(zip(x.shape, first)) if same_size_at_dim or d != dim
        ):
            raise ShapeError(
                f"{op}: tensors[{i}] has shape {x.shape}, which does not match tensors[0]'s "
                f"shape {first}" + ("" if same_size_at_dim else f" outside dim {dim}")
            )


def cat(tensors: Sequence, dim: int = 0):
    """Join tensors along an existing dim; all other sizes must match."""
    tensors = _joinable(tensors, "cat")
    if tensors[0].ndim == 0:
        raise ShapeError(
            "cat: tensors[0] is zero-dimensional and cannot be concatenated (stack 0-d tensors)"
        )
    axis = normalize_dim(dim, tensors[0].ndim, "cat")
    _check_shapes(tensors, "cat", axis, False)
    return Cat.apply(*promote(*tensors), dim=axis)


def stack(tensors: Sequence, dim: int = 0):
    """Join equally shaped tensors along a new dim."""
    tensors = _joinable(tensors, "stack")
    _check_shapes(tensors, "stack", 0, True)
    axis = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return Stack.apply(*promote(*tensors), dim=axis)
