"""`scaled_dot_product_attention`: softmax(Q K^T / sqrt(E) + mask) V as one fused tape entry
(ops/attention.py holds its forward and closed-form backward)."""

from __future__ import annotations

import math

from ... import backend, functions
from ...errors import DTypeError, ShapeError, as_number, check_bool
from ...ops.attention import ScaledDotProductAttention
from ...tensor import Tensor
from ._activations import dropout_mask, dropout_probability
from ._common import _broadcasts_to, _require_float, _require_tensor

_OP = "scaled_dot_product_attention"


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    *,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """Attention of queries (..., L, E) over keys (..., S, E) and values (..., S, Ev):
    softmax(query @ key^T * scale + mask) @ value, shape (..., L, Ev), batch dims broadcast.

    scale defaults to 1/sqrt(E). attn_mask broadcasts to (..., L, S): a bool mask is True
    where a query may attend, a float mask (of query's dtype) is added to the scores.
    is_causal lets query i attend keys 0..i (and excludes attn_mask). dropout_p drops
    attention weights, always (as PyTorch's function does: pass 0.0 outside training). A row
    with every key masked gives zeros. enable_gqa lets key and value have fewer heads (dim -3)
    than query, each shared by a group of query heads. One tape entry, which keeps the
    (..., L, S) attention weights for backward.

    >>> q = mg.randn(2, 4, 8, 16)  # (batch, heads, tokens, head size)
    >>> F.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    Size([2, 4, 8, 16])
    """
    _check_qkv(query, key, value)
    dropout_p = dropout_probability(dropout_p, _OP)
    if check_bool(is_causal, "is_causal", _OP) and attn_mask is not None:
        raise RuntimeError(f"{_OP}: Explicit attn_mask should not be set when is_causal=True")
    if check_bool(enable_gqa, "enable_gqa", _OP):
        key, value = _shared_heads(query, key, value)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else as_number(scale, "scale", _OP)
    _check_batch_dims(query, key, value)
    batch = backend.numpy.broadcast_shapes(query.shape[:-2], key.shape[:-2])
    scores = tuple(batch) + (query.shape[-2], key.shape[-2])  # q k^T, which masks must fit
    bias = allowed = None
    if attn_mask is not None:
        _check_mask(attn_mask, query, scores)
        if attn_mask.dtype.kind == "b":
            allowed = attn_mask.array
        else:
            bias = attn_mask
    keep = dropout_mask(query, dropout_p, scores) if dropout_p > 0 else None
    return ScaledDotProductAttention.apply(
        query,
        key,
        value,
        bias,
        allowed=allowed,
        causal=is_causal,
        scale=float(scale),
        keep=keep,
        p=dropout_p,
    )


def _check_qkv(query, key, value) -> None:
    for name, t in (("query", query), ("key", key), ("value", value)):
        _require_tensor(t, name, _OP)
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise ShapeError(
            f"{_OP}: Expected query, key, and value to all be at least 2 dimensional, but got "
            f"query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead."
        )
    if not query.dtype == key.dtype == value.dtype:
        raise DTypeError(
            f"{_OP}: Expected query, key, and value to have the same dtype, but got "
            f"query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype}"
        )
    _require_float(query, "query", _OP)
    if key.shape[-1] != query.shape[-1]:
        raise ShapeError(
            f"{_OP}: key's last dim (embedding size, {key.shape[-1]}) must equal query's "
            f"({query.shape[-1]}); got query of shape {query.shape} and key of shape {key.shape}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ShapeError(
            f"{_OP}: key and value must have the same sequence length (dim -2), got key of "
            f"shape {key.shape} and value of shape {value.shape}"
        )


def _shared_heads(query, key, value) -> tuple:
    """enable_gqa: key and value heads repeated so each serves its group of query heads."""
    if min(query.ndim, key.ndim, value.ndim) < 3:
        raise ShapeError(f"{_OP}: enable_gqa needs query, key and value with a heads dim (-3)")
    heads, kv_heads = query.shape[-3], key.shape[-3]
    if value.shape[-3] != kv_heads or kv_heads == 0 or heads % kv_heads:
        raise ShapeError(
            f"{_OP}: with enable_gqa, query's heads ({heads}) must be a multiple of key's "
            f"({kv_heads}) and value's ({value.shape[-3]}), which must be equal"
        )
    if heads == kv_heads:
        return key, value
    group = heads // kv_heads
    return (functions.repeat_interleave(t, group, dim=-3) for t in (key, value))


def _check_batch_dims(query, key, value) -> None:
    shapes = (query.shape[:-2], key.shape[:-2], value.shape[:-2])
    try:
        backend.numpy.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(
            f"{_OP}: the batch dims of query {query.shape}, key {key.shape} and value "
            f"{value.shape} (all but the last two) do not broadcast"
        ) from None


def _check_mask(mask, query, scores: tuple) -> None:
    _require_tensor(mask, "attn_mask", _OP)
    if mask.dtype.kind != "b" and mask.dtype != query.dtype:
        raise DTypeError(
            f"{_OP}: Expected attn_mask dtype to be bool or float or to match query dtype, "
            f"but got attn_mask.dtype: {mask.dtype} and query.dtype: {query.dtype} instead."
        )
    fits = _broadcasts_to(mask.shape, scores)  # (it may not add dims: PyTorch adds in place)
    if not fits:
        raise ShapeError(
            f"{_OP}: attn_mask of shape {mask.shape} does not broadcast to the attention "
            f"weights' shape {scores} (..., L, S)"
        )
