"""Factories: tensor, zeros, ones, full, empty, arange, rand, randn, randint, *_like."""

from __future__ import annotations

import math

from . import backend, dtypes
from .errors import DTypeError, OptionError, _described, as_int, as_number, check_bool
from .functions import require_tensor
from .ops.shape import shape_arg as _shape_arg
from .tensor import Tensor


def _size(size, op: str) -> tuple[int, ...]:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]): non-negative ints (or anything with
    __index__, as PyTorch takes them: numpy integers, one-element integer tensors)."""
    size = _shape_arg(size, op, "size")
    if any(n < 0 for n in size):
        raise OptionError(f"{op}: size must be non-negative, got {size}")
    return size


def _allocated(op: str, size, make, asked: str = ""):
    """make(size), with numpy's refusal of a size it cannot hold said clearly."""
    try:
        return make(size)
    except (ValueError, OverflowError, MemoryError) as error:
        asked = asked or f"size {size}"
        raise OptionError(f"{op}: cannot make a tensor of {asked}: {error}") from None


def _new(array, requires_grad: bool, op: str) -> Tensor:
    t = Tensor.wrap(array)
    if requires_grad is None:  # (PyTorch's default for an optional bool)
        return t
    return t.requires_grad_(True) if check_bool(requires_grad, "requires_grad", op) else t


def _place(dtype, device, default=dtypes.DEFAULT_FLOAT):
    dtype = default if dtype is None else dtypes.as_dtype(dtype)
    device = backend.as_device(device)
    return dtype, device, backend.namespace(device)


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (numbers, nested lists, or an array).

    >>> tensor([1.0, 2.0])
    tensor([1., 2.])
    """
    return Tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def from_numpy(array) -> Tensor:
    """A CPU tensor that shares memory with a numpy array (no copy, dtype kept)."""
    if not isinstance(array, backend.numpy.ndarray):
        raise TypeError(f"from_numpy: array must be a numpy.ndarray, got {_described(array)}")
    dtypes.check_supported(array.dtype, "array", "from_numpy")
    return Tensor.wrap(array)


def _filled(op: str, size, fill, dtype, device, requires_grad) -> Tensor:
    """A new tensor of `size` made by `fill(shape, dtype)` (xp.zeros, xp.ones, ...)."""
    dtype, device, xp = _place(dtype, device)
    array = _allocated(op, _size(size, op), lambda s: getattr(xp, fill)(s, dtype=dtype))
    return _new(array, requires_grad, op)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _filled("zeros", size, "zeros", dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _filled("ones", size, "ones", dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _filled("empty", size, "empty", dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with fill_value; the dtype follows fill_value (bool, int64 or float32)."""
    fill_value = as_number(fill_value, "fill_value", "full")
    default = dtypes.result_type(fill_value)
    dtype, device, xp = _place(dtype, device, default)
    size = _size(size if isinstance(size, (tuple, list)) else (size,), "full")
    try:  # a value the dtype cannot hold (2**70 as int64) would overflow in numpy
        xp.asarray(fill_value, dtype=dtype)
    except OverflowError:
        raise OptionError(f"full: fill_value {fill_value} does not fit dtype {dtype}") from None
    array = _allocated("full", size, lambda s: xp.full(s, fill_value, dtype=dtype))
    return _new(array, requires_grad, "full")


def zeros_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    require_tensor(input, "input", "zeros_like")
    return zeros(input.shape, **_like(input, dtype, device), requires_grad=requires_grad)


def ones_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    require_tensor(input, "input", "ones_like")
    return ones(input.shape, **_like(input, dtype, device), requires_grad=requires_grad)


def _like(input: Tensor, dtype, device) -> dict:
    """input's dtype and device where none is given. (Not `dtype or ...`: a wrong dtype such
    as [] would be replaced instead of refused.)"""
    return {"dtype": input.dtype if dtype is None else dtype,
            "device": input.device if device is None else device}  # fmt: skip


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from start (default 0) up to, not including, end; int64 unless any is a float."""
    if end is None:
        start, end = 0, start
    start, end, step = (as_number(v, name, "arange") for v, name in
                        ((start, "start"), (end, "end"), (step, "step")))  # fmt: skip
    asked = f"start={start}, end={end}, step={step}"
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise OptionError(f"arange: unsupported range: {asked} (each must be finite)")
    if step == 0:
        raise OptionError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise OptionError(
            f"arange: end {end} cannot be reached from start {start} with step {step} (upper "
            "bound and lower bound inconsistent with step sign)"
        )
    default = dtypes.result_type(start, end, step)
    dtype, device, xp = _place(dtype, device, default)
    if dtype.kind in "biu":  # PyTorch truncates the bounds and the step toward zero first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise OptionError("arange: step must be nonzero (after truncation to an integer)")
    array = _allocated("arange", (start, end, step),
                       lambda bounds: xp.arange(*bounds).astype(dtype), asked)  # fmt: skip
    return _new(array, requires_grad, "arange")


def _random(op: str, size, dtype, device, requires_grad, draw) -> Tensor:
    """Floats drawn by `draw` (backend.uniform or backend.normal) on `device`."""
    dtype, device, _ = _place(dtype, device)
    if not dtypes.is_floating(dtype):
        raise DTypeError(f"{op}: dtype must be a floating point dtype, got {dtype}")
    array = _allocated(op, _size(size, op), lambda s: draw(device, s, dtype))
    return _new(array, requires_grad, op)


def rand(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    return _random("rand", size, dtype, device, requires_grad, backend.uniform)


def randn(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    return _random("randn", size, dtype, device, requires_grad, backend.normal)


def randint(*args, size=None, dtype=None, device=None) -> Tensor:
    """randint(high, size) or randint(low, high, size): integers in [low, high), int64."""
    if size is not None:
        args = args + (size,)
    if len(args) == 2:
        low, (high, size) = 0, args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    low, high = as_int(low, "low", "randint"), as_int(high, "high", "randint")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint: size must be a tuple of ints, got {_described(size)}")
    if high <= low:
        raise OptionError(f"randint: high ({high}) must be greater than low ({low})")
    if low < -(2**63) or high > 2**63:
        raise OptionError(f"randint: low and high must lie in int64's range, got {low}, {high}")
    dtype, device, _ = _place(dtype, device, dtypes.DEFAULT_INT)
    draw = backend.generator(device).integers
    array = _allocated("randint", _size(size, "randint"), lambda s: draw(low, high, s))
    return _new(array.astype(dtype), False, "randint")


manual_seed = backend.manual_seed
