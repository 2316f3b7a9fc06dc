"""Turning what users pass into arrays: `mg.tensor(data)`'s data, `.to(...)`'s arguments.

PyTorch's default dtypes: Python floats become the default float dtype (float32 unless
`mg.set_default_dtype` says otherwise) and Python ints int64; arrays keep their dtype. New
tensors go to the default device (`mg.set_default_device`; the CPU) unless told. Numbers an
integer dtype cannot hold are refused, where numpy would wrap them.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..autograd import grad_mode
from ..errors import OptionError, _described, check_bool
from ..ops.movement import Clone
from ..tensor import Tensor
from .elementwise import cast, to_device


def parse_to_args(args: tuple, kwargs: dict, op: str = "Module.to") -> tuple:
    """The (device, dtype) named by the arguments of `module.to(...)`; either may be None.

    PyTorch's forms: to(device=None, dtype=None, non_blocking=False), to(dtype,
    non_blocking=False), to(tensor, non_blocking=False). non_blocking is accepted and changes
    nothing (a copy to or from the GPU is finished when it returns).
    """
    device, dtype, copy = _to_args(args, kwargs, op)
    if copy is not None:
        raise RuntimeError(f"{op}: .to() does not accept copy argument")
    return device, dtype


def _to_args(args: tuple, kwargs: dict, op: str) -> tuple:
    """(device, dtype, copy) of Tensor.to's and Module.to's arguments, checked."""
    kwargs, args = dict(kwargs), list(args)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    flags = {name: kwargs.pop(name, None) for name in ("non_blocking", "copy")}
    if kwargs:
        raise TypeError(f"{op}: unexpected keyword arguments {sorted(kwargs)}")
    first = args.pop(0) if args and not isinstance(args[0], bool) else None
    if isinstance(first, Tensor):
        device, dtype = first.device, first.dtype
    elif isinstance(first, (str, backend.Device)):
        device = first
        if args:  # (to(device, dtype, non_blocking, copy): a bool here is not a dtype)
            dtype = args.pop(0)
    elif first is not None:
        dtype = first
    if len(args) > 2 or any(not isinstance(a, bool) for a in args):
        raise TypeError(
            f"{op}: expected (device, dtype), (dtype) or (tensor), then the bools non_blocking "
            f"and copy; got the arguments {', '.join(_described(a) for a in (first, *args))}"
        )
    for name, value in zip(flags, args):
        if flags[name] is not None:
            raise TypeError(f"{op}: got {name} both by position and by keyword")
        flags[name] = value
    for name, value in flags.items():
        if value is not None:
            check_bool(value, name, op)
    return device, dtype, flags["copy"]


def to(t: Tensor, *args, **kwargs) -> Tensor:
    """`t.to('cuda')`, `t.to(mg.float64)`, `t.to('cpu', mg.float16)`, `t.to(other_tensor)`:
    t itself when nothing changes, unless copy=True (non_blocking is accepted, a no-op)."""
    device, dtype, copy = _to_args(args, kwargs, "to")
    out = t if dtype is None else cast(t, dtype)
    out = out if device is None else to_device(out, device)
    if copy and out is t:
        out = Clone.apply(t, order="K")
    return out


def pin_memory(t: Tensor) -> Tensor:
    """t itself: minigrad does not pin host memory (a CPU tensor is ready to copy to the GPU
    as it is); a GPU tensor cannot be pinned, as in PyTorch."""
    if t.device.type != "cpu":
        raise RuntimeError(
            f"pin_memory: cannot pin a {t.device} tensor: only CPU tensors can be pinned"
        )
    return t


def is_pinned(t: Tensor) -> bool:
    """False: minigrad never pins memory (see pin_memory)."""
    return False


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """data as a tensor, sharing memory where it can, as torch.as_tensor: a Tensor of the
    asked dtype and device is returned itself (else converted with `.to`, which records the
    cast), a numpy array of the asked dtype on the CPU is wrapped without a copy (writes go
    through both ways); anything else is copied, as by mg.tensor.

    >>> a = np.zeros(2)
    >>> mg.as_tensor(a)[0] = 5.0
    >>> a
    array([5., 0.])
    """
    if isinstance(data, Tensor):
        return to(data, device=device, dtype=dtype)
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(data, backend.numpy.ndarray):
        dtypes.check_supported(data.dtype, "data", "as_tensor")
        if (dtype is None or dtype == data.dtype) and target_device(device) == backend.CPU:
            return Tensor.wrap(data)
    return Tensor.wrap(as_array(data, dtype, device))


def as_array(data, dtype, device):  # noqa: ANN201 - an array
    """The array a new tensor holds: always a copy, with PyTorch's default dtypes.

    Python floats become the default float dtype and Python ints int64; arrays keep their
    dtype (as with torch.tensor). A cupy array gives a GPU tensor unless `device` says
    otherwise; anything else goes to `device`, else the default device.
    """
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if backend.is_array(data) or isinstance(data, backend.numpy.generic):
        on_gpu = backend.device_of(data).type != "cpu"
        target = backend.device_of(data) if device is None and on_gpu else target_device(device)
        if data.dtype.kind not in "biuf":  # strings, complex, objects: no cast makes numbers
            dtypes.check_supported(data.dtype, "data", "tensor")
        array = backend.xp_of(data).array(data, dtype=dtype, copy=True)
    else:
        target = target_device(device)
        try:
            array = backend.host_array(data)
        except (ValueError, TypeError) as error:  # a ragged list, or one holding odd things
            raise ValueError(
                f"tensor: data must be a number or nested lists of numbers of one shape, got "
                f"{_described(data)}: {error}"
            ) from None
        if array.dtype.kind == "O" and _numbers(array):  # Python ints past int64 among them
            kinds = {type(v) for v in array.flat}
            array = array.astype(dtypes.float64)  # (to be refused as int64 below, or cast)
            dtype = dtype or (dtypes.get_default_dtype() if float in kinds else dtypes.DEFAULT_INT)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"tensor: data must be numbers, nested lists of numbers, or an array; got "
                f"{_described(data)}" + (f" of {array.dtype} values" if array.ndim else "")
            )
        if dtype is None:
            dtype = {"f": dtypes.get_default_dtype(), "b": dtypes.bool}.get(array.dtype.kind)
            dtype = dtype or dtypes.DEFAULT_INT
        if dtype.kind in "iu" and array.dtype.kind in "iuf" and array.size:
            _check_fits(array, dtype)
        array = array.astype(dtype, copy=False)
    dtypes.check_supported(array.dtype, "data", "tensor")
    return backend.move(array, target)


def _numbers(objects) -> bool:
    """Whether numpy's array of objects holds only Python ints and floats (some past int64)."""
    return all(type(v) in (int, float) for v in objects.flat)


def _check_fits(values, dtype) -> None:
    """Refuse numbers an integer dtype cannot hold: numpy's cast would wrap them silently.

    PyTorch's range: the dtype's own, except that an unsigned dtype also takes negative
    numbers down to -max, which wrap around (uint8: -1 is 255).
    """
    info = backend.numpy.iinfo(dtype)
    low = -info.max if dtype.kind == "u" else info.min
    finite = values.dtype.kind != "f" or bool(backend.xp_of(values).isfinite(values).all())
    if not finite or values.min() < low or values.max() > info.max:
        bad = values.reshape(-1)[0] if values.size == 1 else f"in [{values.min()}, {values.max()}]"
        raise OptionError(
            f"tensor: data value {bad} cannot be converted to {dtype} without overflow "
            f"(it holds [{low}, {info.max}])"
        )


def default_device() -> backend.Device:
    """Where factories put a tensor when no device= is given: `mg.set_default_device`'s choice
    in this thread, the CPU unless changed."""
    device = grad_mode.state.default_device
    return backend.CPU if device is None else device


def target_device(device) -> backend.Device:
    """`device` (a string or a Device), or the default device when it is None."""
    return default_device() if device is None else backend.as_device(device)
