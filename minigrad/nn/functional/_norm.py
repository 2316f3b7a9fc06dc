"""Normalization: `batch_norm`, `instance_norm`, `group_norm` (one tape entry each), and
`dropout2d`.

All three standardize x over some axes, then scale and shift each channel:

    y = (x - mean) / sqrt(var + eps) * weight + bias      (var biased: divided by n)

batch norm over (N, *spatial) per channel, instance norm over *spatial per sample and
channel, group norm over (C/G, *spatial) per sample and group of channels (x viewed as
(N, G, C/G * spatial)). With x_hat the standardized x and d = dL/dx_hat = g * weight, the
backward is the closed form

    dL/dx = (d - mean(d) - x_hat * mean(d * x_hat)) / sqrt(var + eps)      (means over the axes)
    dL/dweight = sum(g * x_hat),  dL/dbias = sum(g)                          (per channel)

written with ops that take arrays or Tensors: under create_graph it recomputes x_hat from the
input Tensor, so the engine differentiates it again. With given statistics (batch norm in
eval mode: the running mean and variance) mean and var are constants, and dL/dx = d / sqrt(var
+ eps). The running statistics are updated in place, with the unbiased variance (n / (n - 1)),
as in PyTorch.
"""

from __future__ import annotations

import math
import warnings

from ... import backend, dtypes, functions, ops
from ...autograd.engine import Function
from ...errors import OptionError, ShapeError, as_int, as_number, check_bool
from ...tensor import Tensor
from ._activations import Dropout, dropout_mask, dropout_probability
from ._common import _require_float, _require_tensor
from ._spatial import same_dtype

__all__ = ["batch_norm", "dropout2d", "group_norm", "instance_norm"]


class Normalize(Function):
    """y = (x - mean) * rstd * weight + bias; statistics over `axes` of x viewed as `view`,
    weight and bias broadcast as `affine`. `stats` holds mean and var, stacked: the batch's
    (`batch_stats`, its gradient flows through them) or given constants."""

    def forward(self, x, weight, bias, view, axes, affine, eps, stats, batch_stats):
        mean, var = stats  # (Moments' output, or the running statistics stacked)
        self.params = (view, axes, affine, eps, mean, batch_stats)
        xp = backend.xp_of(x)
        rstd = 1 / xp.sqrt(var + eps)  # (float32 for float16, as the statistics)
        self.xhat = ((x.reshape(view) - mean) * rstd).astype(x.dtype).reshape(x.shape)
        self.rstd = rstd.astype(x.dtype, copy=False)  # what backward multiplies by
        y = self.xhat if weight is None else self.xhat * weight.reshape(affine)
        return y if bias is None else y + bias.reshape(affine)

    def backward(self, g, x, weight, bias):
        view, axes, affine, eps, mean, batch_stats = self.params
        need_x, need_w, need_b = self.needs_input_grad
        xhat, rstd = self.xhat, self.rstd
        if not backend.is_array(g) and batch_stats:  # create_graph: x_hat as a function of x
            xhat, rstd = _standardize(ops.reshape(x, view), axes, eps)
            xhat = ops.reshape(xhat, x.shape)
        elif not backend.is_array(g):  # constant statistics: x_hat is affine in x
            xhat = ops.reshape((ops.reshape(x, view) - mean) * rstd, x.shape)
        grad_x = grad_w = grad_b = None
        if need_w:
            grad_w = ops.reshape(ops.sum_to(g * xhat, affine), weight.shape)
        if need_b:
            grad_b = ops.reshape(ops.sum_to(g, affine), bias.shape)
        if need_x:
            d = g if weight is None else g * ops.reshape(weight, affine)
            d = ops.reshape(d, view)
            if batch_stats:
                h = ops.reshape(xhat, view)
                mean_d = ops.mean(d, axes, keepdim=True)
                d = d - mean_d - h * ops.mean(d * h, axes, keepdim=True)
            grad_x = ops.reshape(d * rstd, x.shape)
        return grad_x, grad_w, grad_b


def _standardize(xv, axes: tuple, eps: float):
    """(x_hat, 1 / sqrt(var + eps)) over axes, with ops (arrays or Tensors)."""
    centred = xv - ops.mean(xv, axes, keepdim=True)
    rstd = 1 / ops.elementwise.sqrt(ops.mean(centred * centred, axes, keepdim=True) + eps)
    return centred * rstd, rstd


class Moments(Function):
    """(mean, biased var) of x over `axes`, each with size-1 dims kept, stacked on a new first
    dim (float32 for float16 x). An op, so that mg.compile records the statistics; not
    differentiable: Normalize carries the gradient through the batch's statistics itself."""

    differentiable = False

    def forward(self, x, axes):
        return backend.xp_of(x).stack(_moments(x, axes))


def _moments(x, axes: tuple):
    """(mean, biased var) of an array over axes, kept as size-1 dims; float32 for float16."""
    wide = x.astype(dtypes.float32) if x.dtype == dtypes.float16 else x
    mean = wide.mean(axis=axes, keepdims=True)
    centred = wide - mean
    return mean, (centred * centred).mean(axis=axes, keepdims=True)


def _update(running: Tensor, batch: Tensor, momentum: float) -> None:
    """running = (1 - momentum) running + momentum batch, in place (not on the tape; written
    with tensor ops, so that mg.compile replays the writes)."""
    running.mul_(1 - momentum)
    running.add_(batch.reshape(running.shape).to(running.dtype) * momentum)


def _running_stats(running_mean: Tensor, running_var: Tensor, affine: tuple) -> Tensor:
    """The running statistics as Normalize takes them: stacked, each shaped `affine`."""
    return functions.stack((running_mean.reshape(affine), running_var.reshape(affine)))


def _check_vector(t, name: str, channels: int, op: str) -> None:
    if t is not None and (t.ndim != 1 or t.shape[0] != channels):
        raise ShapeError(
            f"{op}: {name} should contain {channels} elements not {t.numel()} (shape {t.shape})"
        )


def _check_args(op: str, input, channels: int, momentum, eps, **vectors) -> tuple:
    same_dtype(op, input, **vectors)
    for name, t in vectors.items():
        _check_vector(t, name, channels, op)
    eps = as_number(eps, "eps", op)
    if not eps >= 0:
        raise OptionError(f"{op}: eps must be >= 0, got {eps}")
    return as_number(momentum, "momentum", op), eps


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Batch normalization of input (N, C, *): each channel standardized over the batch and
    spatial dims (training) or with running_mean/running_var (eval), then weight * . + bias.
    In training, running_mean and running_var (if given) move towards the batch's mean and
    unbiased variance by `momentum`, in place.

    >>> batch_norm(mg.tensor([[1.0], [3.0]]), None, None, training=True, eps=0.0).tolist()
    [[-1.0], [1.0]]
    """
    _require_tensor(input, "input", "batch_norm")
    _require_float(input, "input", "batch_norm")
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected input (N, C, *), got shape {input.shape}")
    if (running_mean is None) != (running_var is None):
        raise ValueError(
            "batch_norm: running_mean and running_var must either both be None or neither be None"
        )
    channels = input.shape[1]
    momentum, eps = _check_args(
        "batch_norm",
        input,
        channels,
        momentum,
        eps,
        running_mean=running_mean,
        running_var=running_var,
        weight=weight,
        bias=bias,
    )
    axes = (0, *range(2, input.ndim))
    affine = (channels,) + (1,) * (input.ndim - 2)
    if check_bool(training, "training", "batch_norm"):
        count = input.numel() // max(channels, 1)
        if count <= 1:
            raise ValueError(
                "batch_norm: expected more than 1 value per channel when training, got input "
                f"size {input.shape}"
            )
        stats = Moments.apply(input, axes=axes)
        if running_mean is not None:
            _update(running_mean, stats[0], momentum)
            _update(running_var, stats[1] * (count / (count - 1)), momentum)
    elif running_mean is None:
        raise RuntimeError("batch_norm: running_mean must be defined in evaluation mode")
    else:
        stats = _running_stats(running_mean, running_var, affine)
    return Normalize.apply(
        input,
        weight,
        bias,
        view=input.shape,
        axes=axes,
        affine=affine,
        eps=eps,
        stats=stats.array,
        batch_stats=training,
    )


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Instance normalization of input (N, C, *): each sample's channel standardized over its
    spatial dims (use_input_stats), or with the running statistics (which, when given, move
    towards the batch's average of the per-instance statistics)."""
    op = "instance_norm"
    _require_tensor(input, "input", op)
    _require_float(input, "input", op)
    if input.ndim < 3:
        raise ShapeError(f"{op}: expected input (N, C, *spatial), got shape {input.shape}")
    channels = input.shape[1]
    momentum, eps = _check_args(
        op,
        input,
        channels,
        momentum,
        eps,
        running_mean=running_mean,
        running_var=running_var,
        weight=weight,
        bias=bias,
    )
    axes = tuple(range(2, input.ndim))
    affine = (channels,) + (1,) * (input.ndim - 2)
    if check_bool(use_input_stats, "use_input_stats", op):
        count = math.prod(input.shape[2:])
        if count <= 1:
            raise ValueError(
                f"{op}: expected more than 1 spatial element when training, got input size "
                f"{input.shape}"
            )
        stats = Moments.apply(input, axes=axes)
        if running_mean is not None and running_var is not None:
            _update(running_mean, stats[0].mean(dim=0), momentum)
            _update(running_var, (stats[1] * (count / (count - 1))).mean(dim=0), momentum)
    elif running_mean is None or running_var is None:
        raise RuntimeError(f"{op}: running_mean and running_var are needed without input stats")
    else:
        stats = _running_stats(running_mean, running_var, affine)
    return Normalize.apply(
        input,
        weight,
        bias,
        view=input.shape,
        axes=axes,
        affine=affine,
        eps=eps,
        stats=stats.array,
        batch_stats=use_input_stats,
    )


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Group normalization of input (N, C, *): the C channels in num_groups groups, each
    sample's group standardized over its channels and spatial dims, then a per-channel
    weight * . + bias."""
    op = "group_norm"
    _require_tensor(input, "input", op)
    _require_float(input, "input", op)
    if input.ndim < 2:
        raise ShapeError(f"{op}: expected at least 2 dimensions for input, got {input.ndim}")
    groups = as_int(num_groups, "num_groups", op)
    channels = input.shape[1]
    if groups < 1 or channels % groups:
        raise ShapeError(
            f"{op}: expected number of channels in input to be divisible by num_groups, but "
            f"got input of shape {list(input.shape)} and num_groups={groups}"
        )
    _, eps = _check_args(op, input, channels, 0.0, eps, weight=weight, bias=bias)
    if input.shape[0] * channels // groups * math.prod(input.shape[2:]) == 1:  # (PyTorch's rule)
        raise ValueError(
            f"{op}: expected more than 1 value per channel when training, got input size "
            f"{list(input.shape)}"
        )
    view = (input.shape[0], groups, math.prod(input.shape[1:]) // groups)
    stats = Moments.apply(input.reshape(view), axes=(2,))
    affine = (channels,) + (1,) * (input.ndim - 2)
    return Normalize.apply(
        input,
        weight,
        bias,
        view=view,
        axes=(2,),
        affine=affine,
        eps=eps,
        stats=stats.array,
        batch_stats=True,
    )


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels: each (sample, channel) of input (N, C, H, W) or (C, H, W) is kept
    with probability 1 - p (and scaled by 1 / (1 - p)) or zeroed entirely. A 3D input is read
    as (N, C, L), with PyTorch's warning; other ranks drop channels of (N, C, *) with a
    warning, as PyTorch does."""
    _require_tensor(input, "input", "dropout2d")
    p = dropout_probability(p, "dropout2d")
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    elif input.ndim != 4:
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.ndim < 2:
        raise ShapeError(
            f"dropout2d: feature dropout requires at least 2 dimensions in the "
            f"input, got shape {input.shape}"
        )
    if not check_bool(training, "training", "dropout2d") or p == 0.0:
        return input
    _require_float(input, "input", "dropout2d")
    shape = input.shape[:2] + (1,) * (input.ndim - 2)
    return Dropout.apply(input, mask=dropout_mask(input, p, shape), p=p)
