"""Losses over pairs of inputs and a +1/-1 target: `cosine_embedding_loss` (are the two
vectors similar?) and `margin_ranking_loss` (which of the two ranks higher?).

Both are composed of differentiable functions exactly as PyTorch composes them, so they
have its values, dtypes and subgradients (a hinge at exactly 0 passes the gradient, as
PyTorch's clamp_min does) and differentiate to any order. `margin` may be positional, the
rest keyword-only (PyTorch's deprecated size_average/reduce come after margin).
"""

from __future__ import annotations

from ... import backend, dtypes, functions
from ...errors import DTypeError, ShapeError, as_number
from ...functions.arithmetic import raise_if_not_broadcastable
from ...tensor import Tensor
from ._common import _reduce, _reduction, _require_tensor

_EPSILON = 9.999999960041972e-13  # PyTorch's 1e-12 (a float32 constant), added to |x|^2


def _tensors(op: str, **tensors) -> None:
    for name, t in tensors.items():
        _require_tensor(t, name, op)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    *,
    reduction: str = "mean",
) -> Tensor:
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1, and
    0 for any other target value.

    Shapes: input1, input2 (N, D) (broadcasting) with target (N,); or (D,) with a 0-d
    target. The cosine is PyTorch's: x.y / sqrt((|x|^2 + 1e-12) (|y|^2 + 1e-12)).

    >>> a, b = mg.tensor([[1.0, 0.0]]), mg.tensor([[1.0, 1.0]])
    >>> F.cosine_embedding_loss(a, b, mg.tensor([1]))
    tensor(0.2929)
    """
    op = "cosine_embedding_loss"
    reduction = _reduction(reduction, op)
    _tensors(op, input1=input1, input2=input2, target=target)
    margin = float(as_number(margin, "margin", op))
    if target.ndim > 1:
        raise ShapeError(
            f"{op}: 0D or 1D target tensor expected, multi-target not supported (got target "
            f"of shape {target.shape})"
        )
    expected = target.ndim + 1
    if input1.ndim != expected or input2.ndim != expected:
        raise ShapeError(
            f"{op}: {target.ndim}D target tensor expects {expected}D input tensors, but found "
            f"inputs with sizes {input1.shape} (input1) and {input2.shape} (input2)."
        )
    raise_if_not_broadcastable(op, input1=input1, input2=input2)
    dim = target.ndim  # the vectors' dim
    product = functions.sum(input1 * input2, dim)
    squares1 = functions.sum(input1 * input1, dim) + _EPSILON
    squares2 = functions.sum(input2 * input2, dim) + _EPSILON
    cos = product / functions.sqrt(squares1 * squares2)
    try:
        backend.numpy.broadcast_shapes(cos.shape, target.shape)
    except ValueError:
        raise ShapeError(
            f"{op}: target of shape {target.shape} does not match the {cos.shape[0]} pairs "
            f"of input1 and input2"
        ) from None
    positive = 1 - cos
    negative = functions.clamp(cos - margin, min=0)
    loss = functions.where(target == 1, positive, 0) + functions.where(target == -1, negative, 0)
    return _reduce(loss, reduction, loss.numel())


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    *,
    reduction: str = "mean",
) -> Tensor:
    """max(0, -target (input1 - input2) + margin): target 1 asks input1 to rank above input2
    by at least `margin`, target -1 below.

    input1, input2 and target have the same number of dims and broadcast together.

    >>> F.margin_ranking_loss(mg.tensor([0.2]), mg.tensor([0.5]), mg.tensor([1.0]), 0.1)
    tensor(0.4000)
    """
    op = "margin_ranking_loss"
    reduction = _reduction(reduction, op)
    _tensors(op, input1=input1, input2=input2, target=target)
    margin = float(as_number(margin, "margin", op))
    if not input1.ndim == input2.ndim == target.ndim:
        raise ShapeError(
            f"{op}: All input tensors should have same dimension but got sizes: input1: "
            f"{input1.shape}, input2: {input2.shape}, target: {target.shape}"
        )
    raise_if_not_broadcastable(op, input1=input1, input2=input2, target=target)
    if target.dtype == dtypes.bool:
        raise DTypeError(f"{op}: target must be numbers (+1 or -1), got a bool tensor")
    loss = functions.clamp(-target * (input1 - input2) + margin, min=0)
    return _reduce(loss, reduction, loss.numel())
