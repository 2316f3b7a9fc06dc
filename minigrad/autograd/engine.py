"""The tape and the backward pass: the whole of reverse-mode autograd in one file.

Recording. Every differentiable op is a `Function` subclass with a `forward` on arrays and a
`backward` beside it. `Function.apply` runs the forward and, when grad mode is on and some
input requires a gradient, *records* the call: the Function object becomes an entry on the
tape, numbered in execution order (`seq`), holding its inputs and what its backward needs.
The output tensor points at its entry (`tensor._fn`); entries point at their input tensors.
Nothing else holds entries, so the graph of an output that is dropped is freed with it.

Replaying. `backward(y)` collects the entries that lead to `y` and replays them in reverse
recorded order. An entry's inputs were always recorded before it, so reverse tape order
visits every entry after all the entries that consume its output: by the time an entry runs,
its output gradient is complete. No recursion, so a chain of 100,000 ops is no problem.

Each entry's backward receives the gradient of its output and its inputs, and returns one
gradient per input. This engine then does the work every op would otherwise repeat: undo
broadcasting (sum the gradient back to the input's shape), add up the gradients of a tensor
used more than once, accumulate into leaves' `.grad`, and free what backward saved.

Higher order. A backward is written with minigrad's own functions and operators, which run
on raw arrays or on Tensors alike. Normally it is handed arrays (fast, nothing recorded);
with `create_graph=True` it is handed Tensors with recording on, so the backward pass is
itself recorded and can be differentiated again.
"""

from __future__ import annotations

import itertools
import operator
import re
import weakref
from collections.abc import Sequence

from .. import backend, ops  # ops is still loading (it imports this module); used at call time
from ..tensor import Tensor
from . import grad_mode

_next_seq = itertools.count()
_ndarray = backend.numpy.ndarray

# This thread's modes (grad_mode.py): whether to record, and the watchers of every op and
# backward step that `detect_anomaly()` and `trace_backward()` add. No watchers in normal use,
# so their cost on the hot path is one truth test per op and per replayed entry.
_mode = grad_mode.state


class Function:
    """One primitive op: `forward` on arrays, `backward` on the gradient; one tape entry.

    Subclasses implement:
      forward(self, *inputs, **params) -> array   inputs are arrays or Python scalars
      backward(self, grad, *inputs) -> grad or tuple of grads, one per input (None where
          an input gets no gradient); `inputs` are the forward's inputs again, as arrays, or
          as Tensors under create_graph. Extra things backward needs are kept on `self`.
    An op whose backward needs its own output sets `saves_output = True` and reads
    `self.output`. A backward may overwrite arrays it saved itself (never its inputs or
    output) when `self.last_use` is True: the engine frees the entry right after.
    """

    name = "function"  # the op name shown on the tape; set from the class name
    saves_output = False
    differentiable = True  # False for ops like comparisons: run through apply, never recorded
    seq = -1  # position on the tape; -1 until recorded
    freed = False  # set once backward has released what this entry saved
    last_use = False  # set by the engine when no backward will run through here again
    hooks = None  # gradient hooks of the output tensor (non-leaf tensors only)
    retained = None  # weak reference to the output tensor when it called retain_grad()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.name = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    @classmethod
    def apply(cls, *args, **params):
        """Run the op on `args` (Tensors, arrays, scalars); record it when grad mode is on.

        Called with no Tensor among `args` (as backward formulas do on the fast path), it is
        a plain array function: it returns an array and records nothing.
        """
        fn = cls()
        arrays = []
        first = None  # the first tensor's array, the device every other input must match
        needs_grad = False
        for a in args:
            if isinstance(a, Tensor):
                data = a.data
                if first is None:
                    first = data
                elif type(data) is not type(first) or (
                    type(data) is not _ndarray and data.device != first.device
                ):
                    raise RuntimeError(
                        f"{cls.name}: expected all tensors on the same device, got "
                        f"{backend.device_of(first)} and {backend.device_of(data)}"
                    )
                needs_grad = needs_grad or a.requires_grad
                arrays.append(data)
            else:
                arrays.append(a)
        out = fn.forward(*arrays, **params)
        if type(out) is not _ndarray:  # numpy gives scalars, not 0-d arrays, for 0-d results
            out = backend.xp_of(out).asarray(out)
        if first is None:
            return out
        record = needs_grad and _mode.grad_enabled and cls.differentiable
        result = Tensor._make(out, record)
        if record:
            fn.seq = next(_next_seq)
            fn.inputs = args
            fn.arrays = arrays
            fn.out_meta = (out.shape, out.dtype)
            if cls.saves_output:
                fn._output_array = out
                fn._output_ref = weakref.ref(result)
            result._fn = fn
        if _mode.observers:  # anomaly mode or a backward trace is on in this thread
            for observer in _mode.observers:
                observer.forward(fn, result)
        return result

    @property
    def output(self):
        """This entry's output: an array, or the output Tensor while recording a backward."""
        if _mode.grad_enabled:
            return self._output_ref()
        return self._output_array

    def release(self) -> None:
        """Drop everything saved for backward; a later backward through here raises."""
        seq = self.seq
        self.__dict__.clear()
        self.seq, self.freed = seq, True

    def __repr__(self) -> str:
        return f"<{self.name} #{self.seq}>"


def entries_leading_to(roots: Sequence[Tensor]) -> list[Function]:
    """The tape of `roots`: every entry they depend on, in recorded order."""
    seen: set[Function] = set()
    stack = [t._fn for t in roots if t._fn is not None]
    while stack:  # an explicit stack, not recursion: deep graphs are fine
        fn = stack.pop()
        if fn in seen:
            continue
        if fn.freed:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (entry {fn.name} "
                f"#{fn.seq} has already been freed). Pass retain_graph=True to the first "
                "backward() if you need to backward through the graph again."
            )
        seen.add(fn)
        for t in fn.inputs:
            if isinstance(t, Tensor) and t._fn is not None:
                stack.append(t._fn)
    return sorted(seen, key=_by_seq)


_by_seq = operator.attrgetter("seq")


def backward(
    roots: Sequence[Tensor],
    root_grads: Sequence,
    retain_graph: bool = False,
    create_graph: bool = False,
    capture: Sequence[Tensor] | None = None,
):
    """Replay the tape of `roots` in reverse, seeding each root with its gradient.

    Gradients land in the leaves' `.grad` (and retained non-leaves'), or, when `capture`
    names tensors (`mg.autograd.grad`), are returned for those tensors and stored nowhere.
    """
    run = _Backward(create_graph, capture)
    tape = entries_leading_to(roots)
    for root, grad in zip(roots, root_grads):
        run.handed_out.add(id(grad.data))  # the caller's array: never let a .grad alias it
        run.send(root, grad if create_graph else grad.data)
    with grad_mode.set_grad_enabled(create_graph):
        for fn in reversed(tape):
            grad = run.pending.pop(fn, None)
            if grad is None:  # nothing that needs a gradient depends on this entry
                continue
            if fn.hooks or fn.retained is not None or run.capture is not None:
                grad = run.output_grad_ready(fn, grad)
            inputs = fn.inputs if create_graph else fn.arrays
            fn.last_use = not retain_graph
            try:
                input_grads = fn.backward(grad, *inputs)
                if not isinstance(input_grads, tuple):
                    input_grads = (input_grads,)
                if _mode.observers:
                    for observer in _mode.observers:
                        observer.backward(fn, grad, input_grads)
                for x, gx in zip(fn.inputs, input_grads):
                    if gx is not None:
                        run.send(x, gx)
            finally:  # even when a hook or an observer raised: a last backward may have
                if not retain_graph:  # overwritten what it saved, so no retry may use it
                    fn.release()
        run.deliver_to_leaves()
    return run.captured


class _Backward:
    """The bookkeeping of one backward pass: gradients in flight and where they end up."""

    def __init__(self, create_graph: bool, capture: Sequence[Tensor] | None):
        self.create_graph = create_graph
        self.pending: dict[Function, object] = {}  # entry -> sum of its output's gradients
        self.leaves: dict[Tensor, object] = {}  # leaf -> sum of its gradients so far
        self.handed_out: set[int] = set()  # ids of arrays now owned by some .grad
        self.capture = None
        self.captured = None
        if capture is not None:  # tensor -> its positions in `capture` (it may be repeated)
            self.capture, self.capture_fns = {}, {}
            for i, t in enumerate(capture):
                self.capture.setdefault(id(t), []).append(i)
                if t._fn is not None:
                    self.capture_fns.setdefault(t._fn, []).append(i)
            self.captured = [None] * len(capture)

    def send(self, x, grad) -> None:
        """Deliver `grad` (an array or Tensor, not None) to input `x`: to the pending sum of
        its entry, or of the leaf (delivered once complete, by `deliver_to_leaves`)."""
        if not isinstance(x, Tensor) or not x.requires_grad:
            return
        data = x.data
        if grad.shape != data.shape:  # the forward broadcast x: sum the gradient back
            grad = ops.sum_to(grad, data.shape)
        if grad.dtype != data.dtype:  # as PyTorch's engine does: a gradient has x's dtype
            grad = ops.cast(grad, data.dtype)
        fn = x._fn
        pending, key = (self.pending, fn) if fn is not None else (self.leaves, x)
        total = pending.get(key)
        pending[key] = grad if total is None else total + grad

    def deliver_to_leaves(self) -> None:
        """Each leaf's total gradient, through its hooks, into `.grad` (or captured): a hook
        sees the sum over every use of the leaf, once, as in PyTorch."""
        for leaf, grad in self.leaves.items():
            if self.capture is None:
                self.accumulate(leaf, grad)
            elif id(leaf) in self.capture:
                if leaf._hooks:
                    grad = self._run_hooks(leaf._hooks, grad)
                for i in self.capture[id(leaf)]:
                    self._add_captured(i, grad)
        self.leaves.clear()

    def output_grad_ready(self, fn: Function, grad):
        """The total gradient of `fn`'s output is known: run its hooks, retain or capture it."""
        if fn.hooks:
            grad = self._run_hooks(fn.hooks, grad)
        if fn.retained is not None and self.capture is None:
            tensor = fn.retained()
            if tensor is not None:
                self.accumulate(tensor, grad, hooks=False)
        if self.capture is not None and fn in self.capture_fns:
            for i in self.capture_fns[fn]:
                self._add_captured(i, grad)
        return grad

    def accumulate(self, t: Tensor, grad, hooks: bool = True) -> None:
        """Add `grad` into `t.grad`, the way PyTorch's AccumulateGrad does."""
        if hooks and t._hooks:
            grad = self._run_hooks(t._hooks, grad)
        if self.create_graph:  # keep the graph: out of place, so .grad is differentiable
            t.grad = grad if t.grad is None else t.grad + grad
        elif t.grad is None:
            t.grad = Tensor._make(self._owned(grad), False)
        else:
            t.grad.data += grad  # in place: the arrays in .grad are never shared (_owned)

    def _owned(self, grad):
        """`grad`, copied if some other .grad or the caller might share its memory.

        Backward formulas may pass a gradient through unchanged (add, reshape, ...), so one
        array can reach several leaves. Copying only then keeps the common case copy-free.
        """
        if grad.base is not None or id(grad) in self.handed_out:
            grad = grad.copy()
        self.handed_out.add(id(grad))
        return grad

    def _add_captured(self, i: int, grad) -> None:
        if not self.create_graph:  # each its own array: `inputs` may name a tensor twice
            grad = Tensor._make(self._owned(grad), False)
        self.captured[i] = grad if self.captured[i] is None else self.captured[i] + grad

    def _run_hooks(self, hooks, grad):
        """Call each hook on the gradient (as a Tensor); a hook may return a replacement."""
        as_tensor = grad if self.create_graph else Tensor._make(grad, False)
        for hook in list(hooks):
            replaced = hook(as_tensor)
            if replaced is not None:
                as_tensor = replaced
        return as_tensor if self.create_graph else as_tensor.data
