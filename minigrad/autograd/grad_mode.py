"""Whether ops are recorded on the tape: `no_grad`, `enable_grad`, `set_grad_enabled`.

Mode state is per thread, as in PyTorch: a thread evaluating under `no_grad` (or running a
backward, which turns recording off, or on for `create_graph=True`) never changes what another
thread records. `state` holds it; the engine reads `state.grad_enabled` on every op.
"""

from __future__ import annotations

import functools
import inspect
import threading


class _ThreadState(threading.local):
    """Each thread's modes. Class attributes are the defaults a new thread starts with."""

    grad_enabled = True  # read by Function.apply on every op
    # Watchers of this thread's ops and backward passes: detect_anomaly, trace_backward. Each
    # has recorded(fn, output), replaying(fn) and replayed(fn, grad, input_grads), called by
    # the engine after each op, before and after each entry's backward.
    watchers: tuple = ()
    # mg.compile's Recorder while it records a step in this thread (else None): the engine
    # hands it every op and every backward, the optimizers and zero_grad their updates.
    recorder = None
    # Where factories put a tensor when no device= is given (mg.set_default_device; None:
    # the CPU). Per thread, unlike PyTorch's, which is process-wide.
    default_device = None


state = _ThreadState()


def recorded_as_call(step):  # noqa: ANN201 - a method, and the method it becomes
    """A method that mg.compile replays as a call (a scheduler's `step`, which sets the lrs the
    next update reads; `Module.train`): a step that records writes the call down, to be made
    again at every replay, and what the call does inside is its own, not recorded again
    (SequentialLR's steps of its schedulers, train's of the submodules)."""

    @functools.wraps(step)
    def method(self, *args, **kwargs):
        recorder = state.recorder
        if recorder is None:
            return step(self, *args, **kwargs)
        recorder.call(functools.partial(step, self, *args, **kwargs))
        state.recorder = None
        try:
            return step(self, *args, **kwargs)
        finally:
            state.recorder = recorder
            recorder.called()

    return method


def is_grad_enabled() -> bool:
    """True when ops run now (in this thread) are recorded for backward."""
    return state.grad_enabled


class set_grad_enabled:
    """Turn recording on or off: as a call, a context manager, or a decorator.

    Like PyTorch, it takes effect as soon as it is constructed and restores the previous mode
    when the `with` block (or the decorated function) ends.
    """

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self.prev, self.mode = state.grad_enabled, mode
        state.grad_enabled = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        state.grad_enabled = self.prev

    def __call__(self, func):
        mode = self.mode
        self.__exit__()  # as a decorator, the mode applies only inside calls
        return _decorate(func, lambda: set_grad_enabled(mode))


class _Switch:
    """Base of no_grad/enable_grad: sets the mode on entering, not on construction.

    Used as `with no_grad():`, as a decorator `@no_grad()`, or bare, `@no_grad`.
    """

    mode: bool

    def __new__(cls, func=None):
        switch = super().__new__(cls)
        return switch if func is None else switch(func)  # bare decorator: no_grad(func)

    def __enter__(self) -> None:
        self.prev = state.grad_enabled
        state.grad_enabled = self.mode

    def __exit__(self, *exc) -> None:
        state.grad_enabled = self.prev

    def __call__(self, func):
        return _decorate(func, type(self))


class no_grad(_Switch):
    """Inside it nothing is recorded: outputs have requires_grad=False and hold no graph."""

    mode = False


class enable_grad(_Switch):
    """Turns recording back on inside a `no_grad` block."""

    mode = True


def _decorate(func, mode):
    """`func` run under the context manager `mode()`; a generator's body runs under it at
    every resumption (not just while it is created), with the caller's mode in between."""
    if not inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with mode():
                return func(*args, **kwargs)

        return wrapper

    @functools.wraps(func)
    def generator(*args, **kwargs):
        gen = func(*args, **kwargs)
        resume, value = gen.send, None
        while True:
            try:
                with mode():
                    item = resume(value)
            except StopIteration as stop:
                return stop.value
            try:
                resume, value = gen.send, (yield item)
            except GeneratorExit:
                with mode():
                    gen.close()
                raise
            except BaseException as exc:  # thrown in by the caller: hand it to the body
                resume, value = gen.throw, exc

    return generator


class Watcher:
    """Base of what watches ops and backward passes (`detect_anomaly`, `trace_backward`): the
    engine calls these, in the thread that added the watcher, with add_watcher's effect."""

    def recorded(self, fn, output) -> None:
        """After each op: `fn` its Function (an entry if recorded, seq >= 0), `output` a Tensor."""

    def replaying(self, fn) -> None:
        """Before the backward of entry `fn` runs."""

    def replayed(self, fn, grad, input_grads: tuple) -> None:
        """After it: `grad` its output's gradient, `input_grads` what its backward returned."""


def add_watcher(watcher: Watcher) -> None:
    """Start telling `watcher` about this thread's ops and replayed entries."""
    state.watchers = state.watchers + (watcher,)


def remove_watcher(watcher) -> None:
    watchers = list(state.watchers)
    watchers.remove(watcher)
    state.watchers = tuple(watchers)
