"""A recorded Program printed as a numpy function: one line per array call, the same calls in
the same order, so that it computes the same bits as the step it was recorded from.

Each op that can be printed has a template (_templates.py); the engine's bookkeeping
(engine._receive, engine._deliver) and the updates from optim/sgd.py and optim/adam.py are
written here. What has no template (so far: every op but linear, relu, tanh, sigmoid and
cross_entropy over class indices; every optimizer but SGD, Adam and AdamW) is refused with a
RuntimeError that names it: the compiled step itself runs all of them.
"""

from __future__ import annotations

import functools
import math
import re

from ..nn.parameter import zero_grads
from ..optim.adam import Adam, AdamW
from ..optim.lr_scheduler import LRScheduler
from ..optim.optimizer import _update_all
from ..optim.sgd import SGD
from ._templates import BACKWARD, FORWARD, refuse


def source_of(program, name: str, arg_names: list[str]) -> str:
    """`program` as the source of a numpy function `name`(inputs..., state...)."""
    return _Printer(program, name, arg_names).text()


class _Printer:
    def __init__(self, program, name: str, arg_names: list[str], reserved=()):
        self.program, self.name = program, name
        self.slot_names: dict[int, str] = {}
        self.used: set[str] = {"np", *reserved}
        self.lines: list[str] = []
        self.entries: dict[int, tuple] = {}  # out slot -> (position, op, what backward needs)
        self.states = [ref() for ref in program.states]
        self.state_names = {}
        for position, slot in program.inputs.items():
            self._name_slot(slot, arg_names[position] if position < len(arg_names) else "arg")
        self.arguments = [self.slot_names[s] for _, s in sorted(program.inputs.items())]
        self.buffers: list[str] = []  # optimizer state the printed update reads
        self.delivered = set()  # the state tensors that get a .grad
        self.grad_names = {}  # leaf ref -> the name holding its .grad (set by _deliver)
        for step in program.steps:  # a gradient that becomes a .grad as it is: named so
            if step[0] == "deliver":
                self.delivered.add(step[1])
                if step[3] == "new" and step[2] not in self.slot_names:
                    self._name_slot(step[2], self._state_name(step[1]) + "_grad")

    # ----- names -----------------------------------------------------------------------------
    def _unique(self, base: str) -> str:
        base = re.sub(r"\W", "_", base)
        base = base if base[:1].isalpha() else f"layer{base}"
        name, k = base, 2
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name

    def _name_slot(self, slot: int, base: str) -> str:
        if slot not in self.slot_names:
            self.slot_names[slot] = self._unique(base)
        return self.slot_names[slot]

    def _state_name(self, ref: tuple) -> str:
        if ref[0] == "input":
            return self.arguments[ref[1]]
        index = ref[1]
        if index not in self.state_names:
            t = self.states[index]
            self.state_names[index] = self._unique(self.program.names.get(id(t), f"state{index}"))
        return self.state_names[index]

    def ref(self, ref: tuple) -> str:
        kind = ref[0]
        if kind == "slot":
            return self.slot_names[ref[1]]
        if kind == "state":
            return self._state_name(("state", ref[1]))
        if kind == "value" and isinstance(ref[1], (int, float, type(None))):
            return repr(ref[1])
        raise refuse(f"an argument of kind {kind}")

    def emit(self, line: str, comment: str = "") -> None:
        self.lines.append(f"    {line}" + (f"  # {comment}" if comment else ""))

    # ----- the program -------------------------------------------------------------------------
    def text(self) -> str:
        for step in self.program.steps:
            getattr(self, f"_{step[0]}")(*step[1:])
        outputs = self._outputs(self.program.outputs)
        self.emit(f"return {outputs}")
        states = [self.state_names[i] for i in sorted(self.state_names)]
        shapes = ", ".join(
            f"{self.slot_names[s]} {_shape(self.program.meta[s][0])} {self.program.meta[s][1]}"
            for _, s in sorted(self.program.inputs.items())
        )
        head = [
            f"# {self.name}, as mg.compile recorded it for {shapes}.",
            "# Parameters and optimizer state are updated in place; each gradient is a local.",
            "import numpy as np",
            "",
            "",
            f"def {self.name}({', '.join(self.arguments + states + self.buffers)}):",
        ]
        return "\n".join(head + self.lines) + "\n"

    def _outputs(self, spec) -> str:
        """The step's return value as an expression, as _program._rebuild makes it: a slot's
        array as `_output` has it, a Python value (and a dict's key) as `_value` writes it."""
        if type(spec) is tuple and len(spec) == 2 and spec[0] in ("slot", "value"):
            return (
                self._output(self.slot_names[spec[1]])
                if spec[0] == "slot"
                else self._value(spec[1])
            )
        if isinstance(spec, dict):
            return (
                "{"
                + ", ".join(f"{self._value(k)}: {self._outputs(v)}" for k, v in spec.items())
                + "}"
            )
        if type(spec) not in (tuple, list):
            raise refuse(f"a step that returns a {type(spec).__name__}")
        inner = "".join(f"{self._outputs(s)}, " for s in spec)
        return f"[{inner}]" if type(spec) is list else f"({inner})"

    def _output(self, name: str) -> str:
        return name

    def _value(self, value) -> str:
        return repr(value)

    def _forward(self, cls, refs, params, kwargs, out, entry, op) -> None:
        position = len(self.entries)
        template = FORWARD.get(op)
        if template is None or kwargs:
            raise refuse(f"the op {op!r}")
        needs = template(self, refs, params, out, position)
        self.entries[out] = (position, op, needs, refs)

    def _seed(self, slot, array) -> None:
        values = array.reshape(-1)
        if values.size == 0 or not (values == values[0]).all():
            raise refuse("a backward seeded with a gradient of varied values")
        name = self._name_slot(slot, "d_loss")
        value, dtype = values[0].item(), array.dtype
        self.emit(f"{name} = np.full({_shape(array.shape)}, {value!r}, dtype=np.{dtype})")

    def _taken(self, slots) -> None:
        self.emit("# backward: each entry's gradient formula, in reverse tape order")

    def _backward(self, entry, grad, slots, last_use, op) -> None:
        position, _, needs, refs = self.entries[entry]
        outs = []
        for slot, ref in zip(slots, refs):
            if slot is None or slot in self.slot_names:
                outs.append(self.slot_names.get(slot))
            else:
                base = self.ref(ref) if ref[0] in ("slot", "state") else "input"
                outs.append(self._name_slot(slot, f"d_{base}"))
        comment = f"backward of entry {position} ({op})"
        BACKWARD[op](self, self.slot_names[grad], outs, needs, last_use, comment)

    def _sum_to(self, src, dst, shape) -> None:
        source, target = self.slot_names[src], self._name_slot(dst, f"{self.slot_names[src]}_sum")
        src_shape = self.program.meta[src][0]
        lead = len(src_shape) - len(shape)
        now = src_shape[lead:]
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and now[i] != 1)
        parts = []
        if lead:
            parts.append(f".sum(axis={tuple(range(lead))})")
        if stretched:
            parts.append(f".sum(axis={stretched}, keepdims=True)")
        self.emit(f"{target} = {source}{''.join(parts)}", "summed over the broadcast dims")

    def _astype(self, src, dst, dtype) -> None:
        target = self._name_slot(dst, f"{self.slot_names[src]}_cast")
        self.emit(f"{target} = {self.slot_names[src]}.astype(np.{dtype})", "to the input's dtype")

    def _add(self, a, b, dst) -> None:
        target = self._name_slot(dst, f"{self.slot_names[a]}_total")
        self.emit(f"{target} = {self.slot_names[a]} + {self.slot_names[b]}", "used twice: summed")

    def _deliver(self, leaf_ref, slot, mode) -> None:
        grad = self._state_name(leaf_ref) + "_grad"
        if mode == "new":  # (named so already)
            self.grad_names[leaf_ref] = self.slot_names[slot]
            return
        if mode == "copy":
            self.used.add(grad)
            self.grad_names[leaf_ref] = grad
            self.emit(f"{grad} = {self.slot_names[slot]}.copy()", "a .grad owns its array")
        else:
            raise refuse("a gradient accumulated into an existing .grad (no zero_grad)")

    def _factory(self, slot, array, op) -> None:
        name = self._name_slot(slot, op)
        self.emit(f"{name} = {_literal(array)}", f"{op}: a constant of the recording")

    def _write(self, target, key, source, op) -> None:
        target, source = self.ref(target), self.ref(source)
        if key is None:
            self.emit(f"{target}.fill({source})", f"{op}, in place")
        else:
            self.emit(f"{target}[{_key(key)}] = {source}", f"{op}, in place")

    # A .grad read or assigned after backward: the name this class's _deliver gave it. (A
    # printer that delivers otherwise, as _fast.py's does at run time, has no such name and
    # refuses, so that the closures replay the step.)
    def _grad_array(self, leaf_ref, out) -> None:
        name = self.grad_names.get(leaf_ref)
        if name is None:
            raise refuse("a .grad used after the backward that made it")
        self.slot_names[out] = name

    def _set_grad(self, leaf_ref, source) -> None:
        name = self.grad_names.pop(leaf_ref, None)
        if name is None or source is not None:
            raise refuse(".grad assigned inside the step (other than to None, after backward)")
        self.delivered.discard(leaf_ref)  # (an optimizer after this skips it, as eager's)
        self.emit(f"# .grad set to None: {name} is not a gradient any more")

    def _call(self, function, args) -> None:
        if function is zero_grads:
            how = "None" if args[1] else "zeros"
            self.emit(f"# zero_grad: every .grad set to {how}; backward below starts them anew")
        elif function is _update_all and type(args[0]) is SGD:
            self._sgd(args[0])
        elif function is _update_all and type(args[0]) in (Adam, AdamW):
            self._adam(args[0])
        elif isinstance(function, functools.partial):  # (a method recorded as a call)
            owner, name = function.args[0], function.func.__name__
            what = "replayed as a call (Python)"
            if isinstance(owner, LRScheduler):
                what = "the lrs it sets, the compiled step reads at its next call"
            self.emit(f"# {type(owner).__name__}.{name}(): {what}")
        else:
            raise refuse(f"{getattr(function, '__name__', function)}{args!r:.40}")

    def _updated(self, params):
        """(p, its name) for each of `params` that gets a .grad here (the others: no update)."""
        names = {id(t): i for i, t in enumerate(self.states)}
        for p in params:
            if ("state", names.get(id(p))) in self.delivered:
                yield p, self._state_name(("state", names[id(p)]))

    def _sgd(self, opt) -> None:
        self.emit(f"# {type(opt).__name__}.step(), its settings as they are now")
        for group in opt.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p, w in self._updated(group["params"]):
                buf = self._unique(f"{w}_momentum_buffer") if momentum != 0 else None
                self.buffers += [buf] if buf else []
                first = "momentum_buffer" not in opt.state.get(p, {})
                settings = (repr(lr), repr(momentum), repr(1 - dampening), repr(weight_decay))
                self._sgd_update(w, f"{w}_grad", settings, weight_decay != 0, buf, nesterov, first)

    def _sgd_update(self, w, g, settings, decay, buf, nesterov, first, indent="") -> None:
        """optim/sgd.py's step of one parameter as lines: `g` its gradient, `buf` its momentum
        buffer (None: no momentum), `settings` (lr, momentum, 1 - dampening, weight_decay) as
        text: numbers, or the names a generated replay reads them into at each call."""
        lr, momentum, undamped, weight_decay = settings
        if decay:
            self.emit(f"{indent}{g} = {g} + {weight_decay} * {w}", "weight decay")
        if buf is not None:
            if first:
                self.emit(f"{indent}{buf}[...] = {g}", "the first step fills the buffer")
            else:
                self.emit(f"{indent}{buf} *= {momentum}")
                self.emit(f"{indent}{buf} += {undamped} * {g}")
            if nesterov:
                self.emit(f"{indent}{g} = {g} + {momentum} * {buf}", "Nesterov")
            else:
                g = buf
        self.emit(f"{indent}{w} -= {lr} * {g}")

    def _adam(self, opt) -> None:
        for group in opt.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            decoupled = group["decoupled_weight_decay"]
            for p, w in self._updated(group["params"]):
                g, m, v = f"{w}_grad", self._unique(f"{w}_exp_avg"), self._unique(f"{w}_exp_avg_sq")
                self.buffers += [m, v]
                state = opt.state.get(p)
                t = float(state["step"].array) + 1 if state else 1.0
                self.emit(f"# {type(opt).__name__}.step() of {w}: step {t:g}, settings as now")
                if weight_decay != 0 and decoupled:
                    self.emit(f"{w} *= {1 - lr * weight_decay!r}", "decoupled weight decay")
                elif weight_decay != 0:
                    self.emit(f"{g} = {g} + {weight_decay!r} * {w}", "weight decay")
                weight = 1 - beta1
                if weight < 0.5:  # optim/adam.py's lerp_
                    self.emit(f"{m} += {weight!r} * ({g} - {m})")
                else:
                    self.emit(f"{m}[...] = {g} - {1 - weight!r} * ({g} - {m})")
                self.emit(f"{v} *= {beta2!r}")
                self.emit(f"{v} += {1 - beta2!r} * {g} * {g}")
                if amsgrad:
                    v_max = self._unique(f"{w}_max_exp_avg_sq")
                    self.buffers.append(v_max)
                    self.emit(f"{v} = np.maximum({v_max}, {v}, out={v_max})")
                denom = self._unique("denom")
                self.emit(f"{denom} = np.sqrt({v}) / {(1 - beta2**t) ** 0.5!r} + {eps!r}")
                self.emit(f"{w} -= {lr / (1 - beta1**t)!r} * {m} / {denom}")


def _literal(array) -> str:
    """Numpy source making `array` anew, with its bits (a constant of the recording)."""
    values, dtype = array.reshape(-1).tolist(), f"np.{array.dtype}"
    if array.dtype.kind not in "biuf" or not all(math.isfinite(v) for v in values):
        raise refuse("a constant that is not finite real numbers")
    if not values or values.count(values[0]) == len(values):
        value = values[0] if values else 0
        return f"np.full({_shape(array.shape)}, {value!r}, dtype={dtype})"
    if array.ndim == 1 and array.dtype.kind in "iu":
        start, step = values[0], values[1] - values[0]
        stop = start + step * len(values)
        if values == list(range(start, stop, step)):
            return f"np.arange({start}, {stop}, {step}, dtype={dtype})"
    if len(values) > 64:
        raise refuse("a constant of more than 64 varied values")
    return f"np.array({array.tolist()!r}, dtype={dtype})"


def _key(key) -> str:
    """An indexing key (ints, slices, None, Ellipsis) as source."""
    if isinstance(key, tuple):
        return ", ".join(map(_key, key)) + ("," if len(key) == 1 else "") if key else "()"
    if isinstance(key, slice):
        parts = ["" if v is None else repr(v) for v in (key.start, key.stop, key.step)]
        return ":".join(parts[:2] if key.step is None else parts)
    if key is Ellipsis:
        return "..."
    if key is None or type(key) in (int, bool):
        return repr(key)
    raise refuse("a write at an index given as a list or an array")


def _shape(shape) -> str:
    return str(tuple(shape)).replace(" ", "")
