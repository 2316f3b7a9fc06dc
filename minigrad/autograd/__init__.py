"""Reverse-mode autograd: the tape (`engine`), grad mode, gradient checks, and `grad`."""

from __future__ import annotations

from collections.abc import Sequence

from ..tensor import Tensor, _initial_gradient
from . import engine
from .anomaly import AnomalyError, detect_anomaly
from .engine import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .tape import Tape, TapeEntry, tape
from .trace import BackwardTrace, GradInfo, TraceStep, trace_backward

__all__ = [
    "AnomalyError", "BackwardTrace", "Function", "GradInfo", "GradcheckError", "Tape",
    "TapeEntry", "TraceStep", "detect_anomaly", "enable_grad", "grad", "gradcheck",
    "gradgradcheck", "is_grad_enabled", "no_grad", "set_grad_enabled", "tape", "trace_backward",
]  # fmt: skip


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to `inputs`, returned (no `.grad` is touched).

    Like torch.autograd.grad: `grad_outputs` seeds each output (required for non-scalars);
    with `create_graph=True` the returned gradients are themselves differentiable.
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError(f"grad: input {i} is not a Tensor that requires grad")
    roots, seeds = [], []
    for out, seed in zip(outputs, grad_outputs):
        if not out.requires_grad:
            continue
        roots.append(out)
        seeds.append(_initial_gradient(out, seed, "grad"))
    if not roots:
        raise RuntimeError("grad: none of the outputs requires grad")
    retain = create_graph if retain_graph is None else retain_graph
    captured = engine.backward(roots, seeds, retain, create_graph, capture=inputs)
    if not allow_unused and any(g is None for g in captured):
        i = next(i for i, g in enumerate(captured) if g is None)
        raise RuntimeError(
            f"grad: input {i} was not used to compute the outputs; pass allow_unused=True"
        )
    return tuple(captured)


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)
