"""The fast replay: a Program whose every op has a numpy template (_source.py) run as one
generated Python function, not as a list of closures.

The function is the printed program's forward and backward lines (the same numpy calls in
the same order, so the same bits), compiled once. What the printed program bakes in is read
live here instead, each call:
  - parameters and buffers: `states[i].array`, read when the call starts;
  - a gradient becomes a `.grad` as the engine makes it (`_recorder._deliver`: added into an
    existing one, copied when it is a view or a backward's seed, else taken as it is);
  - zero_grad and the optimizer's update are called as they are (`call` steps), so lr, step
    counts, bias corrections and momentum buffers are the optimizer's own, read then.
What saves the time: no Function object per op, no slot list, no closure call per step.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .. import backend
from ._program import _output_slots
from ._recorder import _deliver
from ._source import _Printer


class _Generator(_Printer):
    """_Printer, with the steps it would print as constants (seed, deliver, call) made calls
    on live objects; `function()` compiles the result."""

    def __init__(self, program):
        arg_names = [f"arg{k}" for k in range(len(program.inputs))]
        own = ("args", "states", "taken", "replay", "_deliver")  # (the function's own names)
        super().__init__(program, "replay", arg_names, own)
        self.constants: dict[str, object] = {"_deliver": _deliver}

    def _constant(self, base: str, value) -> str:
        name = self._unique(base)
        self.constants[name] = value
        return name

    def _seed(self, slot, array) -> None:
        seed = self._constant("seed", array)
        name = self._name_slot(slot, "d_loss")
        self.emit(f"{name} = {seed}.copy()", "backward's seed, a fresh copy")
        self.emit(f"taken.add(id({name}))")

    def _taken(self, slots) -> None:
        names = ", ".join(f"id({self.slot_names[s]})" for s in slots)
        taken = f"{{{names}}}" if slots else "set()"
        self.emit(f"taken = {taken}", "what must not become a .grad as it is")

    def _deliver(self, leaf_ref, slot, mode) -> None:
        leaf = f"args[{leaf_ref[1]}]" if leaf_ref[0] == "input" else f"states[{leaf_ref[1]}]"
        self.emit(f"_deliver({leaf}, {self.slot_names[slot]}, taken)", "engine._deliver")

    def _call(self, function, args) -> None:
        call = self._constant("call", function)
        self.emit(f"{call}(*{self._constant('args', args)})", "read its settings now")

    def function(self) -> Callable:
        """The replay as `replay(args, states) -> output arrays`, or a RuntimeError from
        _source.py's `_refuse` when an op has no template."""
        steps = self.program.steps
        if any(type(getattr(t, "array", t)) is not backend.numpy.ndarray for t in self.states):
            raise RuntimeError("state off the CPU: the templates are numpy")  # (cupy: closures)
        backwards = [s for s in steps if s[0] == "backward"]
        if sum(s[0] == "taken" for s in steps) > 1 or not all(s[4] for s in backwards):
            raise RuntimeError("two backwards (retain_graph): replayed step by step")
        for step in steps:
            getattr(self, f"_{step[0]}")(*step[1:])
        slots = _output_slots(self.program.outputs)
        outputs = "".join(f"{self.slot_names[s]}, " for s in slots)
        head = ["def replay(args, states):", "    taken = set()"]
        head += [f"    {name} = args[{k}].array" for k, name in enumerate(self.arguments)]
        head += [f"    {name} = states[{i}].array" for i, name in sorted(self.state_names.items())]
        body = _freed(head[1:] + self.lines, {self.slot_names[s] for s in slots})
        text = "\n".join([head[0], *body, f"    return ({outputs})"]) + "\n"
        namespace = dict(self.constants, np=backend.namespace(backend.as_device("cpu")))
        exec(compile(text, f"<mg.compile {self.program.name}>", "exec"), namespace)
        replay = namespace["replay"]
        replay.text, replay.slots = text, slots
        return replay


_NAME = re.compile(r"(?<![.\w])[A-Za-z_]\w*")  # a name, not an attribute nor a number's e
_STORE = re.compile(r"\s*([A-Za-z_]\w*) [-+*/]?= ")  # `name = ...`, `name += ...`


def _freed(lines: list[str], kept: set[str]) -> list[str]:
    """`lines` (one statement each, a comment after "  # ") with `del name` after the last line
    that uses each local (a name a line assigns): an array is dropped where the closures
    would drop it, so a replay holds no more memory than the eager step."""
    names = [set(_NAME.findall(line.split("  # ")[0])) for line in lines]
    stored = {m.group(1) for line in lines if (m := _STORE.match(line))}
    last = {name: k for k, used in enumerate(names) for name in used & stored}
    out = []
    for k, line in enumerate(lines):
        out.append(line)
        if dead := sorted(n for n in names[k] & stored if last[n] == k and n not in kept):
            out.append(f"    del {', '.join(dead)}")
    return out


def fast_replay(program, args: tuple) -> Callable | None:
    """The program recorded on `args` as one generated function (see the module docstring),
    or None when some step has no template or an array is off the CPU: the closures replay
    it then."""
    if any(
        type(getattr(a, "array", None)) not in (backend.numpy.ndarray, type(None)) for a in args
    ):
        return None
    try:
        return _Generator(program).function()
    except RuntimeError:
        return None
