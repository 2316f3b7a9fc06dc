"""Factories: tensor, zeros, ones, full, empty, arange, rand, randn, randint, *_like."""

from __future__ import annotations

from . import backend, dtypes
from .tensor import Tensor


def _size(size, op: str) -> tuple[int, ...]:
    """Accept f(2, 3) and f((2, 3))."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in size):
        raise ValueError(f"{op}: size must be non-negative ints, got {size!r}")
    return tuple(size)


def _new(array, requires_grad: bool) -> Tensor:
    t = Tensor._make(array, False)
    return t.requires_grad_(True) if requires_grad else t


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
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    dtypes.as_dtype(array.dtype)
    return Tensor._make(array, False)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device, xp = _place(dtype, device)
    return _new(xp.zeros(_size(size, "zeros"), dtype=dtype), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device, xp = _place(dtype, device)
    return _new(xp.ones(_size(size, "ones"), dtype=dtype), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device, xp = _place(dtype, device)
    return _new(xp.empty(_size(size, "empty"), dtype=dtype), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with fill_value; the dtype follows fill_value (bool, int64 or float32)."""
    default = dtypes.result_type(fill_value)
    dtype, device, xp = _place(dtype, device, default)
    size = _size(size if isinstance(size, (tuple, list)) else (size,), "full")
    return _new(xp.full(size, fill_value, dtype=dtype), requires_grad)


def zeros_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, device=device or t.device,
                 requires_grad=requires_grad)  # fmt: skip


def ones_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, device=device or t.device,
                requires_grad=requires_grad)  # fmt: skip


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from start (default 0) up to, not including, end; int64 unless any is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    default = dtypes.result_type(start, end, step)
    dtype, device, xp = _place(dtype, device, default)
    return _new(xp.arange(start, end, step).astype(dtype), requires_grad)


def _sample(draw, size, dtype):
    """Generators draw float32 or float64 only; other float dtypes are cast from float32."""
    if not dtypes.is_floating(dtype):
        raise TypeError(f"random floats need a floating point dtype, got {dtype}")
    if dtype in (dtypes.float32, dtypes.float64):
        return draw(size, dtype=dtype)
    return draw(size, dtype=dtypes.float32).astype(dtype)


def rand(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    dtype, device, xp = _place(dtype, device)
    rng = backend.generator(device)
    return _new(_sample(rng.random, _size(size, "rand"), dtype), requires_grad)


def randn(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dtype, device, xp = _place(dtype, device)
    rng = backend.generator(device)
    return _new(_sample(rng.standard_normal, _size(size, "randn"), dtype), requires_grad)


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
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    dtype, device, xp = _place(dtype, device, dtypes.DEFAULT_INT)
    rng = backend.generator(device)
    return _new(rng.integers(low, high, _size(tuple(size), "randint")).astype(dtype), False)


manual_seed = backend.manual_seed
