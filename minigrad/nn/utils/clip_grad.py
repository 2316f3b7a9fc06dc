"""Gradient clipping, PyTorch's: `clip_grad_norm_`, `clip_grad_value_`, and the two halves of
the first, `get_total_norm` and `clip_grads_with_norm_`.

They scale or clamp each parameter's `.grad` in place, unrecorded. `foreach` is accepted for
PyTorch compatibility; there is one implementation, the loop over gradients.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

from ... import creation, dtypes, functions
from ...autograd.grad_mode import no_grad
from ...errors import DTypeError, OptionError, _described, as_number, truth
from ...functions.norms import vector_norm
from ...tensor import Tensor
from ..functional._similarity import norm_order
from .convert_parameters import iterate

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]


def _tensors(tensors, name: str, op: str) -> list[Tensor]:
    """A Tensor or an iterable of Tensors as a list (a generator is read once)."""
    if isinstance(tensors, Tensor):
        return [tensors]
    listed = iterate(tensors, name, op)
    for i, t in enumerate(listed):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name}[{i}] must be a Tensor, got {_described(t)}")
    return listed


def _grads(parameters, op: str) -> list[Tensor]:
    return [p.grad for p in _tensors(parameters, "parameters", op) if p.grad is not None]


def _check_foreach(foreach, op: str) -> None:
    if foreach is not None and foreach is not True and foreach is not False:
        raise TypeError(f"{op}: foreach must be None or a bool, got {_described(foreach)}")


@no_grad()
def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The `norm_type`-norm of all the tensors' elements together, as a 0-d Tensor.

    It is the norm of the per-tensor norms, in their promoted dtype, on the first tensor's
    device (0.0 for no tensors). `norm_type` may be inf (the largest magnitude).
    """
    op = "get_total_norm"
    tensors = _tensors(tensors, "tensors", op)
    norm_type = norm_order(norm_type, "norm_type", op)
    _check_foreach(foreach, op)
    if not tensors:
        return creation.tensor(0.0)
    for i, t in enumerate(tensors):
        if not dtypes.is_floating(t.dtype):
            raise DTypeError(f"{op}: tensors[{i}] must be floating point, got {t.dtype}")
    if (norm_type < 0 or norm_type == math.inf) and any(t.numel() == 0 for t in tensors):
        raise OptionError(
            f"{op}: cannot compute the {norm_type} norm of tensors holding an empty tensor "
            "(the reduction has no identity), as in PyTorch"
        )
    device = tensors[0].device
    norms = [vector_norm(t, norm_type).to(device) for t in tensors]
    total = vector_norm(functions.stack(norms), norm_type)
    if truth(error_if_nonfinite, "error_if_nonfinite", op) and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


@no_grad()
def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    total_norm: Tensor,
    foreach: bool | None = None,
) -> None:
    """Scale each `.grad` by min(1, max_norm / (total_norm + 1e-6)), in place."""
    op = "clip_grads_with_norm_"
    grads = _grads(parameters, op)
    max_norm = as_number(max_norm, "max_norm", op)
    if not isinstance(total_norm, Tensor):
        raise TypeError(f"{op}: total_norm must be a Tensor, got {_described(total_norm)}")
    _check_foreach(foreach, op)
    if not grads:
        return
    # Multiplying by a coefficient clamped to 1 (rather than testing it) is PyTorch's way:
    # no device-to-host sync, and the same rounding as PyTorch.
    coef = functions.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g *= coef.to(g.device)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients of `parameters` so that their total norm is at most `max_norm`.

    The total norm is that of all gradients together (`get_total_norm`); each gradient is
    multiplied in place by min(1, max_norm / (total_norm + 1e-6)), PyTorch's formula.
    Parameters without a gradient are skipped. Returns the total norm before clipping (a
    0-d Tensor). With `error_if_nonfinite`, a nan or inf total norm raises instead.

    >>> model.zero_grad(); F.cross_entropy(model(x), y).backward()
    >>> total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    >>> bool(nn.utils.get_total_norm([p.grad for p in model.parameters()]) <= 1.0)
    True
    """
    is_generator = isinstance(parameters, types.GeneratorType)
    parameters = _tensors(parameters, "parameters", "clip_grad_norm_")
    if is_generator and not parameters:
        warnings.warn(
            "`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2
        )
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


@no_grad()
def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp each gradient of `parameters` to [-clip_value, clip_value], in place."""
    op = "clip_grad_value_"
    grads = _grads(parameters, op)
    clip_value = float(as_number(clip_value, "clip_value", op))
    _check_foreach(foreach, op)
    for g in grads:
        g.copy_(functions.clamp(g, -clip_value, clip_value))
