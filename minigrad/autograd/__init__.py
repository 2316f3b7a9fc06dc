"""Reverse-mode autograd: the tape (`engine`), grad mode, gradient checks, and `grad`."""

from __future__ import annotations

from . import engine
from .anomaly import AnomalyError, detect_anomaly
from .engine import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .calls import backward, grad
from .tape import Tape, TapeEntry, tape
from .trace import BackwardTrace, GradInfo, TraceStep, trace_backward

__all__ = [
    "AnomalyError", "BackwardTrace", "Function", "GradInfo", "GradcheckError", "Tape", "backward",
    "TapeEntry", "TraceStep", "detect_anomaly", "enable_grad", "grad", "gradcheck",
    "gradgradcheck", "is_grad_enabled", "no_grad", "set_grad_enabled", "tape", "trace_backward",
]  # fmt: skip
