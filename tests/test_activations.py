"""The activations of nn.functional and their layers: values against numpy formulas written
here, PyTorch's gradients at the kinks, float64 gradcheck and gradgradcheck, gradient dtypes,
reprs and bad input."""

import math

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

X = np.concatenate([np.linspace(-6, 6, 41), [-30.0, 30.0, 0.0, -3.0, 3.0, 1.0, -1.0]])
ERF = np.vectorize(math.erf)
SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softplus(x):
    return np.logaddexp(0, x)


REFERENCES = [  # (name, call, numpy reference)
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    ("elu", lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    ("selu", F.selu, lambda x: SELU[1] * np.where(x > 0, x, SELU[0] * np.expm1(x))),
    ("celu", lambda x: F.celu(x, 2.0), lambda x: np.where(x > 0, x, 2 * np.expm1(x / 2))),
    ("gelu", F.gelu, lambda x: x * (1 + ERF(x / math.sqrt(2))) / 2),
    (
        "gelu_tanh",
        lambda x: F.gelu(x, approximate="tanh"),
        lambda x: x / 2 * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    ),
    ("silu", F.silu, lambda x: x * sigmoid(x)),
    ("mish", F.mish, lambda x: x * np.tanh(softplus(x))),
    ("softplus", F.softplus, softplus),
    (
        "softplus_beta",
        lambda x: F.softplus(x, 2.0, 5.0),
        lambda x: np.where(2 * x > 5, x, softplus(2 * x) / 2),
    ),
    ("hardtanh", lambda x: F.hardtanh(x, -2.0, 1.5), lambda x: np.clip(x, -2, 1.5)),
    ("relu6", F.relu6, lambda x: np.clip(x, 0, 6)),
    ("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    ("hardswish", F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("tanh", F.tanh, np.tanh),
    ("sigmoid", F.sigmoid, sigmoid),
]


@pytest.mark.parametrize("name, call, reference", REFERENCES, ids=[r[0] for r in REFERENCES])
def test_values_match_numpy(name, call, reference):
    with np.errstate(over="ignore"):
        want = reference(X)
    np.testing.assert_allclose(call(mg.tensor(X)).numpy(), want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, call, reference", REFERENCES, ids=[r[0] for r in REFERENCES])
def test_gradients_and_second_derivatives(name, call, reference):
    x = mg.tensor(np.array([-2.5, -0.7, 0.3, 1.2, 2.9]), requires_grad=True)
    assert mg.autograd.gradcheck(call, (x,))
    assert mg.autograd.gradgradcheck(call, (x,))


def _grad(call, values):
    x = mg.tensor(values, dtype=mg.float64, requires_grad=True)
    call(x).sum().backward()
    return x.grad.tolist()


def test_gradients_at_the_kinks_are_pytorchs():
    assert _grad(lambda x: F.leaky_relu(x, 0.1), [0.0]) == [0.1]
    assert _grad(F.elu, [0.0]) == [1.0]  # alpha * e^0
    assert _grad(F.hardtanh, [-1.0, 1.0, 0.5]) == [0.0, 0.0, 1.0]  # the ends count as outside
    assert _grad(F.relu6, [0.0, 6.0, 3.0]) == [0.0, 0.0, 1.0]
    assert _grad(F.hardswish, [-3.0, 3.0, 0.0]) == [0.0, 1.0, 0.5]
    assert _grad(F.hardsigmoid, [-3.0, 3.0, 0.0]) == [0.0, 0.0, 1 / 6]
    assert _grad(F.softplus, [30.0]) == [1.0]  # above the threshold it is x itself


def test_prelu_per_channel_and_its_weight_gradient():
    x = mg.tensor([[[-1.0, 2.0]], [[-3.0, -4.0]]], requires_grad=True)  # (2, 1, 2): one channel
    w = mg.tensor([0.5], requires_grad=True)
    F.prelu(x, w).sum().backward()
    assert w.grad.tolist() == [-8.0] and x.grad.tolist() == [[[0.5, 1.0]], [[0.5, 0.5]]]
    x = mg.randn(4, 3, 2, dtype=mg.float64, requires_grad=True)
    w = mg.tensor([0.1, 0.2, 0.3], dtype=mg.float64, requires_grad=True)
    want = np.where(
        x.detach().numpy() > 0, x.detach().numpy(), x.detach().numpy() * [[[0.1], [0.2], [0.3]]]
    )
    np.testing.assert_allclose(F.prelu(x, w).detach().numpy(), want)
    assert mg.autograd.gradgradcheck(F.prelu, (x, w))
    layer = nn.PReLU(3)
    assert (
        layer.weight.tolist() == pytest.approx([0.25] * 3)
        and repr(layer) == "PReLU(num_parameters=3)"
    )


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32], ids=str)
@pytest.mark.parametrize("name, call, reference", REFERENCES, ids=[r[0] for r in REFERENCES])
def test_gradients_have_the_inputs_dtype(name, call, reference, dtype):
    x = mg.tensor([-2.0, -0.5, 0.5, 2.0], dtype=dtype, requires_grad=True)
    out = call(x)
    assert out.dtype == dtype
    _check_grads(out, [x])


def test_layers_and_reprs():
    cases = [
        (nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
        (nn.ELU(), "ELU(alpha=1.0)"),
        (nn.CELU(0.5), "CELU(alpha=0.5)"),
        (nn.SELU(), "SELU()"),
        (nn.GELU("tanh"), "GELU(approximate='tanh')"),
        (nn.SiLU(), "SiLU()"),
        (nn.Mish(), "Mish()"),
        (nn.Softplus(2, 10), "Softplus(beta=2, threshold=10)"),
        (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
        (nn.ReLU6(True), "ReLU6(inplace=True)"),
        (nn.Hardswish(), "Hardswish()"),
        (nn.Hardsigmoid(), "Hardsigmoid()"),
        (nn.Tanh(), "Tanh()"),
        (nn.Sigmoid(), "Sigmoid()"),
        (nn.Softmax2d(), "Softmax2d()"),
    ]
    x = mg.randn(2, 3, 4, 4)
    for layer, text in cases:
        assert repr(layer) == text
        assert layer(x).shape == x.shape
    np.testing.assert_allclose(nn.Softmax2d()(x).numpy().sum(axis=1), np.ones((2, 4, 4)), rtol=1e-6)
    np.testing.assert_allclose(nn.GELU()(x).numpy(), F.gelu(x).numpy())


BAD = [
    (lambda: F.gelu(mg.randn(3), approximate="exact"), ValueError, "approximate"),
    (lambda: nn.GELU("fast"), ValueError, "approximate"),
    (lambda: F.leaky_relu(mg.arange(3)), RuntimeError, "floating point"),
    (lambda: F.elu([1.0]), TypeError, "input"),
    (lambda: F.softplus(mg.randn(3), beta="2"), TypeError, "beta"),
    (lambda: F.hardtanh(mg.randn(3), 1.0, -1.0), ValueError, "min_val"),
    (lambda: F.prelu(mg.randn(2, 3), mg.ones(4)), RuntimeError, "channel size"),
    (lambda: F.prelu(mg.randn(2, 3), mg.ones(3).double()), RuntimeError, "dtype"),
    (lambda: nn.Softmax2d()(mg.randn(3, 4)), ValueError, "3D or 4D"),
]


@pytest.mark.parametrize("call, error, words", BAD, ids=[b[2] for b in BAD])
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_gelu_keeps_its_digits_in_the_far_left_tail():
    # x Phi(x) to 17 digits (mpmath); 1 + erf(x / sqrt 2) would cancel to nothing in float32
    # from x = -5 on (PyTorch's float32 kernel gives -1.49e-06 at -5, and 0 from -6).
    x = [-5.0, -6.0, -8.0, -10.0, -12.0]
    want = [-1.4332578593959696e-06, -5.919525870226189e-09, -4.976768459417427e-15]
    want += [-7.619853024160526e-23, -2.1317785344932148e-32]
    dwant = [-7.146946001792295e-06, -3.546870945390202e-08, -3.979607261086796e-14]
    dwant += [-7.618400096464814e-22, -2.5578956616748956e-31]
    for dtype, rtol in ((mg.float32, 2e-6), (mg.float64, 1e-13)):
        t = mg.tensor(x, dtype=dtype, requires_grad=True)
        y = F.gelu(t)
        y.sum().backward()
        np.testing.assert_allclose(y.tolist(), want, rtol=rtol)
        np.testing.assert_allclose(t.grad.tolist(), dwant, rtol=rtol)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradient_matches_its_formula_and_survives_retain_graph(approximate):
    def derivative(x):  # Phi + x phi, and d/dx of 0.5 x (1 + tanh(u)), written out here
        if approximate == "none":
            return (1 + ERF(x / math.sqrt(2))) / 2 + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        b, k = math.sqrt(2 / math.pi), 0.044715
        t = np.tanh(b * (x + k * x**3))
        return (1 + t) / 2 + x / 2 * (1 - t * t) * b * (1 + 3 * k * x * x)

    x = mg.tensor(X, requires_grad=True)
    y = F.gelu(x, approximate=approximate)
    g = np.linspace(-2, 2, X.size)
    y.backward(mg.tensor(g), retain_graph=True)  # backward must not spend what forward kept
    y.backward(mg.tensor(g))
    # (atol: 1 - t^2 here cancels where t is near -1; the op's (1 - t)(1 + t) does not)
    np.testing.assert_allclose(x.grad.numpy(), 2 * g * derivative(X), rtol=1e-12, atol=1e-14)


def test_gelu_at_huge_inputs_is_pytorchs():
    # x^3 overflows: the tanh form still gives x and slope 1 on the right, 0 on the left.
    for dtype in (mg.float32, mg.float64):
        for approximate in ("none", "tanh"):
            x = mg.tensor([-1e15, -3e13, 3e13, 1e15], dtype=dtype, requires_grad=True)
            with np.errstate(over="ignore"):
                y = F.gelu(x, approximate=approximate)
                y.sum().backward()
            assert y.tolist() == [0.0, 0.0] + x.tolist()[2:]
            assert x.grad.tolist() == [0.0, 0.0, 1.0, 1.0]
