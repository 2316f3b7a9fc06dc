"""Fused-looking products and differences, composed from minigrad's ops (so their gradients
are those ops'): `addmm`, `baddbmm`, `addcmul`, `addcdiv` (and their in-place forms), `cross`,
`kron`, `diff`, `rot90`.
"""

from __future__ import annotations

import warnings

from .. import dtypes
from ..errors import OptionError, ShapeError, _described, as_int, as_number
from ..ops.shape import normalize_dim
from ..tensor import Tensor
from .aliases import broadcast_shapes, broadcast_tensors
from .arithmetic import add, div, mul, require_tensor, sub
from .inplace import update
from .movement import flip, narrow
from .products import bmm, mm
from .shape import cat, reshape, transpose


def _scaled_sum(input: Tensor, product: Tensor, beta, alpha, op: str) -> Tensor:
    """beta * input + alpha * product, input broadcast to product's shape; beta=0 ignores
    input (its nans and infinities too), as PyTorch."""
    require_tensor(input, "input", op)
    beta, alpha = as_number(beta, "beta", op), as_number(alpha, "alpha", op)
    try:
        fits = broadcast_shapes(input.shape, product.shape) == product.shape
    except ShapeError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{op}: input of shape {tuple(input.shape)} does not broadcast to the product's "
            f"shape {tuple(product.shape)}"
        )
    out = product if alpha == 1 else mul(product, alpha)
    if beta == 0:
        return out
    return add(out, input if beta == 1 else mul(input, beta))


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2): mat1 (n, k), mat2 (k, m), input broadcast to (n, m).

    >>> mg.addmm(mg.ones(2, 2), mg.ones(2, 3), mg.ones(3, 2), beta=0.5, alpha=2)
    tensor([[6.5000, 6.5000],
            [6.5000, 6.5000]])
    """
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha, "addmm")


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2): batch1 (b, n, k), batch2 (b, k, m), input
    broadcast to (b, n, m).

    >>> mg.baddbmm(mg.zeros(1, 2, 2), mg.ones(3, 2, 4), mg.ones(3, 4, 2)).shape
    Size([3, 2, 2])
    """
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha, "baddbmm")


def _operands(op: str, **tensors) -> None:
    for name, t in tensors.items():
        require_tensor(t, name, op)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """input + value * tensor1 * tensor2, elementwise (all three broadcast).

    >>> mg.addcmul(mg.ones(2), mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0]), value=0.5)
    tensor([2.5000, 5.0000])
    """
    _operands("addcmul", input=input, tensor1=tensor1, tensor2=tensor2)
    value = as_number(value, "value", "addcmul")
    return add(input, mul(mul(tensor1, tensor2), value))


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """input + value * tensor1 / tensor2, elementwise (all three broadcast); integer tensor1
    and tensor2 are refused, as in PyTorch (the historic integer division is gone).

    >>> mg.addcdiv(mg.zeros(2), mg.tensor([1.0, 2.0]), mg.tensor([4.0, 4.0]), value=2)
    tensor([0.5000, 1.0000])
    """
    _operands("addcdiv", input=input, tensor1=tensor1, tensor2=tensor2)
    if not (dtypes.is_floating(tensor1.dtype) or dtypes.is_floating(tensor2.dtype)):
        raise RuntimeError(
            "addcdiv: integer division with addcdiv is no longer supported; give tensor1 or "
            f"tensor2 a floating dtype (got {tensor1.dtype} and {tensor2.dtype})"
        )
    value = as_number(value, "value", "addcdiv")
    return add(input, mul(div(tensor1, tensor2), value))


def addcmul_(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """The in-place form of addcmul (Adam's update is written with it)."""
    compute = lambda: addcmul(input, tensor1, tensor2, value=value)
    return update(input, "addcmul_", compute, tensor1=tensor1, tensor2=tensor2)


def addcdiv_(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """The in-place form of addcdiv."""
    compute = lambda: addcdiv(input, tensor1, tensor2, value=value)
    return update(input, "addcdiv_", compute, tensor1=tensor1, tensor2=tensor2)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along dim (input and other broadcast). Without dim, the
    first dim of size 3, with PyTorch's deprecation warning (linalg.cross's default is -1).

    >>> mg.cross(mg.tensor([1.0, 0.0, 0.0]), mg.tensor([0.0, 1.0, 0.0]), dim=0)
    tensor([0., 0., 1.])
    """
    _operands("cross", input=input, other=other)
    shape = broadcast_shapes(input.shape, other.shape)
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated. Please either pass "
            "the dim explicitly or simply use torch.linalg.cross.",
            UserWarning,
            stacklevel=2,
        )
        if 3 not in shape:
            raise ShapeError("cross: no dimension of size 3 in input")
        dim = shape.index(3)
    axis = normalize_dim(dim, len(shape), "cross")
    if shape[axis] != 3:
        raise ShapeError(f"cross: input and other must have size 3 at dim {dim}, got {shape[axis]}")
    a, b = broadcast_tensors(input, other)
    a, b = ([narrow(t, axis, i, 1) for i in range(3)] for t in (a, b))
    parts = [sub(mul(a[i - 2], b[i - 1]), mul(a[i - 1], b[i - 2])) for i in range(3)]
    return cat(parts, axis)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: for matrices, blocks input[i, j] * other; the shorter shape is
    padded with leading 1s, and out.shape[d] = input.shape[d] * other.shape[d].

    >>> mg.kron(mg.tensor([[1, 2]]), mg.tensor([[1], [10]]))
    tensor([[ 1,  2],
            [10, 20]])
    """
    _operands("kron", input=input, other=other)
    ndim = max(input.ndim, other.ndim)
    a = reshape(input, (1,) * (ndim - input.ndim) + tuple(input.shape))
    b = reshape(other, (1,) * (ndim - other.ndim) + tuple(other.shape))
    # a's dims at even places, b's at odd ones: their product, then each pair merged.
    wide = mul(
        reshape(a, tuple(n for d in a.shape for n in (d, 1))),
        reshape(b, tuple(n for d in b.shape for n in (1, d))),
    )
    return reshape(wide, tuple(m * n for m, n in zip(a.shape, b.shape)))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The n-th forward difference along dim: out[i] = x[i + 1] - x[i], applied n times, after
    joining prepend and append to input along dim. Bools give `!=` (xor), as in PyTorch.

    >>> mg.diff(mg.tensor([1, 4, 9, 16]))
    tensor([3, 5, 7])
    """
    require_tensor(input, "input", "diff")
    if input.ndim == 0:
        raise ShapeError("diff: expects input to be at least one-dimensional")
    n = as_int(n, "n", "diff")
    if n < 0:
        raise OptionError(f"diff: order must be non-negative but got {n}")
    axis = normalize_dim(dim, input.ndim, "diff")
    edges = [t for t in (prepend, input, append) if t is not None]
    for name, t in (("prepend", prepend), ("append", append)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"diff: {name} must be a Tensor, got {_described(t)}")
    x = cat(edges, axis) if len(edges) > 1 else input
    for _ in range(n):
        size = x.shape[axis]
        if size == 0:
            break
        later, earlier = narrow(x, axis, 1, size - 1), narrow(x, axis, 0, size - 1)
        x = later != earlier if x.dtype == dtypes.bool else sub(later, earlier)
    return x


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """input rotated by 90 degrees k times in the plane of dims, from dims[0] towards dims[1].

    >>> mg.rot90(mg.tensor([[0, 1], [2, 3]]))
    tensor([[1, 3],
            [0, 2]])
    """
    require_tensor(input, "input", "rot90")
    k = as_int(k, "k", "rot90")
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else dims
    if not isinstance(dims, tuple) or len(dims) != 2:
        raise TypeError(f"rot90: dims must be a pair of dims, got {_described(dims)}")
    if input.ndim < 2:
        raise ShapeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (normalize_dim(d, input.ndim, "rot90", "dims") for d in dims)
    if d0 == d1:
        raise ShapeError(
            f"rot90: expected rotation dims to be different, but got dim0 = {dims[0]} and "
            f"dim1 = {dims[1]}"
        )
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return flip(transpose(input, d0, d1), (d1,))
    return input
