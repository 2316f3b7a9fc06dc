"""The activations that are compositions of others: `softsign`, `tanhshrink`, `logsigmoid`,
`softmin`, `glu`, `threshold`, `hardshrink`, `softshrink`. Each is a few recorded ops; the
engine differentiates them (to any order), and at a kink the gradient is PyTorch's: 0 at
|x| = lambd for the shrinks, 0 at x = threshold for threshold.
"""

from __future__ import annotations

from ... import functions as fn
from ...errors import ShapeError, as_int, as_number
from ...ops.shape import normalize_dim
from ...tensor import Tensor
from ._common import _require_float, _require_tensor
from ._pointwise import sigmoid, softplus

__all__ = [
    "glu",
    "hardshrink",
    "logsigmoid",
    "softmin",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
]


def _float_input(input, op: str) -> None:
    _require_tensor(input, "input", op)
    _require_float(input, "input", op)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|), elementwise.

    >>> F.softsign(mg.tensor([-1.0, 0.0, 3.0])).tolist()
    [-0.5, 0.0, 0.75]
    """
    _float_input(input, "softsign")
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x), elementwise."""
    _float_input(input, "tanhshrink")
    return input - input.tanh()


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), computed without overflow for large |x|.

    >>> round(F.logsigmoid(mg.tensor(0.0)).item(), 6)  # log(1/2)
    -0.693147
    """
    _float_input(input, "logsigmoid")
    return -softplus(-input)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along dim: the smallest entries get the most weight."""
    _require_tensor(input, "input", "softmin")
    return fn.softmaxes.softmax(-input, dim, dtype=dtype)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: input cut in two halves a, b along dim, then a * sigmoid(b);
    dim's size must be even. (N, 2k) -> (N, k) for dim=-1.

    >>> F.glu(mg.tensor([[1.0, 2.0, 0.0, 0.0]])).tolist()
    [[0.5, 1.0]]
    """
    _float_input(input, "glu")
    if input.ndim == 0:
        raise ShapeError("glu does not support scalars because halving size must be even")
    axis = normalize_dim(as_int(dim, "dim", "glu"), input.ndim, "glu")
    size = input.shape[axis]
    if size % 2:
        raise ShapeError(f"Halving dimension must be even, but dimension {axis} is size {size}")
    a, b = fn.narrow(input, axis, 0, size // 2), fn.narrow(input, axis, size // 2, size // 2)
    return a * sigmoid(b)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else `value`.

    >>> F.threshold(mg.tensor([0.5, 1.0, 2.0]), 1.0, -1.0).tolist()
    [-1.0, -1.0, 2.0]
    """
    _require_tensor(input, "input", "threshold")
    limit, value = (
        as_number(threshold, "threshold", "threshold"),
        as_number(value, "value", "threshold"),
    )
    return fn.where(input > limit, input, value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0.

    >>> F.hardshrink(mg.tensor([-1.0, 0.25, 0.5, 2.0])).tolist()
    [-1.0, 0.0, 0.0, 2.0]
    """
    _float_input(input, "hardshrink")
    lambd = as_number(lambd, "lambd", "hardshrink")
    return fn.where(input.abs() > lambd, input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0 (lambd >= 0).

    >>> F.softshrink(mg.tensor([-1.0, 0.25, 2.0])).tolist()
    [-0.5, 0.0, 1.5]
    """
    _float_input(input, "softshrink")
    lambd = as_number(lambd, "lambd", "softshrink")
    if not lambd >= 0:
        raise ValueError(
            f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}."
        )
    shrunk = fn.where(input > lambd, input - lambd, input + lambd)
    return fn.where(input.abs() > lambd, shrunk, 0.0)
