"""Hooks: the one door into backward, and what is built on it.

A tensor's hooks run when its total gradient is known, just before that gradient goes on (into
its entry's backward, or a leaf's `.grad`); each gets the gradient as a Tensor and may return a
replacement. The engine keeps them on the entry that made the tensor (`grad_fn.hooks`), or on
the tensor itself for a leaf (`_hooks`), and calls them with `engine.run_hooks`. Built on them:

- `register_hook(t, hook)`: yours (`Tensor.register_hook`);
- `retain_grad(t)`: a hook that adds a non-leaf's gradient into its `.grad`, always run last,
  so that it sees what the other hooks made of the gradient, as in PyTorch;
- `grad(outputs, inputs)`: `mg.autograd.grad`, a backward that puts each input's gradient in a
  result slot through a hook, instead of into `.grad`;
- module full backward hooks (nn/module.py): hooks on identity entries around a module's call.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

from ..errors import check_bool
from ..tensor import Tensor, _initial_gradient
from . import engine


def hooks_of(t: Tensor) -> list:
    """The list of `t`'s hooks, made on first use: on its entry, or on t itself if a leaf."""
    owner = t if t.grad_fn is None else t.grad_fn
    attribute = "_hooks" if t.grad_fn is None else "hooks"
    hooks = getattr(owner, attribute)
    if hooks is None:
        hooks = []
        setattr(owner, attribute, hooks)
    return hooks


def register_hook(t: Tensor, hook: Callable) -> RemovableHandle:
    """Call `hook(grad)` when `t`'s total gradient is computed; it may return a new one."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    hooks = hooks_of(t)
    last = len(hooks) - 1 if hooks and isinstance(hooks[-1], _RetainGrad) else len(hooks)
    hooks.insert(last, hook)  # before retain_grad's, which runs last
    return RemovableHandle(hooks, hook)


class _RetainGrad:
    """The hook of `retain_grad`: add the gradient into the (non-leaf) tensor's `.grad`."""

    def __init__(self, t: Tensor):
        self.tensor = weakref.ref(t)  # the entry holds its hooks; it must not hold its output

    def __call__(self, grad: Tensor) -> None:
        t = self.tensor()
        if t is None:
            return
        if grad.requires_grad:  # create_graph: out of place, so that .grad is differentiable
            t.grad = grad if t.grad is None else t.grad + grad
        elif t.grad is None:  # a copy: backward goes on with this array, maybe into a leaf's
            t.grad = Tensor._make(grad.array.copy(), False)
        else:
            t.grad.array += grad.array


def retain_grad(t: Tensor) -> None:
    """Keep the gradient of non-leaf `t` in `t.grad` during backward (leaves keep theirs)."""
    if not t.requires_grad:
        raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
    if t.grad_fn is None:
        return
    hooks = hooks_of(t)
    if not any(isinstance(h, _RetainGrad) for h in hooks):
        hooks.append(_RetainGrad(t))


class RemovableHandle:
    """Returned by hook registrations: `handle.remove()` unregisters the hook (also on exiting
    `with handle:`)."""

    def __init__(self, hooks: list, hook: Callable):
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to `inputs`, returned; no `.grad` is touched.

    As torch.autograd.grad: `grad_outputs` seeds each output (required for non-scalars); with
    `create_graph=True` the gradients are themselves differentiable. Only the part of the
    graph between the outputs and the inputs runs.
    """
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for name, flag in (("create_graph", create_graph), ("allow_unused", allow_unused)):
        check_bool(flag, name, "grad")
    if retain_graph is not None:
        check_bool(retain_graph, "retain_graph", "grad")
    for name, tensors in (("outputs", outputs), ("inputs", inputs)):
        if not tensors:
            raise ValueError(f"grad: {name} must not be empty")
        for i, x in enumerate(tensors):
            if not isinstance(x, Tensor):
                raise TypeError(f"grad: {name}[{i}] must be a Tensor, got {type(x).__name__}")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: inputs[{i}] is not a Tensor that requires grad")
    roots, seeds = [], []
    for out, seed in zip(outputs, grad_outputs):
        if out.requires_grad:
            roots.append(out)
            seeds.append(_initial_gradient(out, seed, "grad"))
    if not roots:
        raise RuntimeError("grad: none of the outputs requires grad")
    captured: list = [None] * len(inputs)
    handles = [_capture(x, captured, i, create_graph) for i, x in enumerate(inputs)]
    try:
        retain = create_graph if retain_graph is None else retain_graph
        engine.backward(roots, seeds, retain, create_graph, inputs=inputs, accumulate=False)
    finally:
        for handle in handles:
            handle.remove()
    if not allow_unused and any(g is None for g in captured):
        i = next(i for i, g in enumerate(captured) if g is None)
        raise RuntimeError(
            f"grad: input {i} was not used to compute the outputs; pass allow_unused=True"
        )
    return tuple(captured)


def _capture(x: Tensor, captured: list, i: int, create_graph: bool) -> RemovableHandle:
    """A hook, run after x's own, that puts x's gradient in `captured[i]` (a copy of it: the
    engine may hand one array to several tensors)."""

    def capture(g: Tensor) -> None:
        captured[i] = g if create_graph else Tensor._make(g.array.copy(), False)

    hooks = hooks_of(x)
    hooks.append(capture)
    return RemovableHandle(hooks, capture)


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)
