"""`layer_norm` and `rms_norm`: each sample normalized over its last dims (normalized_shape).

layer_norm standardizes each row of x, seen as (rows, n) with n = prod(normalized_shape),
with the row's own mean and (biased) variance: x_hat = (x - mean) * rstd, rstd = 1 /
sqrt(var + eps), y = x_hat * weight + bias. With d = g * weight its backward is the closed
form of batch norm's (_norm.py), the means taken over each row:

    dL/dx = (d - mean(d) - x_hat * mean(d * x_hat)) * rstd,
    dL/dweight = sum over rows of g * x_hat,      dL/dbias = sum over rows of g

rms_norm only rescales by the root mean square, 1 / sqrt(mean(x^2) + eps); with
x_hat = x / rms and d = g * weight its backward is the closed form

    dL/dx = (d - x_hat * mean(d * x_hat)) / rms,      dL/dweight = sum(g * x_hat)

Both are written with ops that take arrays or Tensors, recomputing x_hat from the input under
create_graph, so the engine differentiates the backward again.
"""

from __future__ import annotations

import math

from ... import backend, dtypes, ops
from ...autograd.engine import Function
from ...errors import OptionError, ShapeError, _described, as_int, as_number
from ...tensor import Tensor
from ._common import _require_float, _require_tensor
from ._spatial import same_dtype


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) var over the last
    len(normalized_shape) dims of input, which must equal normalized_shape; weight and bias
    have shape normalized_shape. One tape entry.

    >>> F.layer_norm(mg.tensor([[1.0, 3.0]]), (2,)).tolist()
    [[-0.9999949932098389, 0.9999949932098389]]
    """
    shape, axes, eps = _check("layer_norm", input, normalized_shape, eps, weight=weight, bias=bias)
    rows = (math.prod(input.shape[: axes[0]]), math.prod(shape))
    return LayerNorm.apply(input, weight, bias, rows=rows, eps=eps)


class LayerNorm(Function):
    """x_hat * weight + bias, x_hat each row of x (seen as `rows`, (count, n)) standardized.

    `_layer_norm_grads` is the backward as the module docstring writes it, in ops (it runs under
    create_graph); on arrays the same formula runs in place in two (count, n) arrays instead of
    seven, and forward in the two it returns and keeps, with each row's mean taken by BLAS
    (`_row_mean`). Each (768, 128) float32 array numpy makes costs page faults as well as a
    pass. Measured against batch norm's composed entry (Normalize, _norm.py), which layer norm
    used before, forward + backward at the GPT's (12, 64, 128) with a weight (CPU time, one
    BLAS thread, interleaved in one process; docs/performance.md): 1.3x faster (2.84 to 2.20
    ms).
    """

    def forward(self, x, weight, bias, rows, eps):
        self.rows, self.eps = rows, eps
        xp = backend.xp_of(x)
        a = (x.astype(dtypes.float32) if x.dtype == dtypes.float16 else x).reshape(rows)
        self.xhat = xhat = a - _row_mean(a)  # centred, then scaled in place
        y = xhat * xhat
        self.rstd = 1 / xp.sqrt(_row_mean(y) + eps)
        xhat *= self.rstd
        if weight is None:
            xp.copyto(y, xhat)
        else:
            xp.multiply(xhat, weight.reshape(rows[1]), out=y)
        if bias is not None:
            y += bias.reshape(rows[1])
        return y.reshape(x.shape).astype(x.dtype, copy=False)

    def backward(self, g, x, weight, bias):
        rows, n = self.rows, self.rows[1]
        need_x, need_w, need_b = self.needs_input_grad
        if not backend.is_array(g):  # create_graph: x_hat as a function of x
            xhat, rstd = _standardize_rows(ops.reshape(x, rows), self.eps)
            return _layer_norm_grads(ops.reshape(g, rows), x, weight, bias, xhat, rstd)
        xp, xhat = backend.xp_of(g), self.xhat
        g = g.reshape(rows)
        grad_x = grad_w = grad_b = None
        scratch = g * xhat
        if need_w:
            grad_w = scratch.sum(axis=0).reshape(weight.shape)
        if need_b:
            grad_b = g.sum(axis=0).reshape(bias.shape)
        if need_x:
            d = g.copy() if weight is None else g * weight.reshape(n)
            xp.multiply(d, xhat, out=scratch)
            mean_dh = _row_mean(scratch)
            d -= _row_mean(d)
            d -= xp.multiply(xhat, mean_dh, out=scratch)
            d *= self.rstd
            grad_x = d.reshape(x.shape)
        return grad_x, grad_w, grad_b


def _layer_norm_grads(g, x, weight, bias, xhat, rstd):
    """layer norm's closed-form backward, with ops: g, x_hat (count, n), rstd (count, 1)."""
    n = xhat.shape[1]
    grad_x = grad_w = grad_b = None
    if weight is not None and weight.requires_grad:
        grad_w = ops.reshape(ops.sum_to(g * xhat, (n,)), weight.shape)
    if bias is not None and bias.requires_grad:
        grad_b = ops.reshape(ops.sum_to(g, (n,)), bias.shape)
    if x.requires_grad:
        d = g if weight is None else g * ops.reshape(weight, (n,))
        d = (d - _row_mean(d) - xhat * _row_mean(d * xhat)) * rstd
        grad_x = ops.reshape(d, x.shape)
    return grad_x, grad_w, grad_b


def _standardize_rows(a, eps: float):
    """(x_hat, 1 / sqrt(var + eps)) of each row of a (count, n), with ops (Tensors)."""
    centred = a - _row_mean(a)
    rstd = 1 / ops.elementwise.sqrt(_row_mean(centred * centred) + eps)
    return centred * rstd, rstd


def _row_mean(a):
    """The mean of each row of a (count, n), as a (count, 1) column. Arrays: a matrix-vector
    product with a column of ones, which BLAS does about 8x faster than numpy sums a short
    last axis (768 rows of 128: 14 us against 110 us; layer norm takes four such means)."""
    n = max(a.shape[1], 1)  # (an empty row's mean is never used: its x_hat is empty)
    if backend.is_array(a):
        return a @ backend.xp_of(a).ones((a.shape[1], 1), a.dtype) / n
    return ops.sum(a, (1,), keepdim=True) / n


class RmsNorm(Function):
    """x / sqrt(mean(x^2) + eps) * weight, the mean over `axes` (the last dims)."""

    def forward(self, x, weight, axes, eps):
        self.axes, self.eps = axes, eps
        wide = x.astype(dtypes.float32) if x.dtype == dtypes.float16 else x
        self.xhat, self.rstd = _rescale(wide, axes, eps)
        y = self.xhat if weight is None else self.xhat * weight
        return y.astype(x.dtype, copy=False)

    def backward(self, g, x, weight):
        xhat, rstd = self.xhat, self.rstd
        if not backend.is_array(g):  # create_graph: x_hat as a function of x
            xhat, rstd = _rescale(x, self.axes, self.eps)
        need_x, need_w = self.needs_input_grad
        grad_x = grad_w = None
        if need_w:
            grad_w = ops.sum_to(g * xhat, tuple(weight.shape))
        if need_x:
            d = g if weight is None else g * weight
            d = d - xhat * ops.mean(d * xhat, self.axes, keepdim=True)
            grad_x = d * rstd
        return grad_x, grad_w


def _rescale(x, axes: tuple, eps: float):
    """(x / rms, 1 / rms) with rms = sqrt(mean(x^2) + eps) over axes (arrays or Tensors)."""
    rstd = 1 / ops.elementwise.sqrt(ops.mean(x * x, axes, keepdim=True) + eps)
    return x * rstd, rstd


def rms_norm(
    input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None
) -> Tensor:
    """x / sqrt(mean(x^2) + eps) * weight, the mean over the last len(normalized_shape) dims;
    eps None is the machine epsilon of input's dtype (torch.finfo(dtype).eps). One tape entry.

    >>> F.rms_norm(mg.tensor([[3.0, 4.0]]), (2,)).tolist()
    [[0.8485281467437744, 1.1313709020614624]]
    """
    if eps is None and isinstance(input, Tensor) and dtypes.is_floating(input.dtype):
        eps = _EPSILON.get(input.dtype, _EPSILON[dtypes.float32])
    _, axes, eps = _check("rms_norm", input, normalized_shape, eps, weight=weight)
    return RmsNorm.apply(input, weight, axes=axes, eps=eps)


# torch.finfo(dtype).eps: the distance from 1.0 to the next number
_EPSILON = {dtypes.float16: 2.0**-10, dtypes.float32: 2.0**-23, dtypes.float64: 2.0**-52}


def normalized_shape_arg(normalized_shape, op: str) -> tuple[int, ...]:
    """normalized_shape as a tuple of sizes: an int or a sequence of ints (shared with the
    modules, which check it at construction)."""
    if isinstance(normalized_shape, (list, tuple)) or type(normalized_shape).__name__ == "Size":
        shape = tuple(as_int(n, "normalized_shape", op) for n in normalized_shape)
    else:
        try:
            shape = (as_int(normalized_shape, "normalized_shape", op),)
        except TypeError:
            raise TypeError(
                f"{op}: normalized_shape must be an int or a sequence of ints, got "
                f"{_described(normalized_shape)}"
            ) from None
    if any(n < 0 for n in shape):
        raise OptionError(f"{op}: normalized_shape must be non-negative sizes, got {shape}")
    return shape


def _check(op: str, input, normalized_shape, eps, **params) -> tuple:
    """(normalized_shape, the axes it covers, eps), each checked, and the params' shapes."""
    _require_tensor(input, "input", op)
    _require_float(input, "input", op)
    shape = normalized_shape_arg(normalized_shape, op)
    if not shape or input.shape[input.ndim - len(shape) :] != shape or input.ndim < len(shape):
        raise ShapeError(
            f"{op}: Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}"
        )
    same_dtype(op, input, **params)
    for name, t in params.items():
        if t is not None and t.shape != shape:
            raise ShapeError(
                f"{op}: {name} must have shape normalized_shape {shape}, got {t.shape}"
            )
    eps = as_number(eps, "eps", op)
    if not eps >= 0 or math.isinf(eps):
        raise OptionError(f"{op}: eps must be a finite number >= 0, got {eps}")
    return shape, tuple(range(input.ndim - len(shape), input.ndim)), eps
