"""The fast replay: a Program whose every op has a numpy template (_templates.py) run as one
generated Python function, not as a list of closures.

The function is the printed program's forward and backward lines (the same numpy calls in
the same order, so the same bits), compiled once. What the printed program bakes in is read
live here instead, each call:
  - parameters and buffers: each from its weakref when the call starts, its array checked
    to be of the recorded type, shape and dtype (else STALE: the step is recorded again);
  - a gradient becomes a `.grad` as the engine makes it (`_recorder._deliver`: added into an
    existing one, copied when it is a view or a backward's seed, else taken as it is);
  - zero_grad() walks the optimizer's groups as they are then; SGD's update is written out
    with its settings read then (`_sgd_inline`); other calls are made as they are (`call`
    steps), so lr, step counts, bias corrections and momentum buffers are the optimizer's
    own, read then;
  - a dropout mask is drawn again, by dropout_mask, from the generator eager draws from.
What saves the time: no Function object per op, no slot list, no closure call per step.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .. import backend
from ..nn.functional._activations import dropout_mask
from ..nn.parameter import zero_grads
from ..optim.optimizer import _Params, _update_all
from ..optim.sgd import SGD
from ..tensor import Tensor
from ._program import STALE, _output_slots
from ._recorder import _deliver
from ._signature import test
from ._source import _Printer


class _Generator(_Printer):
    """_Printer, with the steps it would print as constants (seed, deliver, call) made calls
    on live objects; `function()` compiles the result."""

    def __init__(self, program):
        arg_names = [f"arg{k}" for k in range(len(program.inputs))]
        own = (
            "args",
            "changes",
            "taken",
            "replay",
            "_deliver",
            "_update_all",
            "_numbers",
            "_make",
            "_dropout_mask",
            "_stale",
            "_ndarray",
        )  # (the function's own names)
        super().__init__(program, "replay", arg_names, own)
        self.constants: dict[str, object] = {
            "_deliver": _deliver,
            "_make": Tensor._make,
            "_dropout_mask": dropout_mask,
            "_stale": STALE,
            "_ndarray": backend.numpy.ndarray,
        }
        # Where every gradient became a .grad as it was or as a copy (no zero_grad skipped:
        # none added into an existing one), the replay does the same without the engine's
        # bookkeeping of which arrays are taken: the recording decided it, once.
        modes = {step[3] for step in program.steps if step[0] == "deliver"}
        self.bookkeeping = not modes <= {"new", "copy"}

    def _constant(self, base: str, value) -> str:
        name = self._unique(base)
        self.constants[name] = value
        return name

    def _forward(self, cls, refs, params, kwargs, out, entry, op) -> None:
        """Dropout, besides the printed templates: its mask drawn again as eager draws it, by
        dropout_mask from the same generator (a printed program has no such generator)."""
        if op != "dropout" or set(kwargs) != {"mask"}:
            super()._forward(cls, refs, params, kwargs, out, entry, op)
            return
        x_ref, p, shape = kwargs["mask"][1]
        x, mask, position = self.ref(refs[0]), self._unique("mask"), len(self.entries)
        draw = f"_dropout_mask(_make({self.ref(x_ref)}, False), {p!r}, {shape!r})"
        self.emit(f"{mask} = {draw}", f"entry {position}: dropout, the mask drawn as eager's")
        self.emit(f"{self._name_slot(out, 'dropout_out')} = {x} * {mask}")
        self.entries[out] = (position, op, (mask,), refs)

    def _seed(self, slot, array) -> None:
        seed = self._constant("seed", array)
        name = self._name_slot(slot, "d_loss")
        self.emit(f"{name} = {seed}.copy()", "backward's seed, a fresh copy")
        if self.bookkeeping:
            self.emit(f"taken.add(id({name}))")

    def _taken(self, slots) -> None:
        if self.bookkeeping:
            names = ", ".join(f"id({self.slot_names[s]})" for s in slots)
            taken = f"{{{names}}}" if slots else "set()"
            self.emit(f"taken = {taken}", "what must not become a .grad as it is")

    def _deliver(self, leaf_ref, slot, mode) -> None:
        leaf = f"args[{leaf_ref[1]}]" if leaf_ref[0] == "input" else f"s{leaf_ref[1]}"
        grad = self.slot_names[slot]
        if self.bookkeeping:
            self.emit(f"_deliver({leaf}, {grad}, taken)", "engine._deliver")
            return
        self.emit(f"if {leaf}._grad is None:", f"engine._deliver: its .grad, {mode}")
        self.emit(f"    {leaf}._grad = _make({grad}{'.copy()' if mode == 'copy' else ''}, False)")
        self.emit("else:")
        self.emit(f"    {leaf}._grad.array += {grad}", "(set outside the step since)")

    def _call(self, function, args) -> None:
        if function is _update_all and type(args[0]) is SGD:
            self._sgd_inline(args[0])
            return
        if function is zero_grads and args[1] is True:  # zero_grads' loop, to None, as lines
            params, group, p = args[0], self._unique("group"), self._unique("p")
            if isinstance(params, _Params):  # (the optimizer's groups, as they are now)
                groups = f"{self._constant('opt', params.optimizer)}.param_groups"
                self.emit(f"for {group} in {groups}:", "zero_grad(): every .grad to None")
                self.emit(f"    for {p} in {group}['params']:")
            else:
                self.emit(f"for {p} in {self._constant('params', params)}:", "zero_grad()")
            self.emit(f"{'    ' * isinstance(params, _Params)}    {p}._grad = None")
            return
        call = self._constant("call", function)
        self.emit(f"{call}(*{self._constant('args', args)})", "read its settings now")

    def _sgd_inline(self, opt) -> None:
        """SGD's update as lines: optim/sgd.py's formulas, the same numpy calls, with each
        group's settings read at each call. Where the optimizer is not as recorded (other
        parameters, a momentum buffer not made yet, a .grad this step did not make), its own
        step runs instead. (That check written out, not a function walking the groups: 3 us a
        W1 step less, 2.6-3.3 us against 5.2-6.7, each timed after a floor's step.)"""
        index = {id(t): i for i, t in enumerate(self.states)}
        opt_name, groups = self._constant("opt", opt), self._unique("groups")
        self.constants.update(_update_all=_update_all, _numbers=(float, int))
        tested = [f"len({groups} := {opt_name}.param_groups) == {len(opt.param_groups)}"]
        updates = []  # (the lines run where the check holds)
        for k, group in enumerate(opt.param_groups):
            g, params = self._unique("group"), group["params"]
            lr, mu, dampening, wd = (self._unique(n) for n in ("lr", "mu", "damp", "wd"))
            decay, momentum = group["weight_decay"] != 0, group["momentum"] != 0
            nesterov = group["nesterov"]
            tested += [
                f"({g} := {groups}[{k}])['params'] is {self._constant('params', params)}",
                f"len({g}['params']) == {len(params)} and type({lr} := {g}['lr']) in _numbers",
                f"(({wd} := {g}['weight_decay']) != 0) == {decay}",
                f"(({mu} := {g}['momentum']) != 0) == {momentum} and {g}['nesterov'] == {nesterov}",
            ]
            if momentum:
                updates.append(f"{dampening} = {g}['dampening']")
            for p in params:
                state = ("state", index.get(id(p)))
                if state not in self.delivered:  # (its .grad must still be None: none to use)
                    tested.append(f"{self._constant('p', p)}._grad is None")
                    continue
                w, t, buf = self._state_name(state), f"s{state[1]}", None
                grad = self._unique(f"{w}_g")
                if momentum:  # (its first step: the optimizer's own makes the buffer)
                    entry, buf = self._unique(f"{w}_state"), self._unique(f"{w}_buf")
                    tested.append(
                        f"'momentum_buffer' in ({entry} := {opt_name}.state.get({t}, ()))"
                    )
                    updates.append(f"{buf} = {entry}['momentum_buffer'].array")
                updates.append(f"{grad} = {t}._grad.array")
                read = (lr, mu, f"(1 - {dampening})", wd)  # (the names the settings are read into)
                updates.append((w, grad, read, decay, buf, nesterov))
        self.emit(f"if not ({' and '.join(tested)}):", "SGD.step(): as recorded?")
        self.emit(f"    _update_all({opt_name})", "not as recorded: the optimizer's own step")
        self.emit("else:", "its settings as they are now")
        for line in updates:
            if isinstance(line, str):
                self.emit(f"    {line}")
            else:
                self._sgd_update(*line, False, "    ")

    def function(self, conditions: tuple[str, dict]) -> Callable:
        """The replay as `replay(args, changes=None) -> the step's result`, STALE where the
        state it reads is not as recorded, MISS where `changes` is given and the call's
        signature is not the one `conditions` test (_signature.py: the newest recording's
        check, written here, costs 0.8% of a W1 step less than called apart); or a
        RuntimeError from _templates.py's `refuse` when an op has no template."""
        steps = self.program.steps
        if any(type(getattr(t, "array", t)) is not backend.numpy.ndarray for t in self.states):
            raise RuntimeError("state off the CPU: the templates are numpy")  # (cupy: closures)
        backwards = [s for s in steps if s[0] == "backward"]
        if sum(s[0] == "taken" for s in steps) > 1 or not all(s[4] for s in backwards):
            raise RuntimeError("two backwards (retain_graph): replayed step by step")
        for step in steps:
            getattr(self, f"_{step[0]}")(*step[1:])
        slots = _output_slots(self.program.outputs)
        result = self._outputs(self.program.outputs)
        head = ["def replay(args, changes=None):", *test(conditions[0]), *self._guards()]
        self.constants.update(conditions[1], _states=self.program.states)
        head += ["    taken = set()"] * self.bookkeeping
        inputs = sorted(self.program.inputs.items())  # (position -> slot: tensors only)
        head += [f"    {self.slot_names[slot]} = args[{k}].array" for k, slot in inputs]
        body = _freed(head[1:] + self.lines, {self.slot_names[s] for s in slots})
        text = "\n".join([head[0], *body, f"    return {result}"]) + "\n"
        namespace = dict(self.constants, np=backend.namespace(backend.as_device("cpu")))
        exec(compile(text, f"<mg.compile {self.program.name}>", "exec"), namespace)
        replay = namespace["replay"]
        replay.text = text
        return replay

    def _guards(self) -> list[str]:
        """The first lines: each state from its weakref (`s0`, ...) and its array under its
        name, then Program.live's checks (there, gone or changed: STALE, recorded again).
        (Each `if` on one line: _freed may put a `del` after any line.)"""
        guards = self.program.guards
        tensors = ", ".join(f"s{i}" for i in range(len(guards)))
        derefs = ", ".join(f"_states[{i}]()" for i in range(len(guards)))
        gone = " or ".join(f"s{i} is None" for i in range(len(guards)))
        lines = [f"    {tensors}, = {derefs},", f"    if {gone}: return _stale"] if guards else []
        checks, dtypes = [], {}
        for i, (requires_grad, (_, shape, dtype)) in enumerate(guards):
            if dtype not in dtypes:
                dtypes[dtype] = self._constant("dtype", dtype)
            name = self.state_names.get(i) or self._unique(f"state{i}")
            lines.append(f"    {name} = s{i}" + (".array" if requires_grad is not None else ""))
            checks.append(f"type({name}) is _ndarray and {name}.shape == {tuple(shape)!r}")
            checks.append(f"{name}.dtype == {dtypes[dtype]}")
            if requires_grad is not None:
                checks.append(f"s{i}.requires_grad is {requires_grad}")
        if checks:
            lines.append(f"    if not ({' and '.join(checks)}): return _stale")
        return lines

    def _output(self, name: str) -> str:
        return f"_make({name}, False)"

    def _value(self, value) -> str:
        return self._constant("value", value)


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
            indent = line[: len(line) - len(line.lstrip())]  # (inside a block: deleted there)
            out.append(f"{indent}del {', '.join(dead)}")
    return out


def fast_replay(program, args: tuple, conditions: tuple[str, dict]) -> Callable | None:
    """The program recorded on `args` as one generated function (see the module docstring)
    that tests `conditions` first, or None when some step has no template or an array is
    off the CPU: the closures replay it then."""
    if any(
        type(getattr(a, "array", None)) not in (backend.numpy.ndarray, type(None)) for a in args
    ):
        return None
    try:
        return _Generator(program).function(conditions)
    except RuntimeError:
        return None
