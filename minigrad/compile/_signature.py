"""A compiled step's signature: what its recording depends on (compile/__init__.py), as the
cache's key, and as a check of one key written out as the first lines of a function.

The key is built from each tensor argument's shape, dtype, device and requires_grad (and
which arguments share an array), the other arguments by value, the grad mode, and what fn
refers to (_referenced.py: the values of the names its code reads, the modules below them,
their modes and parameters). The check answers "would the key of these arguments be this
one?" with one generated expression and nothing built: each call tries the newest
recording's check first, written as the first lines of its generated replay (_fast.py).
After a W1 step (caches cold), the key costs 12-20 us and the check, called alone, 5-8 us:
`python benchmarks/compile.py` prints both ("the call's signature"). Written inside the
replay, the check costs 0.8% of a W1 step less than called apart (paired turns of 20 steps).
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from .. import backend
from ..autograd import grad_mode
from ..nn import store
from ..nn.module import Module
from ..optim.lr_scheduler import LRScheduler
from ..optim.optimizer import Optimizer
from ..tensor import Tensor
from ._referenced import ABSENT, CONSTANTS, Walk, globals_loaded, names_used, unwrapped

_ndarray = backend.numpy.ndarray
MISS = object()  # what a check returns where the call's signature is not the newest's
_WALKED = (Module, Optimizer, LRScheduler)  # (arguments whose state is in the signature)
_HELD = (*_WALKED, Tensor)  # (attributes in the signature, named by fn's code or not)


class Signature:
    """The signatures of calls of `fn` (a function, a partial, a callable object, a method)."""

    def __init__(self, fn: Callable):
        self.functions, self.bound_to = unwrapped(fn)
        # Where fn's names are read from, found once: what it is bound to (a method's self, a
        # partial's arguments), each function's globals with the names its code loads, its
        # closure cells.
        self.globals = [
            (f.__globals__, tuple(globals_loaded(f.__code__)))
            for f in self.functions
            if hasattr(f, "__code__")
        ]
        self.cells = [c for f in self.functions for c in getattr(f, "__closure__", None) or ()]
        codes = [f.__code__ for f in self.functions if hasattr(f, "__code__")]
        self.attributes = set().union(*map(names_used, codes))  # (of what fn is bound to)
        self.walked: Walk | None = None  # what fn refers to, and the modules, as last walked

    def referenced(self, args: tuple) -> list:
        """The values of the names fn's code uses (globals, closure cells; ABSENT for one not
        defined), what fn is bound to with those of its attributes that fn's code names or
        that hold modules, optimizers, schedulers or tensors (a step counter of a method's
        instance, changed at every call, is not a new signature), and the modules,
        optimizers and schedulers among the arguments (a model passed in)."""
        values = [a for a in args if isinstance(a, _WALKED)]
        for bound in self.bound_to:
            attributes = getattr(bound, "__dict__", {}).items()
            used = self.attributes
            values += [v for k, v in attributes if k in used or isinstance(v, _HELD)]
            values.append(bound)
        for namespace, names in self.globals:
            values += [namespace.get(n, ABSENT) for n in names]
        for cell in self.cells:  # (try, not contextlib.suppress: 26 ns a cell, not 690)
            try:
                values.append(cell.cell_contents)
            except ValueError:  # (a cell not filled yet)
                values.append(ABSENT)
        return values

    def walk(self, args: tuple) -> Walk:
        """What fn refers to and every module below: walked again only when those names point
        at other objects, or a module changed (nn/store.py counts the changes)."""
        referenced, walk = self.referenced(args), self.walked
        if walk is None or not walk.holds(referenced):
            walk = self.walked = Walk(referenced)
        return walk

    def key(self, args: tuple, names: tuple) -> tuple:
        """The key of a call on `args` (keyword arguments, named `names`, last)."""
        parts, arrays = [grad_mode.state.grad_enabled, names], []
        for a in args:
            if isinstance(a, Tensor):
                array = a.array
                device = None if type(array) is _ndarray else array.device.id
                arrays.append(id(array))  # (which arguments share an array is recorded too)
                parts.append(
                    (array.shape, array.dtype, device, a.requires_grad, arrays.index(id(array)))
                )
            else:
                try:
                    hash(a)
                    parts.append((type(a), a))
                except TypeError:
                    parts.append((type(a), id(a)))
        parts.append(self.walk(args).key)
        return tuple(parts)

    def conditions(self, args: tuple, names: tuple) -> tuple[str, dict]:
        """The check of a call's signature (see `test`): an expression true only where
        `key(args, ())` would be the key of the call on `args` just made, while nn/store.py's
        count of changes is `changes` (what `walk` compares), and the constants it names. The
        key's parts are compared where they are, objects by identity, nothing built. (False
        where it cannot tell, and the key decides: a call with keyword arguments, a cell
        emptied, a recording under way.)"""
        constants: dict[str, object] = {}

        def constant(value) -> str:
            constants[name := f"_k{len(constants)}"] = value
            return name

        def same(expression: str, value) -> str:  # (as _referenced.identity compares them)
            if type(value) not in CONSTANTS:
                return f"{expression} is {constant(value)}"
            kind = constant(type(value))
            return f"type(_v := {expression}) is {kind} and _v == {constant(value)}"

        grad_enabled = grad_mode.state.grad_enabled
        tested = ["len(args) == " + str(len(args)), "(_s := _state).recorder is None"]
        tested.append(f"_s.grad_enabled is {grad_enabled}")
        tensors = []
        for k, a in enumerate(args):
            if not isinstance(a, Tensor):
                tested.append(same(f"args[{k}]", a))
                continue
            array, x = a.array, f"_x{k}"
            tested += [
                f"type(_a{k} := args[{k}]) is _Tensor",
                f"type({x} := _a{k}.array) is {constant(type(array))}",
                f"{x}.shape == {array.shape!r} and {x}.dtype is {constant(array.dtype)}",
                f"_a{k}.requires_grad is {a.requires_grad}",
            ]
            if type(array) is not _ndarray:  # (cupy: which device)
                tested.append(f"{x}.device.id == {array.device.id}")
            tested += [f"({x} is _x{j}) is {array is b.array}" for j, b in tensors]
            tensors.append((k, a))
        tested.append("_store.changes == changes")
        for bound in self.bound_to:  # (all its attributes, by identity: more than the key)
            if hasattr(bound, "__dict__"):
                values = constant(tuple(bound.__dict__.values()))
                attributes = f"{constant(bound)}.__dict__.values()"
                tested.append(f"len({values}) == len({attributes})")
                tested.append(f"all(map(_is, {attributes}, {values}))")
        for namespace, loaded in self.globals:
            read = constant(namespace)
            for n in loaded:
                tested.append(same(f"{read}.get({n!r}, _absent)", namespace.get(n, ABSENT)))
        for cell in self.cells:
            try:
                tested.append(same(f"{constant(cell)}.cell_contents", cell.cell_contents))
            except ValueError:
                tested.append("False")  # (a cell not filled yet)
        constants.update(_state=grad_mode.state, _Tensor=Tensor, _store=store, _absent=ABSENT)
        constants.update(_is=operator.is_, _miss=MISS)
        return ("False" if names else " and ".join(tested)), constants


def test(conditions: str) -> list[str]:
    """The first lines of a function `(args, changes=None)` that returns MISS where
    `conditions` (Signature.conditions) do not hold; `changes` None: not tested."""
    return [
        "    try:  # (the newest recording's signature: compile/_signature.py)",
        f"        if changes is not None and not ({conditions}): return _miss",
        "    except ValueError:  # (a closure cell emptied since)",
        "        return _miss",
    ]


def checked(conditions: tuple[str, dict], run: Callable) -> Callable:
    """`checked(args, changes)`: `run(args)` where the call's signature is the one
    `conditions` were made for, else MISS. For a recording without a generated replay (which
    tests the conditions itself: _fast.py), so compiled at its first call: most recordings
    never call it, and compiling it costs 0.3 ms, a third of an eager W1 step."""
    compiled = []

    def check(args: tuple, changes: int):
        if not compiled:
            lines = ["def checked(args, changes):", *test(conditions[0]), "    return _run(args)"]
            namespace = dict(conditions[1], _run=run)
            exec(compile("\n".join(lines) + "\n", "<mg.compile signature>", "exec"), namespace)
            compiled.append(namespace["checked"])
        return compiled[0](args, changes)

    return check
