"""minigrad: a small, fast, honest deep-learning framework.

A tape-based reverse-mode autograd engine over numpy (CPU) or cupy (CUDA) arrays, with a
PyTorch-shaped API: `import minigrad as mg`, then `mg.tensor`, `mg.nn`, `mg.optim`, ...
"""

import operator

from .tensor import Tensor  # first: see the end of tensor.py
from . import autograd, backend, cuda, dtypes, functions, ops  # noqa: E402
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .backend import Device as device
from .creation import (
    arange,
    empty,
    from_numpy,
    full,
    manual_seed,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool, double, float, float16, float32, float64, half, int32, int64, long
from .errors import DTypeError, OptionError, ShapeError
from .functions.public import (
    abs,
    add,
    amax,
    amin,
    argmax,
    argmin,
    cat,
    clamp,
    div,
    exp,
    expand,
    flatten,
    gather,
    log,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    sign,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from . import data, nn, optim  # noqa: E402 - after Tensor, which they build on
from . import viz  # noqa: E402
from .serialization import load, save


def eq(input, other) -> Tensor:  # noqa: A002 - PyTorch's names
    """Elementwise input == other (a bool tensor); input must be a Tensor."""
    functions.require_tensor(input, "input", "eq")
    return functions.compare(operator.eq, input, other)


__version__ = "0.1.0"
