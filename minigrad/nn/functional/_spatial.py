"""What convolution, pooling and resampling share: their arguments (an int or a tuple per
spatial dim), the check of the input's rank, and the window arithmetic.

Every check raises what PyTorch raises in the same place (RuntimeError for a shape, ValueError
for an option, TypeError for a type), naming the argument and what was given.
"""

from __future__ import annotations

import itertools

from ...errors import OptionError, ShapeError, _described, as_int
from ...tensor import Tensor
from ._common import _require_float, _require_tensor

_LARGEST = 2**40


def ntuple(value, n: int, name: str, op: str, minimum: int = 0) -> tuple[int, ...]:
    """An int (used for every dim) or a sequence of n ints, each at least `minimum`."""
    if isinstance(value, (tuple, list)):
        values = list(value)
        if len(values) == 1:
            values *= n
        if len(values) != n:
            raise ShapeError(
                f"{op}: expected {name} to be a single integer value or a list of {n} values "
                f"to match the {n}-d input, but got {name}={tuple(value)}"
            )
    else:
        values = [value] * n
    try:
        result = tuple(as_int(v, name, op) for v in values)
    except TypeError:
        raise TypeError(
            f"{op}: {name} must be an int or a tuple of {n} ints, got {_described(value)}"
        ) from None
    if any(abs(v) > _LARGEST for v in result):  # (index arithmetic is int64)
        raise OptionError(f"{op}: {name}={result} is too large")
    if any(v < minimum for v in result):
        kind = "positive" if minimum == 1 else f"at least {minimum}"
        raise OptionError(f"{op}: {name} must be {kind}, got {name}={result}")
    return result


def spatial_input(input, dims: int, op: str, float_only: bool = True) -> bool:
    """Check an input of (N, C, *spatial) or unbatched (C, *spatial), with `dims` spatial
    dims; returns whether it is batched."""
    _require_tensor(input, "input", op)
    if input.ndim not in (dims + 1, dims + 2):
        raise ShapeError(
            f"{op}: expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input, but got "
            f"input of size: {list(input.shape)}"
        )
    if float_only:
        _require_float(input, "input", op)
    return input.ndim == dims + 2


def same_dtype(op: str, input: Tensor, **others) -> None:
    """Parameters (weight, bias) must have the input's dtype, as PyTorch requires."""
    for name, t in others.items():
        if t is not None:
            _require_tensor(t, name, op)
            if t.dtype != input.dtype:
                raise RuntimeError(
                    f"{op}: input ({input.dtype}) and {name} ({t.dtype}) must have the same dtype"
                )


def window_count(
    size: int, kernel: int, stride: int, lo: int, hi: int, dilation: int, ceil_mode: bool = False
) -> int:
    """How many windows fit along one dim of `size` padded by (lo, hi): PyTorch's rule, where
    ceil_mode keeps a last partial window only if it starts inside the input or the left
    padding."""
    span = size + lo + hi - dilation * (kernel - 1) - 1  # (floor division, as PyTorch's)
    count = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (count - 1) * stride >= size + lo:
        count -= 1
    return max(count, 0)


def check_kernel_fits(op: str, size: tuple, kernel: tuple, padding: tuple, dilation: tuple) -> None:
    """The dilated kernel must fit in the padded input, else there is no output."""
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(size, padding))
    effective = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(k > n for k, n in zip(effective, padded)):
        shown = " x ".join(map(str, padded)), " x ".join(map(str, effective))
        raise ShapeError(
            f"{op}: calculated padded input size per channel: ({shown[0]}). Kernel size: "
            f"({shown[1]}). Kernel size can't be greater than actual input size"
        )


def window_slices(kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """For each kernel offset, in row-major order: (offset, slices), where the slices pick,
    from the padded input's spatial dims, the element at that offset of every window, an
    array shaped like the output. A loop over these visits each window element once per
    offset, never once per pixel."""
    for offset in itertools.product(*(range(k) for k in kernel)):
        yield (
            offset,
            tuple(
                slice(i * d, i * d + s * (o - 1) + 1, s)
                for i, d, s, o in zip(offset, dilation, stride, out)
            ),
        )
