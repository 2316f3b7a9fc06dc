"""What the functions share: argument checks, the reduction option, quiet 0/0."""

from __future__ import annotations

import contextlib
import warnings

from ... import backend
from ...autograd import grad_mode
from ...autograd.engine import Function
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
    return Tensor._make(data, False)


def _quiet(degenerate: bool):
    """Silence numpy's 0/0 warnings where PyTorch silently returns nan (an empty 'mean')."""
    if degenerate:
        return backend.numpy.errstate(divide="ignore", invalid="ignore")
    return _NOTHING_TO_SILENCE


_NOTHING_TO_SILENCE = contextlib.nullcontext()  # reusable: made once, not on every loss


def _legacy_reduction(size_average, reduce) -> str:
    """PyTorch's deprecated size_average/reduce pair, as a reduction string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        stacklevel=3,
    )
    return reduction


def _reduction(reduction: str, size_average, reduce, op: str) -> str:
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
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
