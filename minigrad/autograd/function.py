"""`mg.autograd.Function`: custom ops, written minigrad's way or PyTorch's.

minigrad's way is the engine's own `Function` (engine.py): `forward(self, *arrays)` on arrays,
`backward(self, grad, *inputs)` beside it, as every op in minigrad/ops is written.

PyTorch's way, as its tutorials teach it, works unchanged: static methods that get a context,
Tensors in and out, and `apply`::

    class Exp(mg.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    y = Exp.apply(x)

Underneath, `apply` runs your forward with recording off, then records one tape entry (a
`CtxNode`) whose backward calls yours: with Tensors (recorded, so differentiable again) under
`create_graph`, else with Tensors wrapping the engine's arrays. Several differentiable outputs
are packed into one array for the entry, and handed out as views of it.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable

from .. import backend
from ..errors import DTypeError, ShapeError
from ..tensor import Tensor
from . import engine, grad_mode


class FunctionCtx:
    """What forward leaves for backward (PyTorch's `ctx`): `save_for_backward(*tensors)`,
    `saved_tensors`, `needs_input_grad`, `mark_non_differentiable(*outputs)`,
    `set_materialize_grads(bool)`, `mark_dirty(*tensors)`; and any attribute you set."""

    def __init__(self, needs_input_grad: tuple[bool, ...]):
        self.needs_input_grad = needs_input_grad
        self._saved: tuple = ()
        self._outputs: dict = {}  # id of a forward output -> weakref to its recorded Tensor
        self._non_differentiable: set[int] = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward: argument {i} must be a Tensor or None, got "
                    f"{type(t).__name__} (keep other values as ctx attributes)"
                )
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        """What forward saved. A saved output is, while a backward is being recorded
        (create_graph), the output on the tape, so that the gradient depends on it, as in
        PyTorch; held weakly, as the engine holds outputs (an entry never keeps its output)."""
        if not (self._outputs and grad_mode.state.grad_enabled):
            return self._saved
        return tuple(
            self._outputs[id(t)]() if t is not None and id(t) in self._outputs else t
            for t in self._saved
        )

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        self._non_differentiable.update(id(t) for t in outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Accepted for PyTorch code; minigrad keeps no version counters to update."""


class Function(engine.Function):
    """The base of custom ops: minigrad's way (forward/backward methods on arrays) or PyTorch's
    (static forward(ctx, ...)/backward(ctx, ...) on Tensors, called with `apply`)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._pytorch_style = isinstance(cls.__dict__.get("forward"), staticmethod)

    @classmethod
    def apply(cls, *args, **kwargs):
        if not getattr(cls, "_pytorch_style", False):
            return super().apply(*args, **kwargs)
        return _apply_with_ctx(cls, args, kwargs)


def _apply_with_ctx(cls, args: tuple, kwargs: dict):
    needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    ctx = FunctionCtx(needs)
    with grad_mode.no_grad():
        if "setup_context" in vars(cls):  # PyTorch 2's form: forward(*args), then setup_context
            result = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, result)
        else:
            result = cls.forward(ctx, *args, **kwargs)
    outputs = result if isinstance(result, tuple) else (result,)
    if not all(isinstance(o, Tensor) for o in outputs):
        kinds = ", ".join(type(o).__name__ for o in outputs)
        raise TypeError(f"{cls.__name__}.forward must return Tensors, got {kinds}")
    differentiable = [
        k
        for k, o in enumerate(outputs)
        if o.dtype.kind == "f" and id(o) not in ctx._non_differentiable
    ]
    if not (True in needs and differentiable and grad_mode.state.grad_enabled):
        plain = tuple(o.detach() for o in outputs)
        return plain if isinstance(result, tuple) else plain[0]
    arrays = [outputs[k].array for k in differentiable]
    _check_packable(cls.__name__, arrays)
    shapes = [a.shape for a in arrays]
    packed = (
        arrays[0]
        if len(arrays) == 1
        else backend.xp_of(arrays[0]).concatenate([a.reshape(-1) for a in arrays])
    )
    others = {k: (o.shape, o.dtype) for k, o in enumerate(outputs) if k not in differentiable}
    node = CtxNode.apply(*args, fn_class=cls, ctx=ctx, packed=packed, shapes=shapes, others=others)
    node.grad_fn.name = cls.__name__  # (the tape shows your op's name)
    handed = [o.detach() for o in outputs]
    for k, piece in zip(differentiable, _unpack(node, shapes)):
        handed[k] = piece
        ctx._outputs[id(outputs[k])] = weakref.ref(piece)
    return tuple(handed) if isinstance(result, tuple) else handed[0]


def _check_packable(name: str, arrays: list) -> None:
    first = arrays[0]
    for a in arrays[1:]:
        if a.dtype != first.dtype or backend.device_of(a) != backend.device_of(first):
            raise DTypeError(
                f"{name}.forward: its differentiable outputs must share one dtype and device "
                f"(got {first.dtype} on {backend.device_of(first)} and {a.dtype} on "
                f"{backend.device_of(a)}); mark the others with ctx.mark_non_differentiable"
            )


def _unpack(node: Tensor, shapes: list) -> list[Tensor]:
    """The outputs as views of the packed node (one output: the node itself)."""
    if len(shapes) == 1:
        return [node]
    pieces, start = [], 0
    for shape in shapes:
        size = int(functools.reduce(lambda a, b: a * b, shape, 1))
        pieces.append(node[start : start + size].reshape(shape))
        start += size
    return pieces


class CtxNode(engine.Function):
    """The tape entry of a PyTorch-style Function call: its backward calls the class's."""

    def forward(self, *arrays, fn_class, ctx, packed, shapes, others):  # noqa: ANN201
        self.fn_class, self.ctx, self.shapes, self.others = fn_class, ctx, shapes, others
        return packed  # (what the user's forward already computed)

    def backward(self, grad, *inputs) -> tuple:
        recording = isinstance(grad, Tensor)  # (create_graph: Tensors, recording on)
        grad = grad if recording else Tensor._make(grad, False)
        # One gradient per output: a non-differentiable output's is zeros (None without
        # materialized grads), as PyTorch passes it.
        differentiable, grads = iter(_unpack(grad, self.shapes)), []
        for k in range(len(self.shapes) + len(self.others)):
            if k not in self.others:
                grads.append(next(differentiable))
            elif self.ctx.materialize_grads:
                zeros = backend.xp_of(grad.array).zeros(*self.others[k])
                grads.append(Tensor._make(zeros, False))
            else:
                grads.append(None)
        with grad_mode.set_grad_enabled(recording):
            results = self.fn_class.backward(self.ctx, *grads)
        results = results if isinstance(results, tuple) else (results,)
        while len(results) > len(inputs) and results[-1] is None:  # (as PyTorch allows)
            results = results[:-1]
        if len(results) != len(inputs):
            raise RuntimeError(
                f"function {self.fn_class.__name__}Backward returned an incorrect number of "
                f"gradients (expected {len(inputs)}, got {len(results)})"
            )
        return tuple(
            _as_gradient(self.fn_class.__name__, i, g, x, recording)
            for i, (g, x) in enumerate(zip(results, self.inputs))
        )


def _as_gradient(name: str, i: int, g, x, recording: bool):
    """What backward returned for input i, as the engine takes it (an array, or a Tensor
    under create_graph; None for inputs that want no gradient)."""
    if g is None or not (isinstance(x, Tensor) and x.requires_grad):
        return None
    if not isinstance(g, Tensor):
        raise TypeError(f"{name}.backward: gradient {i} must be a Tensor or None, got {g!r}")
    if g.shape != x.shape and not _broadcasts(x.shape, g.shape):
        raise ShapeError(
            f"{name}.backward: gradient {i} has shape {g.shape}, input {i} has shape {x.shape}"
        )
    return g if recording else g.array


def _broadcasts(shape: tuple, to: tuple) -> bool:
    try:
        return backend.numpy.broadcast_shapes(shape, to) == tuple(to)
    except ValueError:
        return False


def once_differentiable(backward: Callable) -> Callable:
    """torch.autograd.function.once_differentiable: run backward with recording off."""

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            return backward(ctx, *grads)

    return wrapper
