"""Watching backward run: `trace_backward()` records each entry as the tape is replayed.

    with mg.autograd.trace_backward(params=model.named_parameters()) as trace:
        loss.backward()
    print(trace)

For every entry backward replays (in reverse tape order) the trace keeps a `TraceStep`: the
entry's number and op, the gradient its output received, and the gradient it passed on to
each input that needs one (summed back to the input's shape where the forward broadcast, as
the engine does). Each gradient is a `GradInfo`: shape, norm, and the values themselves when
there are few of them. Leaves are named as in `minigrad.viz`: by `params`, else x0, x1, ... in
the order they first appear on the tape.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .. import backend
from ..tensor import Tensor
from . import engine, grad_mode
from .tape import shape_text, table


def leaf_names(entries: Iterable[engine.Function], params=None, more=()) -> dict[int, str]:
    """Names for the leaves the `entries` read (and the leaves in `more`), by `id(tensor)`.

    Tensors in `params` (a mapping or (name, tensor) pairs, e.g. `model.named_parameters()`)
    get their names; every other leaf is x0, x1, ... in order of first use on the tape.
    """
    pairs = params.items() if isinstance(params, Mapping) else (params or ())
    names = {id(t): name for name, t in pairs}
    leaves = [x for fn in entries for x in fn.inputs if isinstance(x, Tensor) and x.grad_fn is None]
    numbers = itertools.count()
    for x in [*leaves, *more]:
        if id(x) not in names:
            names[id(x)] = f"x{next(numbers)}"
    return names


@dataclass(frozen=True)
class GradInfo:
    """One gradient: its shape, its (Frobenius) norm, and its values when small, else None."""

    shape: tuple[int, ...]
    norm: float
    values: object  # a numpy array (on the host), or None when it has more than max_values

    def __str__(self) -> str:
        if self.values is not None and self.values.size == 1:  # the norm would repeat it
            return f"{shape_text(self.shape)} {_values(self.values.tolist())}"
        text = f"{shape_text(self.shape)} norm={self.norm:.4g}"
        return text if self.values is None else f"{text} {_values(self.values.tolist())}"


@dataclass(frozen=True)
class TraceStep:
    """One replayed entry: what its output received, and what it passed on to which input."""

    seq: int
    op: str
    received: GradInfo
    passed: tuple[tuple[str, GradInfo], ...]  # (input's name, gradient it was sent)


class BackwardTrace(list, grad_mode.Watcher):
    """A list of TraceStep, in the order backward replayed them, that prints as a table.

    Made by `trace_backward()`; use it as a context manager around `backward()` or
    `mg.autograd.grad()`.
    """

    def __init__(self, params=None, max_values: int = 6):
        super().__init__()
        self.params = list(params.items() if isinstance(params, Mapping) else params or ())
        self.max_values = max_values
        self._names: dict[int, str] = {}

    def __enter__(self) -> BackwardTrace:
        grad_mode.add_watcher(self)
        return self

    def __exit__(self, *exc) -> None:
        grad_mode.remove_watcher(self)

    def __str__(self) -> str:
        rows = [("#", "op", "received", "passed on to", "gradient")]
        for step in self:
            passed = step.passed or [("-", "")]
            for i, (name, info) in enumerate(passed):
                head = (str(step.seq), step.op, str(step.received)) if i == 0 else ("", "", "")
                rows.append((*head, name, str(info)))
        return table(rows)

    def __repr__(self) -> str:
        return f"<BackwardTrace of {len(self)} steps>"

    # ----- called by the engine -----------------------------------------------------------
    def replayed(self, fn: engine.Function, grad, input_grads: tuple) -> None:
        """Called by the engine after each replayed entry: record one TraceStep."""
        if not self or fn.seq >= self[-1].seq:  # a new backward pass: name its leaves
            inputs = [x for x in fn.inputs if isinstance(x, Tensor)]
            self._names = leaf_names(engine.entries_leading_to(inputs) + [fn], self.params)
        passed = []
        for x, g in zip(fn.inputs, input_grads):
            if g is None or not isinstance(x, Tensor) or not x.requires_grad:
                continue  # the engine drops this one too
            if x.grad_fn is not None:
                name = f"#{x.grad_fn.seq} {x.grad_fn.name}"
            else:
                name = self._names.get(id(x)) or "x?"
            passed.append((name, self._info(g, x.shape)))
        self.append(TraceStep(fn.seq, fn.name, self._info(grad, fn.out_meta[0]), tuple(passed)))

    def _info(self, grad, shape) -> GradInfo:
        array = grad.array if isinstance(grad, Tensor) else grad
        if array.shape != tuple(shape):  # the forward broadcast: the input gets the sum
            array = backend.sum_to(array, tuple(shape))
        xp = backend.xp_of(array)
        norm = math.sqrt(float(xp.sum(xp.square(array.astype(xp.float64)))))
        values = None
        if array.size <= self.max_values:
            values = backend.to_host(array).copy()
        return GradInfo(tuple(array.shape), norm, values)


def trace_backward(params=None, max_values: int = 6) -> BackwardTrace:
    """Record the backward passes run inside `with`: one `TraceStep` per replayed entry.

    `params` names leaves (a mapping or (name, tensor) pairs, e.g. `model.named_parameters()`);
    gradients with at most `max_values` elements keep (and print) their values.

    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> with mg.autograd.trace_backward() as trace:
    ...     (x * x).sum().backward()
    >>> print(trace)
    #  op   received                passed on to  gradient
    -  ---  ----------------------  ------------  ----------------------
    1  sum  () 1                    #0 mul        (2,) norm=1.414 [1, 1]
    0  mul  (2,) norm=1.414 [1, 1]  x0            (2,) norm=2.236 [1, 2]
                                    x0            (2,) norm=2.236 [1, 2]
    """
    return BackwardTrace(params, max_values)


def _values(v) -> str:
    """Nested lists of numbers, each to 4 significant digits: [[1, 0.5], [-2, 3]]."""
    if isinstance(v, list):
        return "[" + ", ".join(_values(x) for x in v) + "]"
    return f"{v:.4g}"
