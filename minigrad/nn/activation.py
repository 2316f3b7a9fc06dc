"""Activation layers: each calls the function of the same name in nn.functional, with
PyTorch's arguments and repr. (`inplace` is accepted and ignored, as in nn.ReLU: minigrad
never overwrites a tensor that autograd may need.)"""

from __future__ import annotations

from .. import creation
from ..errors import as_number, as_size
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "SELU",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LeakyReLU",
    "Mish",
    "PReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "Softmax2d",
    "Softplus",
    "Tanh",
]
__all__ += ["GLU", "Hardshrink", "LogSigmoid", "Softmin", "Softshrink", "Softsign", "Tanhshrink"]
__all__ += ["Threshold"]


class _Activation(Module):
    """A parameter-free activation with an ignored `inplace` flag."""

    function = staticmethod(F.silu)

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """The activation, elementwise; same shape."""
        return self.function(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """tanh(x); same shape."""
        return F.tanh(input)


class Sigmoid(Module):
    """1 / (1 + e^-x), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """sigmoid(x); same shape."""
        return F.sigmoid(input)


class LeakyReLU(Module):
    """x for x > 0, else negative_slope * x.

    >>> LeakyReLU(0.2)
    LeakyReLU(negative_slope=0.2)
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = as_number(negative_slope, "negative_slope", "LeakyReLU")
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """leaky_relu(x); same shape."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x for x > 0, else alpha * (e^x - 1)."""

    function = staticmethod(F.elu)

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = as_number(alpha, "alpha", type(self).__name__)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """elu(x); same shape."""
        return self.function(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """x for x > 0, else alpha * (e^(x / alpha) - 1)."""

    function = staticmethod(F.celu)


class SELU(_Activation):
    """scale * elu(x, alpha) with the self-normalizing constants."""

    function = staticmethod(F.selu)


class GELU(Module):
    """x * Phi(x) (approximate='none', through erf) or its tanh approximation."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        """gelu(x); same shape."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Activation):
    """x * sigmoid(x)."""


class Mish(_Activation):
    """x * tanh(softplus(x))."""

    function = staticmethod(F.mish)


class Hardsigmoid(_Activation):
    """relu6(x + 3) / 6."""

    function = staticmethod(F.hardsigmoid)


class Hardswish(_Activation):
    """x * relu6(x + 3) / 6."""

    function = staticmethod(F.hardswish)


class Softplus(Module):
    """log(1 + e^(beta x)) / beta; x where beta * x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = as_number(beta, "beta", "Softplus")
        self.threshold = as_number(threshold, "threshold", "Softplus")

    def forward(self, input: Tensor) -> Tensor:
        """softplus(x); same shape."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x clipped to [min_val, max_val] (min_value/max_value: PyTorch's deprecated names)."""

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ):
        super().__init__()
        self.min_val = as_number(min_val if min_value is None else min_value, "min_val", "Hardtanh")
        self.max_val = as_number(max_val if max_value is None else max_value, "max_val", "Hardtanh")
        self.inplace = inplace
        if self.min_val > self.max_val:
            raise ValueError("Hardtanh: min_val cannot be greater than max_val")

    def forward(self, input: Tensor) -> Tensor:
        """hardtanh(x); same shape."""
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{inplace}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class PReLU(Module):
    """x for x > 0, else a * x with a learned: one a (num_parameters=1) or one per channel,
    each initialised to `init`."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = as_size(num_parameters, "num_parameters", "PReLU")
        self.init = as_number(init, "init", "PReLU")
        self.weight = Parameter(creation.empty(self.num_parameters, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight back to `init`."""
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        """prelu(x, weight); same shape."""
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmax2d(Module):
    """Softmax over the channels at every position: input (N, C, H, W) or (C, H, W)."""

    def forward(self, input: Tensor) -> Tensor:
        """softmax over dim -3; same shape."""
        if not isinstance(input, Tensor) or input.ndim not in (3, 4):
            given = f"{input.ndim}D" if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {given} instead")
        return F.softmax(input, -3)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class LogSigmoid(Module):
    """log(sigmoid(x))."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softmin(Module):
    """softmax(-x) along `dim`."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """a * sigmoid(b), a and b the halves of the input along `dim`."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else ""
        )


class Hardshrink(Module):
    """x where |x| > lambd, else 0."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """x - lambd above lambd, x + lambd below -lambd, else 0."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)
