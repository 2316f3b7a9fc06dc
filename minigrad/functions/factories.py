"""What every factory shares: sizes, the default dtype and device, allocation, requires_grad;
and the factories that are Tensor methods (`t.new_zeros(2)`, `t.new_tensor(data)`), which
make a tensor of t's dtype and device.

`minigrad/creation.py` (mg.zeros, mg.full, mg.eye, ...) builds on these; so does the legacy
constructor `mg.Tensor(2, 3)`.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..errors import OptionError, _described, as_number, check_bool
from ..ops.shape import shape_arg
from ..size import Size
from ..tensor import Tensor
from .convert import as_array, target_device


def size_arg(size, op: str) -> tuple[int, ...]:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]): non-negative ints (or anything with
    __index__, as PyTorch takes them: numpy integers, one-element integer tensors)."""
    size = shape_arg(size, op, "size")
    if any(n < 0 for n in size):
        raise OptionError(f"{op}: size must be non-negative, got {size}")
    return size


def allocated(op: str, size, make, asked: str = ""):  # noqa: ANN201 - an array
    """make(size), with numpy's refusal of a size it cannot hold said clearly."""
    try:
        return make(size)
    except (ValueError, OverflowError, MemoryError, IndexError) as error:  # (linspace's)
        asked = asked or f"size {size}"
        raise OptionError(f"{op}: cannot make a tensor of {asked}: {error}") from None


def finish(array, requires_grad, op: str) -> Tensor:
    """A new tensor holding `array`, requiring grad if asked (only a float one can)."""
    t = Tensor.wrap(array)
    if requires_grad is None:  # (PyTorch's default for an optional bool)
        return t
    return t.requires_grad_(True) if check_bool(requires_grad, "requires_grad", op) else t


def place(dtype, device, default=None) -> tuple:
    """(dtype, device, array namespace) for a new tensor; `default` is the dtype when none is
    given (the default float dtype unless said)."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    else:
        dtype = dtypes.get_default_dtype() if default is None else default
    device = target_device(device)
    return dtype, device, backend.namespace(device)


def filled(op: str, size, fill: str, dtype, device, requires_grad, default=None) -> Tensor:
    """A new tensor of `size` (already parsed) made by xp.zeros, xp.ones or xp.empty (`fill`)."""
    dtype, device, xp = place(dtype, device, default)
    array = allocated(op, size, lambda s: getattr(xp, fill)(s, dtype=dtype))
    return finish(array, requires_grad, op)


def full_of(op: str, size, fill_value, dtype, device, requires_grad, default=None) -> Tensor:
    """A new tensor of `size` (already parsed) filled with the number `fill_value`; its dtype
    is `dtype`, else `default`, else fill_value's (bool, int64 or the default float)."""
    fill_value = as_number(fill_value, "fill_value", op)
    dtype, device, xp = place(dtype, device, default or dtypes.result_type(fill_value))
    try:  # a value the dtype cannot hold (2**70 as int64) would overflow in numpy
        xp.asarray(fill_value, dtype=dtype)
    except OverflowError:
        raise OptionError(f"{op}: fill_value {fill_value} does not fit dtype {dtype}") from None
    array = allocated(op, size, lambda s: xp.full(s, fill_value, dtype=dtype))
    return finish(array, requires_grad, op)


def _of_self(t: Tensor, dtype, device) -> tuple:
    """t's dtype and device where none is given. (Not `dtype or ...`: a wrong dtype such
    as [] would be replaced instead of refused.)"""
    return (t.dtype if dtype is None else dtype), (t.device if device is None else device)


def new_zeros(t: Tensor, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros of `size`, of t's dtype and device unless given (PyTorch's Tensor.new_zeros).

    >>> mg.ones(2, dtype=mg.float64).new_zeros(3)
    tensor([0., 0., 0.], dtype=float64)
    """
    dtype, device = _of_self(t, dtype, device)
    return filled("new_zeros", size_arg(size, "new_zeros"), "zeros", dtype, device, requires_grad)


def new_ones(t: Tensor, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones of `size`, of t's dtype and device unless given."""
    dtype, device = _of_self(t, dtype, device)
    return filled("new_ones", size_arg(size, "new_ones"), "ones", dtype, device, requires_grad)


def new_empty(t: Tensor, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of `size`, of t's dtype and device unless given."""
    dtype, device = _of_self(t, dtype, device)
    return filled("new_empty", size_arg(size, "new_empty"), "empty", dtype, device, requires_grad)


def new_full(
    t: Tensor, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """`size` (a tuple or list) filled with fill_value, of t's dtype (not fill_value's) and
    device unless given: `int_tensor.new_full((2,), 3.5)` holds 3s, as in PyTorch."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"new_full: size must be a tuple of ints, got {_described(size)}")
    dtype, device = _of_self(t, dtype, device)
    size = size_arg(size, "new_full")
    return full_of("new_full", size, fill_value, dtype, device, requires_grad)


def new_tensor(t: Tensor, data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A copy of `data` (numbers, lists, an array or a tensor) of t's dtype and device unless
    given: `float64_tensor.new_tensor([1, 2])` is float64."""
    dtype, device = _of_self(t, dtype, device)
    return finish(as_array(data, dtype, device), requires_grad, "new_tensor")


def legacy(args: tuple, dtype, device, op: str):  # noqa: ANN201 - an array
    """The array of `mg.Tensor(*args)` (and of mg.FloatTensor(*args) and the like, with their
    `dtype`), as torch.Tensor reads its arguments: nothing (an empty tensor), sizes (an
    uninitialised tensor: `Tensor(2, 3)`, `Tensor(t.shape)`) or one sequence of data
    (`Tensor([1, 2])`: floats of `dtype` even from ints). A tensor is shared, not copied."""
    target = target_device(device)
    of_dtype = dtypes.get_default_dtype() if dtype is None else dtype
    if not args:
        args = (0,)  # (an empty 1-d tensor, not a 0-d one)
    elif len(args) == 1 and not isinstance(args[0], Size):
        data = args[0]
        if isinstance(data, Tensor):
            if dtype is not None and data.dtype != dtype:
                raise TypeError(f"{op}: data must be a tensor of dtype {dtype}, got {data.dtype}")
            return backend.move(data.array, target)
        if isinstance(data, (list, tuple)) or backend.is_array(data):
            return as_array(data, of_dtype, target)
        if isinstance(data, bool) or not hasattr(data, "__index__"):
            raise TypeError(f"{op}: data must be a sequence, or sizes ints; got {_described(data)}")
    xp = backend.namespace(target)
    return allocated(op, size_arg(args, op), lambda s: xp.empty(s, dtype=of_dtype))
