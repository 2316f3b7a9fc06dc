"""F.layer_norm / nn.LayerNorm and F.rms_norm / nn.RMSNorm: values against numpy written
here, gradients and second derivatives, the options, and bad input."""

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck


def test_layer_norm_values(device):
    rng = np.random.default_rng(0)
    x, w, b = (
        rng.standard_normal((3, 4, 5)),
        rng.standard_normal((4, 5)),
        rng.standard_normal((4, 5)),
    )
    out = F.layer_norm(
        mg.tensor(x, device=device),
        (4, 5),
        mg.tensor(w, device=device),
        mg.tensor(b, device=device),
    )
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5) * w + b
    np.testing.assert_allclose(mg.backend.to_host(out.array), expected, rtol=1e-12)


def test_rms_norm_values_and_its_default_eps():
    x = mg.tensor([[3.0, 4.0], [0.0, 0.0]])
    assert F.rms_norm(x, 2).tolist()[0] == pytest.approx([0.848528, 1.131371], rel=1e-5)
    assert F.rms_norm(x, [2]).tolist()[1] == [0.0, 0.0]  # eps (float32's epsilon) avoids 0/0
    w = mg.tensor([2.0, -1.0])
    np.testing.assert_allclose(
        F.rms_norm(x, (2,), w, eps=0.5).numpy()[0],
        np.array([3, 4]) / np.sqrt(12.5 + 0.5) * [2, -1],
        rtol=1e-6,
    )


@pytest.mark.parametrize("kind", ["layer_norm", "rms_norm"])
def test_gradients_and_second_derivatives(kind):
    x = mg.randn(2, 3, 4, dtype=mg.float64, requires_grad=True)
    w = mg.randn(3, 4, dtype=mg.float64, requires_grad=True)
    b = mg.randn(3, 4, dtype=mg.float64, requires_grad=True)
    if kind == "layer_norm":
        fn, inputs = (lambda x, w, b: F.layer_norm(x, (3, 4), w, b)), (x, w, b)
    else:
        fn, inputs = (lambda x, w: F.rms_norm(x, (3, 4), w, eps=1e-3)), (x, w)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)
    x32 = mg.randn(2, 3, 4, requires_grad=True)
    w32 = mg.randn(3, 4, requires_grad=True)
    _check_grads(
        F.layer_norm(x32, (3, 4), w32) if kind == "layer_norm" else F.rms_norm(x32, (3, 4), w32),
        [x32, w32],
    )


def test_modules_parameters_and_options():
    ln = nn.LayerNorm(8)
    assert list(ln.state_dict()) == ["weight", "bias"] and (ln.weight == 1).all()
    assert list(nn.LayerNorm(8, bias=False).state_dict()) == ["weight"]
    assert list(nn.LayerNorm((2, 8), elementwise_affine=False).state_dict()) == []
    assert repr(ln) == "LayerNorm((8,), eps=1e-05, elementwise_affine=True)"
    out = ln(mg.randn(3, 5, 8) * 10 + 4)
    np.testing.assert_allclose(out.mean(-1).detach().numpy(), 0, atol=1e-5)
    rms = nn.RMSNorm([5], eps=None)
    assert list(rms.state_dict()) == ["weight"] and rms(mg.randn(2, 5)).shape == (2, 5)
    assert repr(rms) == "RMSNorm((5,), eps=None, elementwise_affine=True)"


BAD = [
    (lambda: F.layer_norm(mg.randn(2, 3), (4,)), "expected input with shape \\[\\*, 4\\]"),
    (lambda: F.layer_norm(mg.randn(2, 3), (3,), mg.ones(4)), "weight must have shape"),
    (lambda: F.layer_norm(mg.randn(2, 3), (3,), mg.ones(3, dtype=mg.float64)), "dtype"),
    (lambda: F.layer_norm(mg.arange(3), (3,)), "floating point"),
    (lambda: F.layer_norm(mg.randn(3), "3"), "normalized_shape must be"),
    (lambda: F.rms_norm(mg.randn(2, 3), (2, 3, 1)), "normalized_shape"),
    (lambda: F.rms_norm(mg.randn(2, 3), 3, eps=-1.0), "eps must be"),
    (lambda: nn.LayerNorm(-2), "non-negative"),
]


@pytest.mark.parametrize("call, words", BAD, ids=[w for _, w in BAD])
def test_bad_input_is_refused_clearly(call, words):
    with pytest.raises((TypeError, ValueError, RuntimeError), match=words):
        call()


@pytest.mark.parametrize("affine", ["weight", "bias", "neither"])
def test_layer_norm_gradients_with_part_of_the_affine_or_none(affine):
    x = mg.randn(3, 2, 5, dtype=mg.float64, requires_grad=True)
    p = mg.randn(2, 5, dtype=mg.float64, requires_grad=True)
    args = {"weight": (p, None), "bias": (None, p), "neither": (None, None)}[affine]
    inputs = (x, p) if affine != "neither" else (x,)

    def fn(x, *_):
        return F.layer_norm(x, (2, 5), *args)

    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_layer_norm_hand_worked_row_and_its_gradient():
    # One row [1, 2, 3, 6]: mean 3, var 3.5; x_hat = (x - 3) / sqrt(3.5 + eps) with eps = 0.5
    # makes rstd = 1/2 exactly. With weight w and g = [1, 0, 0, 0]: d = g w = [2, 0, 0, 0],
    # mean(d) = 0.5, mean(d x_hat) = 2 * -1 / 4 = -0.5, dx = (d - 0.5 + 0.5 x_hat) / 2.
    x = mg.tensor([[1.0, 2.0, 3.0, 6.0]], dtype=mg.float64, requires_grad=True)
    w = mg.tensor([2.0, 1.0, 1.0, 1.0], dtype=mg.float64, requires_grad=True)
    y = F.layer_norm(x, (4,), w, eps=0.5)
    assert y.tolist() == [[-2.0, -0.5, 0.0, 1.5]]
    y.backward(mg.tensor([[1.0, 0.0, 0.0, 0.0]], dtype=mg.float64))
    assert x.grad.tolist() == [[0.5, -0.375, -0.25, 0.125]]  # (PyTorch gives the same)
    assert w.grad.tolist() == [-1.0, 0.0, 0.0, 0.0]


def test_layer_norm_output_is_not_what_backward_keeps():
    x = mg.randn(4, 6, dtype=mg.float64, requires_grad=True)
    y = F.layer_norm(x, (6,))  # no weight or bias: y equals x_hat but must not share it
    g = mg.randn(4, 6, dtype=mg.float64)
    y.backward(g, retain_graph=True)
    first = x.grad.numpy().copy()
    y.array[...] = 0  # (what an in-place op on y would do)
    x.grad = None
    y.backward(g)
    np.testing.assert_array_equal(x.grad.numpy(), first)


def test_layer_norm_float16_keeps_float32_statistics():
    x = mg.tensor([[1000.0, 1001.0, 1002.0, 1003.0]], dtype=mg.float16, requires_grad=True)
    y = F.layer_norm(x, (4,))
    assert y.dtype == mg.float16
    want = (np.arange(4) - 1.5) / np.sqrt(1.25 + 1e-5)
    np.testing.assert_allclose(y.detach().numpy().astype(np.float64)[0], want, rtol=1e-3)
    y.sum().backward()
    assert x.grad.dtype == mg.float16
