"""Stateless neural-network functions: activations, linear, dropout, softmax and the losses.

Everything here is PyTorch's `torch.nn.functional` with the same names, arguments and edge
cases. The hot paths of a training loop are *fused*: `linear` and `cross_entropy` are each one
tape entry with a closed-form backward, instead of a chain of small ops.

A fused backward has two paths. Normally it runs on arrays, reusing what the forward saved
(`cross_entropy` keeps its softmax, so exp runs once per step). Under `create_graph=True`
(grad mode is on inside the backward) it is rebuilt from differentiable minigrad functions
of the input Tensors, so second derivatives work.

Class weights (`weight`, `pos_weight`) are constants: like PyTorch's fused kernels, these
losses give no gradient to them.
"""

from __future__ import annotations

import contextlib
import math
import warnings

from .. import backend, dtypes, ops
from ..autograd import grad_mode
from ..autograd.engine import Function
from ..errors import DTypeError, ShapeError
from ..ops.shape import normalize_dim
from ..tensor import Tensor

__all__ = [
    "binary_cross_entropy_with_logits", "cross_entropy", "dropout", "linear", "log_softmax",
    "mse_loss", "nll_loss", "one_hot", "relu", "softmax",
]  # fmt: skip


# ----- helpers ----------------------------------------------------------------------------
def _require_tensor(x, name: str, op: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(x).__name__}")


def _require_float(x: Tensor, name: str, op: str) -> None:
    if not dtypes.is_floating(x.dtype):
        raise DTypeError(f"{op}: {name} must have a floating point dtype, got {x.dtype}")


def _needs_grad(fn: Function) -> list[bool]:
    """Which of a recorded entry's inputs want a gradient (skip the work for the others)."""
    return [isinstance(a, Tensor) and a.requires_grad for a in fn.inputs]


def _constant(t: Tensor | None, dtype) -> Tensor | None:
    """A weight as a constant input: detached, in the loss's dtype."""
    if t is None:
        return None
    data = t.data if t.dtype == dtype else t.data.astype(dtype)
    return Tensor._make(data, False)


def _quiet(degenerate: bool):
    """Silence numpy's 0/0 warnings where PyTorch silently returns nan (an empty 'mean')."""
    if degenerate:
        return backend.numpy.errstate(divide="ignore", invalid="ignore")
    return _NOTHING_TO_SILENCE


_NOTHING_TO_SILENCE = contextlib.nullcontext()  # reusable: made once, not on every loss


def _legacy_reduction(size_average, reduce) -> str:
    """PyTorch's deprecated size_average/reduce pair, as a reduction string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        stacklevel=3,
    )
    return reduction


def _reduction(reduction: str, size_average, reduce, op: str) -> str:
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(
            f"{op}: {reduction!r} is not a valid value for reduction "
            "(expected 'none', 'mean' or 'sum')"
        )
    return reduction


def _reduce(loss, reduction: str, count: int):
    """Reduce an array of per-element losses; the 'mean' of nothing is nan, as in PyTorch."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    with _quiet(count == 0):
        return total / count


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


# ----- activations, linear, dropout ------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise.

    `inplace` is accepted for PyTorch compatibility and ignored, as in `nn.ReLU`: minigrad
    never overwrites a tensor that autograd may need.
    """
    return ops.relu(input)


class Linear(Function):
    """y = x W^T + b in one entry: x (*, in), W (out, in) or (in,), b broadcast to y."""

    def forward(self, x, weight, bias):
        rows = x.reshape(-1, x.shape[-1]) if x.ndim > 2 else x  # one GEMM, not a batch of them
        out = rows @ weight.T
        if rows is not x:
            out = out.reshape(x.shape[:-1] + out.shape[1:])
        if bias is None:
            return out
        if backend.is_array(out):  # (not for vector @ vector, a scalar)
            out += bias  # a fresh array that `linear` checked bias broadcasts to: add in place
            return out
        return out + bias

    def backward(self, g, x, weight, bias):
        inputs = self.inputs  # the Tensors (`linear` admits no others), for requires_grad
        need_x, need_w = inputs[0].requires_grad, inputs[1].requires_grad
        need_b = bias is not None and inputs[2].requires_grad
        w2 = weight if weight.ndim == 2 else weight.reshape((1, weight.shape[0]))
        g2 = g if weight.ndim == 2 else g.reshape(tuple(g.shape) + (1,))
        grad_x = grad_w = None
        if need_x:  # dL/dx = G W
            grad_x = g2 @ w2
        if need_w:  # dL/dW = G^T x, summed over every leading dim
            # Reshape only where needed: a reshaped result is a view, and the engine copies
            # views before storing them in .grad.
            rows_g = g2 if g2.ndim == 2 else g2.reshape((-1, w2.shape[0]))
            rows_x = x if x.ndim == 2 else x.reshape((-1, x.shape[-1]))
            grad_w = rows_g.T @ rows_x
            if weight.ndim != 2:
                grad_w = grad_w.reshape(tuple(weight.shape))
        # dL/db = G: the engine sums it down to the bias's own shape.
        return grad_x, grad_w, (g if need_b else None)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, as one fused tape entry.

    Shapes: input (*, in_features); weight (out_features, in_features) or (in_features,);
    bias (out_features,) or anything that broadcasts to the output; output (*, out_features)
    (or (*) for a 1-D weight).

    >>> linear(mg.ones(2, 3), mg.ones(4, 3), mg.zeros(4)).shape
    (2, 4)
    """
    if not _usual_linear(input, weight, bias):
        _check_linear(input, weight, bias)  # raises, unless the bias is unusual but broadcasts
    return Linear.apply(input, weight, bias)


def _usual_linear(x, weight, bias) -> bool:
    """The usual call, in one expression: x (*, in), weight (out, in), bias (out,) or None,
    all Tensors of one dtype. (Checked first because it is cheaper than finding out why not.)"""
    if not (isinstance(x, Tensor) and isinstance(weight, Tensor)):
        return False
    x, w = x.data, weight.data
    return (
        x.ndim >= 1 and w.ndim == 2 and x.shape[-1] == w.shape[1] and x.dtype == w.dtype
        and (bias is None or isinstance(bias, Tensor) and bias.data.shape == w.shape[:1]
             and bias.data.dtype == x.dtype)
    )  # fmt: skip


def _check_linear(input, weight, bias) -> None:
    """What is wrong with the arguments of `linear`, as a clear error."""
    _require_tensor(input, "input", "linear")
    _require_tensor(weight, "weight", "linear")
    if input.ndim == 0:
        raise ShapeError(
            "linear: input must have at least 1 dim (*, in_features), got a 0-d tensor"
        )
    if weight.ndim not in (1, 2):
        raise ShapeError(
            f"linear: weight must have shape (out_features, in_features) or (in_features,), "
            f"got shape {weight.shape}"
        )
    if input.shape[-1] != weight.shape[-1]:
        raise ShapeError(
            f"linear: input has {input.shape[-1]} features in its last dim (shape "
            f"{input.shape}) but weight of shape {weight.shape} expects in_features="
            f"{weight.shape[-1]}"
        )
    if input.dtype != weight.dtype:
        raise DTypeError(
            f"linear: input and weight must have the same dtype, got {input.dtype} and "
            f"{weight.dtype}"
        )
    if bias is not None:
        _require_tensor(bias, "bias", "linear")
        out_shape = input.shape[:-1] + weight.shape[:-1]
        try:
            fits = backend.numpy.broadcast_shapes(bias.shape, out_shape) == out_shape
        except ValueError:
            fits = False
        if not fits:
            raise ShapeError(
                f"linear: bias of shape {bias.shape} does not broadcast to the output shape "
                f"{out_shape} (expected shape (out_features,))"
            )
        if bias.dtype != input.dtype:
            raise DTypeError(
                f"linear: bias must have the input's dtype {input.dtype}, got {bias.dtype}"
            )


class Dropout(Function):
    def forward(self, x, mask):
        self.mask = mask
        return x * mask

    def backward(self, g, x):  # the kept elements pass the gradient, scaled like the values
        return g * self.mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (inverted dropout).

    Outside training (or with p=0) it returns `input` unchanged. The mask is drawn from the
    input's device generator, so `mg.manual_seed` makes it reproducible. `inplace` is
    accepted and ignored, as in `relu`.
    """
    _require_tensor(input, "input", "dropout")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    _require_float(input, "input", "dropout")
    xp = backend.xp_of(input.data)
    if p == 1.0:
        mask = xp.zeros(input.shape, dtype=input.dtype)
    else:
        draw = dtypes.float64 if input.dtype == dtypes.float64 else dtypes.float32
        uniform = backend.generator(input.device).random(input.shape, dtype=draw)
        mask = (uniform >= p).astype(input.dtype)  # kept with probability 1 - p
        mask *= 1.0 / (1.0 - p)
    return Dropout.apply(input, mask=mask)


# ----- softmax and log_softmax -------------------------------------------------------------
class Softmax(Function):
    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        xp = backend.xp_of(x)
        if x.ndim == 0:
            return xp.exp(x - x)  # exp(0) = 1, and nan stays nan
        if x.shape[dim] == 0:
            return xp.empty_like(x)
        e = xp.exp(x - x.max(axis=dim, keepdims=True))  # shifted: exp never overflows
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(self, g, x):  # dy_i/dx_j = y_i (delta_ij - y_j)
        y = self.output
        gy = g * y
        return gy - y * ops.sum(gy, self.dim, keepdim=True)


class LogSoftmax(Function):
    saves_output = True

    def forward(self, x, dim):
        self.dim = dim
        xp = backend.xp_of(x)
        if x.ndim == 0:
            return x - x
        if x.shape[dim] == 0:
            return xp.empty_like(x)
        z = x - x.max(axis=dim, keepdims=True)  # log softmax(x) = z - log sum exp z
        z -= xp.log(xp.exp(z).sum(axis=dim, keepdims=True))
        return z

    def backward(self, g, x):  # d/dx_j (x_i - lse) = delta_ij - softmax_j
        return g - ops.exp(self.output) * ops.sum(g, self.dim, keepdim=True)


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dim, dtype, name: str):
    _require_tensor(input, "input", name)
    if dtype is not None:
        input = ops.cast(input, dtype)
    _require_float(input, "input", name)
    if dim is None:
        dim = _softmax_dim(name, input.ndim)
    return input, normalize_dim(dim, input.ndim, name)


def softmax(input: Tensor, dim: int | None = None, *, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, computed after shifting by the max (no overflow).

    `dtype` casts the input first. Omitting `dim` picks PyTorch's legacy default with a warning.

    >>> softmax(mg.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    input, axis = _softmax_input(input, dim, dtype, "softmax")
    return Softmax.apply(input, dim=axis)


def log_softmax(input: Tensor, dim: int | None = None, *, dtype=None) -> Tensor:
    """x - logsumexp(x) along `dim`: log-probabilities, finite even where softmax underflows.

    >>> log_softmax(mg.tensor([1000.0, 0.0]), dim=0)
    tensor([    0., -1000.])
    """
    input, axis = _softmax_input(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(input, dim=axis)


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


def _class_targets(input: Tensor, target: Tensor, ignore_index: int, op: str):
    """Check class-index targets; return them as int64 and the mask of non-ignored ones.

    The mask is None when no target is ignored (the fast, common case).
    """
    if target.dtype not in (dtypes.int64, _UINT8):
        raise DTypeError(f"{op}: class-index targets must be int64 (or uint8), got {target.dtype}")
    if input.ndim == 1:
        if target.ndim != 0:
            raise ShapeError(
                f"{op}: for input of shape {input.shape} (one sample of C classes) target must "
                f"be a 0-d class index, got shape {target.shape}"
            )
    else:
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
    y = target.data if target.dtype == dtypes.int64 else target.data.astype(dtypes.int64)
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
            g = ops.where(self.valid, g, 0)
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
            grad = ops.where(hit, _at_class_dim(coefficient), 0)
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
    reduction = _reduction(reduction, size_average, reduce, "nll_loss")
    _check_class_input(input, "nll_loss")
    _require_tensor(target, "target", "nll_loss")
    _check_weight(weight, input, "nll_loss", same_dtype=True)
    target, valid = _class_targets(input, target, ignore_index, "nll_loss")
    return NllLoss.apply(
        input, target, _constant(weight, input.dtype), valid=valid, reduction=reduction
    )


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
        self.t = q if self.weight is None else q * self.weight  # T
        z -= backend.xp_of(z).log(total)
        self.logp = z
        return self.finish(-(self.t * z).sum(axis=1))

    def backward(self, g, x, target, weight):
        with _quiet(self.degenerate):
            r = self.scale(g)
            if self.probabilities:
                grad_x, grad_target = self._probability_backward(r, x, target)
            elif grad_mode.enabled:  # create_graph: differentiable in x and in g
                grad_x, grad_target = self._class_backward_graph(r, x), None
            else:
                grad_x, grad_target = self._class_backward(r), None
        if self.squeezed:
            grad_x = grad_x.reshape(tuple(x.shape))
            if grad_target is not None:
                grad_target = grad_target.reshape(tuple(x.shape))
        return grad_x, grad_target, None

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
        target = backend.xp_of(x.data).zeros(self.shape, dtype=x.dtype)  # T, dense
        target[self.index] = (1 - self.eps) * (1 if self.wy is None else self.wy)
        if self.eps:
            target += (self.eps / classes) * (1 if self.weight is None else self.weight)
        return (p * target.sum(axis=1, keepdims=True) - target) * _at_class_dim(r)

    def _probability_backward(self, r, x, target):
        r = _at_class_dim(r)
        if grad_mode.enabled:  # create_graph: rebuild from the x and target Tensors
            if self.squeezed:
                x, target = _batch_of_one(x), _batch_of_one(target)
            classes = self.shape[1]
            q = target if not self.eps else target * (1 - self.eps) + self.eps / classes
            t = q if self.weight is None else q * self.weight
            p, logp = softmax(x, 1), log_softmax(x, 1)
            grad_x = (p * ops.sum(t, 1, keepdim=True) - t) * r
        else:
            t, p, logp = self.t, self.p, self.logp
            grad_x = p * (t.sum(axis=1, keepdims=True) * r) - t * r
        grad_target = None
        if _needs_grad(self)[1]:  # dloss/dtarget_ic = -(1-eps) w_c log p_ic
            w = 1 if self.weight is None else self.weight
            grad_target = -(logp * w) * (r * (1 - self.eps))
        return grad_x, grad_target


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
    reduction = _reduction(reduction, size_average, reduce, op)
    _check_class_input(input, op)
    _require_tensor(target, "target", op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    if target.shape == input.shape:  # class probabilities, as PyTorch decides
        if not dtypes.is_floating(target.dtype):
            raise DTypeError(
                f"{op}: a target with the input's shape {input.shape} holds class "
                f"probabilities and must be floating point, got {target.dtype}"
            )
        if ignore_index >= 0:
            raise ValueError(
                f"{op}: ignore_index={ignore_index} is not supported for class-probability "
                "targets (float targets with the input's shape)"
            )
        _check_weight(weight, input, op, same_dtype=False)
        dtype = dtypes.promote_types(input.dtype, target.dtype)
        if weight is not None:
            dtype = dtypes.promote_types(dtype, weight.dtype)
        input, target = ops.cast(input, dtype), ops.cast(target, dtype)
        return CrossEntropy.apply(
            input, target, _constant(weight, dtype), valid=None, reduction=reduction,
            label_smoothing=float(label_smoothing), probabilities=True,
        )  # fmt: skip
    if dtypes.is_floating(target.dtype):
        raise ShapeError(
            f"{op}: a float target holds class probabilities and must have the input's shape "
            f"{input.shape}, got shape {target.shape} (class indices must be int64)"
        )
    _check_weight(weight, input, op, same_dtype=True)
    target, valid = _class_targets(input, target, ignore_index, op)
    return CrossEntropy.apply(
        input, target, _constant(weight, input.dtype), valid=valid, reduction=reduction,
        label_smoothing=float(label_smoothing), probabilities=False,
    )  # fmt: skip


# ----- binary cross-entropy with logits ------------------------------------------------------
def _softplus_neg(x):
    """log(1 + e^-x) = -log sigmoid(x), without overflow (arrays or Tensors)."""
    return ops.relu(-x) + ops.log(ops.exp(-ops.abs(x)) + 1)


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
            grad_x = (ops.sigmoid(x) - target) * r
        else:  # (1 - t) - (1 + (pw - 1) t)(1 - sigmoid(x))
            log_weight = (pos_weight - 1) * target + 1
            grad_x = ((1 - target) - log_weight * (1 - ops.sigmoid(x))) * r
        grad_target = None
        if need_target:  # -x + (pw - 1) log(1 + e^-x)
            slope = -x if pos_weight is None else (pos_weight - 1) * _softplus_neg(x) - x
            grad_target = slope * r
        return grad_x, grad_target, None, None


def _broadcasts_to(t: Tensor, shape: tuple, name: str, op: str) -> None:
    try:
        fits = backend.numpy.broadcast_shapes(t.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{op}: {name} of shape {t.shape} must broadcast to the input's shape {shape}"
        )


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(input) against target in [0, 1], computed from logits.

    Stable for any logit (no exp overflow): loss = (1 - t) x + lw * log(1 + e^-x) with
    lw = 1 + (pos_weight - 1) t. Shapes: input and target the same shape; weight and
    pos_weight broadcast to it (pos_weight of shape (C,) weights the classes of the last dim).

    >>> binary_cross_entropy_with_logits(mg.tensor([1.0]), mg.tensor([1.0]))
    tensor(0.3133)
    """
    op = "binary_cross_entropy_with_logits"
    reduction = _reduction(reduction, size_average, reduce, op)
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
            _broadcasts_to(t, input.shape, name, op)
    input, target = ops.cast(input, dtype), ops.cast(target, dtype)
    return BinaryCrossEntropyWithLogits.apply(
        input, target, _constant(weight, dtype), _constant(pos_weight, dtype),
        reduction=reduction,
    )  # fmt: skip


# ----- mean squared error and one_hot ----------------------------------------------------------
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean (or sum) of the squared differences (input - target)^2.

    With `weight` (the input's shape), 'mean' divides by sum(weight). Built from small ops,
    so it is differentiable to any order.

    >>> mse_loss(mg.tensor([1.0, 3.0]), mg.tensor([0.0, 0.0]))
    tensor(5.)
    """
    op = "mse_loss"
    _require_tensor(input, "input", op)
    _require_tensor(target, "target", op)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=2,
        )
    reduction = _reduction(reduction, size_average, reduce, op)
    diff = input - target
    if not dtypes.is_floating(diff.dtype):
        raise DTypeError(f"{op}: input or target must be floating point, got {input.dtype}")
    squared = diff * diff
    if weight is not None:
        _require_tensor(weight, "weight", op)
        if weight.shape != input.shape:
            raise ShapeError(
                f"{op}: weight must have the input's shape {input.shape}, got {weight.shape}"
            )
        squared = squared * weight
        if reduction == "mean":
            return ops.sum(squared) / ops.sum(weight)
    if reduction == "none":
        return squared
    if reduction == "sum":
        return ops.sum(squared)
    if squared.numel() == 0:
        return ops.sum(squared) * math.nan
    return ops.mean(squared)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 class indices of shape (*) -> int64 one-hot rows of shape (*, num_classes).

    num_classes=-1 means max(tensor) + 1.

    >>> one_hot(mg.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    _require_tensor(tensor, "tensor", "one_hot")
    if tensor.dtype != dtypes.int64:
        raise DTypeError(f"one_hot: expected an int64 index tensor, got {tensor.dtype}")
    data = tensor.data
    xp = backend.xp_of(data)
    if num_classes == -1:
        if data.size == 0:
            raise ValueError(
                "one_hot: cannot infer num_classes from an empty tensor; pass num_classes"
            )
        num_classes = int(data.max()) + 1
    if data.size:
        low, high = int(data.min()), int(data.max())
        if low < 0:
            raise IndexError(f"one_hot: class values must be non-negative, got {low}")
        if high >= num_classes:
            raise IndexError(
                f"one_hot: class values must be smaller than num_classes={num_classes}, got {high}"
            )
    elif num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be -1 or >= 0, got {num_classes}")
    out = (data[..., None] == xp.arange(num_classes)).astype(dtypes.int64)
    return Tensor._make(out, False)
