"""Activations and dropout: `relu`, `dropout`, `softmax`, `log_softmax` (the other activations
are in _pointwise.py)."""

from __future__ import annotations

import warnings

from ... import backend, dtypes, functions
from ...autograd.engine import Function
from ...errors import as_number, check_bool
from ...ops import elementwise, reduction  # the raw functions: backward runs on arrays
from ...ops.shape import normalize_dim
from ...tensor import Tensor
from ._common import _require_float, _require_tensor


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise.

    `inplace` is accepted for PyTorch compatibility and ignored, as in `nn.ReLU`: minigrad
    never overwrites a tensor that autograd may need.
    """
    _require_tensor(input, "input", "relu")
    return functions.relu(input)


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
    p = dropout_probability(p, "dropout")
    if not check_bool(training, "training", "dropout") or p == 0.0:
        return input
    _require_float(input, "input", "dropout")
    return Dropout.apply(input, mask=dropout_mask(input, p, input.shape))


def dropout_mask(input: Tensor, p: float, shape: tuple):
    """An array of `shape`: 0 with probability p, else 1/(1-p), in input's dtype, drawn from
    input's device generator (shared with dropout2d, whose mask covers whole channels)."""
    if p == 1.0:
        return backend.xp_of(input.array).zeros(shape, dtype=input.dtype)
    draw = dtypes.float64 if input.dtype == dtypes.float64 else dtypes.float32
    uniform = backend.generator(input.device).random(shape, dtype=draw)
    mask = (uniform >= p).astype(input.dtype)  # kept with probability 1 - p
    mask *= 1.0 / (1.0 - p)
    return mask


def dropout_probability(p, op: str) -> float:
    """p as a Python number in [0, 1] (shared with nn.Dropout, which checks it at once)."""
    p = as_number(p, "p", op)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability p has to be between 0 and 1, but got {p}")
    return p


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
        return gy - y * reduction.sum(gy, self.dim, keepdim=True)


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
        return g - elementwise.exp(self.output) * reduction.sum(g, self.dim, keepdim=True)


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
        input = functions.cast(input, dtype)
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
