"""`backward` and `grad` as users call them: their arguments checked, then the engine.

`tensor.backward()` (and `mg.autograd.backward`) accumulates into the leaves' `.grad`;
`mg.autograd.grad` instead returns the gradients of the tensors it is given, captured by
hooks that run after their own (hooks.py), and writes no `.grad` anywhere.
"""

from __future__ import annotations

from .. import backend, dtypes
from ..errors import DTypeError, ShapeError, _described, check_bool
from ..tensor import Tensor
from . import engine, grad_mode
from .hooks import RemovableHandle, hooks_of


def backward(
    tensors,
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs=None,
) -> None:
    """Accumulate into the leaves' `.grad` the gradients of `tensors` (each seeded by its
    `grad_tensors` entry: required unless it holds one element), as torch.autograd.backward.

    The saved arrays are freed unless `retain_graph` (default: `create_graph`);
    `create_graph=True` records the backward pass, so the gradients can be differentiated.
    With `inputs`, only those leaves get gradients.
    """
    tensors = _as_tuple(tensors)
    seeds = (None,) * len(tensors) if grad_tensors is None else _as_tuple(grad_tensors)
    if len(seeds) != len(tensors):
        raise ValueError(f"backward: got {len(seeds)} gradients for {len(tensors)} tensors")
    check_bool(create_graph, "create_graph", "backward")
    if retain_graph is not None:
        check_bool(retain_graph, "retain_graph", "backward")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"backward: tensors must be Tensors, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn (was it made "
                "from tensors with requires_grad=True, outside no_grad()?)"
            )
    seeds = [initial_gradient(t, seed, "backward") for t, seed in zip(tensors, seeds)]
    retain = create_graph if retain_graph is None else retain_graph
    engine.backward(list(tensors), seeds, retain, create_graph, inputs=_leaves(inputs))


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
            seeds.append(initial_gradient(out, seed, "grad"))
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


def _leaves(inputs) -> tuple | None:
    """backward's `inputs`: None, or the leaf tensors to accumulate gradients into."""
    if inputs is None:
        return None
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if not inputs:
        raise RuntimeError("backward: inputs must not be empty; pass None for all leaves")
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad or x.grad_fn is not None:
            raise RuntimeError(f"backward: inputs[{i}] must be a leaf Tensor that requires grad")
    return inputs


def initial_gradient(root: Tensor, gradient, caller: str) -> Tensor:
    """The gradient that seeds backward at `root`, checked against it."""
    if gradient is None:
        if root.array.size != 1:
            raise RuntimeError(
                f"{caller}: grad can be implicitly created only for scalar outputs; pass "
                f"gradient= for an output of shape {root.shape}"
            )
        one = backend.xp_of(root.array).empty(root.array.shape, root.array.dtype)
        one.fill(1)  # (cheaper than xp.ones, which costs a microsecond for one element)
        return Tensor._make(one, False)
    if not isinstance(gradient, Tensor):  # a number or an array, in the output's dtype
        try:
            array = gradient if backend.is_array(gradient) else backend.host_array(gradient)
            dtypes.check_supported(array.dtype, "gradient", caller)  # (complex, strings, ...)
            gradient = Tensor.wrap(backend.move(array, root.device).astype(root.dtype))
        except (TypeError, ValueError) as error:
            name = "gradient" if caller == "backward" else "grad_outputs"
            raise TypeError(f"{caller}: {name} must be a Tensor or numbers: {error}") from None
    if gradient.shape != root.shape:
        raise ShapeError(
            f"{caller}: gradient has shape {gradient.shape}, expected the output's shape "
            f"{root.shape}"
        )
    if gradient.device != root.device:
        raise RuntimeError(
            f"{caller}: gradient is on {gradient.device} but the output is on {root.device}"
        )
    return gradient


def set_grad(t: Tensor, grad) -> None:
    """`t.grad = grad`: None, or what check_grad accepts; while mg.compile records a step,
    handed to its recorder first (the replay makes the assignment too)."""
    if grad is not None:
        check_grad(t, grad)
    if grad_mode.state.recorder is not None:
        grad_mode.state.recorder.grad_set(t, grad)
    t._grad = grad


def check_grad(t: Tensor, grad) -> None:
    """What `t.grad = grad` needs, as in PyTorch: a Tensor of t's shape, dtype and device
    (an optimizer step would otherwise fail, or broadcast, far from the assignment)."""
    if not isinstance(grad, Tensor):
        raise TypeError(f"grad: assigned grad must be a Tensor or None, got {_described(grad)}")
    if grad.shape != t.shape:
        raise ShapeError(
            f"grad: assigned grad has shape {grad.shape}, but this tensor has shape {t.shape}"
        )
    if grad.dtype != t.dtype:
        raise DTypeError(
            f"grad: assigned grad has dtype {grad.dtype}, but this tensor has dtype {t.dtype}"
        )
    if grad.device != t.device:
        raise RuntimeError(
            f"grad: assigned grad is on {grad.device}, but this tensor is on {t.device}"
        )


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)
