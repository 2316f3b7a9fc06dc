"""Activations and dropout: `relu`, `dropout`; `softmax` and `log_softmax` are those of
minigrad.functions.softmaxes (the other activations are in _pointwise.py)."""

from __future__ import annotations

from ... import backend, dtypes, functions
from ...autograd.engine import Function
from ...errors import as_number, check_bool
from ...functions.softmaxes import log_softmax, softmax  # noqa: F401 - F.softmax, F.log_softmax
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
    # mg.compile draws the argument named here again at each replay, by dropout_mask with `p`
    dropout_mask = "mask"

    def forward(self, x, mask, p=None):  # (p: what the mask was drawn with, for mg.compile)
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
    return Dropout.apply(input, mask=dropout_mask(input, p, input.shape), p=p)


def dropout_mask(input: Tensor, p: float, shape: tuple):
    """An array of `shape`: 0 with probability p, else 1/(1-p), in input's dtype, drawn from
    input's device generator (shared with dropout2d, whose mask covers whole channels)."""
    if p == 1.0:
        return backend.xp_of(input.array).zeros(shape, dtype=input.dtype)
    # PyTorch's bernoulli_(1 - p) without MKL: kept where a float64 uniform falls below 1 - p
    # (torch's CPU kernel uses MKL's stream here, so its masks cannot be reproduced)
    uniform = backend.generator(input.device).random(shape, dtype=dtypes.float64)
    mask = (uniform < 1.0 - p).astype(input.dtype)
    mask *= 1.0 / (1.0 - p)
    return mask


def dropout_probability(p, op: str) -> float:
    """p as a Python number in [0, 1] (shared with nn.Dropout, which checks it at once)."""
    p = as_number(p, "p", op)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability p has to be between 0 and 1, but got {p}")
    return p
