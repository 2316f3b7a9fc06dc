"""Whether ops are recorded on the tape: `no_grad`, `enable_grad`, `set_grad_enabled`.

The engine also turns recording on during `backward(create_graph=True)` (so the backward pass
is itself recorded and can be differentiated) and off otherwise.
"""

from __future__ import annotations

import functools

enabled = True  # read by Function.apply on every op; one module global, like torch's flag


def is_grad_enabled() -> bool:
    return enabled


class set_grad_enabled:
    """Turn recording on or off: as a call, a context manager, or a decorator.

    Like PyTorch, it takes effect as soon as it is constructed and restores the previous mode
    when the `with` block (or the decorated function) ends.
    """

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        global enabled
        self.prev, self.mode = enabled, mode
        enabled = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        global enabled
        enabled = self.prev

    def __call__(self, func):
        mode = self.mode
        self.__exit__()  # as a decorator, the mode applies only inside calls

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


class _Switch:
    """Base of no_grad/enable_grad: sets the mode on entering, not on construction.

    Used as `with no_grad():`, as a decorator `@no_grad()`, or bare, `@no_grad`.
    """

    mode: bool

    def __new__(cls, func=None):
        switch = super().__new__(cls)
        return switch if func is None else switch(func)  # bare decorator: no_grad(func)

    def __enter__(self) -> None:
        global enabled
        self.prev = enabled
        enabled = self.mode

    def __exit__(self, *exc) -> None:
        global enabled
        enabled = self.prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_Switch):
    """Inside it nothing is recorded: outputs have requires_grad=False and hold no graph."""

    mode = False


class enable_grad(_Switch):
    """Turns recording back on inside a `no_grad` block."""

    mode = True
