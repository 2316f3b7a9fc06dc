"""`LayerNorm` and `RMSNorm`: each sample normalized over its last dims (normalized_shape)."""

from __future__ import annotations

from .. import creation
from ..errors import as_number, check_bool
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional._normalization import normalized_shape_arg
from .module import Module, Parameter

__all__ = ["LayerNorm", "RMSNorm"]


class LayerNorm(Module):
    """(x - mean) / sqrt(var + eps) * weight + bias over the last dims, normalized_shape
    (an int or a tuple); weight starts at ones and bias at zeros. elementwise_affine=False
    has neither; bias=False only the weight (nanoGPT's choice).

    >>> LayerNorm(128)(mg.randn(12, 64, 128)).shape
    Size([12, 64, 128])
    """

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-05,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        op = "LayerNorm"
        self.normalized_shape = normalized_shape_arg(normalized_shape, op)
        self.eps = as_number(eps, "eps", op)
        self.elementwise_affine = check_bool(elementwise_affine, "elementwise_affine", op)
        shape = self.normalized_shape
        if self.elementwise_affine:
            self.weight = Parameter(creation.empty(*shape, dtype=dtype, device=device))
            if check_bool(bias, "bias", op):
                self.bias = Parameter(creation.empty(*shape, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight to ones, bias to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """Same shape as input, whose last dims must be normalized_shape."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        text = (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
        return text + (", bias=False" if self.elementwise_affine and self.bias is None else "")


class RMSNorm(Module):
    """x / sqrt(mean(x^2) + eps) * weight over the last dims, normalized_shape; weight
    starts at ones. eps=None is the machine epsilon of the input's dtype.

    >>> RMSNorm(4)(mg.ones(2, 4)).shape
    Size([2, 4])
    """

    def __init__(
        self,
        normalized_shape,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        op = "RMSNorm"
        self.normalized_shape = normalized_shape_arg(normalized_shape, op)
        self.eps = None if eps is None else as_number(eps, "eps", op)
        self.elementwise_affine = check_bool(elementwise_affine, "elementwise_affine", op)
        if self.elementwise_affine:
            shape = self.normalized_shape
            self.weight = Parameter(creation.empty(*shape, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight to ones."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        """Same shape as x, whose last dims must be normalized_shape."""
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
