"""Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose1d`, `ConvTranspose2d` (PyTorch's
arguments, defaults, initialisation and repr). The computation is `F.conv2d` and friends
(nn/functional/_conv.py explains it)."""

from __future__ import annotations

import math

from .. import creation
from ..errors import as_int, as_size
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional._conv import conv_padding
from .functional._spatial import ntuple
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, initialisation, repr."""

    dims = 2
    transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
        output_padding=0,
    ):
        super().__init__()
        op, n = type(self).__name__, self.dims
        self.in_channels = as_size(in_channels, "in_channels", op)
        self.out_channels = as_size(out_channels, "out_channels", op)
        self.groups = as_int(groups, "groups", op)
        if self.groups <= 0:
            raise ValueError(f"{op}: groups must be a positive integer, got {self.groups}")
        if self.in_channels % self.groups:
            raise ValueError(f"{op}: in_channels must be divisible by groups")
        if self.out_channels % self.groups:
            raise ValueError(f"{op}: out_channels must be divisible by groups")
        self.kernel_size = ntuple(kernel_size, n, "kernel_size", op, minimum=1)
        self.stride = ntuple(stride, n, "stride", op, minimum=1)
        self.dilation = ntuple(dilation, n, "dilation", op, minimum=1)
        self.output_padding = ntuple(output_padding, n, "output_padding", op)
        self.padding = self._padding(padding, op)
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"{op}: padding_mode must be one of {list(PADDING_MODES)}, but got "
                f"padding_mode={padding_mode!r}"
            )
        if self.transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {op}')
        self.padding_mode = padding_mode
        # F.pad's widths (last dim first) for the non-zeros padding modes
        pairs = conv_padding(self.padding, self.kernel_size, self.stride, self.dilation, op)
        self._reversed_padding_repeated_twice = tuple(v for pair in reversed(pairs) for v in pair)
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups)
        else:
            shape = (self.out_channels, self.in_channels // self.groups)
        self.weight = Parameter(
            creation.empty(*shape, *self.kernel_size, dtype=dtype, device=device)
        )
        if bias:
            self.bias = Parameter(creation.empty(self.out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _padding(self, padding, op: str):
        if isinstance(padding, str) and not self.transposed:
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"{op}: invalid padding string {padding!r}, should be one of "
                    "{'valid', 'same'}"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
            return padding
        return ntuple(padding, self.dims, "padding", op)

    def reset_parameters(self) -> None:
        """Kaiming-uniform weights (a=sqrt(5)) and a bias from U(-1/sqrt(fan_in),
        1/sqrt(fan_in)), as PyTorch initialises them."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        n = self.dims
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * n:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ):
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )

    def forward(self, input: Tensor) -> Tensor:
        """(N, C_in, *size) or (C_in, *size) -> (N, C_out, *out)."""
        conv = F.conv1d if self.dims == 1 else F.conv2d
        if self.padding_mode != "zeros":
            input = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class Conv1d(_Conv):
    """A 1-d convolution layer: (N, C_in, L) -> (N, C_out, L_out); see Conv2d.

    >>> Conv1d(2, 4, 3, padding="same")(mg.zeros(8, 2, 10)).shape
    Size([8, 4, 10])
    """

    dims = 1


class Conv2d(_Conv):
    """A 2-d convolution layer: weight (out_channels, in_channels/groups, kh, kw), bias
    (out_channels,); (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, Ho, Wo) (see F.conv2d for
    stride, padding, dilation, groups). padding_mode 'reflect', 'replicate' or 'circular' pads
    with F.pad first. Weights are Kaiming-uniform with a=sqrt(5), the bias
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels/groups * kh * kw, as in PyTorch.

    >>> Conv2d(1, 6, 5)(mg.zeros(64, 1, 28, 28)).shape
    Size([64, 6, 24, 24])
    """

    dims = 2


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups: int = 1,
        bias: bool = True,
        dilation=1,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ):
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            output_padding,
        )

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        """(N, C_in, *size) -> (N, C_out, *out); output_size (the last dims of a shape) picks
        among the sizes a stride allows, instead of output_padding."""
        extra = self._output_padding(input, output_size)
        conv = F.conv_transpose1d if self.dims == 1 else F.conv_transpose2d
        return conv(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            extra,
            self.groups,
            self.dilation,
        )

    def _output_padding(self, input, output_size) -> tuple:
        if output_size is None:
            return self.output_padding
        n, op = self.dims, type(self).__name__
        sizes = [as_int(s, "output_size", op) for s in output_size]
        if len(sizes) not in (n, n + 1, n + 2):
            raise ValueError(
                f"{op}: output_size must have {n} or {n + 2} elements (got {len(sizes)})"
            )
        sizes = sizes[-n:]
        spatial = input.shape[-n:]
        extra = []
        for d in range(n):
            low = (
                (spatial[d] - 1) * self.stride[d]
                - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1)
                + 1
            )
            high = low + self.stride[d] - 1
            if not low <= sizes[d] <= high:
                raise ValueError(
                    f"{op}: requested an output size of {sizes}, but valid sizes range from "
                    f"{low} to {high} in dim {d} (for an input of {list(spatial)})"
                )
            extra.append(sizes[d] - low)
        return tuple(extra)


class ConvTranspose1d(_ConvTranspose):
    """A 1-d transposed convolution layer; see ConvTranspose2d."""

    dims = 1


class ConvTranspose2d(_ConvTranspose):
    """A 2-d transposed convolution layer (the gradient of Conv2d as a layer): weight
    (in_channels, out_channels/groups, kh, kw); (N, C_in, H, W) -> (N, C_out, Ho, Wo), Ho =
    (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1.

    >>> ConvTranspose2d(4, 2, 3, stride=2, output_padding=1)(mg.zeros(1, 4, 5, 5)).shape
    Size([1, 2, 12, 12])
    """

    dims = 2
