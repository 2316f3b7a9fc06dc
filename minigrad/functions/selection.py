"""What users call to read and write tensors at indices or under masks: masked_fill,
masked_select, index_select, scatter, scatter_add, index_add, take_along_dim, nonzero,
argwhere; each index and mask checked (dtype, shape, device, range) before an op runs.

The ops: ops.indexing's Getitem, Gather, IndexAdd and ScatterAdd, ops.scatter's Scatter,
MaskedFill and MaskedSelect. These are the out-of-place functions; an in-place variant
(`t.masked_fill_(m, v)`) computes the same and writes the result into t.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..errors import (
    DTypeError,
    IndexRangeError,
    OptionError,
    ShapeError,
    _described,
    as_number,
    check_bool,
)
from ..ops.arithmetic import Add
from ..ops.indexing import Gather, Getitem, IndexAdd, ScatterAdd
from ..ops.scatter import MaskedFill, MaskedSelect, Scatter
from ..ops.shape import normalize_dim
from ..tensor import Tensor
from .arithmetic import mul, python_number, require_tensor
from .elementwise import cast
from .layout import clone
from .shape import expand, reshape

_INDEX_DTYPES = (dtypes.int64, dtypes.int32)


def _index(index, input, op: str, name: str = "index", allowed=_INDEX_DTYPES):
    """The array of an index tensor of an allowed dtype on input's device."""
    require_tensor(index, name, op)
    if index.dtype not in allowed:
        kinds = " or ".join(str(d) for d in allowed)
        raise DTypeError(f"{op}: {name} must be a {kinds} tensor, got {index.dtype}")
    if index.device != input.device:
        raise backend.DeviceMismatch(op, input.array, index.array)
    return index.array


def _in_range(index, size: int, dim: int, op: str, name: str = "index") -> None:
    """Refuse index values outside [0, size) (a negative index is refused, as in PyTorch)."""
    if index.size:
        low, high = int(index.min()), int(index.max())
        if low < 0 or high >= size:
            raise IndexRangeError(
                f"{op}: {name} {low if low < 0 else high} is out of bounds for dim {dim} with "
                f"size {size}"
            )


def _mask(mask, input, op: str):
    require_tensor(mask, "mask", op)
    if mask.dtype != dtypes.bool:
        raise DTypeError(f"{op}: mask must be a bool tensor, got dtype {mask.dtype}")
    if mask.device != input.device:
        raise backend.DeviceMismatch(op, input.array, mask.array)
    try:
        return backend.numpy.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise ShapeError(
            f"{op}: the shapes of input {input.shape} and mask {mask.shape} cannot be broadcast "
            "together"
        ) from None


def _fill_value(value, input, name: str, op: str):
    """A number as a 0-d array of input's dtype (a float into an integer tensor truncates, as
    in PyTorch), refused when that dtype cannot hold it."""
    value = python_number(value)
    if not isinstance(value, (int, float)):
        raise TypeError(f"{op}: {name} must be a number or a 0-d tensor, got {_described(value)}")
    xp = backend.xp_of(input.array)
    try:
        with backend.numpy.errstate(over="raise", invalid="raise"):
            return xp.asarray(value, dtype=input.dtype)
    except (OverflowError, ValueError, FloatingPointError):
        raise OptionError(
            f"{op}: {name} {value} cannot be converted to {input.dtype} without overflow"
        ) from None


def masked_fill(input, mask, value) -> Tensor:
    """input with `value` where mask (a bool tensor broadcasting with input) is True.

    value is a number or a 0-d tensor (with a gradient: the sum of the gradient where mask is
    True); the result has input's dtype, and the broadcast shape of input and mask.

    >>> mg.tensor([1.0, 2.0, 3.0]).masked_fill(mg.tensor([True, False, True]), 0.0)
    tensor([0., 2., 0.])
    """
    _mask(mask, input, "masked_fill")
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError(
                f"masked_fill: value must be a number or a 0-d tensor, got a tensor of shape "
                f"{value.shape}"
            )
        value = cast(value, input.dtype)
    else:
        value = _fill_value(value, input, "value", "masked_fill")
    return MaskedFill.apply(input, value, mask=mask.array)


def masked_select(input, mask) -> Tensor:
    """The elements of input where mask is True (both broadcast first), as a 1-d tensor."""
    shape = _mask(mask, input, "masked_select")
    xp = backend.xp_of(input.array)
    return MaskedSelect.apply(expand(input, shape), mask=xp.broadcast_to(mask.array, shape))


def index_select(input, dim: int, index) -> Tensor:
    """The slices of input at `index` (a 1-d int64 or int32 tensor) along dim, in that order.

    >>> mg.tensor([[1, 2, 3], [4, 5, 6]]).index_select(1, mg.tensor([2, 0]))
    tensor([[3, 1],
            [6, 4]])
    """
    axis = normalize_dim(dim, input.ndim, "index_select")
    idx = _index(index, input, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select: index must be a vector (0-d or 1-d), got {idx.shape}")
    if input.ndim == 0:
        if idx.size != 1:
            raise OptionError(
                f"index_select: index into a 0-d input must be one value, got {idx.size}"
            )
        _in_range(idx, 1, 0, "index_select")
        return clone(input)
    idx = idx.reshape(-1)
    _in_range(idx, input.shape[axis], axis, "index_select")
    return Getitem.apply(input, key=(*(slice(None),) * axis, idx))


def _as_1d(x):
    return reshape(x, (1,)) if x.ndim == 0 else x


def _scatter_index(input, dim, index, src, op: str):
    """(axis, index array) for scatter and scatter_add, checked against input and src."""
    axis = normalize_dim(dim, input.ndim, op)
    idx = _index(index, input, op)
    idx = idx.reshape(1) if idx.ndim == 0 else idx
    ndim = max(input.ndim, 1)
    if idx.ndim != ndim:
        raise ShapeError(f"{op}: index must have as many dims as input ({ndim}), got {idx.shape}")
    shape = input.shape or (1,)
    if isinstance(src, Tensor):
        if src.dtype != input.dtype:
            raise DTypeError(f"{op}: src must have input's dtype {input.dtype}, got {src.dtype}")
        src_shape = src.shape or (1,)
        if len(src_shape) != ndim:
            raise ShapeError(f"{op}: src must have as many dims as index ({ndim}), got {src.shape}")
    else:
        src_shape = idx.shape
    for d, n in enumerate(idx.shape):
        if n > src_shape[d] or (d != axis and n > shape[d]):
            raise ShapeError(
                f"{op}: index of shape {idx.shape} must be no larger than input {input.shape} "
                f"outside dim {axis}, and no larger than src {tuple(src_shape)}"
            )
    _in_range(idx, shape[axis], axis, op)
    return axis, idx


def _fitted(src, idx):
    """src cut to index's shape: only its elements that index pairs with are written."""
    src = _as_1d(src)
    if src.shape == idx.shape:
        return src
    return Getitem.apply(src, key=tuple(slice(0, n) for n in idx.shape))


def scatter(input, dim: int, index, src=None, value=None, *, reduce=None) -> Tensor:
    """input with src[i][j] written at [index[i][j]][j] (dim=0; [i][index[i][j]] for dim=1,
    and so on); src is a tensor of input's dtype, or a number (`value`) written everywhere.

    reduce='add' adds instead of writing (scatter_add); 'multiply' is not supported. Where
    index repeats a place, one of the writes wins. Gradients: input's is 0 where it was
    written over; src's is the output's gradient where each of its elements landed.

    >>> mg.zeros(2, 3).scatter(1, mg.tensor([[2], [0]]), 1.0)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    if src is not None and not isinstance(src, Tensor):  # scatter(x, dim, index, 5.0)
        if value is not None:
            raise TypeError("scatter: give src or value, not both")
        src, value = None, src
    if (src is None) == (value is None):
        raise TypeError("scatter: expected one of src (a Tensor) and value (a number)")
    if reduce not in (None, "add", "multiply"):
        raise OptionError(f"scatter: reduce must be None, 'add' or 'multiply', got {reduce!r}")
    if reduce == "multiply":
        raise NotImplementedError("scatter: reduce='multiply' is not implemented in minigrad")
    axis, idx = _scatter_index(input, dim, index, src, "scatter")
    x = _as_1d(input)
    if src is None:
        written = _fill_value(value, input, "value", "scatter")
    else:
        written = _fitted(src, idx)
    if reduce == "add":
        if src is None:
            written = backend.xp_of(idx).full(idx.shape, written, dtype=input.dtype)
        out = Add.apply(x, ScatterAdd.apply(written, dim=axis, index=idx, shape=x.shape))
    else:
        out = Scatter.apply(x, written, dim=axis, index=idx)
    return reshape(out, ()) if input.ndim == 0 else out


def scatter_add(input, dim: int, index, src) -> Tensor:
    """input with src[i][j] added at [index[i][j]][j] (dim=0; likewise for other dims), adding
    every one where index repeats a place. src's gradient: the output's, gathered at index.

    >>> mg.zeros(3).scatter_add(0, mg.tensor([0, 0, 2]), mg.tensor([1.0, 2.0, 3.0]))
    tensor([3., 0., 3.])
    """
    require_tensor(src, "src", "scatter_add")
    axis, idx = _scatter_index(input, dim, index, src, "scatter_add")
    x = _as_1d(input)
    out = Add.apply(x, ScatterAdd.apply(_fitted(src, idx), dim=axis, index=idx, shape=x.shape))
    return reshape(out, ()) if input.ndim == 0 else out


def index_add(input, dim: int, index, source, *, alpha=1) -> Tensor:
    """input with alpha * source's slices added at `index` along dim (a 1-d int64 or int32
    tensor, one index per slice of source; repeated indices add up).

    >>> mg.zeros(3).index_add(0, mg.tensor([0, 0]), mg.tensor([1.0, 2.0]))
    tensor([3., 0., 0.])
    """
    op = "index_add"
    axis = normalize_dim(dim, input.ndim, op)
    idx = _index(index, input, op)
    require_tensor(source, "source", op)
    if idx.ndim > 1:
        raise IndexError(f"{op}: index must be a vector (0-d or 1-d), got shape {idx.shape}")
    if source.dtype != input.dtype:
        raise DTypeError(f"{op}: source must have input's dtype {input.dtype}, got {source.dtype}")
    x, src, idx = _as_1d(input), _as_1d(source), idx.reshape(-1)
    expected = x.shape[:axis] + (idx.size,) + x.shape[axis + 1 :]
    if src.shape != expected:
        raise ShapeError(
            f"{op}: source must have shape {expected} (input's, with the size of index along "
            f"dim {axis}), got {source.shape}"
        )
    _in_range(idx, x.shape[axis], axis, op)
    alpha = as_number(alpha, "alpha", op)
    if alpha != 1:
        src = cast(mul(src, alpha), input.dtype)  # (an integer input truncates, as PyTorch's)
    out = Add.apply(x, IndexAdd.apply(src, shape=x.shape, key=(*(slice(None),) * axis, idx)))
    return reshape(out, ()) if input.ndim == 0 else out


def take_along_dim(input, indices, dim=None) -> Tensor:
    """input's values at `indices` (int64) along dim, input and indices broadcast against each
    other outside dim; with dim None, of the flattened input at the flattened indices.

    >>> x = mg.tensor([[10, 30, 20], [60, 40, 50]])
    >>> x.take_along_dim(x.argmax(1, keepdim=True), 1)
    tensor([[30],
            [60]])
    """
    op = "take_along_dim"
    idx = _index(indices, input, op, "indices", (dtypes.int64,))
    if dim is None:
        flat = idx.reshape(-1)
        _in_range(flat, input.array.size, 0, op, "indices")
        return Gather.apply(reshape(input, (-1,)), dim=0, index=flat)
    if input.ndim == 0:
        raise IndexError(f"{op}: dim given, but input is a 0-d tensor (it has no dims)")
    axis = normalize_dim(dim, input.ndim, op)
    if idx.ndim != input.ndim:
        raise ShapeError(
            f"{op}: input and indices must have the same number of dims, got shapes "
            f"{input.shape} and {idx.shape}"
        )
    rest = [list(input.shape), list(idx.shape)]
    for shape in rest:
        shape[axis] = 1
    try:
        common = list(backend.numpy.broadcast_shapes(*rest))
    except ValueError:
        raise ShapeError(
            f"{op}: input {input.shape} and indices {idx.shape} do not broadcast outside dim {axis}"
        ) from None
    _in_range(idx, input.shape[axis], axis, op, "indices")
    to_x, to_idx = list(common), list(common)
    to_x[axis], to_idx[axis] = input.shape[axis], idx.shape[axis]
    xp = backend.xp_of(idx)
    return Gather.apply(
        expand(input, tuple(to_x)), dim=axis, index=xp.broadcast_to(idx, tuple(to_idx))
    )


def nonzero(input, *, as_tuple: bool = False) -> Tensor | tuple:
    """The indices of input's non-zero elements, in row-major order: an int64 tensor (n,
    input.ndim), or with as_tuple, a tuple of input.ndim 1-d tensors (one per dim; a 0-d
    input counts as 1-d).

    >>> mg.tensor([[0, 1], [2, 0]]).nonzero()
    tensor([[0, 1],
            [1, 0]])
    """
    array = input.array
    xp = backend.xp_of(array)
    if check_bool(as_tuple, "as_tuple", "nonzero"):
        found = xp.nonzero(array.reshape(-1) if array.ndim == 0 else array)
        return tuple(Tensor._make(i.astype(dtypes.int64, copy=False), False) for i in found)
    return Tensor._make(xp.argwhere(array).astype(dtypes.int64, copy=False), False)


def argwhere(input) -> Tensor:
    """The indices of input's non-zero elements as an (n, input.ndim) int64 tensor."""
    return nonzero(input)
