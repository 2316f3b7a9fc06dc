"""Padding and resizing: `pad` (every mode), `interpolate` (nearest, nearest-exact, linear,
bilinear, trilinear, area), `pixel_shuffle` and `pixel_unshuffle`.

Constant padding is ops.padding's ConstantPad; every other one here is a resampling
(ops.resample): per spatial dim, each output position reads one or two input positions with
weights, so its backward adds the gradient back where it was read, and is itself
differentiable. The index and weight tables are computed as PyTorch's kernels compute them,
in the input's float precision (float32 for float16), so the same pixels are picked.
"""

from __future__ import annotations

import math

from ... import backend, dtypes, functions
from ...errors import OptionError, ShapeError, _described, as_int, as_number
from ...ops.padding import ConstantPad
from ...ops.resample import Plan, Resample, pad_plan
from ...tensor import Tensor
from ._common import _require_tensor

__all__ = ["interpolate", "pad", "pixel_shuffle", "pixel_unshuffle"]

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 dims: pad = (left, right) for the last dim, then (top,
    bottom) for the one before, ...; a negative width crops. Modes: 'constant' (with `value`,
    default 0), 'reflect' (mirrored at the edge, which is not repeated; width < size),
    'replicate' (the edge repeated), 'circular' (wrapped; width <= size). The non-constant
    modes pad the last 1, 2 or 3 dims of a tensor with one or two more dims than that.

    >>> pad(mg.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect").tolist()
    [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    """
    _require_tensor(input, "input", "pad")
    widths = _pad_widths(pad, input.ndim)
    if mode not in PAD_MODES:
        raise NotImplementedError(
            f"pad: unrecognised padding mode {mode!r} (expected one of {', '.join(PAD_MODES)})"
        )
    sizes = input.shape[input.ndim - len(widths) :]
    if mode == "constant":
        for n, (lo, hi) in zip(sizes, widths):
            if n + min(lo, 0) + min(hi, 0) < 0:  # (cropping more than there is)
                raise ShapeError(
                    f"pad: the input size {n}, cropped by padding {lo} and {hi}, is negative"
                )
        return ConstantPad.apply(input, widths=widths, value=_fill_value(value, input.dtype))
    if value is not None and value != 0:
        raise ValueError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
    k = len(widths)
    if not 1 <= k <= 3 or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: padding size {2 * k} is not supported for {input.ndim}D input with mode "
            f"{mode!r}: (left, right) pads the last dim of a 2D or 3D input, 4 numbers the last "
            "2 dims of a 3D or 4D one, 6 numbers the last 3 dims of a 4D or 5D one"
        )
    for n, (lo, hi) in zip(sizes, widths):
        _check_mode_widths(mode, n, lo, hi, input.shape, k)
    first = input.ndim - k
    plans = tuple(
        pad_plan(first + i, n, lo, hi, mode) for i, (n, (lo, hi)) in enumerate(zip(sizes, widths))
    )
    return Resample.apply(input, plans=plans)


def _pad_widths(pad, ndim: int) -> tuple:
    """PyTorch's flat pad (last dim first) as ((before, after), ...) in dim order."""
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad: pad must be a tuple of ints, got {_described(pad)}")
    values = [as_int(p, "pad", "pad") for p in pad]
    if len(values) % 2:
        raise ShapeError(f"pad: padding length must be divisible by 2, got pad={tuple(pad)}")
    if len(values) > 2 * ndim:
        raise ShapeError(
            f"pad: padding length should be less than or equal to two times the input "
            f"dimension but got padding length {len(values)} and input of dimension {ndim}"
        )
    pairs = [(values[i], values[i + 1]) for i in range(0, len(values), 2)]
    return tuple(reversed(pairs))


def _fill_value(value, dtype):
    if value is None:
        return 0
    value = as_number(value, "value", "pad")
    if dtype == dtypes.bool:
        return bool(value)
    return value if dtypes.is_floating(dtype) else math.trunc(value)


def _check_mode_widths(mode: str, n: int, lo: int, hi: int, shape: tuple, k: int) -> None:
    if mode == "reflect" and (lo >= n or hi >= n):
        raise ShapeError(
            f"pad: padding size should be less than the corresponding input dimension, but "
            f"got padding ({lo}, {hi}) for a dim of size {n} of input {list(shape)}"
        )
    kept = n - max(-lo, 0) - max(-hi, 0)
    if mode == "circular" and (lo > kept or hi > kept):
        raise ShapeError("pad: padding value causes wrapping around more than once")
    # PyTorch: an empty result is an error when padding one dim, not when padding several
    least = 0 if mode == "circular" or k > 1 else 1
    if n == 0 or n + lo + hi < least:
        raise ShapeError(
            f"pad: input of size {n} is too small for padding ({lo}, {hi}) with mode {mode!r}"
        )


# ----- interpolate --------------------------------------------------------------------------
INTERPOLATE_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area")
_LINEAR_RANK = {"linear": 3, "bilinear": 4, "trilinear": 5}


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of input (N, C, *spatial) to `size`, or scale them by
    `scale_factor`. Modes: 'nearest' (PyTorch's: the pixel at floor(i * in/out)),
    'nearest-exact' (at floor((i + 0.5) * in/out)), 'linear' (3D input), 'bilinear' (4D),
    'trilinear' (5D), with `align_corners` (False: pixels are areas, their centres at
    i + 0.5; True: the corner pixels' centres line up), and 'area' (adaptive average pooling).

    >>> interpolate(mg.tensor([[[1.0, 2.0]]]), scale_factor=2, mode="linear").tolist()
    [[[1.0, 1.25, 1.75, 2.0]]]
    """
    _require_tensor(input, "input", "interpolate")
    if not isinstance(mode, str):
        raise TypeError(f"interpolate: mode must be a string, got {_described(mode)}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "interpolate: align_corners option can only be set with the interpolating "
                "modes: linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dims = input.ndim - 2
    sizes, scales = _output_size(input, size, scale_factor, recompute_scale_factor, mode, dims)
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by minigrad")
    if mode not in INTERPOLATE_MODES or input.ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"interpolate: only 3D, 4D and 5D input tensors are supported (got {input.ndim}D) "
            f"for the modes: {' | '.join(INTERPOLATE_MODES)} (got {mode!r})"
        )
    if mode in _LINEAR_RANK and input.ndim != _LINEAR_RANK[mode]:
        raise NotImplementedError(
            f"interpolate: got {input.ndim}D input, but {mode} mode needs "
            f"{_LINEAR_RANK[mode]}D input"
        )
    if not dtypes.is_floating(input.dtype):
        raise NotImplementedError(f"interpolate: not implemented for input of dtype {input.dtype}")
    spatial = input.shape[2:]
    if any(n < (0 if mode == "area" else 1) for n in sizes) or any(n < 1 for n in spatial):
        raise ShapeError(
            f"interpolate: input and output sizes should be greater than 0, but got input "
            f"{tuple(spatial)} and output {tuple(sizes)}"
        )
    if mode == "area":
        plans = tuple(adaptive_plan(2 + i, n, o) for i, (n, o) in enumerate(zip(spatial, sizes)))
    else:
        math_dtype = dtypes.float64 if input.dtype == dtypes.float64 else dtypes.float32
        make = _nearest_plan if mode.startswith("nearest") else _linear_plan
        option = mode == "nearest-exact" if make is _nearest_plan else align_corners
        plans = tuple(
            make(2 + i, n, o, s, option, math_dtype)
            for i, (n, o, s) in enumerate(zip(spatial, sizes, scales))
        )
    return Resample.apply(input, plans=plans)


def _output_size(input, size, scale_factor, recompute, mode: str, dims: int):
    """(output sizes, the scale factors the kernels use, or Nones), as PyTorch derives them."""
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    given = size if size is not None else scale_factor
    name = "size" if size is not None else "scale_factor"
    values = list(given) if isinstance(given, (tuple, list)) else [given] * dims
    if len(values) != dims:
        raise ValueError(
            f"interpolate: input and output must have the same number of spatial dimensions, "
            f"but got input with spatial dimensions of {list(input.shape[2:])} and output size "
            f"of {given}"
        )
    if size is not None:
        if recompute:
            raise ValueError(
                "interpolate: recompute_scale_factor is not meaningful with an explicit size"
            )
        return [as_int(v, name, "interpolate") for v in values], [None] * dims
    factors = [float(as_number(v, name, "interpolate")) for v in values]
    if any(not math.isfinite(f) for f in factors):
        raise OptionError(f"interpolate: scale_factor must be finite, got {given}")
    sizes = [math.floor(n * f) for n, f in zip(input.shape[2:], factors)]
    keep = not (recompute or mode == "area")
    return sizes, factors if keep else [None] * dims


def _scale(n: int, o: int, factor, dtype):
    """in/out, or 1/scale_factor when one was given (PyTorch's compute_scales_value)."""
    return dtype.type(1.0 / factor if factor is not None and factor > 0 else n / o)


def _nearest_plan(axis: int, n: int, o: int, factor, exact: bool, dtype) -> Plan:
    positions = backend.host_array(range(o), dtype="int64")
    if not exact and o == n:
        index = positions
    elif not exact and o == 2 * n:
        index = positions // 2
    else:  # floor(i * scale) in the kernel's float precision, as PyTorch computes it
        shift = 0.5 if exact else 0.0
        source = (positions.astype(dtype) + dtype.type(shift)) * _scale(n, o, factor, dtype)
        index = source.astype(dtypes.int64).clip(0, n - 1)
    return Plan(axis, index.reshape(-1, 1), None, n)


def _linear_plan(axis: int, n: int, o: int, factor, align_corners: bool, dtype) -> Plan:
    positions = backend.host_array(range(o), dtype="int64").astype(dtype)
    if align_corners:
        scale = dtype.type((n - 1) / (o - 1) if o > 1 else 0.0)
        source = positions * scale
    else:
        source = (positions + dtype.type(0.5)) * _scale(n, o, factor, dtype) - dtype.type(0.5)
        source = source.clip(0, None)
    low = source.astype(dtypes.int64).clip(None, n - 1)
    weight_high = (source - low.astype(dtype)).clip(0, 1)
    high = low + (low < n - 1)
    index = backend.host_array([low, high]).T
    weight = backend.host_array([1 - weight_high, weight_high]).T
    return Plan(axis, index, weight, n)


def adaptive_plan(axis: int, n: int, o: int) -> Plan:
    """Adaptive average pooling along an axis of n to o: output i averages the input from
    floor(i n / o) to ceil((i + 1) n / o), as in PyTorch (windows may differ in size)."""
    starts = [i * n // o for i in range(o)]
    ends = [-((-(i + 1) * n) // o) for i in range(o)]
    width = max((e - s for s, e in zip(starts, ends)), default=1)
    index = [[min(s + t, e - 1) for t in range(width)] for s, e in zip(starts, ends)]
    weight = [
        [1 / (e - s) if t < e - s else 0.0 for t in range(width)] for s, e in zip(starts, ends)
    ]
    index = backend.host_array(index, dtype=dtypes.int64).reshape(o, width)
    weight = backend.host_array(weight, dtype=dtypes.float64).reshape(o, width)
    return Plan(axis, index, weight, n, masked=True)


# ----- pixel shuffle ------------------------------------------------------------------------
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): channel groups of r^2 become r x r pixel blocks
    (sub-pixel convolution's upsampling). A reshape, a permute and a reshape.

    >>> pixel_shuffle(mg.arange(4.0).reshape(1, 4, 1, 1), 2).tolist()
    [[[[0.0, 1.0], [2.0, 3.0]]]]
    """
    r = _factor(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise ShapeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    k = len(lead)
    x = functions.reshape(input, (*lead, c // (r * r), r, r, h, w))
    x = functions.permute(x, (*range(k), k, k + 3, k + 1, k + 4, k + 2))
    return functions.reshape(x, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle: (*, C, H r, W r) -> (*, C r^2, H, W)."""
    r = _factor(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    for name, n in (("height", h), ("width", w)):
        if n % r:
            raise ShapeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but got "
                f"{name} {n} and downscale_factor {r}"
            )
    k = len(lead)
    x = functions.reshape(input, (*lead, c, h // r, r, w // r, r))
    x = functions.permute(x, (*range(k), k, k + 2, k + 4, k + 1, k + 3))
    return functions.reshape(x, (*lead, c * r * r, h // r, w // r))


def _factor(input, factor, op: str, name: str) -> int:
    _require_tensor(input, "input", op)
    factor = as_int(factor, name, op)
    if factor < 1:
        raise OptionError(f"{op} expects a positive {name}, but got {factor}")
    if input.ndim < 3:
        raise ShapeError(
            f"{op} expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    return factor
