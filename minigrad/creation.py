"""Factories: tensor, zeros, ones, full, empty, arange, linspace, logspace, eye, the *_like
forms, PyTorch's typed constructors (FloatTensor, LongTensor, ...), and the default device
and dtype they use. The random factories (rand, randn, ...) are in random.py.

Where no dtype is given, floats get the default float dtype (`get_default_dtype`: float32
unless `set_default_dtype` changed it in this thread) and ints int64; where no device is
given, tensors go to the default device (`set_default_device`: the CPU unless changed).
"""

from __future__ import annotations

import math

from . import backend, dtypes
from .autograd import grad_mode
from .errors import DTypeError, OptionError, _described, as_number, as_size
from .functions import require_tensor
from .functions.convert import as_array, default_device
from .functions.factories import allocated, filled, finish, full_of, legacy, place, size_arg
from .tensor import Tensor

_ndarray = backend.numpy.ndarray


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (numbers, nested lists, or an array).

    >>> tensor([1.0, 2.0])
    tensor([1., 2.])
    """
    return _made(finish(as_array(data, dtype, device), requires_grad, "tensor"), "tensor", data)


def _made(t: Tensor, op: str, data=None) -> Tensor:
    """t, just made by the deterministic factory `op`; while mg.compile records a step, handed
    to its recorder, which keeps it as a constant of the recording (minigrad/compile/_writes.py)."""
    if grad_mode.state.recorder is not None:
        grad_mode.state.recorder.factory(t, op, data)
    return t


def from_numpy(array) -> Tensor:
    """A CPU tensor that shares memory with a numpy array (no copy, dtype kept)."""
    # (Called on every batch: the dtype's check inline, not check_supported's call, 0.7 us a
    # call against 0.8, warm.)
    if not isinstance(array, _ndarray) or array.dtype not in dtypes._SUPPORTED:
        if not isinstance(array, _ndarray):
            raise TypeError(f"from_numpy: array must be a numpy.ndarray, got {_described(array)}")
        dtypes.check_supported(array.dtype, "array", "from_numpy")
    return Tensor._make(array, False)  # (checked: not Tensor.wrap, which checks again)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _made(
        filled("zeros", size_arg(size, "zeros"), "zeros", dtype, device, requires_grad), "zeros"
    )


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _made(
        filled("ones", size_arg(size, "ones"), "ones", dtype, device, requires_grad), "ones"
    )


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return filled("empty", size_arg(size, "empty"), "empty", dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with fill_value; the dtype follows fill_value (bool, int64 or the
    default float)."""
    size = size_arg(size if isinstance(size, (tuple, list)) else (size,), "full")
    return _made(full_of("full", size, fill_value, dtype, device, requires_grad), "full")


def _like(input: Tensor, dtype, device, op: str) -> tuple:
    """input's shape, and its dtype and device where none is given. (Not `dtype or ...`: a
    wrong dtype such as [] would be replaced instead of refused.)"""
    require_tensor(input, "input", op)
    return (
        input.shape,
        input.dtype if dtype is None else dtype,
        input.device if device is None else device,
    )


def zeros_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros of input's shape (and dtype and device, unless given)."""
    shape, dtype, device = _like(input, dtype, device, "zeros_like")
    return _made(filled("zeros_like", shape, "zeros", dtype, device, requires_grad), "zeros_like")


def ones_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dtype, device = _like(input, dtype, device, "ones_like")
    return _made(filled("ones_like", shape, "ones", dtype, device, requires_grad), "ones_like")


def empty_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dtype, device = _like(input, dtype, device, "empty_like")
    return filled("empty_like", shape, "empty", dtype, device, requires_grad)


def full_like(
    input: Tensor, fill_value, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """fill_value in input's shape, of input's dtype (not fill_value's) unless given:
    `mg.full_like(int_tensor, 2.5)` holds 2s, as in PyTorch."""
    shape, dtype, device = _like(input, dtype, device, "full_like")
    return _made(full_of("full_like", shape, fill_value, dtype, device, requires_grad), "full_like")


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from start (default 0) up to, not including, end; int64 unless any is a float."""
    if end is None:
        start, end = 0, start
    start, end, step = (
        as_number(v, name, "arange") for v, name in ((start, "start"), (end, "end"), (step, "step"))
    )
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
    dtype, device, xp = place(dtype, device, dtypes.result_type(start, end, step))
    if dtype.kind in "biu":  # PyTorch truncates the bounds and the step toward zero first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise OptionError("arange: step must be nonzero (after truncation to an integer)")
    array = allocated(
        "arange", (start, end, step), lambda bounds: xp.arange(*bounds).astype(dtype), asked
    )
    return _made(finish(array, requires_grad, "arange"), "arange")


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included (the default float
    dtype unless given; an integer dtype truncates them toward zero, as PyTorch does).

    >>> linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    array = _spaced("linspace", start, end, steps, dtype, device)
    return _made(finish(array, requires_grad, "linspace"), "linspace")


def logspace(
    start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False
) -> Tensor:
    """base ** linspace(start, end, steps): `steps` values from base**start to base**end.

    >>> logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    base = as_number(base, "base", "logspace")
    array = _spaced("logspace", start, end, steps, dtype, device, base)
    return _made(finish(array, requires_grad, "logspace"), "logspace")


def _spaced(op: str, start, end, steps, dtype, device, base=None):
    """linspace's (or with `base`, logspace's) values, computed in float64, then cast."""
    start, end = as_number(start, "start", op), as_number(end, "end", op)
    steps = as_size(steps, "steps", op)
    dtype, device, xp = place(dtype, device)
    if dtype == dtypes.bool:
        raise DTypeError(f"{op}: dtype bool is not supported (a number dtype is)")
    if dtype.kind in "iu" and all(map(math.isfinite, (start, end))):  # PyTorch truncates first
        start, end = float(math.trunc(start)), float(math.trunc(end))
    make = lambda n: xp.linspace(start, end, n, dtype=dtypes.float64)
    values = allocated(op, steps, make, f"steps={steps}")
    if base is not None:
        values = xp.power(float(base), values)
    if dtype.kind in "iu" and values.size:  # (the cast truncates toward zero, as PyTorch's)
        info = backend.numpy.iinfo(dtype)
        finite = bool(xp.isfinite(values).all())
        if not (finite and info.min <= values.min() and values.max() <= info.max):
            raise OptionError(
                f"{op}: values in [{values.min()}, {values.max()}] do not fit {dtype}"
            )
    return values.astype(dtype)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """The (n, m) identity matrix (m defaults to n): ones on the diagonal, zeros elsewhere.

    >>> eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    n = as_size(n, "n", "eye")
    m = n if m is None else as_size(m, "m", "eye")
    dtype, device, xp = place(dtype, device)
    array = allocated("eye", (n, m), lambda s: xp.eye(*s, dtype=dtype), f"n={n}, m={m}")
    return _made(finish(array, requires_grad, "eye"), "eye")


def set_default_device(device) -> None:
    """Make `device` ('cpu', 'cuda', 'cuda:1', a mg.device, or None: the CPU) where the
    factories of this thread put new tensors when they are not given a device. (PyTorch's
    default device is process-wide.)"""
    grad_mode.state.default_device = None if device is None else backend.as_device(device)


def get_default_device() -> backend.Device:
    """Where this thread's factories put new tensors (mg.device('cpu') unless changed)."""
    return default_device()


def is_tensor(obj) -> bool:
    """True for a minigrad Tensor (and Parameter)."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of input."""
    require_tensor(input, "input", "numel")
    return input.numel()


class _TypedTensor(type):
    """The metaclass of PyTorch's typed constructors (FloatTensor, LongTensor, ...): calling
    one makes a Tensor of its dtype (as mg.Tensor does: from sizes or from data), and
    `isinstance(t, mg.FloatTensor)` says whether t is a CPU tensor of that dtype."""

    dtype: backend.numpy.dtype

    def __call__(cls, *args, device=None) -> Tensor:
        if device is not None and backend.as_device(device).type != "cpu":
            raise TypeError(f"{cls.__name__}: expects device type cpu, got device={device!r}")
        return Tensor._make(legacy(args, cls.dtype, "cpu", cls.__name__), False)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype and obj.device.type == "cpu"


class FloatTensor(metaclass=_TypedTensor):
    dtype = dtypes.float32


class DoubleTensor(metaclass=_TypedTensor):
    dtype = dtypes.float64


class HalfTensor(metaclass=_TypedTensor):
    dtype = dtypes.float16


class LongTensor(metaclass=_TypedTensor):
    dtype = dtypes.int64


class IntTensor(metaclass=_TypedTensor):
    dtype = dtypes.int32


class BoolTensor(metaclass=_TypedTensor):
    dtype = dtypes.bool


class ByteTensor(metaclass=_TypedTensor):
    dtype = dtypes.uint8
