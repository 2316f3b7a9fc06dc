"""Padding and resizing: F.pad (every mode), F.interpolate / nn.Upsample, pixel shuffling and
nn.Unflatten, against numpy (np.pad, index arithmetic written here), hand-worked numbers,
float64 gradcheck and gradgradcheck, and bad input."""

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

RNG = np.random.default_rng(0)
NUMPY_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@pytest.mark.parametrize("mode", list(NUMPY_MODE))
@pytest.mark.parametrize("pad", [(1, 2), (2, 0, 1, 3), (0, 1, 2, 2, 1, 0)], ids=str)
def test_pad_matches_numpy(mode, pad):
    x = RNG.standard_normal((2, 3, 4, 5, 6)[: len(pad) // 2 + 2])
    widths = [(0, 0)] * (x.ndim - len(pad) // 2) + [
        (pad[i], pad[i + 1]) for i in reversed(range(0, len(pad), 2))
    ]
    got = F.pad(mg.tensor(x), pad, mode=mode)
    np.testing.assert_array_equal(got.numpy(), np.pad(x, widths, mode=NUMPY_MODE[mode]))


def test_hand_worked_pads_and_crops():
    row = mg.tensor([[[0.0, 1.0, 2.0, 3.0]]])
    assert F.pad(row, (2, 1), mode="reflect").tolist() == [[[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0]]]
    assert F.pad(row, (1, 1), value=9.0).tolist() == [[[9.0, 0.0, 1.0, 2.0, 3.0, 9.0]]]
    assert F.pad(row, (-1, -2)).tolist() == [[[1.0]]]  # negative widths crop
    assert F.pad(row, (-1, 2), mode="circular").tolist() == [[[1.0, 2.0, 3.0, 1.0, 2.0]]]
    assert F.pad(row, (-2, 3), mode="reflect").tolist() == [[[2.0, 3.0, 2.0, 1.0, 0.0]]]
    assert F.pad(mg.arange(3).reshape(1, 3), (1, 1), value=2.7).tolist() == [[2, 0, 1, 2, 2]]


def test_pad_gradients_add_up_where_an_element_is_read_twice():
    x = mg.tensor([[[0.0, 1.0, 2.0]]], requires_grad=True)
    F.pad(x, (2, 2), mode="reflect").sum().backward()
    assert x.grad.tolist() == [[[2.0, 3.0, 2.0]]]  # 2 and 0 are mirrored, 1 mirrored twice


def nearest_reference(x, size, exact=False):
    """PyTorch's nearest: the source of output i is floor(i * in / out) (of i + 0.5 for
    nearest-exact), in float32 arithmetic, clipped."""
    out = x
    for axis, o in zip(range(2, x.ndim), size):
        n = x.shape[axis]
        scale = np.float32(n / o)
        source = (np.arange(o, dtype=np.float32) + np.float32(0.5 if exact else 0)) * scale
        out = np.take(out, np.minimum(source.astype(np.int64), n - 1), axis=axis)
    return out


def linear_reference(x, size, align_corners):
    out = x
    for axis, o in zip(range(2, x.ndim), size):
        n = x.shape[axis]
        if align_corners:
            source = np.arange(o) * ((n - 1) / (o - 1) if o > 1 else 0.0)
        else:
            source = np.maximum((np.arange(o) + 0.5) * n / o - 0.5, 0)
        low = np.minimum(np.floor(source).astype(np.int64), n - 1)
        high = np.minimum(low + 1, n - 1)
        w = (source - low).reshape((-1,) + (1,) * (x.ndim - axis - 1))
        out = np.take(out, low, axis=axis) * (1 - w) + np.take(out, high, axis=axis) * w
    return out


@pytest.mark.parametrize("size", [(5, 7), (6, 3), (2, 2), (9, 14)], ids=str)
def test_interpolate_matches_the_formulas(size):
    x = RNG.standard_normal((2, 3, 3, 7))
    t = mg.tensor(x)
    np.testing.assert_array_equal(F.interpolate(t, size).numpy(), nearest_reference(x, size))
    np.testing.assert_array_equal(
        F.interpolate(t, size, mode="nearest-exact").numpy(), nearest_reference(x, size, True)
    )
    for corners in (False, True):
        got = F.interpolate(t, size, mode="bilinear", align_corners=corners)
        np.testing.assert_allclose(got.numpy(), linear_reference(x, size, corners), rtol=1e-12)
    area = F.interpolate(t, size, mode="area")
    np.testing.assert_allclose(area.numpy(), F.adaptive_avg_pool2d(t, size).numpy())


def test_hand_worked_interpolation():
    x = mg.tensor([[[1.0, 2.0]]])
    assert F.interpolate(x, scale_factor=2).tolist() == [[[1.0, 1.0, 2.0, 2.0]]]
    assert F.interpolate(x, scale_factor=2, mode="linear").tolist() == [[[1.0, 1.25, 1.75, 2.0]]]
    corners = F.interpolate(x, size=3, mode="linear", align_corners=True)
    assert corners.tolist() == [[[1.0, 1.5, 2.0]]]
    up = nn.Upsample(scale_factor=2, mode="bilinear")
    assert repr(up) == "Upsample(scale_factor=2.0, mode='bilinear')"
    assert up(mg.ones(1, 2, 3, 3)).shape == (1, 2, 6, 6)
    assert repr(nn.Upsample(size=3)) == "Upsample(size=3, mode='nearest')"


def test_pixel_shuffle_and_unflatten():
    x = mg.arange(32.0).reshape(1, 8, 2, 2)
    shuffled = F.pixel_shuffle(x, 2)
    want = x.numpy().reshape(1, 2, 2, 2, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(1, 2, 4, 4)
    np.testing.assert_array_equal(shuffled.numpy(), want)
    np.testing.assert_array_equal(F.pixel_unshuffle(shuffled, 2).numpy(), x.numpy())
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
    assert nn.PixelUnshuffle(2)(shuffled).shape == (1, 8, 2, 2)
    flat = nn.Unflatten(1, (-1, 2, 2))
    assert flat(mg.zeros(3, 12)).shape == (3, 3, 2, 2)
    assert repr(nn.Unflatten(1, (2, 5))) == "Unflatten(dim=1, unflattened_size=(2, 5))"


def _f64(*shape):
    return mg.tensor(RNG.standard_normal(shape), requires_grad=True)


GRAD_CASES = [
    ("pad_constant", lambda x: F.pad(x, (1, -1, 2, 0), value=0.5)),
    ("pad_reflect", lambda x: F.pad(x, (1, 1, 1, 2), mode="reflect")),
    ("pad_replicate", lambda x: F.pad(x, (3, 0, 1, 1), mode="replicate")),
    ("pad_circular", lambda x: F.pad(x, (1, 2, 2, 1), mode="circular")),
    ("nearest", lambda x: F.interpolate(x, (5, 7))),
    ("bilinear", lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear")),
    ("bilinear_corners", lambda x: F.interpolate(x, (4, 2), mode="bilinear", align_corners=True)),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x.reshape(1, 4, 3, 1), 2)),
]


@pytest.mark.parametrize("name, fn", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_and_second_derivatives(name, fn):
    x = _f64(1, 2, 3, 2)
    assert mg.autograd.gradcheck(fn, (x,))
    assert mg.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32], ids=str)
def test_gradients_have_the_inputs_dtype(dtype):
    for fn in (
        lambda x: F.pad(x, (1, 1, 1, 1), mode="reflect"),
        lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"),
    ):
        x = mg.randn(1, 2, 3, 3, dtype=dtype, requires_grad=True)
        out = fn(x)
        assert out.dtype == dtype
        _check_grads(out, [x])


BAD = [
    (lambda: F.pad(mg.randn(2, 3), (1,)), RuntimeError, "divisible by 2"),
    (lambda: F.pad(mg.randn(2, 3), (1, 1, 1, 1, 1, 1)), RuntimeError, "two times"),
    (lambda: F.pad(mg.randn(1, 2, 3), (1, 1), mode="mirror"), NotImplementedError, "mode"),
    (lambda: F.pad(mg.randn(1, 2, 3), (3, 0), mode="reflect"), RuntimeError, "less than"),
    (lambda: F.pad(mg.randn(1, 2, 3), (4, 0), mode="circular"), RuntimeError, "wrapping"),
    (lambda: F.pad(mg.randn(1, 2, 3), (1, 1), mode="reflect", value=1.0), ValueError, "value"),
    (lambda: F.pad(mg.randn(2, 2, 3, 3), (1, 1), mode="reflect"), NotImplementedError, "size 2"),
    (lambda: F.pad(mg.randn(1, 2, 3), (-2, -2)), RuntimeError, "negative"),
    (lambda: F.pad(mg.randn(1, 2, 3), (1.5, 1)), TypeError, "pad"),
    (lambda: F.interpolate(mg.randn(1, 1, 3, 3)), ValueError, "either size or scale_factor"),
    (lambda: F.interpolate(mg.randn(1, 1, 3, 3), 2, 2.0), ValueError, "only one of"),
    (lambda: F.interpolate(mg.randn(1, 1, 3, 3), (2,)), ValueError, "spatial dimensions"),
    (lambda: F.interpolate(mg.randn(1, 1, 3, 3), 2, mode="linear"), NotImplementedError, "3D"),
    (lambda: F.interpolate(mg.randn(1, 1, 3), 2, align_corners=True), ValueError, "align_corners"),
    (lambda: F.interpolate(mg.randn(1, 1, 3, 3), 0), RuntimeError, "greater than 0"),
    (lambda: F.interpolate(mg.randn(3, 3), 2), NotImplementedError, "3D, 4D and 5D"),
    (lambda: F.pixel_shuffle(mg.randn(1, 3, 2, 2), 2), RuntimeError, "divisible"),
    (lambda: F.pixel_shuffle(mg.randn(4, 2), 2), RuntimeError, "at least 3"),
    (lambda: nn.Unflatten(1, (2, 5))(mg.randn(3, 9)), RuntimeError, "multiply up"),
    (lambda: nn.Unflatten(1, 5), TypeError, "unflattened_size"),
]


@pytest.mark.parametrize("call, error, words", BAD, ids=[b[2] for b in BAD])
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(error, match=words):
        call()
