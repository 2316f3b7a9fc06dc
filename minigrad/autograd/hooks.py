"""Hooks: the one door into backward, and what is built on it.

A tensor's hooks run when its total gradient is known, just before that gradient goes on (into
its entry's backward, or a leaf's `.grad`); each gets the gradient as a Tensor and may return a
replacement. The engine keeps them on the entry that made the tensor (`grad_fn.hooks`), or on
the tensor itself for a leaf (`_hooks`), and calls them with `engine.run_hooks`. Built on them:

- `register_hook(t, hook)`: yours (`Tensor.register_hook`);
- `retain_grad(t)`: a hook that adds a non-leaf's gradient into its `.grad`, always run last,
  so that it sees what the other hooks made of the gradient, as in PyTorch;
- `mg.autograd.grad` (calls.py), a backward that puts each input's gradient in a result slot
  through a hook, instead of into `.grad`;
- module full backward hooks (nn/module.py): hooks on identity entries around a module's call.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

from ..tensor import Tensor


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
