"""Turning what users pass into arrays: `mg.tensor(data)`'s data, `.to(...)`'s arguments.

PyTorch's default dtypes: Python floats become float32 and Python ints int64; arrays keep
their dtype. Numbers an integer dtype cannot hold are refused, where numpy would wrap them.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..errors import OptionError, _described
from ..tensor import Tensor


def parse_to_args(args: tuple, kwargs: dict) -> tuple:
    """The (device, dtype) named by the arguments of `.to(...)`; either may be None."""
    kwargs = dict(kwargs)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    if kwargs:
        raise TypeError(f"to: unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, backend.Device)):
            device = arg
        else:
            dtype = arg
    return device, dtype


def as_array(data, dtype, device):
    """The array a new tensor holds: always a copy, with PyTorch's default dtypes.

    Python floats become float32 and Python ints int64; arrays keep their dtype (as with
    torch.tensor). A cupy array gives a GPU tensor unless `device` says otherwise.
    """
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if backend.is_array(data) or isinstance(data, backend.numpy.generic):
        target = backend.as_device(device) if device is not None else backend.device_of(data)
        if data.dtype.kind not in "biuf":  # strings, complex, objects: no cast makes numbers
            dtypes.check_supported(data.dtype, "data", "tensor")
        array = backend.xp_of(data).array(data, dtype=dtype, copy=True)
    else:
        target = backend.as_device(device)
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
            dtype = dtype or (dtypes.DEFAULT_FLOAT if float in kinds else dtypes.DEFAULT_INT)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"tensor: data must be numbers, nested lists of numbers, or an array; got "
                f"{_described(data)}" + (f" of {array.dtype} values" if array.ndim else "")
            )
        if dtype is None:
            dtype = {"f": dtypes.DEFAULT_FLOAT, "b": dtypes.bool}.get(array.dtype.kind)
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


def tensor_repr(t: Tensor) -> str:
    """`repr(t)`, as PyTorch prints it: tensor([1., 2.], dtype=..., grad_fn=<...>)."""
    host = backend.to_host(t.array)
    exact = host.dtype.kind != "f" or not host.size or (host == host.round()).all()
    floatmode = "unique" if exact else "fixed"
    body = backend.array_text(
        host, separator=", ", prefix="tensor(", precision=4, floatmode=floatmode
    )
    extras = []
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    if t.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool) or not host.size:
        extras.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extras) + ")"
