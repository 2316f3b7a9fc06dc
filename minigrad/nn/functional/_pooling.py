"""Pooling: `max_pool1d/2d`, `avg_pool1d/2d`, `adaptive_avg_pool1d/2d`,
`adaptive_max_pool1d/2d`, `max_unpool1d/2d`, with PyTorch's arguments and checks. How each is
computed, and differentiated, is in _pool_ops.py (max and average pooling) and
ops/resample.py (adaptive average pooling, a resampling)."""

from __future__ import annotations

from ... import backend, dtypes
from ...errors import DTypeError, OptionError, ShapeError, _described, as_int, check_bool
from ...ops.resample import Resample
from ...tensor import Tensor
from ._common import _require_tensor
from ._pool_ops import AvgPool, Pick, PoolGeometry, Unpool, max_pool_winners, winners
from ._resample import adaptive_plan
from ._spatial import ntuple, window_count

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool2d",
    "max_unpool1d",
    "max_unpool2d",
]


def _pool_input(input, dims: int, op: str, float_only: bool) -> None:
    """(N, C, *spatial) or (C, *spatial), every dim but N non-empty; a dtype pooling takes."""
    _require_tensor(input, "input", op)
    lead = input.ndim - dims
    if lead not in (1, 2) or 0 in input.shape[lead - 1 :]:
        raise ShapeError(
            f"{op}: expected {dims + 1}D or {dims + 2}D (batch mode) tensor with optional 0 "
            f"dim batch size for input, but got: {list(input.shape)}"
        )
    if input.dtype == dtypes.bool or (float_only and not dtypes.is_floating(input.dtype)):
        raise DTypeError(f"{op}: not implemented for input of dtype {input.dtype}")


def _geometry(
    input, dims: int, kernel_size, stride, padding, dilation, ceil_mode, op: str, dilated: bool
) -> PoolGeometry:
    kernel = ntuple(kernel_size, dims, "kernel_size", op, minimum=1)
    if stride is None or (isinstance(stride, (tuple, list)) and not stride):
        stride = kernel
    stride = ntuple(stride, dims, "stride", op, minimum=1)
    pad = ntuple(padding, dims, "padding", op)
    dilation = ntuple(dilation, dims, "dilation", op, minimum=1)
    check_bool(ceil_mode, "ceil_mode", op)
    for p, k, d in zip(pad, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            kind, given = ("effective ", f" and dilation={d}") if dilated else ("", "")
            raise ShapeError(
                f"{op}: pad should be at most half of {kind}kernel size, but got pad={p}, "
                f"kernel_size={k}{given}"
            )
    size = tuple(input.shape[-dims:])
    out = tuple(
        window_count(n, k, s, p, p, d, ceil_mode)
        for n, k, s, p, d in zip(size, kernel, stride, pad, dilation)
    )
    if any(o < 1 for o in out):
        raise ShapeError(
            f"{op}: given input size {size}, the calculated output size {out} is too small "
            f"(kernel_size={kernel}, stride={stride}, padding={pad}, dilation={dilation})"
        )
    # The right padding also covers the part of a ceil_mode window that hangs over the end.
    reach = [(o - 1) * s + d * (k - 1) + 1 for o, s, d, k in zip(out, stride, dilation, kernel)]
    widths = tuple((p, max(r - n - p, 0)) for p, r, n in zip(pad, reach, size))
    return PoolGeometry(size, out, kernel, stride, widths, dilation)


def _max_pool(
    input, dims, kernel_size, stride, padding, dilation, ceil_mode, return_indices, op: str
):
    _pool_input(input, dims, op, float_only=False)
    geo = _geometry(input, dims, kernel_size, stride, padding, dilation, ceil_mode, op, True)
    values, index = max_pool_winners(input.array, geo)
    out = Pick.apply(input, index=index, nd=dims, values=values, geo=geo)
    return (out, Tensor.wrap(index)) if check_bool(return_indices, "return_indices", op) else out


def max_pool1d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The max of each window along the last dim: (N, C, L) or (C, L) -> (..., L_out); see
    max_pool2d."""
    return _max_pool(
        input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool1d"
    )


def max_pool2d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The max of each kernel_size window: (N, C, H, W) or (C, H, W) -> (..., Ho, Wo), Ho =
    (H + 2 p - d (k - 1) - 1) // s + 1 (rounded up with ceil_mode, keeping a last window that
    starts inside the input). stride defaults to kernel_size; padding (at most half the
    dilated kernel) never wins. With return_indices also the flat position (h * W + w) of
    each maximum, as max_unpool2d takes it. One tape entry.

    >>> max_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return _max_pool(
        input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool2d"
    )


def _avg_pool(
    input,
    dims,
    kernel_size,
    stride,
    padding,
    ceil_mode,
    count_include_pad,
    divisor_override,
    op: str,
) -> Tensor:
    _pool_input(input, dims, op, float_only=True)
    geo = _geometry(input, dims, kernel_size, stride, padding, 1, ceil_mode, op, False)
    check_bool(count_include_pad, "count_include_pad", op)
    if divisor_override is not None:
        divisor_override = as_int(divisor_override, "divisor_override", op)
        if divisor_override == 0:
            raise OptionError(f"{op}: divisor must be not zero (divisor_override=0)")
    return AvgPool.apply(
        input, geo=geo, count_include_pad=count_include_pad, divisor_override=divisor_override
    )


def avg_pool1d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window along the last dim; see avg_pool2d."""
    return _avg_pool(
        input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None, "avg_pool1d"
    )


def avg_pool2d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each kernel_size window: (N, C, H, W) or (C, H, W) -> (..., Ho, Wo), sizes
    as max_pool2d's. The divisor is the window's size, counting the zero padding
    (count_include_pad) but not a ceil_mode overhang, or divisor_override. One tape entry.

    >>> avg_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    return _avg_pool(
        input,
        2,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
        "avg_pool2d",
    )


def _adaptive_sizes(input, output_size, dims: int, op: str) -> tuple:
    given = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(given) != dims:
        raise ShapeError(f"{op}: output_size must be an int or {dims} ints, got {output_size!r}")
    spatial = input.shape[-dims:]
    sizes = tuple(n if o is None else as_int(o, "output_size", op) for o, n in zip(given, spatial))
    if any(o < 0 for o in sizes):
        raise OptionError(f"{op}: elements of output_size must be >= 0, got {output_size!r}")
    return sizes


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a given length: (N, C, L) -> (N, C, output_size); see
    adaptive_avg_pool2d."""
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a given size: (N, C, H, W) or (C, H, W) -> (..., oh, ow). Output i
    along a dim of n averages inputs floor(i n / o) to ceil((i + 1) n / o) - 1 (windows may
    overlap and differ in size); None in output_size keeps that dim. One tape entry.

    >>> adaptive_avg_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
    [[[[7.5]]]]
    """
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def _adaptive_avg(input, output_size, dims: int, op: str) -> Tensor:
    _pool_input(input, dims, op, float_only=True)
    sizes = _adaptive_sizes(input, output_size, dims, op)
    first = input.ndim - dims
    spatial = input.shape[first:]
    plans = tuple(adaptive_plan(first + d, n, o) for d, (n, o) in enumerate(zip(spatial, sizes)))
    return Resample.apply(input, plans=plans)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a given length; see adaptive_max_pool2d."""
    return _adaptive_max(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a given size, over adaptive_avg_pool2d's windows; with return_indices
    also each maximum's flat position."""
    return _adaptive_max(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def _adaptive_max(input, output_size, return_indices, dims: int, op: str):
    _pool_input(input, dims, op, float_only=False)
    sizes = _adaptive_sizes(input, output_size, dims, op)
    check_bool(return_indices, "return_indices", op)
    x, spatial = input.array, input.shape[input.ndim - dims :]
    xp = backend.xp_of(x)
    if 0 in sizes:
        shape = input.shape[: input.ndim - dims] + sizes
        values, index = xp.zeros(shape, dtype=x.dtype), xp.zeros(shape, dtype="int64")
    else:
        plans = [adaptive_plan(d, n, o) for d, (n, o) in enumerate(zip(spatial, sizes))]
        values, index = winners(xp, list(_adaptive_candidates(x, plans, spatial)))
    out = Pick.apply(input, index=index, nd=dims, values=values)
    return (out, Tensor.wrap(index)) if return_indices else out


def _adaptive_candidates(x, plans, spatial):
    """Max pooling's candidates for adaptive windows: offset t of each window along each dim
    (a window shorter than the longest repeats its last element, marked not valid)."""
    xp, nd = backend.xp_of(x), len(plans)
    steps = [1] * nd
    for d in range(nd - 2, -1, -1):
        steps[d] = steps[d + 1] * spatial[d + 1]
    index = [backend.host_array(p.index) for p in plans]
    valid = [backend.host_array(p.weight) > 0 for p in plans]
    shape = [(1,) * d + (-1,) + (1,) * (nd - d - 1) for d in range(nd)]

    def combos(d, picked, flat, ok):
        if d == nd:
            yield picked, flat, ok
            return
        for t in range(index[d].shape[1]):
            rows = index[d][:, t]
            taken = xp.take(picked, xp.asarray(rows), axis=picked.ndim - nd + d)
            yield from combos(
                d + 1,
                taken,
                flat + rows.reshape(shape[d]) * steps[d],
                ok & valid[d][:, t].reshape(shape[d]),
            )

    return combos(0, x, 0, True)


def max_unpool1d(
    input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """The inverse of max_pool1d: see max_unpool2d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(
    input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """Put each value of input back at the position max_pool2d's `indices` give, zeros
    elsewhere: (N, C, H, W) -> (N, C, Ho, Wo), Ho = (H - 1) s - 2 p + k unless output_size
    says otherwise (by less than the stride). Indices that repeat add up (PyTorch keeps one)."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, dims, op):
    _pool_input(input, dims, op, float_only=False)
    _require_tensor(indices, "indices", op)
    if indices.dtype != dtypes.int64 or indices.shape != input.shape:
        raise DTypeError(
            f"{op}: indices must be an int64 tensor of the input's shape {input.shape}, got "
            f"{_described(indices)}"
        )
    kernel = ntuple(kernel_size, dims, "kernel_size", op, minimum=1)
    stride = kernel if stride is None else ntuple(stride, dims, "stride", op, minimum=1)
    pad = ntuple(padding, dims, "padding", op)
    spatial = input.shape[input.ndim - dims :]
    default = [(n - 1) * s - 2 * p + k for n, s, p, k in zip(spatial, stride, pad, kernel)]
    if output_size is None:
        size = tuple(default)
    else:
        if not isinstance(output_size, (tuple, list)) or len(output_size) not in (dims, dims + 2):
            raise TypeError(
                f"{op}: output_size must be {dims} (or {dims + 2}) ints, got "
                f"{_described(output_size)}"
            )
        size = tuple(as_int(n, "output_size", op) for n in output_size)[-dims:]
        for d, (n, s, best) in enumerate(zip(size, stride, default)):
            if not best - s < n < best + s:
                raise ValueError(
                    f'{op}: invalid output_size "{tuple(output_size)}" (dim {d} must be '
                    f"between {best - s} and {best + s})"
                )
    total = 1
    for n in size:
        total *= n
    if indices.numel() and not 0 <= int(indices.array.min()) <= int(indices.array.max()) < total:
        raise IndexError(
            f"{op}: found an invalid max index (outside the output's {size} positions)"
        )
    return Unpool.apply(input, index=indices.array, size=size)
