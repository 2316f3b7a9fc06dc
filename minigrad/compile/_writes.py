"""What the Recorder does with in-place writes, tensors made by factories, and `.grad`s.

  - A write (`g *= coef` in clip_grad_norm_, `p -= lr * p.grad` under no_grad, `t[0] = 0`,
    `zero_`, `fill_`, `copy_`): functions/inplace.py hands it over (`write`) just before it
    writes; it becomes a "write" step, `target[key] = source` (or `target.fill(source)`), its
    target a slot (an array the step made, a .grad it delivered) or state (a parameter, a
    buffer: written in place at replay, read as `states[i].array`).
  - A tensor made by a deterministic factory (`mg.arange(T)`, `mg.zeros(...)`, `mg.tensor` of
    Python numbers): creation.py hands it over (`factory`); the recording keeps a copy of its
    array, and each replay puts a fresh copy of that in its slot (a "factory" step). What the
    factory was given (T, the shape, the numbers) is part of the recording, as in CUDA graphs.
  - A `.grad` the step delivered, read or written later in the step: bound to a slot of its
    own when first used ("grad_array": the leaf's .grad array as the replay left it, whether
    the replay made it anew, copied it, or added into an existing one, as the engine decides).
  - `.grad` assigned by the step (`p.grad = None` after a manual update): noticed when the
    recorder next looks (a backward's delivery, a zero_grad or optimizer call, the end) and
    replayed there ("set_grad").
Random fills (`uniform_`, `normal_`, `bernoulli_`) and creating a Parameter are refused.
"""

from __future__ import annotations

from .. import backend
from ..functions.indexing import as_index
from ..nn.parameter import zero_grads
from ..tensor import Tensor
from ._refusals import refuse

FILL = None  # the key of a write that fills (zero_, fill_): `array.fill(value)`, as eager does
_NUMBERS = (bool, int, float, complex)


class Writes:
    """The Recorder's half that records writes, factory constants and `.grad` assignments
    (it needs the Recorder's program, slot_of, tensor_slot, _new_slot, _ref, _remember)."""

    def _start_writes(self) -> None:
        self.grads = {}  # id(a .grad the step delivered, not yet bound) -> (leaf, leaf ref)
        self.expected = {}  # id(leaf) -> (leaf, its ref, the .grad the replay leaves it)

    # ----- factories ----------------------------------------------------------------------
    def factory(self, t: Tensor, op: str, data=None) -> None:
        """`t`, just made by the factory `op` (of `data`, for mg.tensor): a constant."""
        if op == "tensor" and not _numbers(data):
            return  # (a copy of an array: the temporaries check judges what reads it)
        if t.requires_grad:
            raise refuse(
                f"{op}(..., requires_grad=True) inside the step (a new leaf each call)",
                "make the tensor outside the step (a parameter) and use it from there.",
            )
        slot = self._new_slot(t.array)
        self._remember(self.tensor_slot, t, slot)
        self.program.steps.append(("factory", slot, t.array.copy(), op))

    # ----- writes -------------------------------------------------------------------------
    def write(self, t: Tensor, key, value, op: str) -> None:
        """`t.array[key] = value` (key FILL: `t.array.fill(value)`), which eager does next."""
        if key is not FILL and not _constant_key(key):
            raise refuse(
                f"{op} with an index that is a tensor or an array",
                "index with Python ints and slices, or compute a new tensor "
                "(mg.where, masked_fill, scatter).",
            )
        if isinstance(value, Tensor) or backend.is_array(value):
            if backend.device_of(getattr(value, "array", value)) != t.device:
                raise refuse(f"{op} across devices", "move the source first (.to(device)).")
            source = self._ref(value, f"{op}'s source")[:2]
        elif isinstance(value, _NUMBERS):
            source = ("value", value)
        else:
            raise refuse(
                f"{op} of a {type(value).__name__} (a value that may come from an array)",
                "write a tensor or a Python number.",
            )
        target = self._ref(t, f"{op}'s target")[:2]
        if target[0] == "slot":
            self._trace(t)  # (its values now depend on the step's)
        key = key if key is FILL else as_index(key)  # (as eager indexes: a list, an array)
        self.program.steps.append(("write", target, key, source, op))

    def random_fill(self, op: str) -> None:
        raise refuse(
            f"a random fill ({op}), which a replay would not draw again",
            "draw the numbers outside the step and pass them in, or use F.dropout.",
        )

    def unsupported(self, what: str, instead: str) -> None:
        """An op that computes on arrays outside the ops (batch_norm's statistics): refused."""
        raise refuse(what, instead)

    def parameter(self) -> None:
        """nn.Parameter(...) while recording: a new parameter each call, refused."""
        raise refuse(
            "creating a parameter (nn.Parameter; creating a layer makes them)",
            "create the parameters (the layers) outside the step and use them from there.",
        )

    # ----- .grad ----------------------------------------------------------------------------
    def _delivered(self, leaf: Tensor, ref: tuple) -> None:
        """The engine just delivered leaf's .grad: followed from here (see the module docstring)."""
        grad = leaf._grad
        self._remember(self.grads, grad, (leaf, ref))
        self.expected[id(leaf)] = (leaf, ref, grad)
        self._trace(grad)

    def _bound_grad(self, t: Tensor) -> int | None:
        """The slot of a delivered .grad, bound when it is first used (None: t is none)."""
        found = self.grads.pop(id(t), None)
        if found is None:
            return None
        leaf, ref = found
        if leaf._grad is not t:
            raise refuse(
                "a .grad used after it was replaced (p.grad = ... while the step holds the old)",
                "use the .grad before replacing it.",
            )
        out = self.program.slot()
        self.program.meta[out] = (tuple(t.shape), t.dtype, t.array.base is not None)
        self._remember(self.tensor_slot, t, out)
        self._remember(self.slot_of, t.array, out)
        self.program.steps.append(("grad_array", ref, out))
        return out

    def _sync_grads(self) -> None:
        """Each followed leaf whose .grad is not what the replay would leave there now was
        assigned by the step since the recorder last looked: a set_grad step, here."""
        for key, (leaf, ref, expected) in list(self.expected.items()):
            now = leaf._grad
            if now is expected:
                continue
            source = None if now is None else self._ref(now, ".grad")[:2]
            if source is not None and source[0] not in ("slot", "state"):
                raise refuse("setting a .grad to an array", "set it to a tensor or None.")
            self.program.steps.append(("set_grad", ref, source))
            self.expected[key] = (leaf, ref, now)

    def grad_set(self, leaf: Tensor, value) -> None:
        """`leaf.grad = value` in the step (tensor.py hands it over before assigning): a
        set_grad step here, even where it changes nothing now (`p.grad = None` before the
        backward, at a first call that had no .grads: a replay may find them)."""
        self._sync_grads()  # (what the step changed before this, first)
        source = None if value is None else self._ref(value, ".grad")[:2]
        if source is not None and source[0] not in ("slot", "state"):
            raise refuse("setting a .grad to an array", "set it to a tensor or None.")
        ref = self._leaf_ref(leaf)
        self.program.steps.append(("set_grad", ref, source))
        self.expected[id(leaf)] = (leaf, ref, value)

    def _called(self, function, args: tuple) -> None:
        """After a call step is written down: what the call is about to do to the .grads
        (zero_grads, to None) the replay's call does too; nothing to record."""
        if function is zero_grads and args[1]:
            for p in args[0]:
                self.expected[id(p)] = (p, self._leaf_ref(p), None)


def _numbers(data) -> bool:
    """Whether data is Python numbers (nested in lists or tuples): a constant of the step."""
    if isinstance(data, (list, tuple)):
        return all(_numbers(d) for d in data)
    return isinstance(data, _NUMBERS)


def _constant_key(key) -> bool:
    """Whether an indexing key is made of Python ints, slices, None and Ellipsis only."""
    if isinstance(key, (tuple, list)):
        return all(_constant_key(k) for k in key)
    if isinstance(key, slice):
        return all(v is None or type(v) is int for v in (key.start, key.stop, key.step))
    return key is None or key is Ellipsis or type(key) in (int, bool)
