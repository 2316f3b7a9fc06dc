"""In-place writes into a tensor's array: `t[i] = v`, `zero_`, `fill_`, `copy_`, `uniform_`,
`normal_` and `t += x` and friends. None of them is recorded on the tape.

As in PyTorch, a tensor that requires grad refuses them while grad mode is on (autograd may
need its old values); unlike PyTorch, a tensor inside a recorded graph refuses them too,
instead of recording them. Do the update under `mg.no_grad()`, or through `t.data`.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import backend, dtypes
from ..autograd import grad_mode
from ..errors import DTypeError, OptionError, ShapeError, _described, as_number, check_range
from ..errors import check_std
from ..tensor import Tensor
from .arithmetic import check_operand
from .indexing import as_index


def check_writable(t: Tensor, op: str) -> None:
    if grad_mode.state.grad_enabled and (t.requires_grad or t.grad_fn is not None):
        raise RuntimeError(
            f"{op}: a tensor that requires grad (this tensor) cannot be modified in place "
            "while grad mode is on; wrap the update in mg.no_grad() or write through .data"
        )


def setitem(t: Tensor, key, value) -> None:
    """t[key] = value."""
    check_writable(t, "__setitem__")
    value = value.array if isinstance(value, Tensor) else value
    check_operand("__setitem__", "value", value)
    try:
        t.array[as_index(key)] = value
    except (ValueError, OverflowError) as error:  # numpy's, naming neither argument
        raise OptionError(
            f"__setitem__: value {_described(value)} cannot be written into this tensor "
            f"(shape {t.shape}, dtype {t.dtype}) at index {key!r}: {error}"
        ) from None


def zero_(t: Tensor) -> Tensor:
    check_writable(t, "zero_")
    t.array.fill(0)
    return t


def fill_(t: Tensor, value) -> Tensor:
    check_writable(t, "fill_")
    return fill(t, value, "value", "fill_")


def fill(t: Tensor, value, name: str, op: str) -> Tensor:
    """Set every element to the number `value` (fill_, and nn.init.constant_), unchecked."""
    value = as_number(value, name, op)
    try:
        t.array.fill(value)
    except OverflowError:
        raise OptionError(
            f"{op}: {name} {value} does not fit this tensor's dtype {t.dtype}"
        ) from None
    return t


def copy_(t: Tensor, src) -> Tensor:
    """Copy src's values (a Tensor, an array or a number, broadcast) into t."""
    check_writable(t, "copy_")
    check_operand("copy_", "src", src)
    src_array = src.array if isinstance(src, Tensor) else src
    if backend.is_array(src_array):
        src_array = backend.move(src_array, t.device)
    try:
        t.array[...] = src_array
    except (ValueError, OverflowError):
        raise ShapeError(
            f"copy_: src {_described(src)} does not broadcast to this tensor's shape "
            f"{t.shape} (or does not fit its dtype {t.dtype})"
        ) from None
    return t


def uniform_(t: Tensor, low: float = 0.0, high: float = 1.0) -> Tensor:
    """Fill t with numbers drawn uniformly from [low, high)."""
    check_writable(t, "uniform_")
    return fill_uniform(t, low, high, ("low", "high"), "uniform_")


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill t with numbers drawn from the normal distribution N(mean, std^2)."""
    check_writable(t, "normal_")
    return fill_normal(t, mean, std, "normal_")


def fill_uniform(t: Tensor, low, high, names: tuple[str, str], op: str) -> Tensor:
    """uniform_ without the writability check (and nn.init.uniform_, which runs unrecorded)."""
    low, high = check_range(low, high, names, op)
    _require_float(t, op)
    t.array[...] = backend.uniform(t.device, t.shape, t.dtype, low, high)
    return t


def fill_normal(t: Tensor, mean, std, op: str) -> Tensor:
    """normal_ without the writability check (and nn.init.normal_)."""
    mean, std = as_number(mean, "mean", op), check_std(std, op)
    _require_float(t, op)
    t.array[...] = backend.normal(t.device, t.shape, t.dtype, mean, std)
    return t


def _require_float(t: Tensor, op: str) -> None:
    if not dtypes.is_floating(t.dtype):
        raise DTypeError(f"{op}: fills floating point tensors, but the input is {t.dtype}")


def assign(t: Tensor, name: str, op: Callable, other) -> Tensor:
    """`t += other` and friends: t = op(t, other), written into t's array (its views see it).

    As in PyTorch, the result must keep t's shape and fit its dtype's kind (no float into an
    int tensor). NotImplemented for an operand that is not a tensor or a number.
    """
    check_writable(t, name)
    if grad_mode.state.grad_enabled and isinstance(other, Tensor) and other.requires_grad:
        raise RuntimeError(
            f"{name}: other requires grad, and an in-place update by a tensor that requires "
            "grad is not recorded; write `x = x + y` instead, or update under mg.no_grad()"
        )
    result = op(t, other)
    if result.shape != t.shape:
        raise ShapeError(
            f"{name}: the result's shape {result.shape} does not fit this tensor's shape "
            f"{t.shape} (an in-place op cannot change the shape)"
        )
    if dtypes._category(result.dtype) > dtypes._category(t.dtype):
        raise DTypeError(
            f"{name}: the result type {result.dtype} can't be cast to this tensor's dtype {t.dtype}"
        )
    t.array[...] = result.array
    return t
