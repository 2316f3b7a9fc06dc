"""Normalization layers: `BatchNorm1d/2d`, `InstanceNorm1d/2d`, `GroupNorm` (PyTorch's
arguments, buffers, state_dict keys and repr). The math is in nn/functional/_norm.py."""

from __future__ import annotations

import warnings

from .. import creation, dtypes
from ..autograd import grad_mode
from ..errors import as_number, as_size, check_bool
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d"]


class _NormBase(Module):
    """weight and bias (affine), running_mean, running_var and num_batches_tracked buffers
    (track_running_stats), as PyTorch's _NormBase holds them."""

    ranks: tuple = ()  # the input ranks the layer takes

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-05,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ):
        super().__init__()
        op = type(self).__name__
        self.num_features = as_size(num_features, "num_features", op)
        self.eps = as_number(eps, "eps", op)
        self.momentum = None if momentum is None else as_number(momentum, "momentum", op)
        self.affine = check_bool(affine, "affine", op)
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats", op)
        place = {"dtype": dtype, "device": device}
        if self.affine:
            self.weight = Parameter(creation.empty(self.num_features, **place))
        else:
            self.register_parameter("weight", None)
        if self.affine and bias:
            self.bias = Parameter(creation.empty(self.num_features, **place))
        else:
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", creation.zeros(self.num_features, **place))
            self.register_buffer("running_var", creation.ones(self.num_features, **place))
            self.register_buffer(
                "num_batches_tracked", creation.tensor(0, dtype=dtypes.int64, device=device)
            )
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """running_mean 0, running_var 1, num_batches_tracked 0."""
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        """The running statistics reset; weight 1 and bias 0."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{type(self).__name__}: input must be a Tensor, got {type(input).__name__}"
            )
        if input.ndim not in self.ranks:
            wanted = " or ".join(f"{r}D" for r in self.ranks)
            raise ValueError(f"expected {wanted} input (got {input.ndim}D input)")

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class _BatchNorm(_NormBase):
    def forward(self, input: Tensor) -> Tensor:
        """Normalized with the batch's statistics in training (the running ones move towards
        them), with the running statistics in eval mode."""
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)  # (a buffer: never on the tape; compiled, a write)
            if self.momentum is None:  # a cumulative average over all batches so far
                if grad_mode.state.recorder is not None:  # (the factor is read into Python)
                    grad_mode.state.recorder.unsupported(
                        "BatchNorm with momentum=None (its factor 1/num_batches_tracked is "
                        "read into Python)",
                        "give the layer a momentum to compile the step.",
                    )
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch = self.training or self.running_mean is None
        keep = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if keep else None,
            self.running_var if keep else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L), per channel: y = (x - mean) / sqrt(var +
    eps) * weight + bias, with the batch's mean and (biased) variance in training and the
    running ones in eval mode. The running statistics move by `momentum` each training step
    (None: their cumulative average), the variance unbiased; num_batches_tracked counts the
    steps. All three are buffers, saved in the state_dict.

    >>> list(BatchNorm1d(3).state_dict())
    ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W), per channel (over N, H and W); see BatchNorm1d."""

    ranks = (4,)


class _InstanceNorm(_NormBase):
    def __init__(
        self,
        num_features: int,
        eps: float = 1e-05,
        momentum: float = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ):
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def forward(self, input: Tensor) -> Tensor:
        """Each sample's channels normalized over their spatial dims (unbatched input too)."""
        self._check_input_dim(input)
        unbatched = input.ndim == self.ranks[0]
        channels = input.shape[0 if unbatched else 1]
        if channels != self.num_features:
            dim = 0 if unbatched else 1
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={dim} to match num_features "
                    f"({self.num_features}), but got: {channels}."
                )
            warnings.warn(
                f"input's size at dim={dim} does not match num_features. You can silence this "
                "warning by not passing in num_features, which is not used because affine=False",
                stacklevel=2,
            )
        x = input.unsqueeze(0) if unbatched else input
        out = F.instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0,
            self.eps,
        )
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or (C, L); see InstanceNorm2d."""

    ranks = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or (C, H, W): each sample's channel over H and
    W. No weights and no running statistics by default (affine, track_running_stats)."""

    ranks = (3, 4)


class GroupNorm(Module):
    """Group normalization of (N, C, *): each sample's channels in num_groups groups, each
    group standardized over its channels and positions, then a per-channel affine map."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-05,
        affine: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ):
        super().__init__()
        self.num_groups = as_size(num_groups, "num_groups", "GroupNorm")
        self.num_channels = as_size(num_channels, "num_channels", "GroupNorm")
        if self.num_groups == 0 or self.num_channels % self.num_groups:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.eps = as_number(eps, "eps", "GroupNorm")
        self.affine = check_bool(affine, "affine", "GroupNorm")
        place = {"dtype": dtype, "device": device}
        if self.affine:
            self.weight = Parameter(creation.ones(self.num_channels, **place))
        else:
            self.register_parameter("weight", None)
        if self.affine and bias:
            self.bias = Parameter(creation.zeros(self.num_channels, **place))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """weight 1, bias 0."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """Normalized per group; same shape."""
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )
