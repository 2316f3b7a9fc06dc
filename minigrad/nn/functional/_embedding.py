"""`embedding`: rows of a weight matrix looked up by index (ops/embedding.py: one entry, whose
backward is one scatter-add)."""

from __future__ import annotations

from ... import backend, dtypes
from ...errors import (
    DTypeError,
    IndexRangeError,
    OptionError,
    ShapeError,
    as_int,
    as_number,
    check_bool,
)
from ...ops.embedding import Embedding
from ...tensor import Tensor
from ._common import _require_tensor

_OP = "embedding"


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """weight[input]: indices (*) of an integer dtype -> (*, embedding_dim) rows of weight
    (num_embeddings, embedding_dim).

    Row `padding_idx` gets no gradient. With max_norm, each row looked up whose norm_type-norm
    exceeds max_norm is first rescaled to that norm, in weight itself (as PyTorch does).
    scale_grad_by_freq divides each row's gradient by how often the batch uses the row.
    The gradient of weight adds up the rows of repeated indices (one scatter-add).

    >>> F.embedding(mg.tensor([[0, 2], [2, 2]]), mg.eye(3)).shape
    Size([2, 2, 3])
    """
    _require_tensor(input, "input", _OP)
    _require_tensor(weight, "weight", _OP)
    if input.dtype not in (dtypes.int64, dtypes.int32):
        raise DTypeError(
            f"{_OP}: input (indices) must have dtype int64 or int32, got {input.dtype}"
        )
    if weight.ndim != 2:
        raise ShapeError(
            f"{_OP}: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}"
        )
    rows = weight.shape[0]
    indices = input.array
    if indices.size and not 0 <= int(indices.min()) <= int(indices.max()) < rows:
        bad = int(indices.min()) if int(indices.min()) < 0 else int(indices.max())
        raise IndexRangeError(
            f"{_OP}: index {bad} is out of range for weight with {rows} rows (num_embeddings)"
        )
    padding_idx = check_padding_idx(padding_idx, rows, _OP)
    if check_bool(sparse, "sparse", _OP):
        raise NotImplementedError(f"{_OP}: sparse gradients are not supported (sparse=True)")
    if max_norm is not None:
        renorm_rows(weight, indices, max_norm, norm_type)
    scale_by_freq = check_bool(scale_grad_by_freq, "scale_grad_by_freq", _OP)
    return Embedding.apply(
        weight, indices=indices, padding_idx=padding_idx, scale_by_freq=scale_by_freq
    )


def check_padding_idx(padding_idx, rows: int, op: str) -> int | None:
    """padding_idx as a row number in [0, rows) (a negative one counts from the end), or None."""
    if padding_idx is None:
        return None
    padding_idx = as_int(padding_idx, "padding_idx", op)
    if not -rows <= padding_idx < rows:
        raise OptionError(
            f"{op}: padding_idx must be within num_embeddings ({rows}), got {padding_idx}"
        )
    return padding_idx % rows


def renorm_rows(weight: Tensor, indices, max_norm, norm_type) -> None:
    """Rescale, in place, the rows of weight that `indices` use whose norm exceeds max_norm."""
    max_norm = as_number(max_norm, "max_norm", _OP)
    norm_type = as_number(norm_type, "norm_type", _OP)
    xp = backend.xp_of(weight.array)
    used = xp.unique(indices.reshape(-1))
    picked = weight.array[used]
    if norm_type == float("inf"):
        norms = xp.abs(picked).max(axis=1, keepdims=True)
    else:
        norms = (xp.abs(picked) ** norm_type).sum(axis=1, keepdims=True) ** (1 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1).astype(weight.dtype)
    weight.array[used] = picked * scale  # (not recorded, as in PyTorch: it changes weight)
