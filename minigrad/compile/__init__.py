"""`mg.compile`: a training step recorded once, as the flat list of array calls it makes, then
replayed. docs/compile.md explains it, with the MLP step's program printed.

    @mg.compile
    def train_step(x, y):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

The first call per signature runs eagerly and records (_recorder.py); later calls replay the
recording on their arguments (_program.py), as one generated numpy function where every op has
a template (_fast.py); `train_step.source(x, y)` prints it as numpy (_source.py). The
signature (the cache's key, and a generated check of the newest one) is _signature.py's; what
it reads of the modules and optimizers the step refers to is found by _referenced.py.
"""

from __future__ import annotations

import copy
import functools
import inspect
import weakref
from collections import OrderedDict
from collections.abc import Callable

from ..autograd import grad_mode
from ..errors import check_bool, check_callable
from ..nn.module import Module
from ._fast import fast_replay
from ._program import STALE, Program
from ._recorder import Recorder
from ._referenced import tensor_names
from ._refusals import CaptureError, tensors_of
from ._signature import MISS, Signature, checked
from ._source import source_of

__all__ = ["CaptureError", "CompiledFunction", "CompiledModule", "compile"]


_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable = "inductor",
    mode: str | None = None,
    options: dict | None = None,
    disable: bool = False,
    cache_size: int = 8,
) -> CompiledFunction | CompiledModule | Callable:
    """`model` (a function, or a Module: its forward) recorded at its first call per
    signature and replayed at later calls. torch.compile's arguments are taken, and what they
    choose (how code is generated, how shapes are guarded) has no counterpart here, except
    `disable=True`, which returns `model` as it is. (Where torch.compile would break the
    graph, at `.item()` say, this records all of the step or refuses, as `fullgraph=True`.)

    The signature is what the recording depends on: each tensor argument's shape, dtype,
    device and requires_grad (other arguments by value; keyword arguments by name too), the
    grad mode, and the `training` flag and parameters of every module `model` refers to (by
    a global or closure name, or through `self` for a method: `@mg.compile` on a method
    compiles it for each instance). At most `cache_size` recordings are kept, the least
    recently used dropped first. The replay reads parameters, gradients and optimizer state
    (lr, step counts, momentum buffers) afresh each call, and draws dropout masks from the
    generator eager draws from: a replay gives the same bits as the eager call would. A call
    whose result carries a graph that its caller differentiates (a compiled forward, its
    backward outside) runs eagerly: a replay has no graph to give.

    What a replay cannot repeat is refused while recording, naming the line: reading a value
    into Python (`.item()`, `if loss > 3:`, print), hooks, `mg.autograd.grad`, random numbers
    drawn outside dropout, arrays made inside the step without an op.

    >>> model = nn.Linear(3, 1)
    >>> opt = mg.optim.SGD(model.parameters(), lr=0.1)
    >>> @mg.compile
    ... def step(x):
    ...     loss = model(x).sum()
    ...     opt.zero_grad()
    ...     loss.backward()
    ...     opt.step()
    ...     return loss
    >>> [step(mg.ones(2, 3)).shape for _ in range(3)]  # recorded, then replayed twice
    [Size([]), Size([]), Size([])]
    >>> step.recordings
    1
    """
    for name, value in (("fullgraph", fullgraph), ("disable", disable)):
        check_bool(value, name, "compile")
    if dynamic is not None:
        check_bool(dynamic, "dynamic", "compile")
    if not (isinstance(backend, str) or callable(backend)):
        raise TypeError(f"compile: backend must be a str or a callable, got {backend!r}")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"compile: unknown mode {mode!r}; expected one of {_MODES}")
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"compile: options must be a dict, got {type(options).__name__}")
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if type(cache_size) is not int or cache_size < 1:
        raise ValueError(f"compile: cache_size must be a positive int, got {cache_size!r}")
    if model is None:
        return functools.partial(compile, disable=disable, cache_size=cache_size)
    check_callable(model, "model", "compile")
    if disable:
        return model
    if isinstance(model, Module):
        return CompiledModule(model, cache_size)
    return CompiledFunction(model, cache_size)


class CompiledModule(Module):
    """What `mg.compile(module)` returns, as torch.compile's OptimizedModule: the module is
    its child `_orig_mod` (its parameters, its state_dict under `_orig_mod.`, train and eval
    reach it, other attributes are read from it), and a call runs its forward compiled."""

    def __init__(self, module: Module, cache_size: int = 8):
        super().__init__()
        self._orig_mod = module

        def forward(*args, **kwargs):
            return module(*args, **kwargs)

        forward.__name__ = forward.__qualname__ = type(module).__name__
        self._compiled = CompiledFunction(forward, cache_size)

    def forward(self, *args, **kwargs):  # noqa: ANN201 - the module's result
        return self._compiled(*args, **kwargs)

    def __deepcopy__(self, memo: dict) -> CompiledModule:
        """The module copied, compiled afresh (a recording is of the module it read)."""
        twin = CompiledModule(copy.deepcopy(self._orig_mod, memo), self._compiled.cache_size)
        object.__setattr__(twin, "training", self.training)  # (its own flag: the mode it was in)
        return twin

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "_orig_mod":
                raise
            return getattr(self._orig_mod, name)


class CompiledFunction:
    """What `mg.compile(fn)` returns: call it as `fn`; `source(*args)` prints its program."""

    def __init__(self, fn: Callable, cache_size: int):
        functools.update_wrapper(self, fn, updated=())  # (fn's __dict__ stays fn's)
        self.signature = Signature(fn)
        if not hasattr(self, "__name__"):  # (a partial, a callable object: no name of its own)
            self.__name__ = getattr(self.signature.functions[-1], "__name__", type(fn).__name__)
        self.fn, self.cache_size = fn, cache_size
        self.cache: OrderedDict[tuple, Program] = OrderedDict()  # (read it; don't change it)
        self._checks: dict[tuple, Callable] = {}  # key -> its program.run, checked first
        # The newest in `cache`: (key, program, its check, the count of changes it holds at)
        self._last: tuple | None = None
        self.recordings = 0  # how many times a call recorded (a new signature, or stale state)
        self._bound = weakref.WeakKeyDictionary()  # instance -> fn compiled as its method

    def __deepcopy__(self, memo: dict) -> CompiledFunction:
        """fn copied (a method: of the copied instance), compiled afresh: recordings are of the
        objects they read."""
        return CompiledFunction(copy.deepcopy(self.fn, memo), self.cache_size)

    def __get__(self, instance, owner=None):
        """As a method (`@mg.compile` on a `def step(self, ...)`): fn bound to `instance` and
        compiled for it, kept while it lives; its attributes (`self.model`) are what the step
        refers to, as a method's are."""
        if instance is None or not hasattr(self.fn, "__get__"):  # (a partial binds nothing)
            return self
        bound = self._bound.get(instance)
        if bound is None:
            bound = self._bound[instance] = CompiledFunction(
                self.fn.__get__(instance, owner), self.cache_size
            )
        return bound

    def __call__(self, *args, **kwargs):
        last = self._last  # (key, program, its check, the count of changes it tests against)
        if last is not None and not kwargs:  # the newest recording's signature first
            result = (last[1].fast or last[2])(args, last[3])
            if result is STALE:
                return self._record(last[0], args, ())
            if result is not MISS:
                return result
        if grad_mode.state.recorder is not None:  # (inside another step's recording: its ops
            return self.fn(*args, **kwargs)  # are that step's, as torch.compile inlines it)
        args, names = _flat(args, kwargs)
        key = self.signature.key(args, names)
        if (program := self.cache.get(key)) is not None:
            self.cache.move_to_end(key)
            if (result := program.run(args)) is not STALE:
                self._last = (key, program, self._checks[key], self.signature.walked.changes)
                return result
        return self._record(key, args, names)

    def _record(self, key: tuple, args: tuple, names: tuple):
        """Call fn eagerly on `args` (keyword arguments `names` last), recording."""
        state = grad_mode.state
        walk = self.signature.walk(args)
        conditions = self.signature.conditions(args, names)  # (of the arguments as given)
        recorder = Recorder(args, self.__name__, walk.optimizers, walk.modules)
        state.recorder = recorder
        try:
            result = _call(self.fn, args, names)
        except BaseException:
            recorder.abandon()
            raise
        finally:
            state.recorder = None
        if any(t.grad_fn is not None and not t.grad_fn.freed for t in tensors_of(result)):
            recorder.abandon()  # (a graph its caller differentiates: no replay can give it)
            program = _Eager(self.fn, names)
        else:
            program = recorder.finish(result)
            program.names = tensor_names(walk.tops)
            program.fast = fast_replay(program, args, conditions)
        check = checked(conditions, program.run)  # (where program.fast is None)
        self.cache[key], self._checks[key] = program, check
        self.cache.move_to_end(key)
        self._last = (key, program, check, walk.changes)
        while len(self.cache) > self.cache_size:
            del self._checks[self.cache.popitem(last=False)[0]]
        self.recordings += 1
        return result

    def source(self, *args, **kwargs) -> str:
        """The program recorded for these arguments' signature as numpy source (recording it
        first if needed: that runs one eager step). See docs/compile.md."""
        flat, names = _flat(args, kwargs)
        key = self.signature.key(flat, names)
        if key not in self.cache:
            self(*args, **kwargs)
        try:
            positional = list(inspect.signature(self.fn).parameters)[: len(args)]
        except (TypeError, ValueError):  # (a callable without a signature)
            positional = []
        names = positional + [f"arg{k}" for k in range(len(positional), len(args))] + [*names]
        if isinstance(self.cache[key], _Eager):
            raise RuntimeError(
                f"source(): {self.__name__} runs eagerly for these arguments: it returns a "
                "tensor with a graph that its caller differentiates, which no program can give "
                "(put the backward in the step, or call it under mg.no_grad())"
            )
        return source_of(self.cache[key], self.__name__, names)

    def __repr__(self) -> str:
        return f"<compiled {self.__name__}: {len(self.cache)} recording(s)>"


def _flat(args: tuple, kwargs: dict) -> tuple[tuple, tuple]:
    """The arguments as one tuple, keyword arguments last by name, and those names."""
    if not kwargs:
        return args, ()
    names = tuple(sorted(kwargs))
    return args + tuple(kwargs[n] for n in names), names


def _call(fn: Callable, args: tuple, names: tuple):
    """fn on `_flat`'s arguments."""
    if not names:
        return fn(*args)
    positional = len(args) - len(names)
    return fn(*args[:positional], **dict(zip(names, args[positional:])))


class _Eager:
    """A recording whose result carries a graph its caller differentiates (a compiled forward,
    its backward outside): each call runs fn eagerly, making that graph."""

    fast = None

    def __init__(self, fn: Callable, names: tuple):
        self.fn, self.names = fn, names

    def run(self, args: tuple):
        return _call(self.fn, args, self.names)


Module._compiler = compile  # (Module.compile's: nn, a layer below, cannot import this package)
