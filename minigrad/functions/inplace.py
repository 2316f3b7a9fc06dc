"""In-place writes into a tensor's array: `t[i] = v`, `zero_`, `fill_`, `copy_`, `uniform_`,
`normal_`, `bernoulli_`, `t += x` and friends, and `update`, which the in-place forms of
functions (`add_`, `exp_`, ... in inplace_ops.py) share. None of them is recorded on the tape.

As in PyTorch, a leaf that requires grad refuses them while grad mode is on (autograd may
need its old values); unlike PyTorch, so does a tensor that a recorded op produced: PyTorch
records the write (and counts versions, to refuse a backward that needs the old values),
minigrad refuses it. Do the update under `mg.no_grad()`, or through `t.data`, or compute a
new tensor (`y = y.add(x)` for `y.add_(x)`).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import backend, dtypes
from ..autograd import grad_mode
from ..errors import (
    DTypeError,
    OptionError,
    ShapeError,
    _described,
    as_number,
    check_bool,
    check_range,
    check_std,
)
from ..tensor import Tensor
from . import sampling
from .arithmetic import check_operand, require_float
from .indexing import as_index


def check_writable(t: Tensor, op: str) -> None:
    """Refuse an in-place write that autograd would have to see (grad mode on)."""
    if not grad_mode.state.grad_enabled:
        return
    if t.grad_fn is not None:
        raise RuntimeError(
            f"{op}: this tensor is the output of a recorded op ({t.grad_fn.name}), and minigrad "
            "does not record in-place ops (PyTorch does): compute a new tensor instead "
            "(y = y.add(x) for y.add_(x)), or write under mg.no_grad() if no backward needs "
            "the old values"
        )
    if t.requires_grad:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation. "
            "(This tensor: update it under mg.no_grad(), or through .data.)"
        )


def check_not_recorded(op: str, **operands) -> None:
    """Refuse an operand that requires grad: the in-place update would have to be recorded."""
    if not grad_mode.state.grad_enabled:
        return
    for name, x in operands.items():
        if isinstance(x, Tensor) and x.requires_grad:
            raise RuntimeError(
                f"{op}: {name} requires grad, and an in-place update by a tensor that requires "
                "grad is not recorded by minigrad; compute a new tensor instead (x = x + y), "
                "or update under mg.no_grad()"
            )


def setitem(t: Tensor, key, value) -> None:
    """t[key] = value."""
    check_writable(t, "__setitem__")
    check_not_recorded("__setitem__", value=value)
    if grad_mode.state.recorder is not None:  # mg.compile: the write becomes a step
        grad_mode.state.recorder.write(t, key, value, "__setitem__")
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
    if grad_mode.state.recorder is not None:  # mg.compile: the write becomes a step
        grad_mode.state.recorder.write(t, None, 0, "zero_")
    t.array.fill(0)
    return t


def fill_(t: Tensor, value) -> Tensor:
    check_writable(t, "fill_")
    check_not_recorded("fill_", value=value)
    return fill(t, value, "value", "fill_")


def fill(t: Tensor, value, name: str, op: str) -> Tensor:
    """Set every element to the number `value` (fill_, and nn.init.constant_), unchecked."""
    value = as_number(value, name, op)
    if grad_mode.state.recorder is not None:  # mg.compile: the write becomes a step
        grad_mode.state.recorder.write(t, None, value, op)
    try:
        t.array.fill(value)
    except OverflowError:
        raise OptionError(
            f"{op}: {name} {value} does not fit this tensor's dtype {t.dtype}"
        ) from None
    return t


def copy_(t: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy src's values (a Tensor, an array or a number, broadcast) into t. (non_blocking is
    accepted and changes nothing: the copy is done when copy_ returns.)"""
    check_writable(t, "copy_")
    check_bool(non_blocking, "non_blocking", "copy_")
    check_not_recorded("copy_", src=src)
    check_operand("copy_", "src", src)
    if grad_mode.state.recorder is not None:  # mg.compile: the write becomes a step
        grad_mode.state.recorder.write(t, ..., src, "copy_")
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


def uniform_(t: Tensor, low: float = 0.0, high: float = 1.0, *, generator=None) -> Tensor:
    """Fill t with numbers drawn uniformly from [low, high) (by `generator`, if given)."""
    check_writable(t, "uniform_")
    return fill_uniform(t, low, high, ("low", "high"), "uniform_", generator)


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill t with numbers drawn from the normal distribution N(mean, std^2)."""
    check_writable(t, "normal_")
    return fill_normal(t, mean, std, "normal_", generator)


def bernoulli_(t: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill t with 1s (each with probability `p`: a number, or a tensor of probabilities that
    broadcasts to t) and 0s."""
    op = "bernoulli_"
    check_writable(t, op)
    if grad_mode.state.recorder is not None:  # mg.compile would not draw them again
        grad_mode.state.recorder.random_fill(op)
    require_float(t, "input", op)
    if isinstance(p, Tensor):
        check_not_recorded(op, p=p)
        probabilities = p.array
        if probabilities.size and not bool(((probabilities >= 0) & (probabilities <= 1)).all()):
            raise OptionError(f"{op}: p (probabilities) must lie in [0, 1]")
    else:
        probabilities = sampling.probability(p, "p", op)
    t.array[...] = sampling.draw_bernoulli(t, probabilities, generator, op)
    return t


def fill_uniform(t: Tensor, low, high, names: tuple[str, str], op: str, generator=None) -> Tensor:
    """uniform_ without the writability check (and nn.init.uniform_, which runs unrecorded)."""
    if grad_mode.state.recorder is not None:  # mg.compile would not draw them again
        grad_mode.state.recorder.random_fill(op)
    low, high = check_range(low, high, names, op)
    require_float(t, "input", op)
    rng = sampling.rng_of(generator, t.device, op)
    t.array[...] = backend.uniform(t.device, t.shape, t.dtype, low, high, rng=rng)
    return t


def fill_normal(t: Tensor, mean, std, op: str, generator=None) -> Tensor:
    """normal_ without the writability check (and nn.init.normal_)."""
    if grad_mode.state.recorder is not None:  # mg.compile would not draw them again
        grad_mode.state.recorder.random_fill(op)
    mean, std = as_number(mean, "mean", op), check_std(std, op)
    require_float(t, "input", op)
    rng = sampling.rng_of(generator, t.device, op)
    t.array[...] = backend.normal(t.device, t.shape, t.dtype, mean, std, rng=rng)
    return t


def assign(t: Tensor, name: str, op: Callable, other) -> Tensor:
    """`t += other` and friends: t = op(t, other), written into t's array."""
    return update(t, name, lambda: op(t, other), other=other)


def update(t: Tensor, name: str, compute: Callable[[], Tensor], **operands) -> Tensor:
    """t = compute(), written into t's array (its views see it): the in-place form of a
    function (`t.add_(x)` is `update(t, "add_", lambda: add(t, x), other=x)`).

    As in PyTorch, the result must keep t's shape and fit its dtype's kind (no float into an
    int tensor). Never recorded on the tape: refused where autograd would need to see it
    (check_writable, `operands` that require grad, named as the function names them). (While
    mg.compile records a step, each write here is handed to its recorder, to be replayed.)
    """
    check_writable(t, name)
    check_not_recorded(name, **operands)
    result = compute()
    if result.shape != t.shape:
        raise ShapeError(
            f"{name}: the result's shape {tuple(result.shape)} does not fit this tensor's "
            f"shape {tuple(t.shape)} (an in-place op cannot change the shape)"
        )
    if dtypes._category(result.dtype) > dtypes._category(t.dtype):
        raise DTypeError(
            f"{name}: the result type {result.dtype} can't be cast to this tensor's dtype {t.dtype}"
        )
    if grad_mode.state.recorder is not None:  # mg.compile: the write becomes a step
        grad_mode.state.recorder.write(t, ..., result, name)
    t.array[...] = result.array
    return t
