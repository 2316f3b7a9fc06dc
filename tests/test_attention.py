"""F.scaled_dot_product_attention, nn.MultiheadAttention and the transformer encoder layers:
values against numpy written here, gradients (and second derivatives) against finite
differences, PyTorch's masks and shapes, and bad input."""

import math

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck


def reference_attention(q, k, v, mask=None, causal=False, scale=None, keep=None):
    """softmax(q k^T * scale + mask) v in numpy, rows with every key masked giving 0."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], dtype=bool)), s, -np.inf)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    top = s.max(-1, keepdims=True)
    e = np.exp(s - np.where(np.isfinite(top), top, 0))
    total = e.sum(-1, keepdims=True)
    p = e / np.where(total > 0, total, 1)
    return (p if keep is None else p * keep) @ v


def qkv(*shapes, dtype=mg.float64, device="cpu"):
    rng = np.random.default_rng(0)
    return [
        mg.tensor(rng.standard_normal(s), dtype=dtype, device=device, requires_grad=True)
        for s in shapes
    ]


# ----- scaled_dot_product_attention ---------------------------------------------------------
MASKS = {
    "none": lambda L, S: None,
    "bool": lambda L, S: np.random.default_rng(1).random((L, S)) > 0.4,
    "float": lambda L, S: np.random.default_rng(2).standard_normal((L, S)),
    "row masked": lambda L, S: np.arange(L * S).reshape(L, S) >= S,  # row 0 sees nothing
}


@pytest.mark.parametrize("kind", MASKS)
def test_values_match_numpy(kind, device):
    q, k, v = qkv((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), device=device)
    mask = MASKS[kind](4, 6)
    m = None if mask is None else mg.tensor(mask, device=device)
    out = F.scaled_dot_product_attention(q, k, v, m)
    expected = reference_attention(*(mg.backend.to_host(t.array) for t in (q, k, v)), mask)
    np.testing.assert_allclose(mg.backend.to_host(out.array), expected, rtol=1e-12, atol=1e-12)
    assert out.shape == (2, 3, 4, 7) and out.grad_fn.name == "scaled_dot_product_attention"


def test_a_row_with_every_key_masked_gives_zeros_and_no_nan():
    q, k, v = qkv((1, 3, 2), (1, 4, 2), (1, 4, 2))
    mask = mg.tensor([[True] * 4, [False] * 4, [True, False, False, False]])
    out = F.scaled_dot_product_attention(q, k, v, mask)
    assert out[0, 1].tolist() == [0.0, 0.0]
    out.sum().backward()
    assert np.isfinite(q.grad.numpy()).all() and np.isfinite(k.grad.numpy()).all()


def test_causal_is_the_lower_triangle_and_scale_replaces_the_default():
    q, k, v = qkv((2, 5, 3), (2, 5, 3), (2, 5, 4))
    a = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3)
    tril = mg.tensor(np.tril(np.ones((5, 5), dtype=bool)))
    b = F.scaled_dot_product_attention(q, k, v, tril, scale=0.3)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-14)
    # the first query attends only to the first key: its output is the first value
    np.testing.assert_allclose(a[:, 0].detach().numpy(), v[:, 0].detach().numpy(), rtol=1e-14)


def test_batch_dims_broadcast_and_head_groups_share_keys():
    q, k, v = qkv((2, 4, 3, 5), (4, 6, 5), (1, 4, 6, 2))
    out = F.scaled_dot_product_attention(q, k, v)
    expected = reference_attention(q.detach().numpy(), k.detach().numpy(), v.detach().numpy())
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12)
    q, k, v = qkv((2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 2))
    grouped = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    rep = [np.repeat(t.detach().numpy(), 2, axis=1) for t in (k, v)]
    np.testing.assert_allclose(
        grouped.detach().numpy(), reference_attention(q.detach().numpy(), *rep), rtol=1e-12
    )


@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float"])
def test_gradients_and_second_derivatives(kind):
    q, k, v = qkv((2, 3, 4), (2, 5, 4), (2, 5, 3))
    mask = None
    if kind == "bool":
        mask = mg.tensor(np.random.default_rng(3).random((3, 5)) > 0.3)
    elif kind == "float":
        mask = mg.randn(3, 5, dtype=mg.float64, requires_grad=True)  # differentiated too
    inputs = (q, k, v) if mask is None or mask.dtype == mg.bool else (q, k, v, mask)

    def attend(*t):
        m = t[3] if len(t) == 4 else mask
        return F.scaled_dot_product_attention(*t[:3], m, is_causal=kind == "causal", scale=0.7)

    assert gradcheck(attend, inputs)
    assert gradgradcheck(attend, inputs)


def test_dropout_drops_weights_reproducibly_and_backward_uses_the_same_mask():
    q, k, v = qkv((2, 4, 3), (2, 4, 3), (2, 4, 3))

    def attend(*t):
        mg.manual_seed(5)  # the same dropout mask at every evaluation
        return F.scaled_dot_product_attention(*t, dropout_p=0.5)

    assert (attend(q, k, v) == attend(q, k, v)).all()
    assert not (attend(q, k, v) == F.scaled_dot_product_attention(q, k, v)).all()
    assert gradcheck(attend, (q, k, v))
    assert (F.scaled_dot_product_attention(q, k, v, dropout_p=1.0) == 0).all()


def test_one_tape_entry_keeps_the_weights_once():
    q, k, v = qkv((2, 4, 8, 16), (2, 4, 8, 16), (2, 4, 8, 16), dtype=mg.float32)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    entry = out.grad_fn
    assert [e.op for e in mg.autograd.tape(out)] == ["scaled_dot_product_attention"]
    assert entry.p.shape == (2, 4, 8, 8) and entry.p.dtype == np.float32
    _check_grads(out, [q, k, v])


BAD_SDPA = [
    (lambda q, k, v: F.scaled_dot_product_attention(q, k[..., :2], v), "key's last dim"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v[..., :3, :]), "same sequence length"),
    (lambda q, k, v: F.scaled_dot_product_attention(q[0, 0, 0], k, v), "at least 2 dimensional"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k.double(), v), "same dtype"),
    (
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, mg.ones(3, 5, dtype=mg.bool)),
        "does not broadcast",
    ),
    (
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, mg.ones(4, 5, dtype=mg.int64)),
        "attn_mask dtype",
    ),
    (
        lambda q, k, v: F.scaled_dot_product_attention(
            q, k, v, mg.ones(4, 5, dtype=mg.bool), is_causal=True
        ),
        "is_causal",
    ),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=1.5), "probability"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v[:, :1], enable_gqa=True), "heads"),
    (lambda q, k, v: F.scaled_dot_product_attention(q.long(), k.long(), v.long()), "floating"),
    (lambda q, k, v: F.scaled_dot_product_attention(q.numpy(), k, v), "query must be a Tensor"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k[:2], v[:2]), "do not broadcast"),
]


@pytest.mark.parametrize("call, words", BAD_SDPA, ids=[w for _, w in BAD_SDPA])
def test_bad_input_is_refused_clearly(call, words):
    q, k, v = (mg.randn(3, 2, 4, 3), mg.randn(3, 2, 5, 3), mg.randn(3, 2, 5, 6))
    with pytest.raises((TypeError, ValueError, RuntimeError), match=words):
        call(q, k, v)


# ----- MultiheadAttention -------------------------------------------------------------------
def reference_mha(mha, q, k, v, attn_bias=None):
    """PyTorch's multi-head attention in numpy, from the module's parameters: (L, N, E)."""
    w = mha.in_proj_weight.detach().numpy()
    b = mha.in_proj_bias.detach().numpy()
    e, h = mha.embed_dim, mha.num_heads
    proj = [x @ w[i * e : (i + 1) * e].T + b[i * e : (i + 1) * e] for i, x in enumerate((q, k, v))]
    # (T, N, E) -> (N, h, T, E / h)
    heads = [p.reshape(p.shape[0], p.shape[1], h, e // h).transpose(1, 2, 0, 3) for p in proj]
    out = reference_attention(*heads, attn_bias)  # (N, h, L, E / h)
    out = out.transpose(2, 0, 1, 3).reshape(q.shape[0], q.shape[1], e)
    return out @ mha.out_proj.weight.detach().numpy().T + mha.out_proj.bias.detach().numpy()


def test_mha_matches_the_reference_with_masks_and_returns_mean_weights():
    mha = nn.MultiheadAttention(8, 2).double()
    L, S, N = 3, 4, 2
    q, k, v = (mg.randn(T, N, 8, dtype=mg.float64) for T in (L, S, S))
    pad = mg.tensor([[False, False, True, False], [False, True, False, False]])
    causal = mg.tensor(np.triu(np.ones((L, S), dtype=bool), 1))
    out, weights = mha(q, k, v, key_padding_mask=pad, attn_mask=causal)
    allowed = ~pad.numpy()[:, None, None, :] & ~causal.numpy()
    expected = reference_mha(mha, q.numpy(), k.numpy(), v.numpy(), allowed)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    assert weights.shape == (N, L, S)
    np.testing.assert_allclose(weights.sum(-1).detach().numpy(), np.ones((N, L)), rtol=1e-12)
    assert (weights.detach().numpy()[~np.broadcast_to(allowed[:, 0], (N, L, S))] == 0).all()
    fast, none = mha(q, k, v, key_padding_mask=pad, attn_mask=causal, need_weights=False)
    assert none is None
    np.testing.assert_allclose(fast.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    _, per_head = mha(q, k, v, average_attn_weights=False)
    assert per_head.shape == (N, 2, L, S)


def test_mha_batch_first_and_unbatched_give_the_same_numbers():
    mha = nn.MultiheadAttention(6, 3).double()
    x = mg.randn(4, 2, 6, dtype=mg.float64)
    out, w = mha(x, x, x)
    mha.batch_first = True
    out_bf, w_bf = mha(x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1))
    np.testing.assert_allclose(out_bf.transpose(0, 1).detach().numpy(), out.detach().numpy())
    np.testing.assert_allclose(w_bf.detach().numpy(), w.detach().numpy())
    single, _ = mha(x[:, 0], x[:, 0], x[:, 0])  # unbatched (L, E)
    np.testing.assert_allclose(single.detach().numpy(), out[:, 0].detach().numpy(), rtol=1e-12)


def test_mha_parameters_are_pytorchs():
    mha = nn.MultiheadAttention(8, 2)
    assert list(mha.state_dict()) == [
        "in_proj_weight",
        "in_proj_bias",
        "out_proj.weight",
        "out_proj.bias",
    ]
    assert mha.in_proj_weight.shape == (24, 8) and (mha.in_proj_bias == 0).all()
    bound = math.sqrt(6 / (24 + 8))  # Xavier-uniform over (3E, E)
    assert float(mha.in_proj_weight.abs().max()) <= bound
    other = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True, bias=False)
    assert list(other.state_dict()) == [
        "q_proj_weight",
        "k_proj_weight",
        "v_proj_weight",
        "bias_k",
        "bias_v",
        "out_proj.weight",
    ]
    out, _ = other(mg.randn(2, 1, 8), mg.randn(4, 1, 3), mg.randn(4, 1, 5))
    assert out.shape == (2, 1, 8)


def test_mha_gradients():
    mha = nn.MultiheadAttention(4, 2, add_zero_attn=True).double()
    q, k, v = qkv((2, 1, 4), (3, 1, 4), (3, 1, 4))
    mask = mg.tensor([[0.0, -1.0, 0.5], [0.0, 0.0, -math.inf]], dtype=mg.float64)
    params = [mha.in_proj_weight, mha.in_proj_bias, mha.out_proj.weight]

    def attend(q, k, v, *_):
        return mha(q, k, v, attn_mask=mask, need_weights=False)[0]

    assert gradcheck(attend, (q, k, v, *params))


BAD_MHA = [
    (lambda m: m(mg.randn(3, 2, 5), mg.randn(3, 2, 5), mg.randn(3, 2, 5)), "embedding dimension"),
    (lambda m: m(mg.randn(3, 2, 8), mg.randn(4, 2, 8), mg.randn(5, 2, 8)), "key shape"),
    (lambda m: m(mg.randn(3, 8), mg.randn(3, 2, 8), mg.randn(3, 2, 8)), "to be 2-D"),
    (
        lambda m: m(
            mg.randn(3, 2, 8), mg.randn(4, 2, 8), mg.randn(4, 2, 8), attn_mask=mg.zeros(4, 4)
        ),
        "2D attn_mask",
    ),
    (
        lambda m: m(
            mg.randn(3, 2, 8),
            mg.randn(4, 2, 8),
            mg.randn(4, 2, 8),
            key_padding_mask=mg.zeros(2, 3, dtype=mg.bool),
        ),
        "key_padding_mask shape",
    ),
    (
        lambda m: m(
            mg.randn(3, 2, 8),
            mg.randn(4, 2, 8),
            mg.randn(4, 2, 8),
            attn_mask=mg.zeros(3, 4, dtype=mg.int64),
        ),
        "bool and floating",
    ),
    (
        lambda m: m(mg.randn(3, 2, 8), mg.randn(3, 2, 8), mg.randn(3, 2, 8), is_causal=True),
        "Need attn_mask",
    ),
    (lambda m: nn.MultiheadAttention(8, 3), "divisible by num_heads"),
    (lambda m: nn.MultiheadAttention(0, 1), "greater than 0"),
]


@pytest.mark.parametrize("call, words", BAD_MHA, ids=[w for _, w in BAD_MHA])
def test_mha_bad_input_is_refused_clearly(call, words):
    with pytest.raises((TypeError, ValueError, RuntimeError), match=words):
        call(nn.MultiheadAttention(8, 2))


# ----- TransformerEncoderLayer, TransformerEncoder ------------------------------------------
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_is_attention_then_feed_forward_around_residuals(norm_first):
    layer = nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, norm_first=norm_first, activation="gelu", batch_first=True
    ).double()
    x = mg.randn(2, 5, 8, dtype=mg.float64)

    def sa(t):
        return layer.self_attn(t, t, t, need_weights=False)[0]

    def ff(t):
        return layer.linear2(F.gelu(layer.linear1(t)))

    if norm_first:
        h = x + sa(layer.norm1(x))
        expected = h + ff(layer.norm2(h))
    else:
        h = layer.norm1(x + sa(x))
        expected = layer.norm2(h + ff(h))
    np.testing.assert_allclose(layer(x).detach().numpy(), expected.detach().numpy(), rtol=1e-12)


def test_encoder_copies_its_layer_and_names_them_as_pytorch():
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    encoder = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(8))
    names = list(encoder.state_dict())
    assert names[0] == "layers.0.self_attn.in_proj_weight" and names[-1] == "norm.bias"
    w = [encoder.layers[i].linear1.weight for i in range(3)]
    assert w[0] is not w[1] and (w[0] == w[1]).all() and w[0] is not layer.linear1.weight
    encoder.eval()
    src = mg.randn(6, 2, 8)
    mask = mg.tensor(np.triu(np.full((6, 6), -np.inf, dtype=np.float32), 1))
    out = encoder(src, mask=mask)  # detected as the causal mask: the fused causal attention
    x = src
    for i in range(3):
        x = encoder.layers[i](x, src_mask=mask)
    np.testing.assert_allclose(
        out.detach().numpy(), encoder.norm(x).detach().numpy(), rtol=1e-5, atol=1e-6
    )
    assert (encoder(src, mask=mask) == out).all()


def test_encoder_gradients_reach_every_parameter():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2)
    encoder(mg.randn(4, 3, 8)).sum().backward()
    assert all(p.grad is not None and p.grad.dtype == p.dtype for p in encoder.parameters())


def test_encoder_layer_bad_activation():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
