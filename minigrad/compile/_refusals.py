"""What mg.compile refuses to record, and how it notices: `Traced` tensors that refuse to be
read into Python while a step records, optimizer `Settings` changed by the step's Python, and
the check, when it ends, for arrays the step made without an op."""

from __future__ import annotations

import os
import sys
import traceback

from ..tensor import Tensor

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class CaptureError(RuntimeError):
    """What mg.compile cannot record, raised while recording, naming the user's line."""


def user_line() -> str:
    """`file:line: code` of the innermost frame outside minigrad: where the user's step is."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE + os.sep):
            return f"{frame.filename}:{frame.lineno}: {(frame.line or '').strip()}"
    return "<unknown line>"


def refuse(what: str, instead: str) -> CaptureError:
    return CaptureError(
        f"mg.compile cannot record {what} (at {user_line()}). A compiled step must run the same "
        f"ops on every call with the same signature; {instead}"
    )


class Traced(Tensor):
    """A tensor made while recording: reading its values into Python is refused, since the
    replay would not read them again (the branch taken, the number printed, would be stale)."""

    __slots__ = ()

    def _read(self, how: str):
        raise refuse(
            f"reading a tensor's value into Python ({how})",
            "return the tensor from the step and read it outside (loss = step(x, y); "
            "loss.item()), or compute on tensors (mg.where) instead of branching in Python.",
        )

    def item(self):
        self._read(".item()")

    def tolist(self):
        self._read(".tolist()")

    def numpy(self):
        self._read(".numpy()")

    def __array__(self, dtype=None, copy=None):
        self._read("numpy.asarray(tensor)")

    def __bool__(self) -> bool:
        self._read("bool(tensor), as in `if loss > 3:`")

    def __float__(self) -> float:
        self._read("float(tensor)")

    def __int__(self) -> int:
        self._read("int(tensor)")

    def __index__(self) -> int:
        self._read("a tensor used as an index or int")

    def __repr__(self) -> str:
        self._read("printing a tensor")

    def __format__(self, spec: str) -> str:
        self._read("formatting a tensor, as in f'{loss:.3f}'")


class Settings:
    """The settings of the optimizers a step refers to (each group's lr, betas, ...). A replay
    reads them afresh, so the step may change them only inside a call the replay makes again
    (a scheduler's step); Python that changes them otherwise (`group["lr"] = 0.01` inside the
    step) runs at the recording only, and a replay would leave them stale: refused."""

    def __init__(self, optimizers: list):
        self.optimizers = optimizers
        self.take()

    def take(self) -> None:
        """As they are now (after a replayed call, which may change them)."""
        self.seen = [_settings(o) for o in self.optimizers]

    def check(self, where: str | None = None) -> None:
        """That no Python in the step changed them since `take`; `where`: the step's end."""
        for seen, optimizer in zip(self.seen, self.optimizers):
            change = _change(seen, _settings(optimizer))
            if change is None:
                continue
            what = f"a change to an optimizer's settings made in Python ({change})"
            instead = (
                "that Python runs at the recording only. Change them outside the compiled step, "
                "or by a scheduler's step(), which every replay calls again."
            )
            if where is None:
                raise refuse(what, instead)
            raise CaptureError(f"mg.compile cannot record {what}, {where}: {instead}")


def _settings(optimizer) -> list[dict]:
    return [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]


def _change(before: list[dict], now: list[dict]) -> str | None:
    """The first setting that differs, as `param_groups[0]['lr'] 0.1 -> 0.05`, or None."""
    if len(before) != len(now):
        return f"{len(before)} param groups -> {len(now)}"
    for i, (a, b) in enumerate(zip(before, now)):
        for key in a.keys() | b.keys():
            x, y = a.get(key), b.get(key)
            plain = type(x) is type(y) and type(x) in (int, float, bool, str, tuple, type(None))
            if not (x is y or (plain and x == y)):
                return f"param_groups[{i}][{key!r}] {x!r} -> {y!r}"
    return None


def check_temporaries(temporaries: list, result) -> None:
    """An array or tensor that an op read, that the step neither was given nor made by an op,
    and that is gone now the step has returned (or held only by the graph of what it
    returned), was computed inside the step outside the ops (by numpy on a tensor's array,
    `mg.empty`, `Tensor(...)`; the deterministic factories are constants, _writes.py): the
    replay would read a stale copy. Refused."""
    graph = _graph_inputs(tensors_of(result))
    for ref, reader in temporaries:
        value = ref()
        # References to value: getrefcount's argument, this local, the graph's and as many in
        # the list `graph`; any other is held by the world outside the step (a module, a global).
        occurrences = sum(x is value for x in graph)
        held = value is not None and sys.getrefcount(value) - 2 - 2 * occurrences > 0
        del value
        if not held:
            raise CaptureError(
                f"mg.compile cannot record this step: {reader} read an array made inside the "
                "step without an op (by numpy on a tensor's .array, mg.empty, mg.Tensor(...), "
                "or a host-side check), which a replay would not make again; make it once "
                "outside the step (a module buffer, a global) or pass it in as an argument"
            )


def _graph_inputs(roots: list[Tensor]) -> list:
    """What every entry of the graph of `roots` holds: its inputs, their arrays, what it kept
    (a backward has freed the entries it ran through)."""
    inputs, seen = [], set()
    stack = [t.grad_fn for t in roots if t.grad_fn is not None]
    while stack:
        fn = stack.pop()
        if id(fn) in seen or fn.freed:
            continue
        seen.add(id(fn))
        inputs += [*fn.inputs, *fn.arrays, *vars(fn).values()]  # (what it holds, shallowly)
        stack += [x.grad_fn for x in fn.inputs if isinstance(x, Tensor) and x.grad_fn is not None]
    return inputs


def tensors_of(result) -> list[Tensor]:
    if isinstance(result, Tensor):
        return [result]
    values = result.values() if isinstance(result, dict) else result
    if isinstance(values, (tuple, list, type({}.values()))):
        return [t for v in values for t in tensors_of(v)]
    return []
