"""Finding the first NaN or Inf: `detect_anomaly()`.

Inside `with mg.autograd.detect_anomaly():` every op's output is checked as it is computed,
and every gradient a tape entry's backward returns is checked as backward replays it. The
first value that is NaN or +-Inf raises `AnomalyError`, naming the op and the line of *your*
code that called it. To know that line during backward, each entry recorded in anomaly mode
keeps its call site (`entry.site`): the first frame outside minigrad's own files.

It costs a frame walk per op and a device-to-host check per array, so it is a debugging tool,
as in PyTorch; outside it the engine does one truth test per op. It applies to the thread
that entered it, as every mode does (grad_mode.py).
"""

from __future__ import annotations

import functools
import linecache
import os
import sys

from .. import backend
from ..tensor import Tensor
from . import engine, grad_mode

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_inside_package: dict = {}  # code object -> whether it is one of minigrad's own files


class AnomalyError(RuntimeError):
    """A forward output or a backward gradient holds NaN or Inf.

    `op` is the op's name, `phase` "forward" or "backward", and `site` the
    (filename, line number, function name) of the user code that called the op, or None.
    """

    def __init__(self, message: str, op: str, phase: str, site):
        super().__init__(message)
        self.op, self.phase, self.site = op, phase, site


class detect_anomaly(grad_mode.Watcher):
    """Raise at the first op whose forward output or backward gradient holds NaN or Inf.

    A context manager (or a decorator). `check_forward=False` checks only gradients, as
    PyTorch does: useful when a forward -inf is intended (a mask before softmax, say).

    >>> x = mg.tensor([1.0, 0.0], requires_grad=True)
    >>> with mg.autograd.detect_anomaly():
    ...     y = x.log()
    Traceback (most recent call last):
    AnomalyError: log produced -inf in its output; it was called at...
    """

    def __init__(self, check_forward: bool = True):
        self.check_forward = check_forward
        self.replaying_now: list = []  # the entries whose backward is running (innermost last)

    def __enter__(self) -> detect_anomaly:
        grad_mode.add_watcher(self)
        return self

    def __exit__(self, *exc) -> None:
        grad_mode.remove_watcher(self)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_forward):
                return func(*args, **kwargs)

        return wrapper

    # ----- called by the engine -----------------------------------------------------------
    def recorded(self, fn: engine.Function, result: Tensor) -> None:
        """Called by the engine after each op: remember its caller, check its output."""
        site = None
        if fn.seq >= 0:  # recorded: remember who called it, for errors found in backward
            site = fn.site = user_site()
        bad = self.check_forward and non_finite(result.array)
        if bad:
            site = site or user_site()
            raise AnomalyError(
                f"{fn.name} produced {bad} in its output{_during(self.replaying_now)}; it was "
                "called at\n" + describe_site(site),
                fn.name,
                "forward",
                site,
            )

    def replaying(self, fn: engine.Function) -> None:
        self.replaying_now.append(fn)

    def replayed(self, fn: engine.Function, grad, input_grads: tuple) -> None:
        """Called by the engine after each replayed entry: check the gradients it returned."""
        self.replaying_now.pop()
        for i, g in enumerate(input_grads):
            bad = None if g is None else non_finite(g.array if isinstance(g, Tensor) else g)
            if bad:
                site = getattr(fn, "site", None)
                where = (
                    f"the {fn.name} was called at\n" + describe_site(site)
                    if site
                    else "  (it was recorded before detect_anomaly() was entered, so its "
                    "line is unknown)"
                )
                raise AnomalyError(
                    f"the backward of {fn.name} (entry #{fn.seq}) returned {bad} in the "
                    f"gradient of input {i}; {where}",
                    fn.name,
                    "backward",
                    site,
                )


def non_finite(array) -> str | None:
    """'nan', 'inf' or '-inf' when `array` (floating) holds such a value, else None."""
    if getattr(array, "dtype", None) is None or array.dtype.kind not in "fc":
        return None
    xp = backend.xp_of(array)
    if bool(xp.isfinite(array).all()):
        return None
    if bool(xp.isnan(array).any()):
        return "nan"
    return "inf" if bool((array == xp.inf).any()) else "-inf"


def user_site(frame=None) -> tuple[str, int, str] | None:
    """(filename, line, function) of the innermost frame outside minigrad's own files."""
    frame = frame or sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        inside = _inside_package.get(code)
        if inside is None:
            inside = _inside_package[code] = os.path.abspath(code.co_filename).startswith(
                _PACKAGE_DIR
            )
        if not inside:
            return code.co_filename, frame.f_lineno, code.co_name
        frame = frame.f_back
    return None


def describe_site(site) -> str:
    """A call site the way Python tracebacks print it: file, line, function, source line."""
    if site is None:
        return "  (no caller outside minigrad)"
    filename, line, name = site
    text = linecache.getline(filename, line).strip()
    return f'  File "{filename}", line {line}, in {name}' + (f"\n    {text}" if text else "")


def _during(replaying: list) -> str:
    """When an op ran inside a backward with create_graph, name the entry being replayed."""
    if not replaying:
        return ""
    fn = replaying[-1]
    site = getattr(fn, "site", None)
    called = f", called at {site[0]}:{site[1]}" if site else ""
    return f", computing the backward of {fn.name} (entry #{fn.seq}{called})"
