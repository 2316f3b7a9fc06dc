"""`linear`: x @ W^T + b as one fused tape entry, its forward and backward side by side."""

from __future__ import annotations

import math

from ... import backend
from ...autograd.engine import Function
from ...errors import DTypeError, ShapeError
from ...tensor import Tensor
from ._common import _broadcasts_to, _require_tensor


class Linear(Function):
    """y = x W^T + b in one entry: x (*, in), W (out, in) or (in,), b broadcast to y."""

    def forward(self, x, weight, bias):
        rows = _rows(x) if x.ndim > 2 else x  # one GEMM, not a batch of them
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
            rows_g = g2 if g2.ndim == 2 else _rows(g2)
            rows_x = x if x.ndim == 2 else _rows(x)
            grad_w = rows_g.T @ rows_x
            if weight.ndim != 2:
                grad_w = grad_w.reshape(tuple(weight.shape))
        # dL/db = G, at the output's shape: b was broadcast over the batch, so the engine sums
        # the gradient back to b's shape, as it does for every input of every op
        grad_b = g if need_b else None
        return grad_x, grad_w, grad_b


def _rows(a):
    """(*, n) as a matrix (prod(*), n). (Not reshape(-1, n): with a size of 0 it is ambiguous,
    and a 1-D x is (n,), one row.)"""
    return a.reshape((math.prod(a.shape[:-1]), a.shape[-1]))


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, as one fused tape entry.

    Shapes: input (*, in_features); weight (out_features, in_features) or (in_features,);
    bias (out_features,) or anything that broadcasts to the output; output (*, out_features)
    (or (*) for a 1-D weight).

    >>> tuple(linear(mg.ones(2, 3), mg.ones(4, 3), mg.zeros(4)).shape)
    (2, 4)
    """
    if not _usual_linear(input, weight, bias):
        _check_linear(input, weight, bias)  # raises, unless the bias is unusual but broadcasts
    return Linear.apply(input, weight, bias)


def _usual_linear(x, weight, bias) -> bool:
    """The usual call, in two expressions: x (*, in), weight (out, in), bias (out,) or None,
    all Tensors of one dtype. (Checked first because it is cheaper than finding out why not.)"""
    if not (isinstance(x, Tensor) and isinstance(weight, Tensor)):
        return False
    x, w = x.array, weight.array
    usual_bias = bias is None or (
        isinstance(bias, Tensor) and bias.array.shape == w.shape[:1] and bias.array.dtype == x.dtype
    )
    return (
        x.ndim >= 1
        and w.ndim == 2
        and x.shape[-1] == w.shape[1]
        and x.dtype == w.dtype
        and usual_bias
    )


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
        if not _broadcasts_to(bias.shape, out_shape):
            raise ShapeError(
                f"linear: bias of shape {bias.shape} does not broadcast to the output shape "
                f"{out_shape} (expected shape (out_features,))"
            )
        if bias.dtype != input.dtype:
            raise DTypeError(
                f"linear: bias must have the input's dtype {input.dtype}, got {bias.dtype}"
            )
