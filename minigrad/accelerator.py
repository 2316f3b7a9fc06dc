"""`mg.accelerator`: PyTorch's device-generic view of the accelerator (here: CUDA, through
cupy), so that `device = mg.accelerator.current_accelerator() or "cpu"` runs as written.

Answers are truthful: without cupy or a CUDA device there is no accelerator
(`current_accelerator()` is None, as in PyTorch).
"""

from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when an accelerator (a CUDA device that cupy sees) is present."""
    return backend.cuda_available()


def current_accelerator(check_available: bool = False) -> backend.Device | None:
    """mg.device('cuda') when CUDA is available, else None. (minigrad knows one accelerator
    type, so check_available changes nothing: it is never returned unavailable.)"""
    return backend.Device("cuda") if backend.cuda_available() else None


def device_count() -> int:
    """How many accelerator devices there are (0 without one)."""
    return backend.cuda_device_count()


def current_device_index() -> int:
    """The index of the current accelerator device (a RuntimeError without one)."""
    if not backend.cuda_available():
        raise RuntimeError("current_device_index: no accelerator device is available")
    return backend.cuda_current_device()
