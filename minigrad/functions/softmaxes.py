"""softmax and log_softmax: `mg.softmax`, `Tensor.softmax` and `F.softmax` (which re-exports
them); the ops, forward and backward, are minigrad.ops.softmax."""

from __future__ import annotations

import warnings

from ..ops.shape import normalize_dim
from ..ops.softmax import LogSoftmax, Softmax
from ..tensor import Tensor
from .arithmetic import require_float, require_tensor
from .elementwise import cast


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dim, dtype, name: str):
    require_tensor(input, "input", name)
    if dtype is not None:
        input = cast(input, dtype)
    require_float(input, "input", name)
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
