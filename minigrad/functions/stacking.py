"""numpy-style joining and grids: `atleast_1d/2d/3d`, `hstack`, `vstack`, `dstack`,
`column_stack` and `meshgrid`, built on reshape, cat and expand (so their gradients are
those ops').
"""

from __future__ import annotations

import warnings

from ..errors import OptionError, ShapeError, _described
from ..tensor import Tensor
from .shape import _joinable, cat, expand, reshape


def atleast_1d(*tensors):  # noqa: ANN201 - a Tensor, or a tuple of them
    """Each tensor with at least 1 dim (a 0-d one becomes shape (1,)); one tensor in, one out.

    >>> mg.atleast_1d(mg.tensor(2.0))
    tensor([2.])
    """
    return _atleast(tensors, 1, "atleast_1d")


def atleast_2d(*tensors):  # noqa: ANN201 - a Tensor, or a tuple of them
    """Each tensor with at least 2 dims: shape () -> (1, 1), (n,) -> (1, n)."""
    return _atleast(tensors, 2, "atleast_2d")


def atleast_3d(*tensors):  # noqa: ANN201 - a Tensor, or a tuple of them
    """Each tensor with at least 3 dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _atleast(tensors, 3, "atleast_3d")


def _atleast(tensors: tuple, ndim: int, op: str):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    out = tuple(_grown(t, ndim, op, i) for i, t in enumerate(tensors))
    return out[0] if single else out


def _grown(t, ndim: int, op: str, i: int = 0) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: tensors[{i}] must be a Tensor, got {_described(t)}")
    if t.ndim >= ndim:
        return t
    if t.ndim == 0:
        return reshape(t, (1,) * ndim)
    if t.ndim == 1:  # a row: (1, n), and (1, n, 1) in three dims
        return reshape(t, (1, *t.shape) if ndim == 2 else (1, *t.shape, 1))
    return reshape(t, (*t.shape, 1))


def _joined(tensors, ndim: int, op: str) -> list:
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(
            f"{op}: tensors must be a tuple or list of Tensors, got {_described(tensors)}"
        )
    if not tensors:
        raise OptionError(f"{op}: expects a non-empty sequence of tensors")
    return [_grown(t, ndim, op, i) for i, t in enumerate(_joinable(tensors, op))]


def hstack(tensors) -> Tensor:
    """Join along dim 1 (dim 0 for 1-d tensors), after atleast_1d.

    >>> mg.hstack([mg.tensor([1.0, 2.0]), mg.tensor([3.0])])
    tensor([1., 2., 3.])
    """
    tensors = _joined(tensors, 1, "hstack")
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Join along dim 0, after atleast_2d: 1-d tensors of size n become the rows of (k, n).

    >>> mg.vstack([mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0])]).shape
    Size([2, 2])
    """
    return cat(_joined(tensors, 2, "vstack"), 0)


def dstack(tensors) -> Tensor:
    """Join along dim 2, after atleast_3d: (n,) -> (1, n, 1), (m, n) -> (m, n, 1).

    >>> mg.dstack([mg.zeros(3), mg.ones(3)]).shape
    Size([1, 3, 2])
    """
    return cat(_joined(tensors, 3, "dstack"), 2)


def column_stack(tensors) -> Tensor:
    """Join as columns (dim 1): 0-d and 1-d tensors of n elements become (n, 1) columns.

    >>> mg.column_stack([mg.zeros(3), mg.ones(3, 2)]).shape
    Size([3, 3])
    """
    tensors = _joined(tensors, 0, "column_stack")
    return cat([reshape(t, (t.numel(), 1)) if t.ndim < 2 else t for t in tensors], 1)


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids of 0-d or 1-d tensors t0, t1, ...: output k holds tk's values along
    dim k, each of shape (len(t0), len(t1), ...) for indexing='ij'; 'xy' swaps the first two
    dims (numpy's default). Without `indexing`, 'ij' with PyTorch's warning that the argument
    will be required. Outputs are expanded views (no copy).

    >>> x, y = mg.meshgrid(mg.tensor([1, 2]), mg.tensor([3, 4, 5]), indexing="ij")
    >>> x.shape, y[0].tolist()
    (Size([2, 3]), [3, 4, 5])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise OptionError(
            f'meshgrid: indexing must be one of "xy" or "ij", but received: {indexing!r}'
        )
    if not tensors:
        raise OptionError("meshgrid: expects a non-empty sequence of tensors")
    tensors = _joinable(tensors, "meshgrid")
    for i, t in enumerate(tensors):
        if t.ndim > 1:
            raise ShapeError(
                f"meshgrid: expected 0-d or 1-d tensors, but tensors[{i}] is {t.ndim}-d"
            )
        if t.dtype != tensors[0].dtype or t.device != tensors[0].device:
            raise TypeError(
                f"meshgrid: expects all tensors to have the same dtype and device; tensors[{i}] "
                f"is {t.dtype} on {t.device}, tensors[0] {tensors[0].dtype} on {tensors[0].device}"
            )
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]
    shape = tuple(t.numel() for t in tensors)
    grids = [
        expand(reshape(t, tuple(-1 if d == k else 1 for d in range(len(shape)))), shape)
        for k, t in enumerate(tensors)
    ]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
