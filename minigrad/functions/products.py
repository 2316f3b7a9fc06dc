"""What users call for products of tensors: mm, bmm, mv, dot, outer (ger) and tensordot.

mm, bmm, mv and dot are matmul with PyTorch's stricter rules (exact ranks, no broadcasting,
one dtype, no bools) and apply the same op; tensordot is its own op (ops.linalg), einsum is in
functions.contraction. outer multiplies a column by a row, with PyTorch's type promotion.
"""

from __future__ import annotations

from .. import dtypes
from ..errors import DTypeError, ShapeError, as_int
from ..ops.arithmetic import Matmul
from ..ops.linalg import Tensordot
from ..ops.shape import normalize_dim
from ..tensor import Tensor
from .arithmetic import mul, require_tensor
from .shape import expand, reshape


def same_dtype(op: str, **tensors) -> None:
    """Refuse bool tensors and tensors of different dtypes (products have no bool kernels in
    PyTorch, and no type promotion)."""
    (first, x0), *rest = tensors.items()
    for name, x in tensors.items():
        if x.dtype == dtypes.bool:
            raise DTypeError(f"{op}: {name} is a bool tensor; PyTorch defines no {op} of bools")
    for name, x in rest:
        if x.dtype != x0.dtype:
            raise DTypeError(
                f"{op}: expected {first} and {name} to have the same dtype, got {x0.dtype} and "
                f"{x.dtype}"
            )


def _ranked(op: str, **tensors) -> None:
    """Each argument (name=(tensor, ndim)) a Tensor of exactly that many dims; one dtype."""
    for name, (x, ndim) in tensors.items():
        require_tensor(x, name, op)
        if x.ndim != ndim:
            kind = {1: "a vector (1-d)", 2: "a matrix (2-d)", 3: "a batch of matrices (3-d)"}
            raise ShapeError(f"{op}: {name} must be {kind[ndim]}, got shape {x.shape}")
    same_dtype(op, **{name: x for name, (x, _) in tensors.items()})


def mm(input, mat2) -> Tensor:
    """Matrix product of input (n, k) and mat2 (k, m): (n, m).

    >>> mg.mm(mg.ones(2, 3), mg.ones(3, 4)).shape
    Size([2, 4])
    """
    _ranked("mm", input=(input, 2), mat2=(mat2, 2))
    if input.shape[1] != mat2.shape[0]:
        (n, k), (j, m) = input.shape, mat2.shape
        raise ShapeError(f"mm: input and mat2 shapes cannot be multiplied ({n}x{k} and {j}x{m})")
    return Matmul.apply(input, mat2)


def bmm(input, mat2) -> Tensor:
    """Batched matrix product of input (b, n, k) and mat2 (b, k, m): (b, n, m); no broadcast."""
    _ranked("bmm", input=(input, 3), mat2=(mat2, 3))
    b, _, k = input.shape
    if mat2.shape[:2] != (b, k):
        raise ShapeError(
            f"bmm: mat2 must have shape ({b}, {k}, m) to multiply input of shape {input.shape}, "
            f"got {mat2.shape}"
        )
    return Matmul.apply(input, mat2)


def mv(input, vec) -> Tensor:
    """Matrix-vector product of input (n, k) and vec (k,): (n,)."""
    _ranked("mv", input=(input, 2), vec=(vec, 1))
    if input.shape[1] != vec.shape[0]:
        raise ShapeError(
            f"mv: size mismatch, input of shape {input.shape} and vec of shape {vec.shape}"
        )
    return Matmul.apply(input, vec)


def dot(input, tensor) -> Tensor:
    """Inner product of two vectors of one size: a 0-d tensor."""
    _ranked("dot", input=(input, 1), tensor=(tensor, 1))
    if input.shape != tensor.shape:
        raise ShapeError(
            f"dot: input and tensor must have the same number of elements, got {input.shape[0]} "
            f"and {tensor.shape[0]}"
        )
    return Matmul.apply(input, tensor)


def outer(input, vec2) -> Tensor:
    """Outer product of vectors input (n,) and vec2 (m,): (n, m), out[i, j] = input[i] * vec2[j].

    >>> mg.outer(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 10.0, 100.0]))
    tensor([[  1.,  10., 100.],
            [  2.,  20., 200.]])
    """
    for name, x in (("input", input), ("vec2", vec2)):
        require_tensor(x, name, "outer")
        if x.ndim != 1:
            raise ShapeError(f"outer: {name} must be a vector (1-d), got shape {x.shape}")
    return mul(reshape(input, (input.shape[0], 1)), vec2)


def ger(input, vec2) -> Tensor:
    """Outer product of two vectors: the old name of `outer`."""
    return outer(input, vec2)


def tensordot(a, b, dims=2) -> Tensor:
    """Sum of products over the dims of a and b that `dims` pairs.

    dims=n (int >= 0): the last n dims of a with the first n of b; dims=([1, 0], [0, 1]): dim
    1 of a with dim 0 of b and dim 0 of a with dim 1 of b (a Tensor of either form works too).
    The result has a's other dims, then b's. A contracted dim of size 1 broadcasts.

    >>> mg.tensordot(mg.ones(2, 3, 4), mg.ones(3, 4, 5)).shape
    Size([2, 5])
    """
    require_tensor(b, "b", "tensordot")
    same_dtype("tensordot", a=a, b=b)
    dims_a, dims_b = _contracted(a, b, dims)
    target_a, target_b = list(a.shape), list(b.shape)
    for da, db in zip(dims_a, dims_b):
        n, m = a.shape[da], b.shape[db]
        if n != m and 1 not in (n, m):
            raise ShapeError(
                f"tensordot: contracted dims must have one size, but a has size {n} in dim {da} "
                f"and b has size {m} in dim {db}"
            )
        target_a[da] = target_b[db] = max(n, m)
    return Tensordot.apply(
        expand(a, tuple(target_a)), expand(b, tuple(target_b)), dims_a=dims_a, dims_b=dims_b
    )


def _contracted(a, b, dims) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """tensordot's dims as the pairs of dims it contracts (non-negative)."""
    if isinstance(dims, Tensor):
        dims = dims.item() if dims.numel() == 1 else dims.tolist()
    if isinstance(dims, (tuple, list)):
        if len(dims) != 2 or not all(isinstance(d, (tuple, list)) for d in dims):
            raise TypeError(
                f"tensordot: dims must be an int or a pair of lists of dims, got {dims!r}"
            )
        if len(dims[0]) != len(dims[1]):
            raise ShapeError(
                f"tensordot: the two lists of dims must have one length, got {list(dims[0])} "
                f"and {list(dims[1])}"
            )
        pairs = []
        for x, name, listed in ((a, "a", dims[0]), (b, "b", dims[1])):
            axes = tuple(normalize_dim(d, x.ndim, "tensordot", "dims") for d in listed)
            if len(set(axes)) != len(axes):
                raise ShapeError(f"tensordot: dims lists a dim of {name} twice: {list(listed)}")
            pairs.append(axes)
        return pairs[0], pairs[1]
    n = as_int(dims, "dims", "tensordot")
    if n < 0:
        raise ShapeError(f"tensordot: dims must be >= 0, got {n}")
    if n > a.ndim or n > b.ndim:
        raise ShapeError(
            f"tensordot: dims={n} is more than the dims of a (shape {a.shape}) or of b (shape "
            f"{b.shape})"
        )
    return tuple(range(a.ndim - n, a.ndim)), tuple(range(n))
