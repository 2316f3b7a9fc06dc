"""The losses over a class dim: `nll_loss` and the fused `cross_entropy`, with the target
checks, layout and reduction they share."""

from __future__ import annotations

from ... import backend, dtypes, ops
from ...autograd import grad_mode
from ...autograd.engine import Function
from ...errors import DTypeError, OptionError, ShapeError, as_int, as_number
from ...ops import elementwise, reduction  # the raw functions: backward runs on arrays
from ...ops.shape import reshape
from ...tensor import Tensor
from ._activations import log_softmax, softmax
from ._common import _constant, _needs_grad, _quiet, _reduction, _require_float, _require_tensor


def _at_class_dim(v):
    """A per-position value of shape (N, *d) reshaped to broadcast against (N, C, *d)."""
    if v.ndim == 0:
        return v
    return v.reshape((v.shape[0], 1) + tuple(v.shape[1:]))


def _class_index(y, xp) -> tuple:
    """The index that picks x[n, y[n, i, ...], i, ...] from x of shape (N, C, *d)."""
    if y.ndim == 1:  # the common (N, C) case
        return (xp.arange(y.shape[0]), y)
    grids = []
    for axis, n in enumerate(y.shape):
        shape = [1] * y.ndim
        shape[axis] = n
        grids.append(xp.arange(n).reshape(shape))
    return (grids[0], y, *grids[1:])


# ----- class-index targets: shared checks ---------------------------------------------------
_UINT8 = dtypes.as_dtype("uint8")  # PyTorch also takes uint8 ("Byte") class indices
_UINT64 = backend.numpy.dtype("uint64")  # (for a range check only; not a tensor dtype)


def _check_class_input(input, op: str) -> None:
    _require_tensor(input, "input", op)
    _require_float(input, "input", op)
    if input.ndim == 0:
        raise ShapeError(
            f"{op}: input must have shape (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor"
        )
    classes = input.shape[0 if input.ndim == 1 else 1]
    if classes == 0:
        raise ShapeError(f"{op}: input of shape {input.shape} has no classes (C = 0)")


def _check_weight(weight, input: Tensor, op: str, same_dtype: bool) -> None:
    if weight is None:
        return
    _require_tensor(weight, "weight", op)
    classes = input.shape[0 if input.ndim == 1 else 1]
    if weight.shape != (classes,):
        raise ShapeError(
            f"{op}: weight must have one entry per class, shape ({classes},), got shape "
            f"{weight.shape}"
        )
    _require_float(weight, "weight", op)
    if same_dtype and weight.dtype != input.dtype:
        raise DTypeError(
            f"{op}: weight must have the input's dtype {input.dtype}, got {weight.dtype}"
        )


def _check_class_targets(input: Tensor, target: Tensor, op: str) -> None:
    """Class-index targets: int64 (or uint8), shaped like the input without its class dim."""
    if target.dtype not in (dtypes.int64, _UINT8):
        raise DTypeError(f"{op}: class-index targets must be int64 (or uint8), got {target.dtype}")
    if input.ndim == 1:
        if target.ndim != 0:
            raise ShapeError(
                f"{op}: for input of shape {input.shape} (one sample of C classes) target must "
                f"be a 0-d class index, got shape {target.shape}"
            )
        return
    if target.ndim == 0 or target.shape[0] != input.shape[0]:
        given = target.shape[0] if target.ndim else "none (a 0-d target)"
        raise ShapeError(
            f"{op}: Expected input batch_size ({input.shape[0]}) to match target "
            f"batch_size ({given})."
        )
    expected = input.shape[:1] + input.shape[2:]
    if target.shape != expected:
        raise ShapeError(
            f"{op}: for input of shape {input.shape} target must have shape {expected} "
            f"(N, d1, ...), got {target.shape}"
        )


def _targets_in_range(input: Tensor, target: Tensor, ignore_index: int, op: str):
    """Class-index targets (checked by `_check_class_targets`) as int64, after checking that
    each is a class or ignore_index; and the mask of non-ignored ones, None when none is
    ignored (the fast, common case)."""
    y = target.array if target.dtype == dtypes.int64 else target.array.astype(dtypes.int64)
    classes = input.shape[0 if input.ndim == 1 else 1]
    # The common case in one reduction: every target in range (viewed as unsigned, a negative
    # index is huge, so the largest one tells), and none can equal ignore_index.
    ignorable = 0 <= ignore_index < classes
    if y.size and not ignorable and int(y.view(_UINT64).max()) < classes:
        return Tensor._make(y, False), None
    valid = y != ignore_index
    bad = (y < 0) | (y >= classes)
    if valid.all():
        valid = None
    else:
        bad &= valid
    if bad.any():
        value = int(y[bad].reshape(-1)[0])
        raise IndexError(
            f"{op}: Target {value} is out of bounds: class indices must be in "
            f"[0, {classes - 1}] (or equal ignore_index={ignore_index}) for input with "
            f"{classes} classes"
        )
    return Tensor._make(y, False), valid


def _usual_call(input, target, weight, reduction: str, legacy: tuple) -> bool:
    """The usual call, in one expression: input (N, C) of a float dtype with C > 0, int64
    class indices (N,), no weight, a valid reduction and no legacy size_average/reduce.
    (Checked first because it is cheaper than finding out which check fails.)"""
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        return False
    x, y = input.array, target.array
    return (
        x.ndim == 2 and y.ndim == 1 and x.shape[0] == y.shape[0] and x.shape[1] > 0
        and x.dtype.kind == "f" and y.dtype == dtypes.int64 and weight is None
        and reduction in _REDUCTIONS and legacy == (None, None)
    )  # fmt: skip


_REDUCTIONS = ("none", "mean", "sum")


class _PerPosition:
    """What the class-dim losses share: the (N, C, *d) layout, the reduction and its divisor.

    A 1-D input (C,) is one sample: it is handled as (1, C) and the result squeezed back.
    """

    def layout(self, x, reduction, valid=None):
        self.squeezed = x.ndim == 1
        if self.squeezed:
            x = _batch_of_one(x)
            valid = None if valid is None else valid.reshape((1,))
        self.valid, self.reduction, self.shape = valid, reduction, x.shape
        self.denominator = x.size // x.shape[1]  # positions; class targets may change it
        return x

    def targets(self, y, weight):
        """Where the class-index targets sit, their weights, and the 'mean' divisor."""
        y = y.reshape((1,)) if self.squeezed else y
        valid = self.valid
        y_safe = y if valid is None else backend.xp_of(y).where(valid, y, 0)
        self.index = _class_index(y_safe, backend.xp_of(y))
        self.wy = None if weight is None else weight[y_safe]  # the weight of each target
        # 'mean' divides by the total weight of the targets that count.
        if self.wy is not None:
            self.denominator = float((self.wy if valid is None else self.wy * valid).sum())
        elif valid is not None:
            self.denominator = int(valid.sum())

    @property
    def degenerate(self) -> bool:
        """A 'mean' over nothing: the loss is nan, as in PyTorch."""
        return self.reduction == "mean" and self.denominator == 0

    def finish(self, loss):
        """Per-position losses (N, *d): ignored positions to exactly 0, then reduced."""
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
        """The output gradient per position: g/D for 'mean'; 0 where the target is ignored."""
        if self.reduction == "mean":
            g = g / self.denominator
        elif self.reduction == "none" and self.squeezed:
            g = g.reshape((1,))
        if self.valid is not None:
            g = elementwise.where(self.valid, g, 0)
        return g


def _batch_of_one(a):
    return a.reshape((1,) + tuple(a.shape))


class NllLoss(_PerPosition, Function):
    """loss_i = -w[y_i] x[i, y_i]: picks the log-probability of each target class."""

    def forward(self, x, target, weight, valid, reduction):
        x = self.layout(x, reduction, valid)
        self.targets(target, weight)
        picked = -x[self.index]
        return self.finish(picked if self.wy is None else picked * self.wy)

    def backward(self, g, x, target, weight):
        with _quiet(self.degenerate):
            r = self.scale(g)
            coefficient = -r if self.wy is None else -(r * self.wy)
            hit = backend.xp_of(self.index[1]).zeros(self.shape, dtype=dtypes.bool)
            hit[self.index] = True if self.valid is None else self.valid
            grad = elementwise.where(hit, _at_class_dim(coefficient), 0)
        return grad.reshape(tuple(x.shape)), None, None


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class-index targets, given log-probabilities.

    Shapes: input (C), (N, C) or (N, C, d1, ...) of log-probabilities; target (), (N) or
    (N, d1, ...) of int64 class indices. loss_i = -weight[y_i] * input[i, y_i] (0 where
    y_i == ignore_index); 'mean' divides the sum by the total weight of the kept targets.

    >>> nll_loss(mg.tensor([[-0.5, -1.0]]), mg.tensor([1]))
    tensor(1.)
    """
    op = "nll_loss"
    if type(ignore_index) is not int:
        ignore_index = as_int(ignore_index, "ignore_index", op)
    if not _usual_call(input, target, weight, reduction, (size_average, reduce)):
        reduction = _reduction(reduction, size_average, reduce, op)
        _check_class_input(input, op)
        _require_tensor(target, "target", op)
        _check_weight(weight, input, op, same_dtype=True)
        _check_class_targets(input, target, op)
    target, valid = _targets_in_range(input, target, ignore_index, op)
    weight = _constant(weight, input.dtype, "weight", op)
    return NllLoss.apply(input, target, weight, valid=valid, reduction=reduction)


# ----- cross_entropy: log_softmax + NLL in one entry -----------------------------------------
class CrossEntropy(_PerPosition, Function):
    """Fused log_softmax + negative log-likelihood: one tape entry, closed-form backward.

    Each position i (a row along the class dim) gets a target distribution T_i that already
    holds the class weights, the smoothing and the ignore mask; then
        loss_i = -sum_c T_ic log p_ic,      dloss_i/dx_ic = p_ic sum_c T_ic - T_ic,
    with p = softmax(x_i). For a one-hot target and no weights that is softmax - onehot.
    """

    def forward(self, x, target, weight, valid, reduction, label_smoothing, probabilities):
        xp = backend.xp_of(x)
        self.eps, self.probabilities = label_smoothing, probabilities
        x = self.layout(x, reduction, valid)
        classes = x.shape[1]
        self.weight = None if weight is None else weight.reshape((1, classes) + (1,) * (x.ndim - 2))
        self.y = None  # the class indices (N,) once the fused CUDA kernel ran, for backward
        plain = not (probabilities or label_smoothing) and weight is None and valid is None
        fused = backend.fused_cross_entropy(x, target) if plain else None
        if fused is not None:  # cupy: max, exp, sum, log and softmax in one kernel
            (nll, self.p), self.y = fused, target.reshape(-1)
            self.targets(target, weight)
            return self.finish(nll)
        z = x - x.max(axis=1, keepdims=True)  # shifted by the max: exp never overflows
        if probabilities:
            return self._probability_loss(z, target, classes)
        self.targets(target, weight)
        picked = z[self.index]  # z at each target class (a copy), before exp overwrites z
        if self.eps:  # smoothing needs every class's z too, also before exp
            spread = -(z.sum(axis=1) if self.weight is None else (z * self.weight).sum(axis=1))
        # z is done with: exp in place. Softmax is e / total; backward forms it, so the one
        # (N, C, *d) array this entry allocates is the one its backward fills with the gradient.
        self.e = xp.exp(z, out=z)
        self.total = self.e.sum(axis=1, keepdims=True)
        lse = xp.log(self.total)[:, 0]  # log p = z - lse
        nll = lse - picked  # -log p of the target class
        if self.wy is not None:
            nll *= self.wy
        if not self.eps:
            return self.finish(nll)
        # Smoothing: (1 - eps) of the target's loss plus eps/C of every class's, each reduced
        # on its own as PyTorch does (which decides nan vs inf when nothing counts).
        spread += (classes if self.weight is None else float(weight.sum())) * lse
        return self.finish(nll) * (1 - self.eps) + self.finish(spread) * (self.eps / classes)

    def _probability_loss(self, z, target, classes):
        e = backend.xp_of(z).exp(z)
        total = e.sum(axis=1, keepdims=True)
        e /= total
        self.p = e  # softmax, kept for backward
        target = _batch_of_one(target) if self.squeezed else target
        q = target if not self.eps else target * (1 - self.eps) + self.eps / classes
        self.q = q  # the smoothed target
        self.t = q if self.weight is None else q * self.weight  # T
        z -= backend.xp_of(z).log(total)
        self.logp = z
        return self.finish(-(self.t * z).sum(axis=1))

    def backward(self, g, x, target, weight):
        with _quiet(self.degenerate):
            r = self.scale(g)
            grad_weight = None  # (class-index targets: weight is a constant, as in PyTorch)
            if self.probabilities:
                grad_x, grad_target, grad_weight = self._probability_backward(r, x, target, weight)
            elif grad_mode.state.grad_enabled:  # create_graph: differentiable in x and in g
                grad_x, grad_target = self._class_backward_graph(r, x), None
            else:
                grad_x, grad_target = self._class_backward(r), None
        if self.squeezed:
            grad_x = grad_x.reshape(tuple(x.shape))
            if grad_target is not None:
                grad_target = grad_target.reshape(tuple(x.shape))
        return grad_x, grad_target, grad_weight

    def _class_backward(self, r):
        """p * sum_c T - T without building T: T is (1-eps) w_y at the target + eps/C w."""
        if self.y is not None:  # the forward ran the fused CUDA kernel: so does this
            return backend.fused_cross_entropy_backward(self.p, self.y, r)
        classes = self.e.shape[1]
        a = r if self.wy is None else r * self.wy  # weight on the target class
        mass = a  # sum_c T_ic
        if self.eps:
            total_weight = classes if self.weight is None else float(self.weight.sum())
            mass = a * (1 - self.eps) + r * (total_weight * self.eps / classes)
            a = a * (1 - self.eps)
        # p * mass = e * (mass / total): on its last use, the exp buffer becomes the gradient.
        coefficient = _at_class_dim(mass) / self.total
        grad = backend.xp_of(self.e).multiply(
            self.e, coefficient, out=self.e if self.last_use else None
        )
        grad[self.index] -= a
        if self.eps:
            spread = _at_class_dim(r) * (self.eps / classes)
            grad -= spread if self.weight is None else spread * self.weight
        return grad

    def _class_backward_graph(self, r, x):
        p = softmax(_batch_of_one(x) if self.squeezed else x, 1)
        classes = self.shape[1]
        target = backend.xp_of(x.array).zeros(self.shape, dtype=x.dtype)  # T, dense
        target[self.index] = (1 - self.eps) * (1 if self.wy is None else self.wy)
        if self.eps:
            target += (self.eps / classes) * (1 if self.weight is None else self.weight)
        return (p * target.sum(axis=1, keepdims=True) - target) * _at_class_dim(r)

    def _probability_backward(self, r, x, target, weight):
        r = _at_class_dim(r)
        if grad_mode.state.grad_enabled:  # create_graph: rebuild from the x and target Tensors
            if self.squeezed:
                x, target = _batch_of_one(x), _batch_of_one(target)
            classes = self.shape[1]
            q = target if not self.eps else target * (1 - self.eps) + self.eps / classes
            w = None if weight is None else reshape(weight, self.weight.shape)
            t = q if w is None else q * w
            p, logp = softmax(x, 1), log_softmax(x, 1)
            grad_x = (p * reduction.sum(t, 1, keepdim=True) - t) * r
        else:
            q, t, p, logp, w = self.q, self.t, self.p, self.logp, self.weight
            grad_x = p * (t.sum(axis=1, keepdims=True) * r) - t * r
        needs = _needs_grad(self)
        grad_target = grad_weight = None
        if needs[1]:  # dloss/dtarget_ic = -(1-eps) w_c log p_ic
            grad_target = -(logp if w is None else logp * w) * (r * (1 - self.eps))
        if needs[2]:  # dloss/dw_c = -sum over positions of q_ic log p_ic
            every_but_classes = (0,) + tuple(range(2, logp.ndim))
            grad_weight = -reduction.sum(q * logp * r, every_but_classes)
        return grad_x, grad_target, grad_weight


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits and targets: log_softmax and NLL fused into one entry.

    Shapes: input (C), (N, C) or (N, C, d1, ...) of unnormalised logits. target is either
    class indices, int64 of shape (), (N) or (N, d1, ...), or class probabilities, float of
    the input's shape. weight (C) rescales each class; targets equal to `ignore_index` add
    nothing. 'mean' divides by the total weight of the kept targets (class indices) or by
    the number of positions N*d1*... (probabilities). `label_smoothing` eps mixes the target
    with the uniform distribution: (1 - eps) * target + eps / C.

    >>> cross_entropy(mg.tensor([[1.0, 0.0, 0.0]]), mg.tensor([0]))
    tensor(0.5514)
    """
    op = "cross_entropy"
    legacy = (size_average, reduce)
    if type(ignore_index) is not int:
        ignore_index = as_int(ignore_index, "ignore_index", op)
    usual = type(label_smoothing) in (float, int) and label_smoothing == 0
    if not (usual and _usual_call(input, target, weight, reduction, legacy)):
        reduction = _reduction(reduction, size_average, reduce, op)
        _check_class_input(input, op)
        _require_tensor(target, "target", op)
        label_smoothing = as_number(label_smoothing, "label_smoothing", op)
        if not label_smoothing <= 1.0:
            raise OptionError(f"{op}: label_smoothing must be at most 1, got {label_smoothing}")
        label_smoothing = max(float(label_smoothing), 0.0)  # PyTorch: below 0 means none
        if target.shape == input.shape:  # class probabilities, as PyTorch decides
            return _cross_entropy_with_probabilities(
                input, target, weight, reduction, label_smoothing, ignore_index
            )
        if dtypes.is_floating(target.dtype):
            raise ShapeError(
                f"{op}: a float target holds class probabilities and must have the input's "
                f"shape {input.shape}, got shape {target.shape} (class indices must be int64)"
            )
        _check_weight(weight, input, op, same_dtype=True)
        _check_class_targets(input, target, op)
    target, valid = _targets_in_range(input, target, ignore_index, op)
    weight = _constant(weight, input.dtype, "weight", op)
    return CrossEntropy.apply(
        input, target, weight, valid=valid, reduction=reduction,
        label_smoothing=float(label_smoothing), probabilities=False,
    )  # fmt: skip


def _cross_entropy_with_probabilities(input, target, weight, reduction, eps, ignore_index):
    """cross_entropy for a float target of the input's shape (checked so far: the input)."""
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
    dtype = dtypes.promote_types(input.dtype, target.dtype)
    if weight is not None:
        dtype = dtypes.promote_types(dtype, weight.dtype)
    input, target = ops.cast(input, dtype), ops.cast(target, dtype)
    weight = None if weight is None else ops.cast(weight, dtype)  # differentiable here
    return CrossEntropy.apply(
        input, target, weight, valid=None, reduction=reduction,
        label_smoothing=float(eps), probabilities=True,
    )  # fmt: skip
