"""The losses over a class dim: `nll_loss`, and `cross_entropy`, one fused node for class-index
targets beside its composed version, which also serves label smoothing; class probabilities
are composed too. docs/cross-entropy.md walks through each beside its derivation.
"""

from __future__ import annotations

import math

from ... import backend, dtypes
from ...autograd import grad_mode
from ...autograd.engine import Function
from ...errors import DTypeError, OptionError, ShapeError, as_int, as_number
from ...ops import elementwise  # the raw functions: backward runs on arrays
from ...tensor import Tensor
from ._activations import log_softmax, softmax
from ._common import (
    _check_class_input,
    _check_class_targets,
    _check_weight,
    _classes,
    _constant,
    _quiet,
    _reduction,
    _require_tensor,
)

_UINT64 = backend.numpy.dtype("uint64")  # (for a range check only; not a tensor dtype)
_HOST = backend.numpy.ndarray  # arrays whose values can be read at no cost: numpy's


# ----- what nll_loss and the fused cross_entropy share ---------------------------------------
class _ClassTargets:
    """Positions i (N, *d) with a target class y_i each, its weight w_i = weight[y_i] and the
    'mean' divisor D = sum of w_i over the targets that count (their number, unweighted).
    A 1-D input (C,) is one sample: it is handled as (1, C) and the result squeezed back."""

    def layout(self, x, y, valid, reduction):
        """x as (N, C, *d) and y as (N, *d); the reduction and the mask of kept targets."""
        self.squeezed, self.reduction = x.ndim == 1, reduction
        if self.squeezed:
            x, y = x.reshape((1, -1)), y.reshape((1,))
            valid = None if valid is None else valid.reshape((1,))
        self.shape, self.dtype, self.valid, self.w = x.shape, x.dtype, valid, None
        return x, y

    def locate(self, y, weight) -> None:
        """Where each target sits in (N, C, *d) (`index`), w_i, and D."""
        xp, valid = backend.xp_of(y), self.valid
        y_safe = y if valid is None else xp.where(valid, y, 0)
        if not isinstance(y, _HOST):  # cupy: the range check on the device (see _targets)
            bad = (y_safe < 0) | (y_safe >= self.shape[1])
            y_safe = xp.where(bad, 0, y_safe)
            w = xp.ones(y.shape, dtype=self.dtype) if weight is None else weight[y_safe]
            self.w = xp.where(bad, xp.nan, w).astype(self.dtype)
        elif weight is not None:
            self.w = weight[y_safe]
        self.index = _class_index(y_safe, xp)
        self.divide_by(_divisor(y_safe, weight, valid, self.dtype))

    def divide_by(self, denominator) -> None:
        """D; a 'mean' over nothing is nan, quietly as in PyTorch (cupy is quiet anyway)."""
        self.denominator, on_host = denominator, type(denominator) in (int, float)
        self.degenerate = self.reduction == "mean" and on_host and denominator == 0

    def reduce(self, loss):
        """Per-position losses (N, *d): ignored positions exactly 0, then reduced."""
        if self.valid is not None:
            loss = backend.xp_of(loss).where(self.valid, loss, 0)
        if self.reduction == "none":
            return loss.reshape(()) if self.squeezed else loss
        total = loss.sum()
        if self.reduction == "sum":
            return total
        with _quiet(self.degenerate):
            return total / self.denominator

    def scale(self, g):
        """dloss/dloss_i times w_i: g/D for 'mean', 0 where the target is ignored."""
        if self.reduction == "mean":
            g = g / self.denominator
        elif self.reduction == "none" and self.squeezed:
            g = g.reshape((1,))
        if self.w is not None:
            g = g * self.w
        return g if self.valid is None else elementwise.where(self.valid, g, 0)

    def restore(self, grad, x):
        """A gradient (N, C, *d) in the input's shape. (Reshaped only for one sample: a view
        would make the engine copy it before it becomes a .grad.)"""
        return grad.reshape(x.shape) if self.squeezed else grad


def _divisor(y, weight, valid, dtype):
    """D, what 'mean' divides by: the total weight of the kept targets, their number without
    weights. A Python number for numpy arrays (numpy divides a float32 by it in float32); a
    0-d array for cupy, as reading it would wait for the device."""
    xp = backend.xp_of(y)
    if weight is not None:
        w = weight[y if valid is None else xp.where(valid, y, 0)]
        d = (w if valid is None else xp.where(valid, w, 0)).sum()
    else:
        d = y.size if valid is None else valid.sum()
    if isinstance(y, _HOST):
        return d if type(d) is int else d.item()
    return d.astype(dtype)


def _at_class_dim(v):
    """A per-position value of shape (N, *d) reshaped to broadcast against (N, C, *d)."""
    return v if v.ndim == 0 else v.reshape((v.shape[0], 1) + tuple(v.shape[1:]))


def _class_index(y, xp) -> tuple:
    """The index that picks x[n, y[n, i, ...], i, ...] from x of shape (N, C, *d)."""
    if y.ndim == 1:  # the usual (N, C) case
        return (xp.arange(y.shape[0]), y)
    n, *d = y.shape
    grids = [xp.arange(k).reshape((k,) + (1,) * (y.ndim - 1 - i)) for i, k in enumerate(d, 1)]
    return (xp.arange(n).reshape((n,) + (1,) * len(d)), y, *grids)


# ----- nll_loss ----------------------------------------------------------------------------
class NllLoss(_ClassTargets, Function):
    """loss_i = -w_i x[i, y_i]: picks the log-probability of each target class.
    dloss_i/dx[i, c] = -w_i [c == y_i], linear in x: every higher derivative is 0."""

    def forward(self, x, y, weight, valid, reduction):
        x, y = self.layout(x, y, valid, reduction)
        self.locate(y, weight)
        picked = -x[self.index]
        return self.reduce(picked if self.w is None else picked * self.w)

    def backward(self, g, x, y, weight):
        with _quiet(self.degenerate):
            coefficient = -self.scale(g)
        hit = backend.xp_of(self.index[1]).zeros(self.shape, dtype=dtypes.bool)
        hit[self.index] = True if self.valid is None else self.valid
        grad = elementwise.where(hit, _at_class_dim(coefficient), 0)
        return self.restore(grad, x), None, None


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class-index targets, given log-probabilities.

    Shapes: input (C), (N, C) or (N, C, d1, ...) of log-probabilities; target (), (N) or
    (N, d1, ...) of int64 class indices. loss_i = -weight[y_i] * input[i, y_i] (0 where
    y_i == ignore_index); 'mean' divides the sum by the total weight of the kept targets.
    The arguments after `weight` are keyword-only (PyTorch's deprecated `size_average` and
    `reduce` sit between them there, and are not taken).

    >>> F.nll_loss(mg.tensor([[-0.5, -1.0]]), mg.tensor([1]))
    tensor(1.)
    """
    op = "nll_loss"
    if type(ignore_index) is not int:
        ignore_index = as_int(ignore_index, "ignore_index", op)
    if not _usual_call(input, target, weight, reduction):
        reduction = _reduction(reduction, op)
        _check_class_input(input, op)
        _require_tensor(target, "target", op)
        _check_weight(weight, input, op, same_dtype=True)
        _check_class_targets(input, target, op)
    target, valid = _targets(input, target, ignore_index, op)
    weight = _constant(weight, input.dtype, "weight", op)
    return NllLoss.apply(input, target, weight, valid=valid, reduction=reduction)


# ----- cross_entropy over class indices: one fused node, and its composed version ------------
class CrossEntropy(_ClassTargets, Function):
    """log_softmax and nll_loss fused for class-index targets (docs/cross-entropy.md).

    Position i has logits x_i (C), target y_i and weight w_i = weight[y_i] (1 without weights,
    0 if y_i == ignore_index). With m_i = max_c x_ic, z_i = x_i - m_i and p_i = softmax(x_i):
        loss_i        = w_i (log sum_c exp z_ic - z_iy)  = -w_i log p_iy
        dloss_i/dx_ic = w_i (p_ic - [c == y_i])          (softmax - onehot)
    'mean' divides the sum, and so every gradient, by D = sum_i w_i.
    """

    def forward(self, x, y, weight, valid, reduction, ignore_index):
        x, y = self.layout(x, y, valid, reduction)
        self.kernel = None if weight is not None else backend.kernel("cross_entropy", x)
        if self.kernel is not None:  # cupy (N, C): max, exp, sum, log and softmax in one kernel
            self.y, self.ignore_index = y, ignore_index
            self.divide_by(_divisor(y, None, self.valid, x.dtype))
            loss, self.p = self.kernel.forward(x, y, ignore_index)
            return self.reduce(loss)
        self.locate(y, weight)
        xp = backend.xp_of(x)
        z = x - x.max(axis=1, keepdims=True)  # shifted: exp never overflows, the sum is >= 1
        picked = z[self.index]  # z_iy (a copy), before exp overwrites z
        self.e = xp.exp(z, out=z)  # in place: backward reuses the buffer (measured there)
        self.total = self.e.sum(axis=1, keepdims=True)
        loss = xp.log(self.total)[:, 0] - picked
        return self.reduce(loss if self.w is None else loss * self.w)

    def backward(self, g, x, y, weight):
        if grad_mode.state.grad_enabled:  # create_graph: a formula the engine differentiates
            return self._graph_backward(g, x), None, None
        with _quiet(self.degenerate):
            r = self.scale(g)  # w_i dloss/dloss_i: (N, *d), or () when one for all positions
        if self.kernel is not None:
            grad = self.kernel.backward(self.p, self.y, r, self.ignore_index)
        else:
            # (p - onehot) r, p = e / total, written into the exp buffer on its last use: the one
            # (N, C) array this node allocates, not three. Measured (forward+backward, float32,
            # one thread): (1024, 1000) 2.4 ms, against 8.0 ms with a fresh array for exp or for
            # the gradient (page faults of new memory); (64, 10), the MNIST step, 75 us either way.
            grad = backend.xp_of(self.e).multiply(
                self.e, _at_class_dim(r) / self.total, out=self.e if self.last_use else None
            )
            grad[self.index] -= r
        return self.restore(grad, x), None, None

    def _graph_backward(self, g, x):
        """w_i (softmax(x_i) - onehot(y_i)) dloss/dloss_i, built from the Tensors g and x."""
        if self.kernel is not None:  # the kernel's forward did not locate the targets
            self.locate(self.y, None)
        onehot = backend.xp_of(x.array).zeros(self.shape, dtype=x.dtype)
        onehot[self.index] = 1
        with _quiet(self.degenerate):
            r = _at_class_dim(self.scale(g))
        return self.restore((softmax(x.reshape(self.shape), 1) - onehot) * r, x)


def _cross_entropy_composed(input, target, weight, valid, reduction, label_smoothing=0.0):
    """cross_entropy from small ops, as PyTorch composes it: nll_loss(log_softmax(x)) is the
    teaching version of the fused node and its test oracle. Label smoothing eps adds eps/C
    times the loss of every class, -sum_c w_c log p_c (0 at ignored targets), weighting the
    target's own by (1 - eps); each term is reduced on its own, 'mean' dividing both by D."""
    dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, dim)
    nll = NllLoss.apply(logp, target, weight, valid=valid, reduction=reduction)
    if not label_smoothing:
        return nll
    every = -(logp if weight is None else logp * _class_weight(weight, input)).sum(dim)
    if valid is not None:
        every = elementwise.where(valid, every, 0)
    if reduction != "none":
        every = every.sum()
    if reduction == "mean":
        d = _divisor(target.array, None if weight is None else weight.array, valid, input.dtype)
        every = every * math.nan if type(d) in (int, float) and not d else every / d
    eps = label_smoothing
    return nll * (1 - eps) + every * (eps / input.shape[dim])


def _class_weight(weight: Tensor, input: Tensor) -> Tensor:
    """weight (C) shaped to broadcast along the class dim of input."""
    return weight.reshape((-1,) + (1,) * (input.ndim - (1 if input.ndim == 1 else 2)))


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits and targets: -sum_c T_c log softmax(input)_c per position.

    Shapes: input (C), (N, C) or (N, C, d1, ...) of unnormalised logits. target is either
    class indices, int64 of shape (), (N) or (N, d1, ...), or class probabilities, float of
    the input's shape. weight (C) rescales each class; targets equal to `ignore_index` add
    nothing. 'mean' divides by the total weight of the kept targets (class indices) or by
    the number of positions N*d1*... (probabilities). `label_smoothing` eps mixes the target
    with the uniform distribution: (1 - eps) * target + eps / C.

    Class indices take one fused node; label smoothing and probabilities are composed from
    `log_softmax` and `nll_loss`, as PyTorch composes them. The arguments after `weight` are
    keyword-only (PyTorch's deprecated `size_average` and `reduce` sit between them there,
    and are not taken).

    >>> F.cross_entropy(mg.tensor([[1.0, 0.0, 0.0]]), mg.tensor([0]))
    tensor(0.5514)
    """
    op = "cross_entropy"
    if type(ignore_index) is not int:
        ignore_index = as_int(ignore_index, "ignore_index", op)
    usual = type(label_smoothing) in (float, int) and label_smoothing == 0
    if not (usual and _usual_call(input, target, weight, reduction)):
        reduction = _reduction(reduction, op)
        _check_class_input(input, op)
        _require_tensor(target, "target", op)
        label_smoothing = as_number(label_smoothing, "label_smoothing", op)
        if not label_smoothing <= 1.0:
            raise OptionError(f"{op}: label_smoothing must be at most 1, got {label_smoothing}")
        label_smoothing = max(float(label_smoothing), 0.0)  # PyTorch: below 0 means none
        if target.shape == input.shape:  # class probabilities, as PyTorch decides
            _check_probabilities(input, target, weight, ignore_index)
            return _with_probabilities(input, target, weight, reduction, label_smoothing)
        if dtypes.is_floating(target.dtype):
            raise ShapeError(
                f"{op}: a float target holds class probabilities and must have the input's "
                f"shape {input.shape}, got shape {target.shape} (class indices must be int64)"
            )
        _check_weight(weight, input, op, same_dtype=True)
        _check_class_targets(input, target, op)
    target, valid = _targets(input, target, ignore_index, op)
    weight = _constant(weight, input.dtype, "weight", op)
    if label_smoothing:
        return _cross_entropy_composed(input, target, weight, valid, reduction, label_smoothing)
    return CrossEntropy.apply(
        input, target, weight, valid=valid, reduction=reduction, ignore_index=ignore_index
    )


# ----- cross_entropy over class probabilities: composed ---------------------------------------
def _with_probabilities(input, target, weight, reduction, eps):
    """Class probabilities T (the input's shape), as PyTorch composes them: with
    q = (1 - eps) T + eps/C, loss = -sum_c w_c q_c log p_c per position, and 'mean' divides
    the sum by the number of positions. Differentiable in input, target and weight."""
    dtype = dtypes.promote_types(input.dtype, target.dtype)
    if weight is not None:
        dtype = dtypes.promote_types(dtype, weight.dtype)
    input, target = input.to(dtype), target.to(dtype)
    dim, classes = (0 if input.ndim == 1 else 1), _classes(input)
    q = target if not eps else target * (1 - eps) + eps / classes
    t = log_softmax(input, dim) * q
    if weight is not None:
        t = t * _class_weight(weight.to(dtype), input)
    if reduction == "none":
        return -t.sum(dim)
    total, positions = -t.sum(), input.numel() // classes
    if reduction == "sum":
        return total
    return total / positions if positions else total * math.nan


def _check_probabilities(input, target, weight, ignore_index: int) -> None:
    op = "cross_entropy"
    if not dtypes.is_floating(target.dtype):
        raise DTypeError(
            f"{op}: a target with the input's shape {input.shape} holds class "
            f"probabilities and must be floating point, got {target.dtype}"
        )
    if ignore_index >= 0:
        raise OptionError(
            f"{op}: ignore_index={ignore_index} is not supported for class-probability "
            "targets (float targets with the input's shape)"
        )
    _check_weight(weight, input, op, same_dtype=False)


# ----- class-index targets: the usual call, and the range check ------------------------------
def _usual_call(input, target, weight, reduction: str) -> bool:
    """The usual call: input (N, C) of a float dtype with C > 0, int64 class indices (N,), no
    weight, a valid reduction. (Checked first: cheaper than finding out which check fails.)"""
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)) or weight is not None:
        return False
    x, y = input.array, target.array
    if x.ndim != 2 or y.shape != x.shape[:1] or not x.shape[1]:
        return False
    return x.dtype.kind == "f" and y.dtype == dtypes.int64 and reduction in _REDUCTIONS


_REDUCTIONS = ("none", "mean", "sum")


def _targets(input: Tensor, target: Tensor, ignore_index: int, op: str):
    """The targets as int64, and the mask of those that count (None when all of them do).

    The range check reads the targets, so it runs where they already are, on the host (numpy:
    one reduction in the usual case, and an IndexError as in PyTorch). On cupy that read would
    stall every training step, so an out-of-range target is found on the device instead, and
    its loss and gradient are nan (where PyTorch's CUDA kernel stops on a device-side assert).
    """
    y = target.array if target.dtype == dtypes.int64 else target.array.astype(dtypes.int64)
    if not isinstance(y, _HOST):
        return Tensor.wrap(y), y != ignore_index
    classes = _classes(input)
    # The usual case in one reduction: every target in range (viewed as unsigned, a negative
    # index is huge, so the largest one tells), and none can equal ignore_index.
    if y.size and not 0 <= ignore_index < classes and int(y.view(_UINT64).max()) < classes:
        return Tensor.wrap(y), None
    valid = y != ignore_index
    bad = valid & ((y < 0) | (y >= classes))
    if bad.any():
        raise IndexError(
            f"{op}: Target {int(y[bad].reshape(-1)[0])} is out of bounds: class indices must "
            f"be in [0, {classes - 1}] (or equal ignore_index={ignore_index}) for input with "
            f"{classes} classes"
        )
    return Tensor.wrap(y), None if valid.all() else valid
