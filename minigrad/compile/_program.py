"""A Program: one recorded step as a flat list of array calls, replayed on new inputs.

The arrays a step works on live in numbered slots (`env`, a list): the step's arguments, each
op's output, each gradient. The steps, in the order the eager call ran them:
  forward   a Function's forward on the arrays of its inputs (a new Function object per
            replay keeps what its backward needs, as on the tape)
  backward  that Function's backward, on its output's gradient
  sum_to / astype / add
            the engine's bookkeeping: a gradient summed over broadcast dims, cast, or added
            to another one for the same tensor
  deliver   a leaf's total gradient into its .grad: copied or added in place, as the engine
  call      a call replayed as it is, reading its settings then: an optimizer's update (lr,
            step counts, momentum buffers), zero_grad
  factory   a fresh copy of a factory's array, kept at the recording (mg.arange(T))
  write     an in-place write, `target[key] = source` (`target.fill(source)` for key None),
            into a slot or a state tensor's array (_writes.py)
  grad_array / set_grad
            a leaf's .grad array, as the replay left it, into a slot; `p.grad = ...`
State (parameters, buffers, optimizer state) is read at every replay, never copied in. A slot is
dropped after its last use, so a replay holds no more memory than the eager step. Where every
op has a numpy template, `fast` (_fast.py) runs the same calls as one generated function
instead; these closures replay the rest.
"""

from __future__ import annotations

import weakref

from .. import backend
from ..autograd import grad_mode
from ..nn.functional._activations import dropout_mask
from ..nn.functional._pool_ops import max_pool_winners
from ..tensor import Tensor

_ndarray = backend.numpy.ndarray
_state = grad_mode.state


STALE = object()  # what `run` returns where the state the recording read is not as it was


class Program:
    """Steps recorded by a Recorder; `run(args)` replays them."""

    def __init__(self, name: str):
        self.name = name
        self.size = 0  # slots
        self.inputs: dict[int, int] = {}  # argument position -> slot
        self.states: list = []  # weakrefs to the tensors (and arrays) read at every replay
        self.steps: list[tuple] = []  # (kind, ...): see the module docstring
        self.outputs = None
        self.meta: dict[int, tuple] = {}  # slot -> (shape, dtype, is a view) when recorded
        self.names: dict[int, str] = {}  # id(tensor) -> its name in the model, for source()
        self.guards: list = []  # per state: (requires_grad (None: an array), what its array is)
        self.fast = None  # the steps as one generated function (_fast.py), where it can be
        self._runner = None

    # ----- building (the Recorder calls these) --------------------------------------------
    def slot(self) -> int:
        self.size += 1
        return self.size - 1

    def input(self, position: int) -> int:
        slot = self.inputs[position] = self.slot()
        return slot

    def input_index(self, slot: int) -> int:
        return next(k for k, s in self.inputs.items() if s == slot)

    def state(self, value) -> int:
        self.states.append(weakref.ref(value))
        tensor = isinstance(value, Tensor)
        array = value.array if tensor else value
        kind = (type(array), array.shape, array.dtype)
        self.guards.append((value.requires_grad if tensor else None, kind))
        return len(self.states) - 1

    def forward(self, cls, refs, params, kwargs, out, entry, name) -> None:
        self.steps.append(("forward", cls, refs, params, kwargs, out, entry, name))

    def seed(self, slot: int, array) -> None:
        self.steps.append(("seed", slot, array))

    def mark_taken(self, slots) -> None:
        """A backward starts: the gradients it is seeded with must not become a .grad as they
        are (a fresh set per backward, as the engine's)."""
        self.steps.append(("taken", tuple(slots)))

    def backward(self, entry: int, grad: int, slots: tuple, name: str, last_use: bool) -> None:
        self.steps.append(("backward", entry, grad, slots, last_use, name))

    def sum_to(self, src: int, dst: int, shape) -> None:
        self.steps.append(("sum_to", src, dst, tuple(shape)))

    def astype(self, src: int, dst: int, dtype) -> None:
        self.steps.append(("astype", src, dst, dtype))

    def add(self, a: int, b: int, dst: int) -> None:
        self.steps.append(("add", a, b, dst))

    def deliver(self, leaf_ref: tuple, slot: int, mode: str) -> None:
        self.steps.append(("deliver", leaf_ref, slot, mode))

    def call(self, function, args: tuple) -> None:
        self.steps.append(("call", function, args))

    # ----- replaying -------------------------------------------------------------------------
    def live(self) -> list | None:
        """The state the recording read, as it is now; None where a tensor or array of it is
        gone, a tensor's requires_grad was switched, or its array is of another type, shape
        or dtype (`model.double()`, `p.data = ...`): the step is recorded again then."""
        states = [ref() for ref in self.states]
        for t, (requires_grad, kind) in zip(states, self.guards):
            if t is None:
                return None
            array = t if requires_grad is None else t.array
            if (type(array), array.shape, array.dtype) != kind or (
                requires_grad is not None and t.requires_grad is not requires_grad
            ):
                return None
        return states

    def run(self, args: tuple):
        """The recorded step on `args` (of the recorded signature), or STALE where the state it
        read is not as recorded (`live`; the generated function checks the same itself)."""
        if self.fast is not None:
            return self.fast(args)
        states = self.live()
        if states is None:
            return STALE
        if self._runner is None:
            self._runner = _build(self)
        steps, frees, outputs = self._runner
        env = [None] * self.size
        for position, slot in self.inputs.items():
            env[slot] = args[position].array
        fns, taken = {}, set()
        grad_enabled = _state.grad_enabled
        try:
            for step, free in zip(steps, frees):
                step(env, states, fns, args, taken)
                for slot in free:
                    env[slot] = None
        finally:
            _state.grad_enabled = grad_enabled
        return _rebuild(outputs, env)


def _rebuild(spec, env):
    if type(spec) is tuple and len(spec) == 2 and spec[0] in ("slot", "value"):
        return Tensor._make(env[spec[1]], False) if spec[0] == "slot" else spec[1]
    if isinstance(spec, (tuple, list)):
        return type(spec)(_rebuild(s, env) for s in spec)
    return {k: _rebuild(v, env) for k, v in spec.items()}


def _getter(ref: tuple):
    kind, value = ref[0], ref[1]
    if kind == "slot":
        return lambda env, states: env[value]
    if kind == "state":
        return lambda env, states: states[value].array
    if kind == "const":  # an array kept alive outside the step (a global): read as it is then
        return lambda env, states: states[value]
    if kind == "winners":  # max pooling's search, again: {"values": ..., "index": ...}
        x, geo = _getter(value[0]), value[1]
        return lambda env, states: dict(
            zip(("values", "index"), max_pool_winners(x(env, states), geo))
        )
    if kind == "mask":  # drawn again, from the generator eager draws from
        (_x_ref, p, shape), x = value, _getter(value[0])
        return lambda env, states: dropout_mask(Tensor._make(x(env, states), False), p, shape)
    return lambda env, states: value  # a Python value (or an array kept alive elsewhere)


def _stub(ref: tuple):
    """What `fn.inputs` holds for a backward: a Tensor with the input's requires_grad (the
    formulas read only that), or the Python value itself."""
    if ref[0] in ("slot", "state"):
        return Tensor._make(None, ref[2])
    return None if ref[0] == "const" else ref[1]


def _reads(step: tuple) -> list[int]:
    """The slots a step reads."""
    kind = step[0]
    if kind == "forward":
        refs = [*step[2], *step[4].values()]
        refs += [r[1][0] for r in step[4].values() if r[0] in ("mask", "winners")]
        return [r[1] for r in refs if r[0] == "slot"]
    if kind == "backward":
        return [step[2]]
    if kind in ("sum_to", "astype"):
        return [step[1]]
    if kind == "add":
        return [step[1], step[2]]
    if kind == "deliver":
        return [step[2]]
    if kind == "taken":
        return list(step[1])
    if kind == "write":
        return [r[1] for r in (step[1], step[3]) if r[0] == "slot"]
    if kind == "set_grad" and step[2] is not None and step[2][0] == "slot":
        return [step[2][1]]
    return []


def _build(program: Program) -> tuple:
    """The steps as closures, and after each the slots no later step (nor the result) reads."""
    last = {}
    for i, step in enumerate(program.steps):
        for slot in _reads(step):
            last[slot] = i
    kept = set(_output_slots(program.outputs))
    frees = [[] for _ in program.steps]
    for slot, i in last.items():
        if slot not in kept:
            frees[i].append(slot)
    builders = {
        "forward": _forward,
        "seed": _seed,
        "backward": _backward,
        "sum_to": _sum_to,
        "astype": _astype,
        "add": _add,
        "deliver": _deliver,
        "call": _call,
        "taken": _taken,
        "factory": _factory,
        "write": _write,
        "grad_array": _grad_array,
        "set_grad": _set_grad,
    }
    steps = [builders[step[0]](program, *step[1:]) for step in program.steps]
    return steps, [tuple(f) for f in frees], program.outputs


def _output_slots(spec) -> list[int]:
    if type(spec) is tuple and len(spec) == 2 and spec[0] in ("slot", "value"):
        return [spec[1]] if spec[0] == "slot" else []
    values = spec.values() if isinstance(spec, dict) else spec
    return [s for v in values for s in _output_slots(v)]


def _forward(program, cls, refs, params, kwargs, out, entry, name):
    getters = [_getter(r) for r in refs]
    derive = _getter(kwargs["*"]) if "*" in kwargs else None  # several, computed at once
    dynamic = [(k, _getter(r)) for k, r in kwargs.items() if k != "*"]
    static = params
    stubs = tuple(_stub(r) for r in refs)
    needs = tuple(isinstance(s, Tensor) and s.requires_grad for s in stubs)
    saves = cls.saves_output

    def forward(env, states, fns, args, taken):
        arrays = [g(env, states) for g in getters]
        kw = {**static, **{k: g(env, states) for k, g in dynamic}} if dynamic else static
        if derive is not None:
            kw = {**kw, **derive(env, states)}
        fn = cls()
        result = fn.forward(*arrays, **kw)
        if type(result) is not _ndarray:  # as Function.apply: a 0-d array, not a scalar
            result = backend.xp_of(result).asarray(result)
        env[out] = result
        if entry:
            fn.inputs, fn.arrays, fn.needs_input_grad = stubs, arrays, needs
            if saves:
                fn._output_array = result
            fns[out] = fn

    return forward


def _seed(program, slot, array):
    def seed(env, states, fns, args, taken):
        env[slot] = seed_array = array.copy()
        taken.add(id(seed_array))

    return seed


def _backward(program, entry, grad, slots, last_use, name):
    def backward(env, states, fns, args, taken):
        fn = fns.pop(entry) if last_use else fns[entry]  # (retain_graph: another backward)
        fn.last_use = last_use
        mode, _state.grad_enabled = _state.grad_enabled, False  # as the engine runs backward
        input_grads = fn.backward(env[grad], *fn.arrays)
        _state.grad_enabled = mode  # (and Program.run, if it raised)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        for slot, g in zip(slots, input_grads):
            if slot is not None:
                env[slot] = g

    return backward


def _sum_to(program, src, dst, shape):
    def sum_to(env, states, fns, args, taken):
        env[dst] = backend.sum_to(env[src], shape)

    return sum_to


def _astype(program, src, dst, dtype):
    def astype(env, states, fns, args, taken):
        env[dst] = env[src].astype(dtype)

    return astype


def _add(program, a, b, dst):
    def add(env, states, fns, args, taken):
        env[dst] = env[a] + env[b]

    return add


def _deliver(program, leaf_ref, slot, mode):
    kind, index = leaf_ref

    def deliver(env, states, fns, args, taken):  # engine._deliver, for one leaf
        leaf = args[index] if kind == "input" else states[index]
        grad = env[slot]
        if leaf.grad is not None:
            leaf.grad.array += grad
        else:
            if grad.base is not None or id(grad) in taken:
                grad = grad.copy()
            taken.add(id(grad))
            leaf._grad = Tensor._make(grad, False)

    return deliver


def _call(program, function, call_args):
    def call(env, states, fns, args, taken):
        function(*call_args)

    return call


def _taken(program, slots):
    def taken_(env, states, fns, args, taken):
        taken.clear()
        taken.update(id(env[slot]) for slot in slots)

    return taken_


def _factory(program, slot, array, op):
    def factory(env, states, fns, args, taken):  # fresh each call, as the eager factory's
        env[slot] = array.copy()

    return factory


def _write(program, target, key, source, op):
    get_target, get_source = _getter(target), _getter(source)
    if key is None:  # zero_, fill_: as eager fills

        def write(env, states, fns, args, taken):
            get_target(env, states).fill(get_source(env, states))

    else:

        def write(env, states, fns, args, taken):
            get_target(env, states)[key] = get_source(env, states)

    return write


def _grad_array(program, leaf_ref, out):
    is_input, index = leaf_ref[0] == "input", leaf_ref[1]

    def grad_array(env, states, fns, args, taken):
        env[out] = (args if is_input else states)[index].grad.array

    return grad_array


def _set_grad(program, leaf_ref, source):
    is_input, index = leaf_ref[0] == "input", leaf_ref[1]

    def set_grad(env, states, fns, args, taken):
        if source is None:
            grad = None
        elif source[0] == "slot":
            grad = Tensor._make(env[source[1]], False)
        else:  # (a tensor from outside the step: the object itself, as eager assigns it)
            grad = states[source[1]]
        (args if is_input else states)[index]._grad = grad

    return set_grad
