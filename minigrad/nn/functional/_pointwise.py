"""The other activations, each one tape entry with its derivative beside it: `leaky_relu`,
`elu`, `selu`, `celu`, `gelu`, `silu`, `mish`, `softplus`, `hardtanh`, `relu6`,
`hardsigmoid`, `hardswish`, `prelu`, and `tanh`, `sigmoid` as in torch.nn.functional.

The backward formulas are written with ops that take arrays or Tensors (`where`, `exp`,
`sigmoid`, ...), so under create_graph the engine differentiates them again. Where an input
is at a kink (x = 0 for leaky_relu, the ends of hardtanh's range, ...) the gradient is
PyTorch's choice, said beside each.
"""

from __future__ import annotations

import math

from ... import backend, dtypes, functions, ops
from ...autograd.engine import Function
from ...errors import OptionError, ShapeError, as_number
from ...ops import elementwise as el  # (el.tanh, el.sigmoid: this module's own are F's)
from ...ops.elementwise import exp, where
from ...ops.special import Erfc, erfc_array
from ...tensor import Tensor
from ._common import _require_float, _require_tensor

__all__ = [
    "celu",
    "elu",
    "gelu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "leaky_relu",
    "mish",
    "prelu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softplus",
    "tanh",
]


def _float_input(input, op: str) -> None:
    _require_tensor(input, "input", op)
    _require_float(input, "input", op)


def _softplus(x, xp):
    """log(1 + e^x) without overflow (arrays)."""
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


class LeakyRelu(Function):
    def forward(self, x, slope):
        self.slope = slope
        return backend.xp_of(x).where(x > 0, x, x * slope)

    def backward(self, g, x):  # 1 for x > 0, else the slope (at 0 too, as PyTorch)
        return where(x > 0, g, g * self.slope)


class Elu(Function):
    """scale * (x if x > 0 else alpha (e^(x / c) - 1)): ELU (scale 1, c 1), SELU, CELU (c =
    alpha)."""

    def forward(self, x, alpha, scale, c):
        self.alpha, self.scale, self.c = alpha, scale, c
        xp = backend.xp_of(x)
        negative = xp.expm1(xp.minimum(x, 0) / c) * alpha
        return xp.where(x > 0, x, negative) * scale

    def backward(self, g, x):  # scale for x > 0, else scale alpha/c e^(x/c) (at 0 too)
        slope = exp(where(x > 0, 0.0, x) / self.c) * (self.scale * self.alpha / self.c)
        return where(x > 0, g * self.scale, g * slope)


class Gelu(Function):
    """x Phi(x) (Phi the normal CDF, through erf), or its tanh approximation
    0.5 x (1 + t), t = tanh(u), u = sqrt(2/pi) (x + 0.044715 x^3).

    The derivatives (`_gelu_derivative`) are Phi(x) + x phi(x), phi the normal density, and
    0.5 (1 + t) + 0.5 x (1 - t^2) du/dx. Forward keeps Phi(x) or t, the one costly function
    of x, so backward evaluates no erf or tanh again; on arrays both directions work in place
    in the arrays they make, two a call instead of about ten (at the GPT's (768, 512) a fresh
    array costs page faults as well as a pass). Measured forward + backward on that float32
    shape against the composed formulas this replaced (CPU time, one BLAS thread,
    interleaved in one process; docs/performance.md): tanh 1.8x faster (14.5 to 8.1 ms),
    erf 1.6x (80.8 to 49.5 ms).
    """

    def forward(self, x, approximate):
        self.approximate = approximate
        if approximate == "tanh":  # PyTorch's order of operations
            u = x * x
            u *= x
            u *= _K_KAPPA
            u += x
            u *= _K_BETA
            self.t = backend.xp_of(x).tanh(u, out=u)
            y = self.t + 1
            y *= 0.5  # (before x: 2 x would overflow near the largest float)
            y *= x
            return y
        # Phi(x) = (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2, which keeps its digits
        # where 1 + erf cancels (x < -3: in float32, 1 + erf(-5 / sqrt 2) has one digit left),
        # with x / sqrt 2 in float64: erfc's relative error is x^2 times its argument's.
        self.cdf = erfc_array(x.astype(dtypes.float64) * -_SQRT_HALF).astype(x.dtype)
        self.cdf *= 0.5
        return x * self.cdf

    def backward(self, g, x):
        if not backend.is_array(g):  # create_graph: in ops, which the engine differentiates
            return g * _gelu_derivative(x, self.approximate)
        xp = backend.xp_of(x)
        d = x * x
        if self.approximate == "tanh":
            t = self.t
            d *= 3 * _K_KAPPA
            d += 1
            d *= _K_BETA
            s = xp.subtract(1, t)  # (1 - t)(1 + t), not 1 - t^2: no cancellation near |t| = 1
            d *= s
            d *= xp.add(t, 1, out=s)
            d *= x  # (after a factor that is 0 where x^3 would overflow: 0, not inf * 0)
            d += s
            d *= 0.5
        else:
            d *= -0.5
            xp.exp(d, out=d)
            d *= x
            d *= _INV_SQRT_2PI  # x phi(x)
            d += self.cdf
        d *= g
        return d


def _gelu_derivative(x, approximate):
    """GELU's derivative in ops (Tensors under create_graph)."""
    if approximate == "tanh":  # PyTorch's formula, term for term
        t = el.tanh((x + x * x * x * _K_KAPPA) * _K_BETA)
        inner = (x * x * (3 * _K_KAPPA) + 1) * _K_BETA
        return (t + 1) * 0.5 + x * 0.5 * (1 - t * t) * inner
    return Erfc.apply(x * -_SQRT_HALF) * 0.5 + x * exp(x * x * -0.5) * _INV_SQRT_2PI


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_K_BETA = math.sqrt(2 / math.pi)
_K_KAPPA = 0.044715


class Silu(Function):
    def forward(self, x):
        return x * el.sigmoid(x)

    def backward(self, g, x):  # s (1 + x (1 - s)), s = sigmoid(x)
        s = el.sigmoid(x)
        return g * s * (x * (1 - s) + 1)


class Mish(Function):
    def forward(self, x):
        xp = backend.xp_of(x)
        return x * xp.tanh(_softplus(x, xp))

    def backward(self, g, x):  # tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2), sp = softplus(x)
        t = el.tanh(el.relu(x) + el.log(exp(-el.abs(x)) + 1))
        return g * (t + x * el.sigmoid(x) * (1 - t * t))


class Softplus(Function):
    def forward(self, x, beta, threshold):
        self.beta, self.threshold = beta, threshold
        xp = backend.xp_of(x)
        bx = x * beta
        return xp.where(bx > threshold, x, _softplus(bx, xp) / beta)

    def backward(self, g, x):  # sigmoid(beta x); 1 above the threshold, where it is x
        bx = x * self.beta
        return where(bx > self.threshold, g, g * el.sigmoid(bx))


class Hardtanh(Function):
    def forward(self, x, low, high):
        self.low, self.high = low, high
        return backend.xp_of(x).clip(x, low, high)

    def backward(self, g, x):  # 1 strictly inside (low, high), 0 at the ends (PyTorch's)
        return where((x > self.low) & (x < self.high), g, 0.0)


class Hardsigmoid(Function):
    def forward(self, x):
        return backend.xp_of(x).clip(x / 6 + 0.5, 0, 1)

    def backward(self, g, x):  # 1/6 strictly inside (-3, 3)
        return where((x > -3) & (x < 3), g / 6, 0.0)


class Hardswish(Function):
    def forward(self, x):
        return x * backend.xp_of(x).clip(x + 3, 0, 6) / 6

    def backward(self, g, x):  # 0 up to -3, x/3 + 1/2 strictly inside (-3, 3), 1 from 3 on
        return where(x <= -3, 0.0, where(x < 3, g * (x / 3 + 0.5), g))


class Prelu(Function):
    """x if x > 0 else weight x, weight broadcast as `shape` (one per channel, or one)."""

    def forward(self, x, weight, shape):
        self.shape = shape
        w = weight.reshape(shape)
        return backend.xp_of(x).where(x > 0, x, x * w)

    def backward(self, g, x, weight):
        w = ops.reshape(weight, self.shape)
        grad_w = ops.reshape(ops.sum_to(where(x > 0, 0.0, g * x), self.shape), weight.shape)
        return where(x > 0, g, g * w), grad_w


# ----- what users call ------------------------------------------------------------------------
def tanh(input: Tensor) -> Tensor:
    """tanh(x), elementwise (as mg.tanh)."""
    _require_tensor(input, "input", "tanh")
    return functions.tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-x), elementwise (as mg.sigmoid)."""
    _require_tensor(input, "input", "sigmoid")
    return functions.sigmoid(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, else negative_slope * x. (`inplace` is accepted and ignored, here and in
    the functions below, as in F.relu.)

    >>> leaky_relu(mg.tensor([-2.0, 3.0]), 0.5).tolist()
    [-1.0, 3.0]
    """
    _float_input(input, "leaky_relu")
    return LeakyRelu.apply(input, slope=as_number(negative_slope, "negative_slope", "leaky_relu"))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else alpha * (e^x - 1)."""
    _float_input(input, "elu")
    return Elu.apply(input, alpha=as_number(alpha, "alpha", "elu"), scale=1.0, c=1.0)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with SELU's constants (self-normalizing networks)."""
    _float_input(input, "selu")
    return Elu.apply(input, alpha=SELU_ALPHA, scale=SELU_SCALE, c=1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else alpha * (e^(x / alpha) - 1)."""
    _float_input(input, "celu")
    alpha = as_number(alpha, "alpha", "celu")
    if alpha == 0:
        raise OptionError("celu: ZeroDivisionError: alpha must not be 0 for CELU")
    return Elu.apply(input, alpha=alpha, scale=1.0, c=alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (exact, through erf), or with
    approximate='tanh' 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). Exact to float32
    rounding, the far left tail included: Phi(1) = 0.84134474607 rounds to the float32
    0.8413447738 (PyTorch's float32 kernel gives the one below it, 0.8413447142).

    >>> gelu(mg.tensor([0.0, 1.0])).tolist()
    [0.0, 0.8413447737693787]
    """
    _float_input(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (swish)."""
    _float_input(input, "silu")
    return Silu.apply(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    _float_input(input, "mish")
    return Mish.apply(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, a smooth relu; x itself where beta * x > threshold."""
    _float_input(input, "softplus")
    beta = as_number(beta, "beta", "softplus")
    if beta == 0:
        raise OptionError("softplus: beta must not be 0")
    return Softplus.apply(input, beta=beta, threshold=as_number(threshold, "threshold", "softplus"))


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 1 strictly inside, 0 at the ends."""
    _float_input(input, "hardtanh")
    low = as_number(min_val, "min_val", "hardtanh")
    high = as_number(max_val, "max_val", "hardtanh")
    if low > high:
        raise ValueError("hardtanh: min_val cannot be greater than max_val")
    return Hardtanh.apply(input, low=low, high=high)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh(x, 0, 6)."""
    _float_input(input, "relu6")
    return Hardtanh.apply(input, low=0.0, high=6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    _float_input(input, "hardsigmoid")
    return Hardsigmoid.apply(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    _float_input(input, "hardswish")
    return Hardswish.apply(input)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else weight * x, with one weight, or one per channel (dim 1; dim 0 of a
    1-d input) that is learned."""
    _float_input(input, "prelu")
    _require_tensor(weight, "weight", "prelu")
    if weight.dtype != input.dtype:
        raise RuntimeError(
            f"prelu: weight ({weight.dtype}) must have the input's dtype ({input.dtype})"
        )
    count = weight.numel()
    if count == 1:
        shape = ()
    else:
        channel = 1 if input.ndim >= 2 else 0
        size = input.shape[channel] if input.ndim else 1
        if weight.ndim != 1 or count != size:
            raise ShapeError(
                f"prelu: mismatch of parameter numbers and input channel size: found parameter "
                f"numbers = {count} (weight of shape {weight.shape}) and channel size = {size}"
            )
        shape = (count,) + (1,) * (input.ndim - channel - 1)
    return Prelu.apply(input, weight, shape=shape)
