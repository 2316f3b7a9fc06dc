"""Pooling: max, average, adaptive and unpooling, functions and layers, against loops written
here, hand-worked numbers, float64 gradcheck and gradgradcheck, and bad input."""

import itertools
import math

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

RNG = np.random.default_rng(0)


def _out_size(n, k, s, p, d, ceil_mode):
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def pool_reference(
    x, kernel, stride, padding, dilation, ceil_mode, kind, include_pad=True, divisor=None
):
    """Max (value, flat index) or average of every window, one window at a time."""
    nd = len(kernel)
    size = x.shape[-nd:]
    out = [
        _out_size(size[d], kernel[d], stride[d], padding[d], dilation[d], ceil_mode)
        for d in range(nd)
    ]
    values = np.zeros(x.shape[:-nd] + tuple(out))
    index = np.zeros(values.shape, dtype=np.int64)
    for o in itertools.product(*(range(m) for m in out)):
        starts = [o[d] * stride[d] - padding[d] for d in range(nd)]
        spots = [
            p
            for p in itertools.product(
                *(
                    range(starts[d], starts[d] + dilation[d] * (kernel[d] - 1) + 1, dilation[d])
                    for d in range(nd)
                )
            )
            if all(0 <= p[d] < size[d] for d in range(nd))
        ]
        if kind == "max":
            flat = [np.ravel_multi_index(p, size) for p in spots]
            window = np.stack([x[(..., *p)] for p in spots], axis=-1)
            best = window.argmax(axis=-1)  # the first maximum, as PyTorch
            values[(..., *o)] = np.take_along_axis(window, best[..., None], -1)[..., 0]
            index[(..., *o)] = np.asarray(flat)[best]
        else:
            total = sum(x[(..., *p)] for p in spots)
            ends = [min(starts[d] + kernel[d], size[d] + padding[d]) for d in range(nd)]
            if divisor is not None:
                count = divisor
            elif include_pad:
                count = math.prod(e - s for s, e in zip(starts, ends))
            else:
                count = len(spots)
            values[(..., *o)] = total / count
    return values, index


MAX_CASES = [  # (input shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 6, 6), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 3, 7, 6), (3, 3), (2, 2), (1, 1), (1, 1), True),
    ((2, 2, 7, 8), (2, 3), (1, 2), (1, 1), (2, 2), False),
    ((3, 7, 5), (3, 2), (3, 1), (1, 1), (1, 1), True),  # unbatched
    ((2, 3, 9), (3,), (2,), (1,), (2,), True),
]


@pytest.mark.parametrize("case", MAX_CASES, ids=str)
def test_max_pool_matches_the_loop_with_indices(case):
    shape, kernel, stride, padding, dilation, ceil_mode = case
    x = np.round(RNG.standard_normal(shape) * 2)  # many ties: the first maximum must win
    pool = F.max_pool1d if len(kernel) == 1 else F.max_pool2d
    values, index = pool(mg.tensor(x), kernel, stride, padding, dilation, ceil_mode, True)
    want, want_index = pool_reference(x, kernel, stride, padding, dilation, ceil_mode, "max")
    np.testing.assert_array_equal(values.numpy(), want)
    np.testing.assert_array_equal(index.numpy(), want_index)
    assert index.dtype == mg.int64 and not index.requires_grad


AVG_CASES = [  # (input shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor)
    ((2, 3, 6, 6), (2, 2), (2, 2), (0, 0), False, True, None),
    ((2, 3, 7, 6), (3, 3), (2, 2), (1, 1), True, True, None),
    ((2, 3, 7, 6), (3, 3), (2, 2), (1, 1), True, False, None),
    ((2, 2, 5, 7), (3, 2), (1, 3), (1, 1), True, True, 5),
    ((2, 3, 9), (4,), (3,), (2,), True, False, None),
]


@pytest.mark.parametrize("case", AVG_CASES, ids=str)
def test_avg_pool_matches_the_loop(case):
    shape, kernel, stride, padding, ceil_mode, include_pad, divisor = case
    x = RNG.standard_normal(shape)
    if len(kernel) == 1:
        got = F.avg_pool1d(mg.tensor(x), kernel, stride, padding, ceil_mode, include_pad)
    else:
        got = F.avg_pool2d(mg.tensor(x), kernel, stride, padding, ceil_mode, include_pad, divisor)
    ones = (1,) * len(kernel)
    want, _ = pool_reference(
        x, kernel, stride, padding, ones, ceil_mode, "avg", include_pad, divisor
    )
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-15)


def test_hand_worked_pools():
    x = mg.arange(16.0).reshape(1, 1, 4, 4)
    assert F.max_pool2d(x, 2).tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert F.avg_pool2d(x, 2).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]
    row = mg.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]])
    # ceil_mode keeps the last, partial window; padding counts in the divisor or not
    assert F.avg_pool1d(row, 2, ceil_mode=True, padding=1).tolist() == [[[0.5, 2.5, 4.5]]]
    assert F.avg_pool1d(row, 2, ceil_mode=True, padding=1, count_include_pad=False).tolist() == [
        [[1.0, 2.5, 4.5]]
    ]
    assert F.adaptive_avg_pool1d(row, 2).tolist() == [[[2.0, 4.0]]]  # windows [0, 3), [2, 5)
    values, index = F.adaptive_max_pool1d(row, 2, return_indices=True)
    assert values.tolist() == [[[3.0, 5.0]]] and index.tolist() == [[[2, 4]]]


def test_max_pool_nan_wins_and_padding_never_does():
    x = mg.tensor([[[1.0, math.nan, 3.0, 2.0, -math.inf, -math.inf]]])
    values, index = F.max_pool1d(x, 2, return_indices=True)
    assert math.isnan(values[0, 0, 0].item()) and values[0, 0, 1:].tolist() == [3.0, -math.inf]
    assert index.tolist() == [[[1, 2, 4]]]
    v, i = F.max_pool1d(
        mg.tensor([[[-math.inf, -math.inf, 1.0]]]), 2, padding=1, return_indices=True
    )
    assert v.tolist() == [[[-math.inf, 1.0]]] and i.tolist() == [[[0, 2]]]
    ints = F.max_pool2d(mg.arange(-8, 8).reshape(1, 4, 4), 3, 1, 1)  # integers, padded
    assert ints.dtype == mg.int64 and ints[0, 0].tolist() == [-3, -2, -1, -1]


def adaptive_reference(x, out, kind):
    nd = len(out)
    size = x.shape[-nd:]
    y = np.zeros(x.shape[:-nd] + tuple(out))
    for o in itertools.product(*(range(m) for m in out)):
        box = tuple(
            slice(o[d] * size[d] // out[d], -((-(o[d] + 1) * size[d]) // out[d])) for d in range(nd)
        )
        window = x[(..., *box)].reshape(x.shape[:-nd] + (-1,))
        y[(..., *o)] = window.max(-1) if kind == "max" else window.mean(-1)
    return y


@pytest.mark.parametrize("out", [(1, 1), (2, 3), (4, 5), (7, 4)], ids=str)
def test_adaptive_pools_match_the_loop(out):
    x = RNG.standard_normal((2, 3, 7, 5))
    avg = F.adaptive_avg_pool2d(mg.tensor(x), out)
    np.testing.assert_allclose(avg.numpy(), adaptive_reference(x, out, "avg"), rtol=1e-12)
    top = F.adaptive_max_pool2d(mg.tensor(x), out)
    np.testing.assert_array_equal(top.numpy(), adaptive_reference(x, out, "max"))
    assert F.adaptive_avg_pool2d(mg.tensor(x), (None, 2)).shape == (2, 3, 7, 2)


def test_max_unpool_puts_the_maxima_back():
    x = mg.randn(2, 3, 6, 6)
    values, index = F.max_pool2d(x, 2, return_indices=True)
    back = F.max_unpool2d(values, index, 2)
    kept = back.numpy() != 0
    assert kept.sum() == values.numel()
    np.testing.assert_array_equal(back.numpy()[kept], x.numpy()[kept])
    assert F.max_unpool2d(values, index, 2, output_size=(7, 7)).shape == (2, 3, 7, 7)
    layer = nn.MaxUnpool2d(2)
    assert layer(values, index).shape == (2, 3, 6, 6)
    with pytest.raises(ValueError, match="output_size"):
        F.max_unpool2d(values, index, 2, output_size=(9, 9))


def _f64(*shape):
    return mg.tensor(RNG.standard_normal(shape), requires_grad=True)


GRAD_CASES = [
    ("max_pool2d", lambda x: F.max_pool2d(x, 2, 1, 1)),
    ("max_pool2d_ceil", lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True)),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)),
    ("adaptive_avg", lambda x: F.adaptive_avg_pool2d(x, (2, 3))),
    ("adaptive_max", lambda x: F.adaptive_max_pool2d(x, (3, 2))),
    ("max_pool1d", lambda x: F.max_pool1d(x[0], 2)),
    ("unpool", lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2)),
]


@pytest.mark.parametrize("name, fn", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_and_second_derivatives(name, fn):
    x = _f64(1, 2, 5, 4)
    assert mg.autograd.gradcheck(fn, (x,))
    assert mg.autograd.gradgradcheck(fn, (x,))


def test_overlapping_windows_add_their_gradients():
    x = mg.tensor([[[1.0, 5.0, 2.0]]], requires_grad=True)
    F.max_pool1d(x, 2, stride=1).sum().backward()  # 5 wins both windows
    assert x.grad.tolist() == [[[0.0, 2.0, 0.0]]]


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32], ids=str)
def test_gradients_have_the_inputs_dtype(dtype):
    for fn in (
        lambda x: F.max_pool2d(x, 2),
        lambda x: F.avg_pool2d(x, 2, padding=1),
        lambda x: F.adaptive_avg_pool2d(x, 3),
    ):
        x = mg.randn(2, 3, 6, 6, dtype=dtype, requires_grad=True)
        out = fn(x)
        assert out.dtype == dtype
        _check_grads(out, [x])


def test_layers_and_reprs():
    assert repr(nn.MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(nn.AvgPool2d(3, 2, 1)) == "AvgPool2d(kernel_size=3, stride=2, padding=1)"
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert repr(nn.AdaptiveAvgPool2d((5, 7))) == "AdaptiveAvgPool2d(output_size=(5, 7))"
    assert (
        repr(nn.MaxUnpool2d(2)) == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    )
    x = mg.randn(2, 3, 8, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.MaxPool1d(3, 1, 1)(x[0]).shape == (3, 8, 8)
    assert nn.AvgPool2d(3, 1, 1)(x).shape == (2, 3, 8, 8)
    assert nn.AdaptiveMaxPool2d(1, return_indices=True)(x)[1].shape == (2, 3, 1, 1)
    assert nn.AdaptiveAvgPool1d(3)(x[0]).shape == (3, 8, 3)


BAD = [
    (lambda: F.max_pool2d(mg.randn(1, 1, 5, 5), 3, padding=2), "at most half"),
    (lambda: F.avg_pool2d(mg.randn(1, 1, 5, 5), 3, padding=2), "at most half"),
    (lambda: F.max_pool2d(mg.randn(1, 1, 5, 5), 7), "too small"),
    (lambda: F.max_pool2d(mg.randn(5, 5), 2), "3D or 4D"),
    (lambda: F.max_pool1d(mg.randn(2, 3, 5, 5), 2), "2D or 3D"),
    (lambda: F.max_pool2d(mg.randn(2, 0, 4, 4), 2), "0 dim batch"),
    (lambda: F.max_pool2d(mg.randn(1, 1, 4, 4), 0), "kernel_size"),
    (lambda: F.max_pool2d(mg.randn(1, 1, 4, 4), 2, stride=0), "stride"),
    (lambda: F.max_pool2d(mg.randn(1, 1, 4, 4), (2, 2, 2)), "kernel_size"),
    (lambda: F.avg_pool2d(mg.randn(1, 1, 4, 4), 2, divisor_override=0), "divisor"),
    (lambda: F.avg_pool2d(mg.ones(1, 1, 4, 4, dtype=mg.int64), 2), "dtype"),
    (lambda: F.adaptive_avg_pool2d(mg.randn(1, 1, 4, 4), (2, 2, 2)), "output_size"),
    (lambda: F.adaptive_avg_pool2d(mg.randn(1, 1, 4, 4), -1), "output_size"),
    (lambda: F.max_unpool2d(mg.randn(1, 1, 2, 2), mg.zeros(1, 1, 2, 2), 2), "int64"),
    (lambda: F.max_unpool2d(mg.randn(1, 1, 2, 2), mg.full((1, 1, 2, 2), 16), 2), "invalid max"),
]


@pytest.mark.parametrize("call, words", BAD, ids=[b[1] for b in BAD])
def test_bad_input_is_refused_clearly(call, words):
    with pytest.raises((RuntimeError, ValueError, TypeError, IndexError), match=words):
        call()
