"""Scaled dot-product attention as one op: O = dropout(softmax(Q K^T * scale + mask)) V.

One tape entry instead of the eight a composed version records (matmul, scale, mask, max,
exp, sum, divide, matmul), and one (..., L, S) array kept for backward: the probabilities P.
With dO the gradient of the output, P_d = P * keep (the dropout mask, 0 or 1/(1-p)) and
dP_d = dO V^T:

    dV = P_d^T dO
    dP = dP_d * keep
    dS = P * (dP - rowsum(dP * P))        the softmax's Jacobian, applied without forming it
    dQ = scale * dS K,   dK = scale * dS^T Q,   d(float mask) = dS

Rows whose every score is masked give zeros, not nan, as PyTorch's attention does. Under
create_graph the backward recomputes P from the input Tensors with differentiable ops, so the
engine differentiates the gradient again (gradgradcheck).
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd.engine import Function
from .elementwise import exp, where
from .reduction import Amax, sum
from .shape import transpose


class ScaledDotProductAttention(Function):
    """q (..., L, E), k (..., S, E), v (..., S, Ev) -> (..., L, Ev); batch dims broadcast.

    `bias` (an input: it may need a gradient) is None or a float array added to the scores;
    `allowed` None or a bool array, True where a query may attend; both broadcast to the
    scores q k^T (..., L, S). `causal` masks key j > query i; `keep` is the dropout mask
    (0 or 1/(1-p), the scores' shape) or None.
    """

    dropout_mask = "keep"  # (mg.compile draws it again at each replay, as Dropout's mask)

    def forward(self, q, k, v, bias, allowed, causal, scale, keep, p=None):
        # (p: what keep was drawn with; mg.compile reads it to draw keep again at a replay)
        self.params = allowed, causal, scale
        self.keep = keep
        xp = backend.xp_of(q)
        s = q @ xp.swapaxes(k, -1, -2)
        s *= scale
        if bias is not None:
            s += bias
        allowed = _allowed(xp, allowed, causal, s.shape[-2:])
        if allowed is not None:
            xp.copyto(s, -math.inf, where=~allowed)
        self.p = p = _softmax_in_place(xp, s)
        return (p if keep is None else p * keep) @ v

    def backward(self, g, q, k, v, bias):
        allowed, causal, scale = self.params
        p, keep = self.p, self.keep
        if not backend.is_array(g):  # create_graph: P as a differentiable function of q, k
            p = probabilities(backend.xp_of(p), q, k, bias, allowed, causal, scale)
        need_q, need_k, need_v, need_bias = self.needs_input_grad
        dq = dk = dv = ds = None
        if need_v:
            dv = transpose(p if keep is None else p * keep, -1, -2) @ g
        if need_q or need_k or need_bias:
            dp = g @ transpose(v, -1, -2)
            if keep is not None:
                dp = dp * keep
            ds = p * (dp - sum(dp * p, -1, keepdim=True))
            if need_q:
                dq = (ds @ k) * scale
            if need_k:
                dk = (transpose(ds, -1, -2) @ q) * scale
        return dq, dk, dv, ds if need_bias else None


def _allowed(xp, allowed, causal: bool, size: tuple):
    """Where a query may attend (bool, broadcasting to the scores), or None for everywhere."""
    if causal:  # query i sees keys 0..i (top-left aligned, as PyTorch's tril)
        tril = xp.tril(xp.ones(size, dtype=bool))
        allowed = tril if allowed is None else allowed & tril
    return allowed


def _softmax_in_place(xp, s):
    """softmax of the scores along the last dim, overwriting them; all-masked rows give 0."""
    if s.shape[-1] == 0:
        return s
    top = s.max(axis=-1, keepdims=True)
    top[top == -math.inf] = 0  # a row of -inf only: exp gives 0s, kept 0 below
    s -= top
    xp.exp(s, out=s)
    total = s.sum(axis=-1, keepdims=True)
    total[total == 0] = 1
    s /= total
    return s


def probabilities(xp, q, k, bias, allowed, causal: bool, scale: float):
    """softmax(q k^T * scale + bias) where allowed, else 0, with differentiable ops (arrays or
    Tensors): the forward's P, recomputed for a backward that is itself recorded."""
    s = (q @ transpose(k, -1, -2)) * scale
    if bias is not None:
        s = s + bias
    allowed = _allowed(xp, allowed, causal, tuple(s.shape[-2:]))
    if allowed is not None:
        s = where(allowed, s, -math.inf)
    if s.shape[-1] == 0:
        return s
    top = Amax.apply(s, axes=(s.ndim - 1,), keepdim=True)  # its gradient cancels in softmax
    e = exp(s - where(top == -math.inf, 0.0, top))
    total = sum(e, -1, keepdim=True)
    return e / where(total == 0, 1.0, total)
