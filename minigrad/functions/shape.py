"""What users call to reshape, permute, expand, squeeze, cat and stack tensors.

The ops are in minigrad.ops.shape; here are PyTorch's argument forms (`reshape(2, 3)` or
`reshape((2, 3))`, negative dims, -1 sizes) and their checks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..errors import OptionError, ShapeError, _described
from ..ops import shape as ops
from ..ops.shape import Cat, Expand, Permute, Reshape, Stack, normalize_dim, normalize_dims
from ..ops.shape import shape_arg as _shape_arg
from ..tensor import Tensor
from .arithmetic import promote


def reshape(x, *shape) -> Tensor:
    """x with a new shape of the same size; one entry may be -1 (inferred)."""
    shape = _shape_arg(shape, "reshape")
    if x.shape == shape:
        return x
    for i, n in enumerate(shape):
        if n < -1:  # (numpy would infer any negative size, as it does -1)
            raise ShapeError(f"reshape: invalid size {n} at index {i} of shape {shape}")
    return Reshape.apply(x, shape=shape)


def flatten(x, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one."""
    start = normalize_dim(start_dim, x.ndim, "flatten", "start_dim")
    end = normalize_dim(end_dim, x.ndim, "flatten", "end_dim")
    if x.ndim == 0:
        return reshape(x, (1,))
    if start > end:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    merged = math.prod(x.shape[start : end + 1])  # (not -1: ambiguous when a size is 0)
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1 :])


def permute(x, *dims) -> Tensor:
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


def transpose(x, dim0: int, dim1: int) -> Tensor:
    """Swap two dims."""
    axes = list(range(x.ndim))
    d0 = normalize_dim(dim0, x.ndim, "transpose", "dim0")
    d1 = normalize_dim(dim1, x.ndim, "transpose", "dim1")
    if not x.ndim:  # a 0-d tensor is its own transpose (dims 0 and -1 name no dim)
        return x
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return permute(x, axes)


def unsqueeze(x, dim: int) -> Tensor:
    """Insert a dim of size 1 at `dim` (in [-ndim-1, ndim])."""
    axis = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def squeeze(x, dim=None) -> Tensor:
    """Remove dims of size 1: all of them, or those named by `dim` (int or tuple)."""
    axes = normalize_dims(dim, x.ndim, "squeeze")
    if axes is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1)))


def expand(x, *shape) -> Tensor:
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


def sum_to(x, shape: tuple[int, ...]) -> object:
    """x summed down to `shape`, which x must broadcast from (Tensor.sum_to_size)."""
    shape = tuple(shape)
    if len(shape) > x.ndim or any(n not in (1, m) for n, m in zip(shape[::-1], x.shape[::-1])):
        raise ShapeError(f"sum_to_size: size {shape} is not expandable to size {x.shape}")
    return ops.sum_to(x, shape)


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


def cat(tensors: Sequence, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other sizes must match."""
    tensors = _joinable(tensors, "cat")
    if tensors[0].ndim == 0:
        raise ShapeError(
            "cat: tensors[0] is zero-dimensional and cannot be concatenated (stack 0-d tensors)"
        )
    axis = normalize_dim(dim, tensors[0].ndim, "cat")
    _check_shapes(tensors, "cat", axis, False)
    return Cat.apply(*promote(*tensors), dim=axis)


def stack(tensors: Sequence, dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dim."""
    tensors = _joinable(tensors, "stack")
    _check_shapes(tensors, "stack", 0, True)
    axis = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return Stack.apply(*promote(*tensors), dim=axis)
