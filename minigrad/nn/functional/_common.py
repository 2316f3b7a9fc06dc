"""What the functions share: argument checks, the reduction option, quiet 0/0."""

from __future__ import annotations

import contextlib

from ... import backend, dtypes
from ...autograd import grad_mode
from ...autograd.engine import Function
from ...errors import DTypeError, ShapeError
from ...functions import require_float, require_tensor
from ...tensor import Tensor

# The checks every function here starts with (shared with minigrad's ops).
_require_tensor, _require_float = require_tensor, require_float


def _needs_grad(fn: Function) -> list[bool]:
    """Which of a recorded entry's inputs want a gradient (skip the work for the others)."""
    return [isinstance(a, Tensor) and a.requires_grad for a in fn.inputs]


def _constant(t: Tensor | None, dtype, name: str, op: str) -> Tensor | None:
    """A weight as a constant input, in the loss's dtype. As in PyTorch, these losses are not
    differentiable in it, so one that requires grad is refused rather than silently ignored."""
    if t is None:
        return None
    if t.requires_grad and grad_mode.state.grad_enabled:
        raise RuntimeError(
            f"{op}: not differentiable with respect to argument '{name}'; this input cannot "
            "have requires_grad=True (detach it, or compute it under no_grad)"
        )
    data = t.array if t.dtype == dtype else t.array.astype(dtype)
    return Tensor.wrap(data)


def _quiet(degenerate: bool):
    """Silence numpy's 0/0 warnings where PyTorch silently returns nan (an empty 'mean')."""
    if degenerate:
        return backend.numpy.errstate(divide="ignore", invalid="ignore")
    return _NOTHING_TO_SILENCE


_NOTHING_TO_SILENCE = contextlib.nullcontext()  # reusable: made once, not on every loss


def _reduction(reduction: str, op: str) -> str:
    """`reduction`, checked. (PyTorch's deprecated size_average/reduce pair is not taken.)"""
    if not isinstance(reduction, str) or reduction not in ("none", "mean", "sum"):
        raise ValueError(
            f"{op}: {reduction!r} is not a valid value for reduction "
            "(expected 'none', 'mean' or 'sum')"
        )
    return reduction


def _reduce(loss, reduction: str, count: int):
    """Reduce an array of per-element losses; the 'mean' of nothing is nan, as in PyTorch."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    with _quiet(count == 0):
        return total / count


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether an array of `shape` broadcasts to exactly `target` (nothing else grows)."""
    try:
        return backend.numpy.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


# ----- the losses over a class dim (_class_losses.py): input, weight, class-index targets ------
_UINT8 = dtypes.as_dtype("uint8")  # PyTorch also takes uint8 ("Byte") class indices


def _classes(input: Tensor) -> int:
    """C, the size of the class dim: dim 0 of one sample (C,), else dim 1 of (N, C, d1, ...)."""
    return input.shape[0 if input.ndim == 1 else 1]


def _check_class_input(input, op: str) -> None:
    _require_tensor(input, "input", op)
    _require_float(input, "input", op)
    if input.ndim == 0:
        raise ShapeError(
            f"{op}: input must have shape (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor"
        )
    if _classes(input) == 0:
        raise ShapeError(f"{op}: input of shape {input.shape} has no classes (C = 0)")


def _check_weight(weight, input: Tensor, op: str, same_dtype: bool) -> None:
    if weight is None:
        return
    _require_tensor(weight, "weight", op)
    if weight.shape != (_classes(input),):
        raise ShapeError(
            f"{op}: weight must have one entry per class, shape ({_classes(input)},), got "
            f"shape {weight.shape}"
        )
    _require_float(weight, "weight", op)
    if same_dtype and weight.dtype != input.dtype:
        raise DTypeError(
            f"{op}: weight must have the input's dtype {input.dtype}, got {weight.dtype}"
        )


def _check_class_targets(input: Tensor, target: Tensor, op: str) -> None:
    """Class-index targets: int64 (or uint8), shaped like the input without its class dim."""
    if target.dtype not in (dtypes.int64, _UINT8):
        raise DTypeError(f"{op}: class-index targets must be int64 (or uint8), got {target.dtype}")
    if input.ndim == 1:
        if target.ndim != 0:
            raise ShapeError(
                f"{op}: for input of shape {input.shape} (one sample of C classes) target must "
                f"be a 0-d class index, got shape {target.shape}"
            )
        return
    if target.ndim == 0 or target.shape[0] != input.shape[0]:
        given = target.shape[0] if target.ndim else "none (a 0-d target)"
        raise ShapeError(
            f"{op}: Expected input batch_size ({input.shape[0]}) to match target "
            f"batch_size ({given})."
        )
    expected = input.shape[:1] + input.shape[2:]
    if target.shape != expected:
        raise ShapeError(
            f"{op}: for input of shape {input.shape} target must have shape {expected} "
            f"(N, d1, ...), got {target.shape}"
        )
