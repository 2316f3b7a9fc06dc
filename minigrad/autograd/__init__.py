"""Reverse-mode autograd: the tape (`engine`), grad mode, gradient checks, and `grad`."""

from __future__ import annotations

from ..tensor import Tensor
from . import engine as engine  # (mg.autograd.engine)
from .anomaly import AnomalyError, detect_anomaly
from .calls import backward, grad
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .tape import Tape, TapeEntry, tape
from .trace import BackwardTrace, GradInfo, TraceStep, trace_backward

__all__ = [
    "AnomalyError",
    "BackwardTrace",
    "Function",
    "FunctionCtx",
    "GradInfo",
    "GradcheckError",
    "Tape",
    "TapeEntry",
    "TraceStep",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "once_differentiable",
    "set_grad_enabled",
    "tape",
    "trace_backward",
]


def Variable(data, requires_grad: bool = False) -> Tensor:  # PyTorch's (deprecated) name
    """torch.autograd.Variable, kept as PyTorch keeps it: the tensor itself, marked as
    requiring grad if asked (Variables and Tensors merged in PyTorch 0.4)."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    return data.requires_grad_(True) if requires_grad else data
