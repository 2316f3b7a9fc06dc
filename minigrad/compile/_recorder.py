"""The Recorder: what one eager call of a step did, at the level of array calls, as a Program.

While a Recorder is `grad_mode.state.recorder`, the engine hands it every op (`op`, after the
op's forward ran) and every backward (`backward`, which it runs itself, as the engine would,
writing down each step); `zero_grads`, `Optimizer.step` and the schedulers' steps hand it
their calls (`call`). Each
array an op reads is classified, once, as
  - a slot: an array the step made (an op's output, a gradient) or was given (an argument);
  - state: a tensor that outlives the step (a parameter, a buffer), read again at every replay;
  - an argument the op's caller computed outside it from the op's input: a dropout mask
    (drawn again at every replay, from the generator eager draws from), max pooling's
    winners (searched for again).
In-place writes, tensors made by factories and `.grad`s used after backward are recorded by
the `Writes` half (_writes.py). Anything else is refused when the recording ends
(`check_temporaries`), as is reading a value into Python while recording (`Traced`); both are
in _refusals.py.
"""

from __future__ import annotations

import weakref

from .. import _mt19937, backend
from ..autograd import engine
from ..autograd.function import CtxNode
from ..autograd.grad_mode import set_grad_enabled
from ..nn.functional._pool_ops import Pick
from ..tensor import Tensor
from ._program import Program
from ._refusals import CaptureError, Settings, Traced, check_temporaries, refuse, user_line
from ._writes import Writes


class Recorder(Writes):
    """Records one eager call of a step: `start`, the call, then `finish` gives the Program."""

    def __init__(self, args: tuple, name: str, optimizers: list, modules: list):
        self.name, self.program = name, Program(name)
        self.settings = Settings(optimizers)  # (what the step's Python may not change,
        self.modules = {id(m) for m in modules}  # nor assign to)
        self.slot_of = {}  # id(array) -> slot, for every array the step made or was given
        self.tensor_slot = {}  # id(Tensor) -> slot, for the outputs of ops
        self.keep = []  # what cannot be held weakly (numpy scalars): alive till the end
        self.refs = []  # the weakrefs that forget an id when its object dies
        self.entry_of = {}  # id(tape entry) -> the forward step that made it
        self.traced = []  # (weakly) tensors switched to Traced, switched back at the end
        self.temporaries = []  # (weakref to an array or tensor, what read it): see _Temporaries
        self.states = {}  # id(tensor) -> its state ref
        self.draws = []  # moves of a random stream since the last op: only a mask's may be
        _mt19937.watch.note = self._drew  # (this thread's, till finish or abandon)
        self.state_arrays = {}  # id(a state tensor's array) -> its ref (for p.data, p.detach())
        self._start_writes()
        for k, a in enumerate(args):
            if isinstance(a, Tensor):
                slot = self.program.input(k)
                self._remember(self.slot_of, a.array, slot)
                self.program.meta[slot] = (tuple(a.shape), a.dtype, False)
                self._trace(a)

    def _trace(self, t: Tensor) -> None:
        if type(t) is Tensor:
            t.__class__ = Traced
            self.traced.append(weakref.ref(t))

    def _remember(self, ids: dict, obj, value) -> None:
        """ids[id(obj)] = value until obj dies: the recording holds no array it would not (a
        step's activations are freed during its backward, as in eager), and an id reused by
        a later array never finds a stale entry."""
        key = id(obj)
        ids[key] = value
        try:
            self.refs.append(weakref.ref(obj, lambda _: ids.pop(key, None)))
        except TypeError:  # (a numpy scalar cannot be held weakly: held to the end)
            self.keep.append(obj)

    def _new_slot(self, array) -> int:
        slot = self.slot_of.get(id(array))
        if slot is None:
            slot = self.program.slot()
            self._remember(self.slot_of, array, slot)
            self.program.meta[slot] = (tuple(array.shape), array.dtype, array.base is not None)
        return slot

    # ----- what the engine calls ------------------------------------------------------------
    def op(self, fn, args, arrays, params, result) -> None:
        """After an op's forward: its inputs classified, its output a new slot."""
        refs = tuple(self._ref(a, fn.name) for a in args)
        kwargs = {}
        mask = getattr(fn, "dropout_mask", None)  # (the op's argument that holds one, if any)
        if mask is not None and params.get(mask) is not None:
            kwargs[mask] = ("mask", self._dropout(params[mask], params["p"], refs[0]))
        elif isinstance(fn, Pick) and params.get("values") is not None:
            if params.get("geo") is None:
                raise refuse(
                    "a max pooling whose windows are not a grid (adaptive_max_pool)",
                    "use max_pool1d/max_pool2d in a compiled step.",
                )
            kwargs["*"] = ("winners", (refs[0], params["geo"]))
            kwargs["index"] = kwargs["values"] = None  # (both made by the search, above)
        for name, value in params.items():
            if name not in kwargs and (isinstance(value, Tensor) or backend.is_array(value)):
                kwargs[name] = self._ref(value, f"{fn.name}'s {name}")
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        covered = {"index", "values"} if "*" in kwargs else set(kwargs)
        params = {k: v for k, v in params.items() if k not in covered}  # (held: no arrays)
        out = self._new_slot(result.array)
        self._remember(self.tensor_slot, result, out)
        entry = result.grad_fn is fn
        if entry:
            self._remember(self.entry_of, fn, out)
        if isinstance(fn, CtxNode):
            raise refuse(
                f"the PyTorch-style Function {fn.name}",
                "write it minigrad's way (forward and backward on arrays) to compile it.",
            )
        self._check_draws()
        self.program.forward(type(fn), refs, params, kwargs, out, entry, fn.name)
        self._trace(result)

    def _ref(self, value, reader: str) -> tuple:
        if isinstance(value, Tensor):
            slot = self.tensor_slot.get(id(value))
            if slot is None:
                slot = self._bound_grad(value)
            if slot is None:
                slot = self.slot_of.get(id(value.array))
            if slot is not None:
                return ("slot", slot, value.requires_grad)
            ref = self.state_arrays.get(id(value.array))  # (another tensor of a state's array)
            if ref is None:
                ref = self._state(value, "state", reader)
            return (*ref, value.requires_grad)
        if backend.is_array(value):
            slot = self.slot_of.get(id(value))
            if slot is not None:
                return ("slot", slot, False)
            return (*self._state(value, "const", reader), False)
        return ("value", value, False)

    def _state(self, value, kind: str, reader: str) -> tuple:
        """A tensor (or array) from outside the step, read again at every replay."""
        ref = self.states.get(id(value))
        if ref is None:
            ref = (kind, self.program.state(value))
            self._remember(self.states, value, ref)
            self.temporaries.append((weakref.ref(value), reader))
            if isinstance(value, Tensor):
                self._remember(self.state_arrays, value.array, ref)
        return ref

    def _dropout(self, mask, p: float, x_ref: tuple) -> tuple:
        """How to draw this mask again: p, as the dropout call gave it to the op."""
        if p != 1.0 and self.draws:  # (dropout_mask draws one uniform, unless p is 1)
            self.draws.pop()
        return (x_ref, p, mask.shape)

    def _drew(self, name: str) -> None:
        self.draws.append((name, user_line()))

    def _check_draws(self) -> None:
        """Refuse random numbers drawn outside dropout (mg.randn in the step): the replay
        would not draw them (dropout's masks are drawn again by the op that takes them)."""
        if self.draws:
            name, line = self.draws[0]
            raise CaptureError(
                f"mg.compile cannot record {self.name}: it draws random numbers outside "
                f"F.dropout ({name}, at {line}), which a replay would not draw again; draw "
                "them (make the layers, seed the generator) outside the step and pass them in"
            )

    def backward(self, roots, grads, retain_graph, create_graph, inputs, accumulate) -> None:
        """engine.backward, run here as the engine runs it, each array step written down."""
        self._check_draws()
        if create_graph or inputs is not None or not accumulate:
            raise refuse(
                "mg.autograd.grad, backward(inputs=...) or create_graph=True",
                "call loss.backward() and read the parameters' .grad.",
            )
        tape, leaves_done = engine._tape_and_first_uses(roots)
        if leaves_done or any(fn.hooks for fn in tape):
            raise refuse("tensor hooks (register_hook)", "remove the hooks from the step.")
        for fn in tape:
            if id(fn) not in self.entry_of:
                raise refuse(
                    f"a backward through {fn}, an op run before the step",
                    "compute everything the loss depends on inside the step.",
                )
        program, totals, taken = self.program, {}, set()
        program.mark_taken(
            [self.slot_of[id(g.array)] for g in grads if id(g.array) in self.slot_of]
        )
        for root, grad in zip(roots, grads):
            taken.add(id(grad.array))
            if id(grad.array) not in self.slot_of:  # the seed made by backward (ones): a
                program.seed(self._new_slot(grad.array), grad.array.copy())  # constant
            self._receive(totals, root, grad.array)
        with set_grad_enabled(False):
            for fn in reversed(tape):
                grad = totals.pop(fn, None)
                if grad is None:
                    continue
                fn.last_use, entry_inputs = not retain_graph, fn.inputs
                try:
                    input_grads = fn.backward(grad, *fn.arrays)
                finally:
                    if not retain_graph:
                        fn.release()
                if type(input_grads) is not tuple:
                    input_grads = (input_grads,)
                slots = tuple(None if g is None else self._new_slot(g) for g in input_grads)
                program.backward(
                    self.entry_of[id(fn)], self.slot_of[id(grad)], slots, fn.name, not retain_graph
                )
                for x, gx in zip(entry_inputs, input_grads):
                    if gx is not None:
                        self._receive(totals, x, gx)
            self._sync_grads()  # (no user code runs between the deliveries below)
            for leaf in [x for x in totals if isinstance(x, Tensor)]:
                grad = totals.pop(leaf)
                mode = _deliver(leaf, grad, taken)
                ref = self._leaf_ref(leaf)
                program.deliver(ref, self.slot_of[id(grad)], mode)
                self._delivered(leaf, ref)

    def _receive(self, totals: dict, x, grad) -> None:
        """engine._receive, each array step written down."""
        if not isinstance(x, Tensor) or not x.requires_grad:
            return
        array, program = x.array, self.program
        if grad.shape != array.shape:
            summed = backend.sum_to(grad, array.shape)
            program.sum_to(self.slot_of[id(grad)], self._new_slot(summed), array.shape)
            grad = summed
        if grad.dtype != array.dtype:
            cast = grad.astype(array.dtype)
            program.astype(self.slot_of[id(grad)], self._new_slot(cast), array.dtype)
            grad = cast
        key = x if x.grad_fn is None else x.grad_fn
        total = totals.get(key)
        if total is None:
            totals[key] = grad
        else:
            totals[key] = added = total + grad
            program.add(self.slot_of[id(total)], self.slot_of[id(grad)], self._new_slot(added))

    def _leaf_ref(self, leaf: Tensor) -> tuple:
        slot = self.slot_of.get(id(leaf.array))
        if slot is not None and slot in self.program.inputs.values():
            return ("input", self.program.input_index(slot))
        ref = self.states.get(id(leaf))
        if ref is None:
            ref = ("state", self.program.state(leaf))
            self._remember(self.states, leaf, ref)
        return ref

    def call(self, function, *args) -> None:
        """A call that zero_grads, an optimizer's or a scheduler's step asks to be replayed as
        it is (a scheduler's: `called` after it, as it changes settings)."""
        self.settings.check()
        self._check_draws()
        self._sync_grads()
        self.program.call(function, args)
        self._called(function, args)

    def called(self) -> None:
        self.settings.take()

    def assigned(self, module, name: str) -> None:
        """Module.__setattr__ while the step records: on a module the step refers to, Python
        that a replay would not run (a module made in the step is refused otherwise)."""
        if id(module) not in self.modules:
            return
        raise refuse(
            f"setting a module's attribute in Python ({type(module).__name__}.{name} = ...)",
            "a replay would not set it again: set it outside the step (a counter: a tensor "
            "buffer, updated in place).",
        )

    # ----- the end ---------------------------------------------------------------------------
    def _stop(self) -> None:
        """The tensors switched back to Tensor, the random streams no longer watched."""
        _mt19937.watch.note = None
        for ref in self.traced:
            if (t := ref()) is not None:
                t.__class__ = Tensor
        self.traced.clear()

    def finish(self, result) -> Program:
        """Switch the traced tensors back, check what cannot be replayed, name the outputs."""
        self._stop()
        self._check_draws()
        self._sync_grads()  # (`p.grad = None` after the update)
        self.settings.check("found when the step returned")
        self.program.outputs = _outputs(result, self.tensor_slot, self.slot_of)
        self.keep.clear()
        self.refs.clear()
        check_temporaries(self.temporaries, result)
        program, self.program = self.program, None
        return program

    def abandon(self) -> None:
        self._stop()
        self.keep.clear()
        self.refs.clear()
        self.expected.clear()


def _deliver(leaf: Tensor, grad, taken: set) -> str:
    """engine._deliver for one leaf, as the replay does it (Program.run); what it did."""
    if leaf.grad is not None:
        leaf.grad.array += grad
        return "add"
    copy = grad.base is not None or id(grad) in taken
    if copy:
        grad = grad.copy()
    taken.add(id(grad))
    leaf._grad = Tensor._make(grad, False)
    return "copy" if copy else "new"


def _outputs(result, tensor_slot: dict, slot_of: dict):
    """The step's return value with each Tensor replaced by ("slot", k)."""
    if isinstance(result, Tensor):
        slot = tensor_slot.get(id(result), slot_of.get(id(result.array)))
        if slot is None:
            raise CaptureError(
                "mg.compile: the step returns a tensor that no op in it made (return it from "
                "outside the step)"
            )
        return ("slot", slot)
    if isinstance(result, (tuple, list)):
        return type(result)(_outputs(r, tensor_slot, slot_of) for r in result)
    if isinstance(result, dict):
        return {k: _outputs(v, tensor_slot, slot_of) for k, v in result.items()}
    if result is None or isinstance(result, (int, float, str, bool)):
        return ("value", result)
    raise CaptureError(
        f"mg.compile: the step returns a {type(result).__name__}; return tensors, tuples, "
        "lists or dicts of them, numbers or None"
    )
