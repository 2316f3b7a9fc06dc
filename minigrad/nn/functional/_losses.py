"""The binary cross-entropies (of probabilities, fused; of logits, fused), `mse_loss`, the
checks the elementwise regression losses share, and `one_hot`."""

from __future__ import annotations

import warnings

from ... import backend, dtypes, ops
from ...autograd.engine import Function
from ...errors import DTypeError, OptionError, ShapeError, as_int
from ...functions.arithmetic import raise_if_not_broadcastable
from ...ops import elementwise  # the raw functions: backward runs on arrays
from ...tensor import Tensor
from ._common import (
    _broadcasts_to,
    _constant,
    _needs_grad,
    _quiet,
    _reduce,
    _reduction,
    _require_float,
    _require_tensor,
)


def _softplus_neg(x):
    """log(1 + e^-x) = -log sigmoid(x), without overflow (arrays or Tensors)."""
    return elementwise.relu(-x) + elementwise.log(elementwise.exp(-elementwise.abs(x)) + 1)


class BinaryCrossEntropyWithLogits(Function):
    """loss = (1 - t) x + (1 + (pos_weight - 1) t) log(1 + e^-x), times weight."""

    def forward(self, x, target, weight, pos_weight, reduction):
        xp = backend.xp_of(x)
        self.reduction, self.count = reduction, x.size
        softplus = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))  # -log sigmoid(x)
        if pos_weight is not None:
            softplus *= (pos_weight - 1) * target + 1
        loss = (1 - target) * x
        loss += softplus
        if weight is not None:
            loss *= weight
        return _reduce(loss, reduction, x.size)

    def backward(self, g, x, target, weight, pos_weight):
        with _quiet(self.count == 0):
            r = g / self.count if self.reduction == "mean" else g
        if weight is not None:
            r = r * weight
        need_target = _needs_grad(self)[1]
        if pos_weight is None:  # sigmoid(x) - t
            grad_x = (elementwise.sigmoid(x) - target) * r
        else:  # (1 - t) - (1 + (pw - 1) t)(1 - sigmoid(x))
            log_weight = (pos_weight - 1) * target + 1
            grad_x = ((1 - target) - log_weight * (1 - elementwise.sigmoid(x))) * r
        grad_target = None
        if need_target:  # -x + (pw - 1) log(1 + e^-x)
            slope = -x if pos_weight is None else (pos_weight - 1) * _softplus_neg(x) - x
            grad_target = slope * r
        return grad_x, grad_target, None, None


def _require_broadcast(t: Tensor, shape: tuple, name: str, op: str) -> None:
    if not _broadcasts_to(t.shape, shape):
        raise ShapeError(
            f"{op}: {name} of shape {t.shape} must broadcast to the input's shape {shape}"
        )


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(input) against target in [0, 1], computed from logits.

    Stable for any logit (no exp overflow): loss = (1 - t) x + lw * log(1 + e^-x) with
    lw = 1 + (pos_weight - 1) t. Shapes: input and target the same shape; weight and
    pos_weight broadcast to it (pos_weight of shape (C,) weights the classes of the last dim).
    The arguments after `weight` are keyword-only (PyTorch's positional `size_average` and
    `reduce`, deprecated there, are gone).

    >>> F.binary_cross_entropy_with_logits(mg.tensor([1.0]), mg.tensor([1.0]))
    tensor(0.3133)
    """
    op = "binary_cross_entropy_with_logits"
    reduction = _reduction(reduction, op)
    _require_tensor(input, "input", op)
    _require_tensor(target, "target", op)
    if target.shape != input.shape:
        raise ShapeError(
            f"{op}: Target size {target.shape} must be the same as input size {input.shape}"
        )
    _require_float(input, "input", op)
    _require_float(target, "target", op)
    dtype = dtypes.promote_types(input.dtype, target.dtype)
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        if t is not None:
            _require_tensor(t, name, op)
            _require_broadcast(t, input.shape, name, op)
    input, target = ops.cast(input, dtype), ops.cast(target, dtype)
    weight = _constant(weight, dtype, "weight", op)
    pos_weight = _constant(pos_weight, dtype, "pos_weight", op)
    return BinaryCrossEntropyWithLogits.apply(
        input, target, weight, pos_weight, reduction=reduction
    )


def check_sizes(input, target, op: str) -> None:
    """input and target are Tensors that broadcast together; PyTorch warns when their shapes
    differ (a (N, 1) prediction against (N,) targets broadcasts to (N, N), silently)."""
    _require_tensor(input, "input", op)
    _require_tensor(target, "target", op)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        raise_if_not_broadcastable(op, input=input, target=target)


def difference(input: Tensor, target: Tensor, op: str) -> Tensor:
    """input - target, in their promoted dtype, which must be floating point."""
    diff = input - target
    if not dtypes.is_floating(diff.dtype):
        raise DTypeError(
            f"{op}: input or target must be floating point, got {input.dtype} and {target.dtype}"
        )
    return diff


def weighted_reduce(loss, reduction: str, weight, input, op: str, by_weight: bool = True):
    """Elementwise losses times `weight` (the input's shape) if given, then reduced; a
    weighted 'mean' divides by sum(weight) (by_weight) or by the count (huber_loss's rule)."""
    if weight is not None:
        _require_tensor(weight, "weight", op)
        if weight.shape != input.shape:
            raise ShapeError(
                f"{op}: weight must have the input's shape {input.shape}, got {weight.shape}"
            )
        loss = loss * weight
        if reduction == "mean" and by_weight:
            return ops.sum(loss) / ops.sum(weight)
    return _reduce(loss, reduction, loss.numel())


def mse_loss(
    input: Tensor,
    target: Tensor,
    *,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean (or sum) of the squared differences (input - target)^2.

    With `weight` (the input's shape), 'mean' divides by sum(weight). Built from small ops,
    so it is differentiable to any order. The arguments after `target` are keyword-only
    (PyTorch's positional `size_average` and `reduce`, deprecated there, are gone).

    >>> F.mse_loss(mg.tensor([1.0, 3.0]), mg.tensor([0.0, 0.0]))
    tensor(5.)
    """
    op = "mse_loss"
    check_sizes(input, target, op)
    reduction = _reduction(reduction, op)
    diff = difference(input, target, op)
    return weighted_reduce(diff * diff, reduction, weight, input, op)


# PyTorch's floor of x (1 - x) in the gradient: 1e-12 as a float32 constant (not quite 1e-12)
_EPSILON = 9.999999960041972e-13


class BinaryCrossEntropy(Function):
    """loss = -w (t log x + (1 - t) log(1 - x)), each log clamped at -100 as in PyTorch."""

    def forward(self, x, target, weight, reduction):
        xp = backend.xp_of(x)
        for name, a in (("input", x), ("target", target)):
            if not bool(((a >= 0) & (a <= 1)).all()):  # (nan fails too)
                raise RuntimeError(
                    f"binary_cross_entropy: all elements of {name} should be between 0 and 1"
                )
        self.reduction, self.count = reduction, x.size
        with _quiet(True):  # log(0) = -inf, clamped to -100
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)  # log1p: exact for small x
        loss = (target - 1) * log_1mx
        loss -= target * log_x
        if weight is not None:
            loss *= weight
        return _reduce(loss, reduction, x.size)

    def backward(self, g, x, target, weight):
        with _quiet(self.count == 0):
            r = g / self.count if self.reduction == "mean" else g
        if weight is not None:
            r = r * weight
        need_x, need_target = self.needs_input_grad[:2]
        grad_x = grad_target = None
        if need_x:  # PyTorch's (x - t) / max(x (1 - x), eps): finite where x is 0 or 1
            grad_x = (x - target) / elementwise.maximum((1 - x) * x, _EPSILON) * r
        if need_target:  # -logit(x)
            with _quiet(True):
                grad_target = (elementwise.log(1 - x) - elementwise.log(x)) * r
        return grad_x, grad_target, None


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, *, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities `input` in [0, 1] against `target` in [0, 1].

    loss = -weight (t log x + (1 - t) log(1 - x)), each log clamped at -100 as in PyTorch, so
    a probability of exactly 0 or 1 gives a finite loss and gradient. input and target have
    the same shape and dtype; weight broadcasts to it (a constant). One fused node. The
    arguments after `weight` are keyword-only (PyTorch's positional `size_average` and
    `reduce`, deprecated there, are gone).

    >>> F.binary_cross_entropy(mg.tensor([0.8, 0.1]), mg.tensor([1.0, 0.0]))
    tensor(0.1643)
    """
    op = "binary_cross_entropy"
    reduction = _reduction(reduction, op)
    _require_tensor(input, "input", op)
    _require_tensor(target, "target", op)
    if target.shape != input.shape:
        raise ShapeError(
            f"{op}: Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    _require_float(input, "input", op)
    if target.dtype != input.dtype:
        raise DTypeError(
            f"{op}: target must have the input's dtype {input.dtype}, got {target.dtype}"
        )
    if weight is not None:
        _require_tensor(weight, "weight", op)
        _require_broadcast(weight, input.shape, "weight", op)
    weight = _constant(weight, input.dtype, "weight", op)
    return BinaryCrossEntropy.apply(input, target, weight, reduction=reduction)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 class indices of shape (*) -> int64 one-hot rows of shape (*, num_classes).

    num_classes=-1 means max(tensor) + 1.

    >>> F.one_hot(mg.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    _require_tensor(tensor, "tensor", "one_hot")
    if tensor.dtype != dtypes.int64:
        raise DTypeError(f"one_hot: expected an int64 index tensor, got {tensor.dtype}")
    num_classes = as_int(num_classes, "num_classes", "one_hot")
    data = tensor.array
    xp = backend.xp_of(data)
    if num_classes == -1:
        if data.size == 0:
            raise OptionError(
                "one_hot: cannot infer num_classes from an empty tensor; pass num_classes"
            )
        num_classes = int(data.max()) + 1
    if data.size:
        low, high = int(data.min()), int(data.max())
        if low < 0:
            raise IndexError(f"one_hot: tensor holds class {low}; class values must be >= 0")
        if high >= num_classes:
            raise IndexError(
                f"one_hot: tensor holds class {high}; class values must be smaller than "
                f"num_classes={num_classes}"
            )
    elif num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be -1 or >= 0, got {num_classes}")
    try:
        out = (data[..., None] == xp.arange(num_classes)).astype(dtypes.int64)
    except (ValueError, MemoryError) as error:  # numpy's refusal of so many classes
        raise OptionError(f"one_hot: num_classes={num_classes} is too large: {error}") from None
    return Tensor.wrap(out)
