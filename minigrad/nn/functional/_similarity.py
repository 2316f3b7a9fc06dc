"""`normalize` and `cosine_similarity`, built on the vector p-norm (`mg.linalg.vector_norm`,
one fused op with PyTorch's gradient: 0 for a zero vector, shared among tied maxima).

PyTorch clamps the norms of `cosine_similarity` (and the variance of `gaussian_nll_loss`) in
place under no_grad: the value is clamped, the gradient passes as if it were not.
`ClampMinNoGrad` is that, as one op.
"""

from __future__ import annotations

from ... import backend, dtypes, functions, ops
from ...autograd.engine import Function
from ...errors import DTypeError, OptionError, as_int, as_number
from ...functions.arithmetic import raise_if_not_broadcastable
from ...functions.norms import vector_norm
from ...tensor import Tensor
from ._common import _require_float, _require_tensor


class ClampMinNoGrad(Function):
    """PyTorch's `t = t.clone(); with torch.no_grad(): t.clamp_(min=eps)`: the value is
    clamped, the gradient passes unchanged."""

    def forward(self, x, eps):
        return backend.xp_of(x).maximum(x, eps)

    def backward(self, g, x):
        return g


def norm_order(p, name: str, op: str) -> float:
    """The order of a norm: a real number, or a string float() reads ('inf'), as a float."""
    if isinstance(p, str):
        try:
            return float(p)
        except ValueError:
            raise OptionError(f"{op}: {name} must be a number, got {p!r}") from None
    return float(as_number(p, name, op))


def normalize(input: Tensor, p: float = 2.0, dim: int | tuple = 1, eps: float = 1e-12) -> Tensor:
    """input / max(||input||_p, eps), the norm taken over `dim` (an int, a tuple, or None
    for all dims); the result has the input's shape. `p` is any real number, inf, or 'fro'
    (the 2-norm). PyTorch's `out=` is not taken.

    >>> F.normalize(mg.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    op = "normalize"
    _require_tensor(input, "input", op)
    _require_float(input, "input", op)
    ord = 2.0 if isinstance(p, str) and p == "fro" else norm_order(p, "p", op)
    axes = ops.normalize_dims(dim, input.ndim, op)
    eps = float(as_number(eps, "eps", op))
    norm = vector_norm(input, ord, axes, True)
    return input / functions.clamp(norm, min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along `dim`, which is removed.

    x1 and x2 broadcast together (`dim` indexes the broadcast shape); each is divided by its
    norm clamped to at least `eps`, as PyTorch does, and the gradient passes through the
    clamp as PyTorch's does (it clamps in place, unrecorded).

    >>> F.cosine_similarity(mg.tensor([[1.0, 0.0]]), mg.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    op = "cosine_similarity"
    _require_tensor(x1, "x1", op)
    _require_tensor(x2, "x2", op)
    dtype = dtypes.result_type(x1, x2)
    if not dtypes.is_floating(dtype):
        raise DTypeError(
            f"{op}: expected the common dtype of x1 and x2 to be floating point, got {dtype}"
        )
    dim, eps = as_int(dim, "dim", op), float(as_number(eps, "eps", op))
    if not eps >= 0:
        raise OptionError(f"{op}: eps must be non-negative, got {eps}")
    raise_if_not_broadcastable(op, x1=x1, x2=x2)
    shape = backend.numpy.broadcast_shapes(x1.shape, x2.shape)
    axis = ops.normalize_dim(dim, len(shape), op)
    unit = []
    for x in functions.promote(x1, x2):
        x = x if x.shape == shape else functions.expand(x, shape)  # norms of the broadcast
        norm = vector_norm(x, 2, axis if shape else None, True)
        unit.append(x / ClampMinNoGrad.apply(norm, eps=eps))
    return functions.sum(unit[0] * unit[1], axis if shape else None)
