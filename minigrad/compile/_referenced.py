"""What a compiled step refers to, found without running it: the function whose code a call
runs and what it is bound to (`unwrapped`), the globals that code loads (`globals_loaded`),
and the optimizers and modules among those values (`Walk`), whose state is part of the
signature (compile/__init__.py)."""

from __future__ import annotations

import dis
import functools
import inspect
import operator
from itertools import chain

from ..nn import store
from ..nn.module import Module
from ..optim.lr_scheduler import LRScheduler
from ..optim.optimizer import Optimizer


class Walk:
    """The optimizers and modules among `referenced` and every module below those (each
    once), walked when nn/store.py's count of changes to any module was `changes`. Until fn's
    names point at other objects or the count moves, its `key` (the signature's part for
    them) stands: what each name fn reads is (an object by id, a number or string by value:
    it may be a constant of the recording), which modules are below, each one's mode, which
    parameters they hold. (A requires_grad switched is caught by the replay's guards on every
    tensor it reads.)"""

    def __init__(self, referenced: list):
        self.referenced, self.changes = referenced, store.changes
        self.tops = [v for v in referenced if isinstance(v, Module)]
        seen, self.modules = set(), []
        modules = self.modules
        for top in self.tops:
            for module in top.modules():
                if id(module) not in seen:
                    seen.add(id(module))
                    modules.append(module)
        params = chain.from_iterable(m._parameters.values() for m in modules)
        self.key = (
            tuple(map(identity, referenced)),
            tuple(map(id, modules)),
            tuple(m.training for m in modules),
            tuple(map(id, params)),
        )
        # Whose settings the step's Python may not change (those of a scheduler's too)
        optimizers = [v for v in referenced if isinstance(v, Optimizer)]
        scheduled = [v.optimizer for v in referenced if isinstance(v, LRScheduler)]
        self.optimizers = list({id(o): o for o in optimizers + scheduled}.values())

    def holds(self, referenced: list) -> bool:
        """Whether `referenced` are the objects walked, with no module changed since."""
        return (
            self.changes == store.changes
            and len(referenced) == len(self.referenced)
            and all(map(operator.is_, referenced, self.referenced))
        )


CONSTANTS = (bool, int, float, complex, str, bytes, type(None))  # (compared by value)
ABSENT = object()  # what a global name fn loads reads as where it is not defined (a builtin)


def identity(value) -> object:
    """What the signature holds of a value fn reads: a constant by type and value (a float
    rebound to an equal one is the same), any other object by id (the cache keeps the
    objects of its keys alive: no other object takes their ids)."""
    return (type(value), value) if type(value) in CONSTANTS else id(value)


def unwrapped(fn) -> tuple[list, list]:
    """The functions whose code a call of `fn` runs, and what they are bound to: a method's
    `self`, a partial's arguments, a callable object itself (its `__call__` runs), through
    decorators made with functools.wraps (`__wrapped__`: the wrapper's code and the
    wrapped function's both run, `@mg.no_grad()` on a step)."""
    functions, bound = [], []
    for _ in range(64):  # (a chain of wrappers, not a cycle)
        if isinstance(fn, functools.partial):
            bound += [*fn.args, *fn.keywords.values()]
            fn = fn.func
        elif inspect.ismethod(fn):
            bound.append(fn.__self__)
            fn = fn.__func__
        elif not inspect.isroutine(fn) and not isinstance(fn, type) and callable(fn):
            bound.append(fn)
            fn = type(fn).__call__
        elif inspect.isfunction(fn) and hasattr(fn, "__wrapped__"):
            functions.append(fn)
            fn = fn.__wrapped__
        else:
            break
    return [*functions, fn], bound


def globals_loaded(code) -> dict:
    """The global names `code` (and the functions and lambdas inside it) loads, in order."""
    names = {i.argval: None for i in dis.get_instructions(code) if i.opname in _LOADS}
    for const in code.co_consts:
        if inspect.iscode(const):
            names.update(globals_loaded(const))
    return names


_LOADS = ("LOAD_GLOBAL", "LOAD_NAME")


def names_used(code) -> set:
    """Every name `code` (and the functions and lambdas inside it) uses: globals, and the
    attributes it reads or writes (`self.scale`)."""
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names |= names_used(const)
    return names


def tensor_names(modules: list[Module]) -> dict[int, str]:
    """id(tensor) -> its name in the model (fc1.weight), for the printed program."""
    names = {}
    for top in modules:
        for name, t in [*top.named_parameters(), *top.named_buffers()]:
            names.setdefault(id(t), name)
    return names
