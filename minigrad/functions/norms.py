"""What users call for norms: `mg.norm` (PyTorch's torch.norm) and the `mg.linalg` functions
norm, vector_norm and matrix_norm, with PyTorch's rules for which norm an `ord` and a `dim`
select.

Vector norms (any p, over any dims) are one op, minigrad.ops.norms.VectorNorm; the matrix
norms are made of ops as PyTorch makes them: 'fro' is the vector 2-norm over the two dims,
1 and inf the largest absolute column and row sums (abs, sum, amax), 2, -2 and 'nuc' the
largest, the smallest and the sum of the singular values.
"""

from __future__ import annotations

import math

from .. import dtypes
from ..errors import DTypeError, OptionError, ShapeError, _described
from ..ops.norms import Svdvals, VectorNorm
from ..ops.shape import normalize_dim
from ..tensor import Tensor
from .arithmetic import python_number
from .elementwise import abs, cast
from .reduction import _axes, amax, amin, sum
from .reduction_more import keepdim_of
from .shape import permute, reshape

_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def _floating(x, dtype, op: str):
    """x checked to be floating point, and cast to `dtype` (a float dtype it widens to)."""
    if not dtypes.is_floating(x.dtype):
        raise DTypeError(f"{op}: input must be a floating point tensor, got {x.dtype}")
    if dtype is None:
        return x
    dtype = dtypes.as_dtype(dtype)
    if not dtypes.is_floating(dtype):
        raise DTypeError(f"{op}: dtype must be a floating point dtype, got {dtype}")
    if dtype.itemsize < x.dtype.itemsize:
        raise DTypeError(f"{op}: input of dtype {x.dtype} cannot be narrowed to dtype {dtype}")
    return cast(x, dtype)


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None, keepdims=None) -> Tensor:
    """The p-norm (sum |x|^p)^(1/p) of the entries over dim (int, tuple, None: all), for any
    real ord: inf is max |x|, -inf min |x|, 0 the count of non-zeros. With dtype, input is
    cast to it first.

    >>> v = mg.tensor([3.0, -4.0])
    >>> mg.linalg.vector_norm(v), mg.linalg.vector_norm(v, 1), mg.linalg.vector_norm(v, 0)
    (tensor(5.), tensor(7.), tensor(2.))
    """
    op, ord = "linalg.vector_norm", python_number(ord)
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"{op}: ord must be a real number, got {_described(ord)}")
    x = _floating(input, dtype, op)
    keepdim = keepdim_of(keepdim, keepdims)
    axes = _axes(x, dim, keepdim, op)
    reduced = [n for i, n in enumerate(x.shape) if axes is None or i in axes]
    if (ord < 0 or ord == math.inf) and 0 in reduced:
        raise OptionError(
            f"{op}: the {ord} norm of an empty slice is undefined (input of shape "
            f"{tuple(x.shape)}, dim {dim}): its reduction has no identity"
        )
    return VectorNorm.apply(x, ord=float(ord), axes=axes, keepdim=keepdim)


def matrix_norm(
    input, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, keepdims=None
) -> Tensor:
    """The matrix norm of the matrices in the two dims `dim`: 'fro' (Frobenius), 'nuc'
    (sum of singular values), 2 / -2 (largest / smallest singular value), 1 / -1 (largest /
    smallest absolute column sum), inf / -inf (the same of rows). 'nuc', 2 and -2 have first
    derivatives only (no create_graph) and are not implemented for float16, as in PyTorch."""
    op = "linalg.matrix_norm"
    if not isinstance(ord, (str, int, float)) or isinstance(ord, bool) or ord not in _MATRIX_ORDS:
        raise OptionError(f"{op}: ord {ord!r} is not supported; expected one of {_MATRIX_ORDS}")
    x = _floating(input, dtype, op)
    keepdim = keepdim_of(keepdim, keepdims)
    if x.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dims, got {x.ndim}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ShapeError(f"{op}: dim must be a 2-tuple of ints, got {_described(dim)}")
    rows, cols = (normalize_dim(d, x.ndim, op) for d in dim)
    if rows == cols:
        raise ShapeError(f"{op}: dim must name two different dims, got {tuple(dim)}")
    singular = ord in ("nuc", 2, -2)
    if singular and input.dtype == dtypes.float16:
        raise DTypeError(f"{op}: ord={ord!r} (singular values) is not implemented for float16")
    if ord == "fro":
        return vector_norm(x, 2, (rows, cols), keepdim)
    kept = tuple(1 if i in (rows, cols) else n for i, n in enumerate(x.shape))
    if singular and 0 in (x.shape[rows], x.shape[cols]):  # no singular values
        if ord == -2:
            shape = tuple(x.shape)
            raise IndexError(f"{op}: an empty matrix (input of {shape}) has no smallest one")
        out = sum(abs(x), (rows, cols), keepdim=True)  # 0, as in PyTorch
    elif singular:
        others = tuple(i for i in range(x.ndim) if i not in (rows, cols))
        values = Svdvals.apply(permute(x, others + (rows, cols)))
        out = sum(values, -1) if ord == "nuc" else (amax if ord == 2 else amin)(values, -1)
    else:  # 1: the largest column sum (sum over rows); inf: the largest row sum
        summed, picked = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = sum(abs(x), summed, keepdim=True)
        # The largest of no sums is 0 (PyTorch's: a norm is >= 0); the smallest is undefined.
        largest = amax if sums.shape[picked] else sum
        out = (largest if ord > 0 else amin)(sums, picked, keepdim=True)
    if keepdim:
        return reshape(out, kept)
    return reshape(out, tuple(n for i, n in enumerate(x.shape) if i not in (rows, cols)))


def linalg_norm(input, ord=None, dim=None, keepdim=False, *, dtype=None, keepdims=None) -> Tensor:
    """mg.linalg.norm: a vector norm over one dim (or all, with neither ord nor dim), a
    matrix norm over two. With ord and without dim, input must be 1-d (a vector norm) or 2-d
    (a matrix norm); a string ord is always a matrix norm.

    >>> mg.linalg.norm(mg.tensor([[1.0, -2.0], [3.0, 4.0]]), 1)
    tensor(6.)
    """
    op = "linalg.norm"
    keepdim = keepdim_of(keepdim, keepdims)
    dims = None if dim is None else tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if dims is not None and len(dims) not in (1, 2):
        raise ShapeError(f"{op}: dim must name 1 or 2 dims, got {dim}")
    if ord is None:
        if dims is not None and len(dims) == 2:
            return matrix_norm(input, "fro", dims, keepdim, dtype=dtype)
        return vector_norm(input, 2, dims, keepdim, dtype=dtype)
    if dims is None:
        if input.ndim not in (1, 2):
            raise ShapeError(
                f"{op}: with ord and without dim, input must be 1-d or 2-d, got {input.ndim}-d"
            )
        dims = tuple(range(input.ndim))
    if len(dims) == 2 or isinstance(ord, str):
        return matrix_norm(input, ord, dims, keepdim, dtype=dtype)
    return vector_norm(input, ord, dims, keepdim, dtype=dtype)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None) -> Tensor:
    """torch.norm (and Tensor.norm): the vector p-norm over dim (all entries by default);
    p='fro' is the 2-norm over at most two dims, p='nuc' the nuclear norm of a matrix.

    >>> mg.tensor([[3.0, 4.0], [0.0, 0.0]]).norm(), mg.norm(mg.tensor([[3.0, 4.0]]), 1, dim=1)
    (tensor(5.), tensor([7.]))
    """
    dims = None if dim is None else (dim,) if not isinstance(dim, (tuple, list)) else tuple(dim)
    if isinstance(p, str):
        if p == "fro" and (dims is None or len(dims) <= 2):
            return vector_norm(input, 2, dims, keepdim, dtype=dtype)
        dims = tuple(range(input.ndim)) if dims is None else dims
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    return vector_norm(input, 2 if p is None else p, dims, keepdim, dtype=dtype)
