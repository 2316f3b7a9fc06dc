"""Reverse-mode autograd on a tape: `Function.apply` records each op, `backward` replays them.

Recording. A differentiable op is a `Function` subclass, its `forward` (on arrays) and its
`backward` side by side (ops/). When grad mode is on and an input requires a gradient, `apply`
records the call: the Function object becomes a tape entry, numbered in the order the ops ran
(`seq`), holding its inputs and what its backward needs. The output tensor points at its entry
(`grad_fn`); nothing else holds entries, so a dropped output frees its graph.

Replaying. `backward` sorts the entries the roots depend on by `seq` and runs them in reverse:
every entry then comes after all the entries that used its output, so its output's gradient is
complete when its backward runs. The engine, not each op, sums a gradient back over the dims
its input was broadcast along, casts it to the input's dtype, adds up the gradients of a tensor
used twice, and accumulates each leaf's total into `.grad`. With `create_graph=True` backward
formulas get Tensors (not arrays) with recording on, so the backward pass is a graph too.

Extensions reach the engine through one door, a tensor's hooks (hooks.py); `detect_anomaly` and
`trace_backward` watch every op and entry (grad_mode.py); `mg.compile` records ops and backwards.
"""

from __future__ import annotations

import functools
import itertools
import re
import weakref

from .. import backend
from ..tensor import Tensor
from . import grad_mode

_mode = grad_mode.state  # this thread's modes: grad_enabled, watchers


def backward(
    roots, grads, retain_graph=False, create_graph=False, inputs=None, accumulate=True
) -> None:
    """Replay the tape of `roots` in reverse, each root seeded with its gradient (a Tensor).

    A leaf's total gradient goes through its hooks into its `.grad` (not with accumulate=False).
    With `inputs`, only the entries a gradient reaches them through run, and only they get one.
    """
    if _mode.recorder is not None:  # mg.compile: this backward becomes part of its program
        return _mode.recorder.backward(roots, grads, retain_graph, create_graph, inputs, accumulate)
    tape, leaves_done = _tape_and_first_uses(roots)
    replay = None if inputs is None else _leading_to(tape, inputs)
    totals = {}  # entry or leaf -> the sum of the gradients it has received so far
    for root, grad in zip(roots, grads):
        _receive(totals, root, grad if create_graph else grad.array)
    taken = {id(grad.array) for grad in grads}  # arrays a .grad must not share: the caller's,
    deliver = (inputs, create_graph, accumulate, taken)  # then each one given to a .grad
    watchers = _mode.watchers  # (detect_anomaly, trace_backward; usually none)
    with grad_mode.set_grad_enabled(create_graph):
        for fn in reversed(tape):
            grad = totals.pop(fn, None)
            if grad is not None and fn.hooks:  # the output tensor's hooks, given its total
                grad = run_hooks(fn.hooks, grad, create_graph)
            if grad is not None and (replay is None or fn in replay):
                fn.last_use = not retain_graph
                try:
                    for watcher in watchers:
                        watcher.replaying(fn)
                    input_grads = fn.backward(grad, *(fn.inputs if create_graph else fn.arrays))
                    input_grads = input_grads if type(input_grads) is tuple else (input_grads,)
                    for watcher in watchers:
                        watcher.replayed(fn, grad, input_grads)
                    for x, gx in zip(fn.inputs, input_grads):
                        if gx is not None:
                            _receive(totals, x, gx)
                finally:  # even if it raised: a last backward may have reused its buffers
                    if not retain_graph:
                        fn.release()
            if fn in leaves_done:  # the leaves this entry was the first to use are complete
                _deliver(leaves_done.pop(fn), totals, *deliver)
        if totals:  # the other leaves, and roots that are leaves
            _deliver([x for x in totals if isinstance(x, Tensor)], totals, *deliver)


def entries_leading_to(roots) -> list[Function]:
    """The tape of `roots`: every entry they depend on, sorted by seq (the order they ran)."""
    return _tape_and_first_uses(roots)[0]


def _tape_and_first_uses(roots) -> tuple[list, dict]:
    """The tape of `roots`, and for each leaf with hooks the entry that used it first: its gradient
    is complete once the replay passes that entry, and its hooks run then, as in PyTorch (DDP)."""
    seen, first_use = set(), {}
    stack = [t.grad_fn for t in roots if t.grad_fn is not None]
    while stack:  # an explicit stack, not recursion: deep graphs are fine
        fn = stack.pop()
        if fn in seen:
            continue
        if fn.freed:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (entry {fn} was freed); "
                "pass retain_graph=True to the first backward() to backward through it again"
            )
        seen.add(fn)
        for x in fn.inputs:
            if isinstance(x, Tensor):
                if x.grad_fn is not None:
                    stack.append(x.grad_fn)
                elif x._hooks and (x not in first_use or fn.seq < first_use[x].seq):
                    first_use[x] = fn  # (a leaf without hooks may as well wait till the end)
    leaves_done = {}
    for leaf, fn in first_use.items():
        leaves_done.setdefault(fn, []).append(leaf)
    return sorted(seen, key=lambda fn: fn.seq), leaves_done


def _leading_to(tape, inputs) -> set:
    """The entries of `tape` through which a gradient reaches one of `inputs`."""
    targets, through = {id(x) for x in inputs}, set()
    for fn in tape:  # in recorded order: an entry's inputs come before it
        for x in fn.inputs:
            if isinstance(x, Tensor) and (id(x) in targets or x.grad_fn in through):
                through.add(fn)
                break
    return through


def _receive(totals: dict, x, grad) -> None:
    """Add `grad` to what input `x` (its entry, or x itself if a leaf) has received so far."""
    if not isinstance(x, Tensor) or not x.requires_grad:
        return
    array = x.array
    if grad.shape != array.shape:  # x was broadcast in the forward: sum the copies back
        tensor = isinstance(grad, Tensor)
        grad = grad.sum_to_size(array.shape) if tensor else backend.sum_to(grad, array.shape)
    if grad.dtype != array.dtype:  # as PyTorch's engine does: a gradient has x's dtype
        grad = grad.to(array.dtype) if isinstance(grad, Tensor) else grad.astype(array.dtype)
    key = x if x.grad_fn is None else x.grad_fn
    total = totals.get(key)
    totals[key] = grad if total is None else total + grad


def _deliver(leaves, totals: dict, inputs, create_graph, accumulate, taken: set) -> None:
    """Each leaf's total gradient, through its hooks, into its .grad (PyTorch's AccumulateGrad)."""
    for leaf in leaves:
        grad = totals.pop(leaf, None)
        if grad is None or (inputs is not None and not any(leaf is x for x in inputs)):
            continue
        if leaf._hooks:
            grad = run_hooks(leaf._hooks, grad, create_graph)
        if not accumulate:
            continue
        if create_graph:  # out of place, so that .grad is itself differentiable
            leaf.grad = grad if leaf.grad is None else leaf.grad + grad
        elif leaf.grad is not None:
            leaf.grad.array += grad  # in place: a .grad's array is never shared (below)
        else:  # a formula may pass a gradient on unchanged (add, reshape): copy if shared
            if grad.base is not None or id(grad) in taken:
                grad = grad.copy()
            taken.add(id(grad))
            leaf._grad = Tensor._make(grad, False)  # (right by construction: not re-checked)


def run_hooks(hooks, grad, create_graph: bool):  # noqa: ANN201 - an array, or a Tensor
    """Call each hook on the gradient (as a Tensor); a hook may return a replacement."""
    t = grad if create_graph else Tensor._make(grad, False)
    for hook in list(hooks):
        t = t if (new := hook(t)) is None else new
    return t if create_graph else t.array


class Function:
    """One primitive op: `forward` on arrays, `backward` on its output's gradient; one entry.

    Subclasses write
        forward(self, *inputs, **params) -> array       inputs: arrays or Python scalars
        backward(self, grad, *inputs) -> a gradient per input, None where none is needed
    backward gets the forward's inputs again: arrays, or Tensors under create_graph. What
    else it needs, forward keeps on `self`; `saves_output = True` keeps the output, read as
    `self.output`. `self.needs_input_grad[i]` says whether input i wants a gradient.
    """

    differentiable = True  # False for comparisons and the like: never recorded
    saves_output = False
    seq = -1  # position on the tape; -1 until recorded
    freed = False  # set once backward has released what this entry kept
    last_use = False  # no backward runs through here again: its own buffers may be reused
    hooks = None  # the output tensor's gradient hooks (hooks.py)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.name = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()  # MaxPool: max_pool

    @classmethod
    def apply(cls, *args, **params):
        """Run the op; record it when grad mode is on and an input requires a gradient.

        With no Tensor among `args` (a backward formula on arrays) it is a plain array
        function: it returns an array and records nothing.
        """
        arrays, first, needs_grad = [], None, False
        for a in args:
            if isinstance(a, Tensor):
                data = a.array
                if first is None:
                    first = data
                elif type(data) is not type(first) or (  # (inline: it runs for every input)
                    type(data) is not _ndarray and data.device != first.device
                ):
                    raise backend.DeviceMismatch(cls.name, first, data)
                arrays.append(data)
                needs_grad = needs_grad or a.requires_grad
            else:
                arrays.append(a)
        fn = cls()
        out = fn.forward(*arrays, **params)
        if type(out) is not _ndarray:  # numpy gives scalars, not 0-d arrays, for 0-d results
            out = backend.xp_of(out).asarray(out)
        if first is None:
            return out
        record = needs_grad and cls.differentiable and _mode.grad_enabled
        result = Tensor._make(out, record)
        if record:
            fn.seq, fn.inputs, fn.arrays = next(_next_seq), args, arrays
            fn.out_meta = (out.shape, out.dtype)
            if cls.saves_output:
                fn._output_array, fn._output_ref = out, weakref.ref(result)
            result.grad_fn = fn
        if _mode.recorder is not None:  # mg.compile is recording this thread's step
            _mode.recorder.op(fn, args, arrays, params, result)
        for watcher in _mode.watchers:
            watcher.recorded(fn, result)
        return result

    @functools.cached_property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """Whether each input wants a gradient (computed once, when a backward first asks)."""
        return tuple(isinstance(x, Tensor) and x.requires_grad for x in self.inputs)

    @property
    def output(self):  # noqa: ANN201 - an array, or a Tensor
        """This entry's output: an array, or the output Tensor while recording a backward."""
        return self._output_ref() if _mode.grad_enabled else self._output_array

    def release(self) -> None:
        """Drop everything kept for backward; a later backward through here raises."""
        seq = self.seq
        self.__dict__.clear()
        self.seq, self.freed = seq, True

    def __repr__(self) -> str:
        return f"<{self.name} #{self.seq}>"


_next_seq = itertools.count()
_ndarray = backend.numpy.ndarray
