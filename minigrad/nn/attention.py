"""`MultiheadAttention`: num_heads attentions of embed_dim / num_heads each, side by side.

Written the way PyTorch's `F.multi_head_attention_forward` is, step for step, so that a
state_dict moves between the two and gives the same outputs: one packed in-projection
(`in_proj_weight` (3E, E), rows q, k, v) when key and value have embed_dim features, the
masks made float (-inf where a bool mask is True) and added, then either the fused
`F.scaled_dot_product_attention` (need_weights=False) or the explicit softmax whose weights
are returned (need_weights=True, the default).
"""

from __future__ import annotations

import math

from .. import creation, functions
from ..errors import DTypeError, OptionError, ShapeError, as_int, check_bool
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional._activations import dropout_probability
from .layers import Linear
from .module import Module, Parameter

__all__ = ["MultiheadAttention"]

_OP = "MultiheadAttention"


class MultiheadAttention(Module):
    """Attention of queries (L, N, E) over keys (S, N, kdim) and values (S, N, vdim), in
    num_heads heads: returns (output (L, N, E), weights (N, L, S) averaged over the heads,
    (N, num_heads, L, S) with average_attn_weights=False, or None with need_weights=False).
    batch_first=True takes and gives (N, L, E); unbatched (L, E) inputs work too.

    key_padding_mask (N, S): True (or -inf) where a key is padding; attn_mask (L, S) or
    (N * num_heads, L, S): True where query i may *not* attend key j, or a float mask added to
    the scores. is_causal is a hint that attn_mask is the causal mask (it must be given).
    Parameters and their initialisation are PyTorch's: in_proj_weight Xavier-uniform,
    in_proj_bias and out_proj.bias zeros, bias_k and bias_v Xavier-normal.

    >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
    >>> out, weights = mha(x := mg.randn(2, 5, 16), x, x)
    >>> out.shape, weights.shape
    (Size([2, 5, 16]), Size([2, 5, 5]))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device=None,
        dtype=None,
    ):
        super().__init__()
        embed_dim, num_heads = (
            as_int(embed_dim, "embed_dim", _OP),
            as_int(num_heads, "num_heads", _OP),
        )
        if embed_dim <= 0 or num_heads <= 0:
            raise OptionError(
                f"{_OP}: embed_dim and num_heads must be greater than 0, got embed_dim="
                f"{embed_dim} and num_heads={num_heads} instead"
            )
        if embed_dim % num_heads:
            raise OptionError(
                f"{_OP}: embed_dim must be divisible by num_heads, got embed_dim={embed_dim} "
                f"and num_heads={num_heads}"
            )
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.kdim = embed_dim if kdim is None else as_int(kdim, "kdim", _OP)
        self.vdim = embed_dim if vdim is None else as_int(vdim, "vdim", _OP)
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout = dropout_probability(dropout, _OP)
        self.batch_first = check_bool(batch_first, "batch_first", _OP)
        self.head_dim = embed_dim // num_heads
        if 3 * embed_dim * (embed_dim + max(self.kdim, self.vdim) + 2) >= 2**63:
            raise OptionError(f"{_OP}: embed_dim={embed_dim}: too many parameters to allocate")
        bias = check_bool(bias, "bias", _OP)

        def new(*shape: int) -> Parameter:
            return Parameter(creation.empty(*shape, dtype=dtype, device=device))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = new(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = new(embed_dim, embed_dim)
            self.k_proj_weight = new(embed_dim, self.kdim)
            self.v_proj_weight = new(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = new(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        if check_bool(add_bias_kv, "add_bias_kv", _OP):
            self.bias_k, self.bias_v = new(1, 1, embed_dim), new(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = check_bool(add_zero_attn, "add_zero_attn", _OP)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """(attention output, attention weights or None); see the class docstring."""
        for name, t in (("query", query), ("key", key), ("value", value)):
            functions.require_tensor(t, name, _OP)
        need_weights = check_bool(need_weights, "need_weights", _OP)
        average = check_bool(average_attn_weights, "average_attn_weights", _OP)
        if self.batch_first and query.ndim == 3:  # (keeping self-attention's q is k is v)
            query, key, value = _time_first(query, key, value)
        out, weights = self._attend(
            query, key, value, key_padding_mask, need_weights, attn_mask, average, is_causal
        )
        if self.batch_first and query.ndim == 3:
            out = out.transpose(0, 1)
        return out, weights

    def _attend(self, query, key, value, key_padding_mask, need_weights, attn_mask, average,
                is_causal):  # fmt: skip
        batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, self.num_heads)
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        tgt_len, bsz, embed_dim = query.shape
        dtype = self.out_proj.weight.dtype
        for name, t in (("query", query), ("key", key), ("value", value)):
            if t.dtype != dtype:
                raise DTypeError(
                    f"{_OP}: {name} must have the parameters' dtype {dtype}, got {t.dtype}"
                )
        if embed_dim != self.embed_dim:
            raise ShapeError(
                f"{_OP}: was expecting embedding dimension of {self.embed_dim}, but got "
                f"{embed_dim} (query of shape {tuple(query.shape)})"
            )
        key_padding_mask = _float_mask(key_padding_mask, "key_padding_mask", query.dtype)
        if check_bool(is_causal, "is_causal", _OP) and attn_mask is None:
            raise RuntimeError(
                f"{_OP}: Need attn_mask if specifying the is_causal hint (is_causal=True)"
            )
        if is_causal and key_padding_mask is None and not need_weights:
            attn_mask = None  # the fused attention masks causally by itself
        else:
            attn_mask = _float_mask(attn_mask, "attn_mask", query.dtype)
            is_causal = is_causal and key_padding_mask is None
        q, k, v = self._project(query, key, value)
        heads, hd = self.num_heads, self.head_dim
        if attn_mask is not None:
            attn_mask = _batched_attn_mask(attn_mask, bsz, heads, tgt_len, k.shape[0])
        if self.bias_k is not None:
            k = functions.cat([k, self.bias_k.expand(1, bsz, embed_dim)])
            v = functions.cat([v, self.bias_v.expand(1, bsz, embed_dim)])
            attn_mask, key_padding_mask = _pad_column(attn_mask), _pad_column(key_padding_mask)
        # (T, N, E) -> (N, heads, T, head_dim)
        q, k, v = (t.reshape(t.shape[0], bsz, heads, hd).permute(1, 2, 0, 3) for t in (q, k, v))
        if self.add_zero_attn:
            zeros = creation.zeros(bsz, heads, 1, hd, dtype=k.dtype, device=k.device)
            k, v = functions.cat([k, zeros], dim=2), functions.cat([v, zeros], dim=2)
            attn_mask, key_padding_mask = _pad_column(attn_mask), _pad_column(key_padding_mask)
        src_len = k.shape[2]
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (bsz, src_len):
                raise ShapeError(
                    f"{_OP}: expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                    f"{tuple(key_padding_mask.shape)}"
                )
            padding = key_padding_mask.reshape(bsz, 1, 1, src_len)
            attn_mask = padding if attn_mask is None else attn_mask + padding
        dropout_p = self.dropout if self.training else 0.0
        if need_weights:
            scores = (q * math.sqrt(1.0 / hd)) @ k.transpose(-2, -1)
            weights = F.softmax(scores if attn_mask is None else scores + attn_mask, dim=-1)
            weights = F.dropout(weights, dropout_p) if dropout_p > 0 else weights
            out = weights @ v
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
            weights = None
        out = out.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim)
        out = F.linear(out, self.out_proj.weight, self.out_proj.bias).reshape(tgt_len, bsz, -1)
        if weights is not None and average:
            weights = weights.mean(dim=1)
        if not batched:
            out = out.squeeze(1)
            weights = None if weights is None else weights.squeeze(0)
        return out, weights

    def _project(self, query, key, value) -> tuple:
        """q, k, v: the inputs times their rows of the in-projection (one product when
        query, key and value are one tensor, as in self-attention)."""
        e, b = self.embed_dim, self.in_proj_bias
        biases = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
        if self._qkv_same_embed_dim:
            if query is key and key is value:
                return F.linear(query, self.in_proj_weight, b).chunk(3, dim=-1)
            w = self.in_proj_weight
            weights = (w[:e], w[e : 2 * e], w[2 * e :])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        if key.shape[:2] != value.shape[:2] or (
            self._qkv_same_embed_dim and key.shape != value.shape
        ):
            raise ShapeError(
                f"{_OP}: key shape {tuple(key.shape)} does not match value shape "
                f"{tuple(value.shape)}"
            )
        for t, w, name in ((key, weights[1], "key"), (value, weights[2], "value")):
            if t.shape[-1] != w.shape[1]:
                raise ShapeError(
                    f"{_OP}: {name} must have {w.shape[1]} features (kdim/vdim), got shape "
                    f"{tuple(t.shape)}"
                )
        return tuple(F.linear(t, w, bb) for t, w, bb in zip((query, key, value), weights, biases))


def _time_first(query, key, value) -> tuple:
    """(N, T, E) -> (T, N, E) for each, transposing a tensor used twice only once."""
    q = query.transpose(0, 1)
    k = q if key is query else key.transpose(0, 1)
    v = k if value is key else (q if value is query else value.transpose(0, 1))
    return q, k, v


def _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Whether the inputs are batched ((L, N, E)) or not ((L, E)); raises on a mismatch."""
    if query.ndim not in (2, 3):
        raise ShapeError(
            f"{_OP}: query should be unbatched 2D or batched 3D tensor but received "
            f"{query.ndim}-D query tensor"
        )
    batched = query.ndim == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise ShapeError(
            f"{_OP}: For {kind} `query`, expected `key` and `value` to be {query.ndim}-D but "
            f"found {key.ndim}-D and {value.ndim}-D tensors respectively"
        )
    if key_padding_mask is not None:
        functions.require_tensor(key_padding_mask, "key_padding_mask", _OP)
        if key_padding_mask.ndim != query.ndim - 1:
            raise ShapeError(
                f"{_OP}: For {kind} `query`, expected `key_padding_mask` to be `None` or "
                f"{query.ndim - 1}-D but found {key_padding_mask.ndim}-D tensor instead"
            )
    if attn_mask is not None:
        functions.require_tensor(attn_mask, "attn_mask", _OP)
        if attn_mask.ndim not in (2, 3):
            raise ShapeError(
                f"{_OP}: For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.ndim}-D tensor instead"
            )
        if not batched and attn_mask.ndim == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise ShapeError(
                    f"{_OP}: Expected `attn_mask` shape to be {expected} but got "
                    f"{tuple(attn_mask.shape)}"
                )
    return batched


def _float_mask(mask, name: str, dtype):
    """A bool mask as float, -inf where True (PyTorch's canonical mask); a float one as is."""
    if mask is None:
        return None
    if mask.dtype.kind == "b":
        zeros = creation.zeros(mask.shape, dtype=dtype, device=mask.device)
        return functions.masked_fill(zeros, mask, -math.inf)
    if mask.dtype.kind != "f":
        raise DTypeError(f"{_OP}: only bool and floating types of {name} are supported")
    if mask.dtype != dtype:
        raise DTypeError(
            f"{_OP}: {name} must be bool or of query's dtype {dtype}, got {mask.dtype}"
        )
    return mask


def _batched_attn_mask(mask, bsz: int, heads: int, tgt_len: int, src_len: int):
    """attn_mask (L, S) or (N * heads, L, S), checked, as (1, 1, L, S) or (N, heads, L, S)."""
    if mask.ndim == 2:
        if tuple(mask.shape) != (tgt_len, src_len):
            raise ShapeError(
                f"{_OP}: The shape of the 2D attn_mask is {tuple(mask.shape)}, but should be "
                f"{(tgt_len, src_len)}."
            )
        return mask.reshape(1, 1, tgt_len, src_len)
    if tuple(mask.shape) != (bsz * heads, tgt_len, src_len):
        raise ShapeError(
            f"{_OP}: The shape of the 3D attn_mask is {tuple(mask.shape)}, but should be "
            f"{(bsz * heads, tgt_len, src_len)}."
        )
    return mask.reshape(bsz, heads, tgt_len, src_len)


def _pad_column(mask):
    """A mask with a column of zeros (attend) appended for the extra key (bias_k, zero attn)."""
    return None if mask is None else F.pad(mask, (0, 1))
