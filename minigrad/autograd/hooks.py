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
from collections.abc import Callable

from ..tensor import Tensor
from .engine import Function


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


class BackwardHook(Function):
    """Identity; where a module with backward hooks catches the gradients of its tensors."""

    def forward(self, x):  # noqa: ANN201 - the Function protocol: arrays in and out
        return x

    def backward(self, g, x):  # noqa: ANN201
        return g


class GradCatcher:
    """One call of a module with full backward hooks: collects grad_output, then grad_input.

    Backward reaches the outputs' identities first and the inputs' last (they were recorded
    first), so the hooks run when the last input gradient arrives (or the last output one,
    when no input needs a gradient). By then the other inputs' gradients have been passed
    on, so a hook may replace grad_input only where a single input needs a gradient.
    """

    def __init__(self, module):
        self.module = module
        self.grad_input: dict[int, Tensor] = {}
        self.grad_output: dict[int, Tensor] = {}

    def inputs(self, args: tuple) -> tuple:
        self.n_in, self.tracked_in = len(args), [i for i, a in enumerate(args) if _needs_grad(a)]
        return tuple(self._catch(a, self.grad_input, i) for i, a in enumerate(args))

    def outputs(self, output):  # noqa: ANN201 - the module's output(s), caught
        outs = output if isinstance(output, tuple) else (output,)
        self.n_out, self.tracked_out = len(outs), [j for j, o in enumerate(outs) if _needs_grad(o)]
        caught = tuple(self._catch(o, self.grad_output, j) for j, o in enumerate(outs))
        return caught if isinstance(output, tuple) else caught[0]

    def _catch(self, t, store: dict, i: int):
        if not _needs_grad(t):
            return t
        caught = BackwardHook.apply(t)
        caught.register_hook(lambda g: self._arrived(store, i, g))
        return caught

    def _arrived(self, store: dict, i: int, grad):
        store[i] = grad
        if self.tracked_in:
            ready = store is self.grad_input and len(store) == len(self.tracked_in)
        else:
            ready = len(store) == len(self.tracked_out)
        if not ready:
            return None
        grad_input = tuple(self.grad_input.get(k) for k in range(self.n_in))
        grad_output = tuple(self.grad_output.get(k) for k in range(self.n_out))
        self.grad_input.clear()  # ready for another backward through a retained graph
        self.grad_output.clear()
        for hook in list(self.module._backward_hooks):
            new = hook(self.module, grad_input, grad_output)
            if new is None:
                continue
            new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
            if len(new) != self.n_in or any(
                new[k] is not grad_input[k] for k in self.tracked_in if k != i
            ):
                raise RuntimeError(
                    "a full backward hook may return a new grad_input (one entry per input) "
                    "only for a module with a single input that requires grad"
                )
            grad_input = new
        return grad_input[i] if self.tracked_in else None


def _needs_grad(x) -> bool:
    return isinstance(x, Tensor) and x.requires_grad
