"""`TransformerEncoderLayer` and `TransformerEncoder`: self-attention and a feed-forward
network, each inside a residual connection with layer norm, as in PyTorch (same submodule
names, so state_dicts map one to one)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

from .. import creation, dtypes, functions
from ..errors import as_int, as_number, check_bool
from ..tensor import Tensor
from . import functional as F
from .attention import MultiheadAttention
from .containers import ModuleList
from .layer_norm import LayerNorm
from .layers import Dropout, Linear
from .module import Module

__all__ = ["TransformerEncoder", "TransformerEncoderLayer"]


class TransformerEncoderLayer(Module):
    """x + self_attn(x), then x + linear2(dropout(activation(linear1(x)))), each followed by a
    LayerNorm (norm_first=False, "post-norm", the default) or applied to a LayerNorm of x
    (norm_first=True, "pre-norm", as GPTs are). activation is "relu", "gelu" or a callable.
    Input (S, N, d_model), or (N, S, d_model) with batch_first.

    >>> layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, batch_first=True)
    >>> layer(mg.randn(2, 5, 16)).shape
    Size([2, 5, 16])
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable = F.relu,
        layer_norm_eps: float = 1e-05,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        op, kw = "TransformerEncoderLayer", {"device": device, "dtype": dtype}
        d_model = as_int(d_model, "d_model", op)
        dim_feedforward = as_int(dim_feedforward, "dim_feedforward", op)
        eps = as_number(layer_norm_eps, "layer_norm_eps", op)
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **kw
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = check_bool(norm_first, "norm_first", op)
        self.norm1 = LayerNorm(d_model, eps=eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        """The layer applied to src; masks as MultiheadAttention's attn_mask and
        key_padding_mask."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal) -> Tensor:
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(x)

    def _ff_block(self, x) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _activation(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if isinstance(activation, str) or not callable(activation):
        raise RuntimeError(
            f"TransformerEncoderLayer: activation should be relu/gelu, not {activation}"
        )
    return activation


class TransformerEncoder(Module):
    """num_layers copies of encoder_layer (deep copies: each trains its own weights), applied
    in turn, then `norm` if given. Submodules `layers.0`, `layers.1`, ... as in PyTorch.

    >>> layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32)
    >>> nn.TransformerEncoder(layer, num_layers=2)(mg.randn(5, 2, 16)).shape
    Size([5, 2, 16])
    """

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ):
        super().__init__()
        op = "TransformerEncoder"
        if not isinstance(encoder_layer, Module):
            raise TypeError(
                f"{op}: encoder_layer must be a Module, got {type(encoder_layer).__name__}"
            )
        self.num_layers = as_int(num_layers, "num_layers", op)
        self.layers = ModuleList(copy.deepcopy(encoder_layer) for _ in range(self.num_layers))
        self.norm = norm
        self.enable_nested_tensor = check_bool(enable_nested_tensor, "enable_nested_tensor", op)
        self.mask_check = check_bool(mask_check, "mask_check", op)

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        """The layers applied to src in turn (then norm). is_causal=None detects whether mask
        is the causal mask (-inf above the diagonal, or True there)."""
        if is_causal is None:
            is_causal = _is_causal_mask(mask)
        output = src
        for layer in self.layers:
            output = layer(
                output,
                src_mask=mask,
                src_key_padding_mask=src_key_padding_mask,
                is_causal=is_causal,
            )
        return output if self.norm is None else self.norm(output)


def _is_causal_mask(mask) -> bool:
    """Whether mask is the float causal mask (S, S): -inf above the diagonal, 0 elsewhere
    (PyTorch's test; the hint only picks how the same result is computed)."""
    if mask is None or mask.ndim != 2 or mask.shape[0] != mask.shape[1] or mask.dtype.kind != "f":
        return False
    above = functions.triu(creation.ones_like(mask, dtype=dtypes.bool), 1)
    causal = functions.masked_fill(creation.zeros_like(mask), above, -math.inf)
    return bool((mask == causal).all())
