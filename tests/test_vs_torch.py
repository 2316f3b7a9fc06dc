"""Differential tests against PyTorch: the vision and language-model layers give PyTorch's
values and gradients (float64), argument combination by argument combination.

PyTorch is not a dependency: these skip where it is not installed (CI), and run where it is
(`pip install torch` in the environment, then `pytest tests/test_vs_torch.py`). The layers'
own tests check hand-worked values and gradcheck; these check that the semantics are
PyTorch's, with modules compared after loading PyTorch's state_dict.
"""

import itertools

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")
TF, MF = torch.nn.functional, mg.nn.functional


def compare(torch_fn, mg_fn, shapes, seed=0):
    """Same float64 inputs to both; outputs equal, then input gradients equal for one random
    output gradient. An error must come from both or neither."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    m_in = [mg.tensor(a, requires_grad=True) for a in arrays]
    try:
        t_out = torch_fn(*t_in)
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        with pytest.raises((RuntimeError, ValueError, TypeError, IndexError)):
            mg_fn(*m_in)
        return str(error)
    m_out = mg_fn(*m_in)
    if isinstance(t_out, tuple):
        t_out, m_out = t_out[0], m_out[0]
    assert tuple(m_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6, atol=1e-8)
    g = rng.standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(g))
    m_out.backward(mg.tensor(g))
    for t, m in zip(t_in, m_in):
        assert (t.grad is None) == (m.grad is None)
        if t.grad is not None:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)
    return None


def transfer(torch_module, mg_module):
    state = {k: mg.tensor(v.detach().numpy()) for k, v in torch_module.state_dict().items()}
    mg_module.load_state_dict(state, strict=True)
    return mg_module


CONV2D = list(
    itertools.product(
        [(2, 4, 9, 8, 6, 3), (1, 2, 5, 5, 2, 2)],
        [1, 2, (2, 1)],
        [0, 1, "same", "valid", (1, 2)],
        [1, 2],
        [1, 2],
    )
)


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch: 'same' with an even kernel
@pytest.mark.parametrize("sizes, stride, padding, dilation, groups", CONV2D)
def test_conv2d(sizes, stride, padding, dilation, groups):
    n, c, h, w, k, kernel = sizes
    compare(
        lambda x, wt, b: TF.conv2d(x, wt, b, stride, padding, dilation, groups),
        lambda x, wt, b: MF.conv2d(x, wt, b, stride, padding, dilation, groups),
        [(n, c, h, w), (k, c // groups, kernel, kernel), (k,)],
    )


@pytest.mark.parametrize(
    "stride, padding, output_padding, groups, dilation",
    list(itertools.product([1, 2, 3], [0, 1, 2], [0, 1], [1, 2], [1, 2])),
)
def test_conv_transpose2d(stride, padding, output_padding, groups, dilation):
    args = (stride, padding, output_padding, groups, dilation)
    compare(
        lambda x, w, b: TF.conv_transpose2d(x, w, b, *args),
        lambda x, w, b: MF.conv_transpose2d(x, w, b, *args),
        [(2, 4, 5, 6), (4, 6 // groups, 3, 3), (6,)],
    )


@pytest.mark.parametrize(
    "stride, padding, dilation", list(itertools.product([1, 2], [0, 1, "same"], [1, 3]))
)
def test_conv1d(stride, padding, dilation):
    compare(
        lambda x, w, b: TF.conv1d(x, w, b, stride, padding, dilation),
        lambda x, w, b: MF.conv1d(x, w, b, stride, padding, dilation),
        [(2, 3, 11), (4, 3, 3), (4,)],
    )


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, 2, (1, 2)])
def test_conv2d_padding_modes(mode, padding):
    t = torch.nn.Conv2d(3, 4, 3, padding=padding, padding_mode=mode).double()
    m = transfer(t, mg.nn.Conv2d(3, 4, 3, padding=padding, padding_mode=mode).double())
    compare(t, m, [(2, 3, 7, 6)])


@pytest.mark.parametrize(
    "kernel, stride, padding, dilation, ceil_mode",
    list(itertools.product([2, 3], [None, 1, 2], [0, 1], [1, 2], [False, True])),
)
def test_max_pool(kernel, stride, padding, dilation, ceil_mode):
    args = (kernel, stride, padding, dilation, ceil_mode)
    compare(lambda x: TF.max_pool2d(x, *args), lambda x: MF.max_pool2d(x, *args), [(2, 3, 9, 8)])
    compare(lambda x: TF.max_pool1d(x, *args), lambda x: MF.max_pool1d(x, *args), [(2, 3, 9)])


@pytest.mark.parametrize(
    "kernel, stride, padding, ceil_mode, count_include_pad, divisor_override",
    list(itertools.product([2, 3], [None, 2], [0, 1], [False, True], [True, False], [None, 3])),
)
def test_avg_pool(kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    args = (kernel, stride, padding, ceil_mode, count_include_pad)
    compare(
        lambda x: TF.avg_pool2d(x, *args, divisor_override),
        lambda x: MF.avg_pool2d(x, *args, divisor_override),
        [(2, 3, 9, 8)],
    )
    compare(lambda x: TF.avg_pool1d(x, *args), lambda x: MF.avg_pool1d(x, *args), [(2, 3, 9)])


@pytest.mark.parametrize("size", [1, 2, 3, (2, 5), (None, 3)])
def test_adaptive_pools(size):
    for name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        t, m = getattr(TF, name), getattr(MF, name)
        compare(lambda x, t=t: t(x, size), lambda x, m=m: m(x, size), [(2, 3, 7, 9)])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 1), (2, 1, 0, 1), (1, 2, 2, 1)])
def test_pad(mode, pad):
    compare(lambda x: TF.pad(x, pad, mode), lambda x: MF.pad(x, pad, mode), [(2, 3, 5, 6)])


@pytest.mark.parametrize(
    "mode, align", [("nearest", None), ("bilinear", False), ("bilinear", True)]
)
@pytest.mark.parametrize("size, scale", [((7, 9), None), (None, 2), (None, 1.5), ((3, 4), None)])
def test_interpolate(mode, align, size, scale):
    compare(
        lambda x: TF.interpolate(x, size, scale, mode, align),
        lambda x: MF.interpolate(x, size, scale, mode, align),
        [(2, 3, 5, 6)],
    )


@pytest.mark.parametrize(
    "affine, track, momentum", list(itertools.product([True, False], [True, False], [0.1, None]))
)
def test_batch_norm_train_then_eval(affine, track, momentum):
    options = {"momentum": momentum, "affine": affine, "track_running_stats": track}
    t = torch.nn.BatchNorm2d(3, **options).double()
    m = mg.nn.BatchNorm2d(3, **options).double()
    for step in range(3):
        compare(t, m, [(4, 3, 5, 5)], seed=step)
    for key, value in t.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[key].numpy(), value.numpy(), rtol=1e-12)
    t.eval(), m.eval()
    compare(t, m, [(4, 3, 5, 5)], seed=9)


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.GroupNorm(1, 6),
        lambda nn: nn.GroupNorm(3, 6),
        lambda nn: nn.InstanceNorm2d(6, affine=True),
        lambda nn: nn.LayerNorm((4, 3)),
        lambda nn: nn.RMSNorm(3),
    ],
)
def test_normalisations(make):
    t = make(torch.nn).double()
    compare(t, transfer(t, make(mg.nn).double()), [(2, 6, 4, 3)])


ACTIVATIONS = [
    "Tanh",
    "Sigmoid",
    "LeakyReLU",
    "ELU",
    "SELU",
    "GELU",
    "SiLU",
    "Mish",
    "Softplus",
    "Hardtanh",
    "ReLU6",
    "Hardswish",
    "Hardsigmoid",
    "CELU",
    "Softmax2d",
    "Softsign",
    "Tanhshrink",
    "LogSigmoid",
    "Hardshrink",
    "Softshrink",
    "GLU",
]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations(name):
    compare(getattr(torch.nn, name)(), getattr(mg.nn, name)(), [(2, 3, 4, 5)])


def test_activation_options_and_reshaping_layers():
    compare(torch.nn.GELU("tanh"), mg.nn.GELU("tanh"), [(3, 7)])
    compare(torch.nn.Softplus(2, 1), mg.nn.Softplus(2, 1), [(3, 7)])
    compare(torch.nn.Softmin(1), mg.nn.Softmin(1), [(3, 7)])
    compare(torch.nn.Threshold(0.2, -3.0), mg.nn.Threshold(0.2, -3.0), [(3, 7)])
    compare(torch.nn.GLU(1), mg.nn.GLU(1), [(3, 8)])
    compare(torch.nn.PixelShuffle(2), mg.nn.PixelShuffle(2), [(2, 8, 3, 3)])
    compare(torch.nn.Unflatten(1, (2, 3)), mg.nn.Unflatten(1, (2, 3)), [(4, 6)])


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize(
    "layers, bidirectional, batch_first, bias",
    list(itertools.product([1, 2], [False, True], [False, True], [True, False])),
)
def test_recurrent_layers(mode, layers, bidirectional, batch_first, bias):
    options = {
        "num_layers": layers,
        "bidirectional": bidirectional,
        "batch_first": batch_first,
        "bias": bias,
    }
    t = getattr(torch.nn, mode)(4, 5, **options).double()
    m = transfer(t, getattr(mg.nn, mode)(4, 5, **options).double())
    compare(lambda x: t(x)[0], lambda x: m(x)[0], [(3, 6, 4)])
    if mode != "LSTM":
        h0 = (layers * (1 + bidirectional), 3 if batch_first else 6, 5)
        compare(lambda x, h: t(x, h)[1], lambda x, h: m(x, h)[1], [(3, 6, 4), h0])


@pytest.mark.parametrize(
    "batch_first, kdim, bias, average, masks",
    list(itertools.product([False, True], [None, 3], [True, False], [True, False], range(3))),
)
def test_multihead_attention(batch_first, kdim, bias, average, masks):
    t = torch.nn.MultiheadAttention(8, 2, bias=bias, batch_first=batch_first, kdim=kdim, vdim=kdim)
    t = t.double()
    m = mg.nn.MultiheadAttention(8, 2, bias=bias, batch_first=batch_first, kdim=kdim, vdim=kdim)
    m = transfer(t, m.double())
    attn_mask = np.random.default_rng(1).random((4, 5)) > 0.7
    padding = np.zeros((2, 5), dtype=bool)
    padding[0, -1] = True
    t_kw, m_kw = {"average_attn_weights": average}, {"average_attn_weights": average}
    if masks >= 1:
        t_kw["attn_mask"], m_kw["attn_mask"] = torch.tensor(attn_mask), mg.tensor(attn_mask)
    if masks == 2:
        t_kw["key_padding_mask"], m_kw["key_padding_mask"] = (
            torch.tensor(padding),
            mg.tensor(padding),
        )
    q = (2, 4, 8) if batch_first else (4, 2, 8)
    kv = (2, 5, kdim or 8) if batch_first else (5, 2, kdim or 8)
    for output in (0, 1):
        compare(
            lambda *a, o=output: t(*a, **t_kw)[o],
            lambda *a, o=output: m(*a, **m_kw)[o],
            [q, kv, kv],
        )


@pytest.mark.parametrize(
    "norm_first, activation, batch_first",
    list(itertools.product([False, True], ["relu", "gelu"], [False, True])),
)
def test_transformer_encoder(norm_first, activation, batch_first):
    options = {
        "dropout": 0.0,
        "activation": activation,
        "batch_first": batch_first,
        "norm_first": norm_first,
    }
    t = torch.nn.TransformerEncoderLayer(8, 2, 16, **options).double()
    m = transfer(t, mg.nn.TransformerEncoderLayer(8, 2, 16, **options).double())
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5).double()
    shape = (2, 5, 8) if batch_first else (5, 2, 8)
    compare(
        lambda x: t(x, src_mask=causal), lambda x: m(x, src_mask=mg.tensor(causal.numpy())), [shape]
    )
    t_stack = torch.nn.TransformerEncoder(t, 2, enable_nested_tensor=False)
    compare(t_stack, transfer(t_stack, mg.nn.TransformerEncoder(m, 2)), [shape])


@pytest.mark.parametrize(
    "causal, scale, mask",
    list(itertools.product([False, True], [None, 0.3], [None, "bool", "float"])),
)
def test_scaled_dot_product_attention(causal, scale, mask):
    if causal and mask:
        pytest.skip("PyTorch refuses a mask with is_causal")
    rng = np.random.default_rng(2)
    m_mask = (
        None
        if mask is None
        else (rng.random((4, 6)) > 0.3 if mask == "bool" else rng.standard_normal((4, 6)))
    )
    t_mask = None if m_mask is None else torch.tensor(m_mask)
    m_mask = None if m_mask is None else mg.tensor(m_mask)
    keys = (2, 3, 4, 5) if causal else (2, 3, 6, 5)
    compare(
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, t_mask, 0.0, causal, scale),
        lambda q, k, v: MF.scaled_dot_product_attention(q, k, v, m_mask, 0.0, causal, scale),
        [(2, 3, 4, 5), keys, keys],
    )


@pytest.mark.parametrize(
    "padding_idx, max_norm", [(None, None), (2, None), (-1, None), (None, 1.0)]
)
def test_embedding(padding_idx, max_norm):
    t = torch.nn.Embedding(10, 4, padding_idx=padding_idx, max_norm=max_norm).double()
    m = transfer(t, mg.nn.Embedding(10, 4, padding_idx=padding_idx, max_norm=max_norm).double())
    index = np.array([[1, 2, 2], [9, 0, 8]])
    t_out, m_out = t(torch.tensor(index)), m(mg.tensor(index))
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(3).standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(g)), m_out.backward(mg.tensor(g))
    np.testing.assert_allclose(m.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(m.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batch_norm_1d(shape):
    t, m = torch.nn.BatchNorm1d(3).double(), mg.nn.BatchNorm1d(3).double()
    compare(t, m, [shape])
    np.testing.assert_allclose(m.running_var.numpy(), t.running_var.numpy(), rtol=1e-12)


@pytest.mark.parametrize("stride, padding, output_padding", [(1, 0, 0), (2, 1, 1), (3, 2, 0)])
def test_conv_transpose1d(stride, padding, output_padding):
    args = (stride, padding, output_padding)
    compare(
        lambda x, w, b: TF.conv_transpose1d(x, w, b, *args),
        lambda x, w, b: MF.conv_transpose1d(x, w, b, *args),
        [(2, 4, 7), (4, 3, 3), (3,)],
    )


def test_max_unpool2d_inverts_max_pool2d_with_indices():
    t_pool, m_pool = (
        torch.nn.MaxPool2d(2, return_indices=True),
        mg.nn.MaxPool2d(2, return_indices=True),
    )
    x = np.random.default_rng(4).standard_normal((2, 3, 6, 4))
    t_out, t_idx = t_pool(torch.tensor(x))
    m_out, m_idx = m_pool(mg.tensor(x))
    np.testing.assert_array_equal(m_out.numpy(), t_out.numpy())
    np.testing.assert_array_equal(m_idx.numpy(), t_idx.numpy())
    compare(
        lambda v: torch.nn.MaxUnpool2d(2)(v, t_idx),
        lambda v: mg.nn.MaxUnpool2d(2)(v, m_idx),
        [(2, 3, 3, 2)],
    )


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_upsample_module(mode):
    compare(
        torch.nn.Upsample(scale_factor=2, mode=mode),
        mg.nn.Upsample(scale_factor=2, mode=mode),
        [(1, 2, 3, 4)],
    )
