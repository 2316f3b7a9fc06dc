"""Convolution: F.conv1d/conv2d/conv_transpose1d/conv_transpose2d and their layers, against a
direct loop written here (the oracle for small sizes), hand-worked numbers, float64 gradcheck
and gradgradcheck, gradient dtypes, memory, and bad input."""

import itertools
import math

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

RNG = np.random.default_rng(0)


def conv_reference(x, w, b, stride, padding, dilation, groups):
    """A direct convolution of numpy arrays, one output element at a time.

    x (N, C, *L), w (K, C/groups, *k); padding ((lo, hi), ...) per dim."""
    nd = x.ndim - 2
    xp = np.pad(x, ((0, 0), (0, 0), *padding))
    n = x.shape[0]
    k, cg = w.shape[:2]
    kernel = w.shape[2:]
    out = [
        (xp.shape[2 + d] - dilation[d] * (kernel[d] - 1) - 1) // stride[d] + 1 for d in range(nd)
    ]
    y = np.zeros((n, k, *out))
    kg = k // groups
    for i, o in itertools.product(range(k), itertools.product(*(range(m) for m in out))):
        g = i // kg
        for offset in itertools.product(*(range(m) for m in kernel)):
            pos = tuple(o[d] * stride[d] + offset[d] * dilation[d] for d in range(nd))
            y[(slice(None), i, *o)] += (
                xp[(slice(None), slice(g * cg, (g + 1) * cg), *pos)] * w[(i, slice(None), *offset)]
            ).sum(axis=1)
    if b is not None:
        y += b.reshape((1, k) + (1,) * nd)
    return y


def conv_transpose_reference(x, w, b, stride, padding, output_padding, dilation, groups):
    """A direct transposed convolution: every input element scatters w times itself."""
    nd = x.ndim - 2
    n, cin = x.shape[:2]
    cout_g = w.shape[1]
    kernel = w.shape[2:]
    size = [
        (x.shape[2 + d] - 1) * stride[d]
        - 2 * padding[d]
        + dilation[d] * (kernel[d] - 1)
        + output_padding[d]
        + 1
        for d in range(nd)
    ]
    full = np.zeros((n, cout_g * groups, *[s + 2 * p for s, p in zip(size, padding)]))
    cin_g = cin // groups
    for ci, pos in itertools.product(
        range(cin), itertools.product(*(range(m) for m in x.shape[2:]))
    ):
        g = ci // cin_g
        for offset in itertools.product(*(range(m) for m in kernel)):
            at = tuple(pos[d] * stride[d] + offset[d] * dilation[d] for d in range(nd))
            block = slice(g * cout_g, (g + 1) * cout_g)
            full[(slice(None), block, *at)] += (
                x[(slice(None), ci, *pos)][:, None] * w[(ci, slice(None), *offset)]
            )
    crop = tuple(slice(p, p + s) for s, p in zip(size, padding))
    y = full[(..., *crop)]
    if b is not None:
        y = y + b.reshape((1, -1) + (1,) * nd)
    return y


def _pairs(padding, nd):
    return (
        ((padding, padding),) * nd if isinstance(padding, int) else tuple((p, p) for p in padding)
    )


CONV_CASES = [  # (dims, N, C, size, K, kernel, stride, padding, dilation, groups, bias)
    (2, 2, 3, (7, 6), 4, (3, 3), (1, 1), 0, (1, 1), 1, True),
    (2, 2, 4, (7, 8), 6, (3, 2), (2, 1), (1, 2), (1, 2), 2, True),  # strided rows: wide layout
    (2, 1, 2, (9, 9), 2, (3, 3), (2, 3), 1, (2, 1), 1, False),  # strided columns: standard
    (2, 3, 4, (6, 6), 4, (3, 3), (1, 1), 2, (1, 1), 4, True),  # depthwise
    (2, 2, 2, (5, 5), 6, (1, 1), (1, 1), 0, (1, 1), 2, False),  # 1x1, columns are x itself
    (1, 2, 3, (9,), 4, (3,), (2,), 1, (1,), 1, True),
    (1, 1, 4, (8,), 2, (2,), (1,), 0, (3,), 2, True),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}d-{c[5]}-s{c[6]}-g{c[9]}")
def test_conv_matches_the_direct_loop(case):
    dims, n, c, size, k, kernel, stride, padding, dilation, groups, bias = case
    x = RNG.standard_normal((n, c, *size))
    w = RNG.standard_normal((k, c // groups, *kernel))
    b = RNG.standard_normal(k) if bias else None
    conv = F.conv1d if dims == 1 else F.conv2d
    args = (stride, padding, dilation, groups)
    got = conv(mg.tensor(x), mg.tensor(w), None if b is None else mg.tensor(b), *args)
    want = conv_reference(x, w, b, stride, _pairs(padding, dims), dilation, groups)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


def test_hand_worked_convolutions():
    x = mg.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    assert F.conv1d(x, mg.tensor([[[1.0, 0.0, -1.0]]])).tolist() == [[[-2.0, -2.0]]]  # correlation
    assert F.conv1d(x, mg.tensor([[[1.0, 1.0]]]), stride=2).tolist() == [[[3.0, 7.0]]]
    ones = F.conv2d(mg.ones(1, 1, 3, 3), mg.ones(1, 1, 3, 3), mg.tensor([0.5]), padding=1)
    assert ones.tolist() == [[[[4.5, 6.5, 4.5], [6.5, 9.5, 6.5], [4.5, 6.5, 4.5]]]]
    # padding='same' with an even kernel puts the extra zero at the end (as PyTorch)
    same = F.conv1d(x, mg.tensor([[[1.0, 1.0]]]), padding="same")
    assert same.tolist() == [[[3.0, 5.0, 7.0, 4.0]]]
    up = F.conv_transpose1d(mg.tensor([[[1.0, 2.0]]]), mg.tensor([[[1.0, 1.0, 1.0]]]), stride=2)
    assert up.tolist() == [[[1.0, 1.0, 3.0, 2.0, 2.0]]]


TRANSPOSE_CASES = [  # (dims, size, C_in, C_out/groups, kernel, stride, padding, out_pad, dil, g)
    (2, (3, 4), 2, 3, (3, 3), (2, 2), (1, 1), (1, 0), (1, 1), 1),
    (2, (3, 3), 4, 1, (2, 3), (1, 2), (0, 1), (0, 1), (2, 1), 2),
    (2, (4, 3), 2, 2, (3, 3), (1, 1), (1, 1), (1, 1), (2, 2), 1),  # output_padding < dilation
    (1, (5,), 3, 2, (4,), (3,), (1,), (2,), (1,), 1),
]


@pytest.mark.parametrize("case", TRANSPOSE_CASES, ids=str)
def test_conv_transpose_matches_the_direct_loop(case):
    dims, size, cin, cout_g, kernel, stride, padding, out_pad, dilation, groups = case
    x = RNG.standard_normal((2, cin, *size))
    w = RNG.standard_normal((cin, cout_g, *kernel))
    b = RNG.standard_normal(cout_g * groups)
    conv = F.conv_transpose1d if dims == 1 else F.conv_transpose2d
    got = conv(mg.tensor(x), mg.tensor(w), mg.tensor(b), stride, padding, out_pad, groups, dilation)
    want = conv_transpose_reference(x, w, b, stride, padding, out_pad, dilation, groups)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


def test_conv_transpose_is_the_adjoint_of_conv():
    x, w = RNG.standard_normal((2, 4, 7, 6)), RNG.standard_normal((6, 2, 3, 3))
    g = RNG.standard_normal((2, 6, 4, 3))
    y = F.conv2d(mg.tensor(x), mg.tensor(w), stride=2, padding=1, groups=2)
    z = F.conv_transpose2d(
        mg.tensor(g), mg.tensor(w), stride=2, padding=1, groups=2, output_padding=(0, 1)
    )
    assert z.shape == x.shape
    assert math.isclose((y.numpy() * g).sum(), (x * z.numpy()).sum(), rel_tol=1e-12)


def _f64(*shape):
    return mg.tensor(RNG.standard_normal(shape), requires_grad=True)


GRAD_CASES = [
    ("conv2d", lambda x, w, b: F.conv2d(x, w, b, padding=1), [(2, 2, 4, 3), (2, 2, 3, 3), (2,)]),
    (
        "conv2d_strided",
        lambda x, w, b: F.conv2d(x, w, b, (2, 1), 1, (1, 2), 2),
        [(1, 4, 5, 5), (2, 2, 2, 3), (2,)],
    ),
    (
        "conv2d_wide_stride",
        lambda x, w: F.conv2d(x, w, stride=(1, 2)),
        [(1, 2, 5, 6), (3, 2, 2, 2)],
    ),
    (
        "conv2d_same_unbatched",
        lambda x, w: F.conv2d(x, w, padding="same"),
        [(2, 4, 5), (2, 2, 2, 3)],
    ),
    ("conv1d", lambda x, w, b: F.conv1d(x, w, b, 2, 1, 1, 3), [(2, 3, 6), (3, 1, 3), (3,)]),
    (
        "conv_transpose2d",
        lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
        [(1, 2, 2, 3), (2, 2, 3, 2), (2,)],
    ),
    (
        "conv_transpose1d",
        lambda x, w: F.conv_transpose1d(x, w, stride=3, groups=2),
        [(1, 4, 3), (4, 1, 2)],
    ),
]


@pytest.mark.parametrize("name, fn, shapes", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_of_every_argument(name, fn, shapes):
    inputs = [_f64(*s) for s in shapes]
    assert mg.autograd.gradcheck(fn, inputs)
    assert mg.autograd.gradgradcheck(fn, inputs)  # create_graph through the convolution


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32], ids=str)
def test_gradients_have_the_inputs_dtype(dtype):
    x = mg.randn(2, 3, 6, 6, dtype=dtype, requires_grad=True)
    w = mg.randn(4, 3, 3, 3, dtype=dtype, requires_grad=True)
    b = mg.randn(4, dtype=dtype, requires_grad=True)
    out = F.conv2d(x, w, b, padding=1)
    assert out.dtype == dtype
    _check_grads(out, [x, w, b])
    t = mg.randn(2, 4, 3, 3, dtype=dtype, requires_grad=True)
    _check_grads(F.conv_transpose2d(t, w.detach().requires_grad_(), stride=2), [t])


def test_the_column_buffer_is_released_by_backward():
    x = mg.randn(2, 3, 8, 8, requires_grad=True)
    y = F.conv2d(x, mg.randn(4, 3, 3, 3, requires_grad=True))
    entry = y.grad_fn
    assert entry.cols.shape == (1, 27, 2 * 6 * 8)  # both samples' columns, wide: 6 rows of 8
    y.sum().backward()
    assert entry.freed and "cols" not in entry.__dict__
    with mg.no_grad():  # nothing recorded: nothing kept
        assert F.conv2d(x, mg.randn(4, 3, 3, 3)).grad_fn is None


def test_no_input_gradient_when_the_input_needs_none():
    x = mg.randn(2, 1, 6, 6)  # data: no fold is computed for it
    w = mg.randn(3, 1, 3, 3, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 1, 3, 3)


def test_unbatched_input_is_one_sample():
    x, w, b = mg.randn(3, 6, 5), mg.randn(4, 3, 3, 3), mg.randn(4)
    one = F.conv2d(x, w, b, padding=1)
    np.testing.assert_allclose(one.numpy(), F.conv2d(x.unsqueeze(0), w, b, padding=1)[0].numpy())
    assert F.conv_transpose2d(mg.randn(4, 2, 2), w).shape == (3, 4, 4)


# ----- layers -------------------------------------------------------------------------------
def test_conv2d_layer_shapes_init_and_repr():
    mg.manual_seed(0)
    conv = nn.Conv2d(4, 8, 3, groups=2)
    assert conv.weight.shape == (8, 2, 3, 3) and conv.bias.shape == (8,)
    bound = 1 / math.sqrt(2 * 9)  # kaiming_uniform_(a=sqrt(5)) gives 1/sqrt(fan_in), as the bias
    assert (
        np.abs(conv.weight.detach().numpy()).max() <= bound
        and np.abs(conv.bias.detach().numpy()).max() <= bound
    )
    assert np.abs(conv.weight.detach().numpy()).max() > 0.8 * bound
    assert repr(nn.Conv2d(1, 6, 5)) == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert repr(nn.Conv2d(2, 4, (3, 5), 2, 1, 2, 2, False, "reflect")) == (
        "Conv2d(2, 4, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), "
        "groups=2, bias=False, padding_mode=reflect)"
    )
    assert repr(nn.Conv1d(2, 4, 3, padding="same")) == (
        "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=same)"
    )
    assert repr(nn.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1)) == (
        "ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))"
    )
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert nn.Conv2d(3, 6, 5)(mg.zeros(4, 3, 28, 28)).shape == (4, 6, 24, 24)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_pad_first(mode):
    conv = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode)
    x = mg.randn(2, 2, 5, 6)
    want = F.conv2d(F.pad(x, (2, 2, 1, 1), mode=mode), conv.weight, conv.bias)
    np.testing.assert_allclose(conv(x).detach().numpy(), want.detach().numpy(), rtol=1e-6)
    same = nn.Conv1d(1, 1, 4, padding="same", padding_mode=mode)  # total 3: 1 before, 2 after
    assert same._reversed_padding_repeated_twice == (1, 2)
    assert same(mg.randn(1, 1, 7)).shape == (1, 1, 7)


def test_conv_transpose_layer_output_size():
    up = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    x = mg.randn(1, 4, 5, 5)
    assert up(x).shape == (1, 2, 9, 9)
    assert up(x, output_size=(10, 10)).shape == (1, 2, 10, 10)
    assert up(x, output_size=(1, 2, 10, 9)).shape == (1, 2, 10, 9)
    with pytest.raises(ValueError, match="output size"):
        up(x, output_size=(11, 11))


# ----- bad input ----------------------------------------------------------------------------
BAD = [
    (lambda: F.conv2d(mg.randn(2, 3, 8, 8), mg.randn(4, 2, 3, 3)), RuntimeError, "3 channels"),
    (lambda: F.conv2d(mg.randn(8, 8), mg.randn(4, 1, 3, 3)), RuntimeError, "input of size"),
    (lambda: F.conv2d(mg.randn(1, 1, 8, 8), mg.randn(4, 3, 3)), RuntimeError, "weight"),
    (lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 5, 5)), RuntimeError, "Kernel size"),
    (
        lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 3, 3), dilation=2),
        RuntimeError,
        "padded input size",
    ),
    (
        lambda: F.conv2d(mg.randn(1, 2, 4, 4), mg.randn(3, 1, 1, 1), groups=2),
        RuntimeError,
        "divisible by 2",
    ),
    (
        lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(2, 1, 1, 1), mg.randn(3)),
        RuntimeError,
        "bias",
    ),
    (lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 1, 1).double()), RuntimeError, "dtype"),
    (
        lambda: F.conv2d(mg.ones(1, 1, 4, 4, dtype=mg.int64), mg.ones(1, 1, 1, 1, dtype=mg.int64)),
        RuntimeError,
        "floating point",
    ),
    (
        lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 1, 1), stride=0),
        RuntimeError,
        "stride",
    ),
    (
        lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 1, 1), padding=-1),
        RuntimeError,
        "padding",
    ),
    (
        lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 1, 1), padding="full"),
        ValueError,
        "padding string",
    ),
    (
        lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 1, 1), stride=2, padding="same"),
        ValueError,
        "strided",
    ),
    (
        lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 1, 1), stride=(1, 1, 1)),
        RuntimeError,
        "stride",
    ),
    (lambda: F.conv2d([[1.0]], mg.randn(1, 1, 1, 1)), TypeError, "input"),
    (
        lambda: F.conv_transpose2d(mg.randn(1, 2, 3, 3), mg.randn(2, 1, 3, 3), output_padding=1),
        RuntimeError,
        "output padding",
    ),
    (
        lambda: F.conv_transpose2d(mg.randn(1, 3, 3, 3), mg.randn(2, 1, 3, 3)),
        RuntimeError,
        "channels",
    ),
    (lambda: nn.Conv2d(1, 2, 3, padding_mode="zero"), ValueError, "padding_mode"),
    (lambda: nn.Conv2d(3, 2, 3, groups=2), ValueError, "in_channels must be divisible"),
    (lambda: nn.Conv2d(2, 3, 3, groups=2), ValueError, "out_channels must be divisible"),
    (lambda: nn.Conv2d(2, 2, 3, groups=0), ValueError, "groups"),
    (lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same"), ValueError, "strided"),
    (lambda: nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect"), ValueError, "zeros"),
    (lambda: nn.Conv2d(1, 1, 0), RuntimeError, "kernel_size"),
]


@pytest.mark.parametrize("call, error, words", BAD, ids=[b[2] for b in BAD])
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(error, match=words):
        call()
