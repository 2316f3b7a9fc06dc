"""Data types and PyTorch's type-promotion rules.

minigrad's dtypes *are* numpy dtype objects (cupy uses the same ones), so no conversion is
needed between a tensor's dtype and its array's. Where numpy and PyTorch disagree on what
`a + b` should be, minigrad follows PyTorch: see `result_type`.
"""

from __future__ import annotations

import builtins
import threading

from .backend import numpy as _np
from .errors import _described

float16 = _np.dtype("float16")
float32 = _np.dtype("float32")
float64 = _np.dtype("float64")
int8 = _np.dtype("int8")
int16 = _np.dtype("int16")
int32 = _np.dtype("int32")
int64 = _np.dtype("int64")
uint8 = _np.dtype("uint8")
bool = _np.dtype("bool")  # (shadows the builtin: PyTorch's name for it)

half, float, double = float16, float32, float64  # (PyTorch's names, shadowing builtins)
int, long, short = int32, int64, int16  # (PyTorch's names, shadowing builtins)

DEFAULT_INT = int64  # (PyTorch's integer default is fixed; its float default is settable)

_SUPPORTED = {
    float16: "float16",
    float32: "float32",
    float64: "float64",
    int32: "int32",
    int64: "int64",
    bool: "bool",
    int8: "int8",
    int16: "int16",
    uint8: "uint8",
}


class _Defaults(threading.local):
    """This thread's default float dtype (a class attribute: what every new thread starts
    with). Per thread, as grad mode is: PyTorch's is process-wide."""

    dtype = float32


_defaults = _Defaults()


def get_default_dtype() -> _np.dtype:
    """The dtype Python floats and the float factories (zeros, rand, ...) give, and integer
    tensors become in true division and functions of floats: float32 unless changed by
    `set_default_dtype` (in this thread).

    >>> mg.get_default_dtype()
    dtype('float32')
    """
    return _defaults.dtype


def set_default_dtype(d) -> None:
    """Make `d` (float16, float32 or float64, as in PyTorch) the default float dtype of this
    thread: `mg.tensor(1.5)`, `mg.zeros(2)` and `mg.arange(6) / 2` give it from now on."""
    try:
        dtype = as_dtype(d)
    except TypeError:
        dtype = None
    if dtype is None or dtype not in (float16, float32, float64):  # (numpy: None == float64)
        got = _described(d) if dtype is None else dtype
        raise TypeError(
            "set_default_dtype: d must be float16, float32 or float64 (only floating-point "
            f"types are supported as the default type), got {got}"
        )
    _defaults.dtype = dtype


def as_dtype(dtype) -> _np.dtype:
    """Normalise a dtype given as mg.float32, a numpy dtype, a name, or float/int/bool.

    As in PyTorch, the Python types name the widest dtype of their kind: float is float64
    (not the default float32), int is int64.
    """
    if dtype is builtins.float:
        return float64
    if dtype is builtins.int:
        return DEFAULT_INT
    if dtype is builtins.bool:
        return bool
    try:  # (numpy would also take a number or None as a dtype: not a dtype here)
        if not isinstance(dtype, (_np.dtype, type, str)):
            raise TypeError
        normalised = _np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"dtype: expected a minigrad dtype such as mg.float32, got {_described(dtype)}"
        ) from None
    check_supported(normalised, "dtype", "dtype")
    return normalised


def check_supported(dtype: _np.dtype, name: str, op: str) -> None:
    """Refuse a dtype minigrad has no tensors of (complex, object, strings, uint32, ...)."""
    if dtype not in _SUPPORTED:
        names = ", ".join(sorted(set(_SUPPORTED.values())))
        about = f"{dtype} is" if name == "dtype" else f"{name} has dtype {dtype}, which is"
        raise TypeError(f"{op}: {about} not supported; expected one of {names}")


def is_floating(dtype: _np.dtype) -> builtins.bool:
    return dtype.kind == "f"


def _category(dtype: _np.dtype) -> builtins.int:
    return {"b": 0, "i": 1, "u": 1, "f": 2}[dtype.kind]


def promote_types(a: _np.dtype, b: _np.dtype) -> _np.dtype:
    """PyTorch's promote_types: like numpy's, except integer + float gives the float type.

    (numpy promotes int64 + float32 to float64; PyTorch keeps float32.)
    """
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return _np.promote_types(a, b)


def _wrapped_scalar_dtype(value) -> _np.dtype:
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        return DEFAULT_INT
    return _defaults.dtype


def _combine(higher: _np.dtype | None, lower: _np.dtype | None) -> _np.dtype | None:
    """Combine a higher-priority group's dtype with a lower one's, as PyTorch does."""
    if higher is None:
        return lower
    if lower is None or is_floating(higher):
        return higher
    if higher == bool or is_floating(lower):
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> _np.dtype:
    """The dtype of an elementwise op on `operands` (tensors and Python scalars).

    PyTorch ranks operands in three groups: tensors with dimensions, zero-dimensional tensors,
    and Python scalars. A lower group only changes the result when it is of a higher category
    (bool < integer < float): `int64 tensor * 2.5` is float32 (the default float), while
    `float32 tensor * float64 0-d tensor` stays float32.
    """
    groups: list[_np.dtype | None] = [None, None, None]  # dimensioned, zero-dim, scalars
    for x in operands:
        if isinstance(x, _np.generic):  # a numpy scalar counts as a Python number, as in PyTorch
            x = x.item()
        if hasattr(x, "dtype") and hasattr(x, "ndim"):
            rank, dtype = (0 if x.ndim else 1), x.dtype
        else:
            rank, dtype = 2, _wrapped_scalar_dtype(x)
        current = groups[rank]
        groups[rank] = dtype if current is None else promote_types(current, dtype)
    return _combine(groups[0], _combine(groups[1], groups[2]))
