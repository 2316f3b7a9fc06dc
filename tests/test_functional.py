"""nn.functional building blocks: linear, relu, dropout, softmax and log_softmax.

Values against plain numpy, gradients with float64 `gradcheck` (first derivatives) and
`gradgradcheck` (second), shapes and errors as PyTorch has them.
"""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck


def as_numpy(t):
    return np.asarray(t.detach())


def f64(array, device, requires_grad=True):
    return mg.tensor(array, dtype=mg.float64, device=device, requires_grad=requires_grad)


# ----- linear ------------------------------------------------------------------------------
LINEAR_SHAPES = [  # (id, input shape, weight shape, bias shape or None)
    ("matrix", (4, 3), (5, 3), (5,)),
    ("vector_input", (3,), (5, 3), (5,)),
    ("batched_3d", (2, 4, 3), (5, 3), (5,)),
    ("no_bias", (4, 3), (5, 3), None),
    ("vector_weight", (4, 3), (3,), None),
    ("scalar_bias", (4, 3), (5, 3), ()),
    ("bias_per_row", (4, 3), (5, 3), (4, 5)),
]


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "b_shape"),
    [c[1:] for c in LINEAR_SHAPES],
    ids=[c[0] for c in LINEAR_SHAPES],
)
def test_linear_value_and_derivatives(x_shape, w_shape, b_shape, device):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = None if b_shape is None else rng.standard_normal(b_shape)
    inputs = [f64(x, device), f64(w, device)] + ([] if b is None else [f64(b, device)])
    out = F.linear(*inputs)
    np.testing.assert_allclose(as_numpy(out), x @ w.T + (0 if b is None else b), rtol=1e-12)
    assert [e.op for e in mg.autograd.tape(out)] == ["linear"]  # one fused entry
    assert gradcheck(F.linear, inputs)
    assert gradgradcheck(lambda *a: F.linear(*a) ** 2, inputs)


def test_linear_keeps_float32_and_skips_unneeded_gradients(device):
    x = mg.randn(8, 3, device=device)  # data: no gradient wanted
    w = mg.randn(4, 3, device=device, requires_grad=True)
    b = mg.zeros(4, device=device, requires_grad=True)
    y = F.linear(x, w, b)
    y.sum().backward()
    assert y.dtype == w.grad.dtype == b.grad.dtype == mg.float32
    assert x.grad is None
    np.testing.assert_allclose(as_numpy(w.grad), np.tile(as_numpy(x).sum(0), (4, 1)), rtol=1e-5)
    np.testing.assert_array_equal(as_numpy(b.grad), np.full(4, 8.0))


def test_linear_integer_inputs_compute_like_matmul():
    out = F.linear(mg.ones(2, 4, dtype=mg.int64), mg.ones(3, 4, dtype=mg.int64))
    assert out.dtype == mg.int64 and out.tolist() == [[4, 4, 4], [4, 4, 4]]


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            ((2, 5), (3, 4), (3,)),
            mg.ShapeError,
            r"input has 5 features .*\(2, 5\).* weight of shape \(3, 4\) expects in_features=4",
        ),
        (((), (3, 4), None), mg.ShapeError, "input must have at least 1 dim"),
        (((2, 4), (2, 3, 4), None), mg.ShapeError, r"weight must have shape \(out_features"),
        (((2, 4), (3, 4), (2,)), mg.ShapeError, r"bias of shape \(2,\) does not broadcast"),
    ],
)
def test_linear_shape_errors_name_the_argument(args, error, message):
    x, w, b = (None if s is None else mg.randn(*s) for s in args)
    with pytest.raises(error, match=message):
        F.linear(x, w, b)


def test_linear_dtype_errors():
    with pytest.raises(mg.DTypeError, match="input and weight must have the same dtype"):
        F.linear(mg.randn(2, 4).double(), mg.randn(3, 4))
    with pytest.raises(mg.DTypeError, match="bias must have the input's dtype float32"):
        F.linear(mg.randn(2, 4), mg.randn(3, 4), mg.randn(3).double())
    with pytest.raises(TypeError, match="weight must be a Tensor"):
        F.linear(mg.randn(2, 4), np.ones((3, 4)))


# ----- relu --------------------------------------------------------------------------------
def test_relu(device):
    x = mg.tensor([-1.0, 0.0, 2.0], device=device, requires_grad=True)
    y = F.relu(x)
    y.sum().backward()
    assert y.tolist() == [0.0, 0.0, 2.0] and x.grad.tolist() == [0.0, 0.0, 1.0]
    # inplace is accepted and ignored (as nn.ReLU does): the result is a new tensor.
    assert F.relu(x, inplace=True).tolist() == [0.0, 0.0, 2.0] and x.tolist()[0] == -1.0


# ----- dropout -----------------------------------------------------------------------------
def test_dropout_zeroes_about_p_and_scales_the_rest(device):
    x = mg.ones(100_000, device=device, requires_grad=True)
    y = F.dropout(x, p=0.3)
    values = as_numpy(y)
    assert set(np.unique(values).tolist()) == {0.0, np.float32(1 / 0.7).item()}
    assert (values == 0).mean() == pytest.approx(0.3, abs=0.01)
    assert values.mean() == pytest.approx(1.0, abs=0.01)  # inverted: the expectation is kept
    assert y.dtype == mg.float32
    y.sum().backward()  # the gradient goes through the same mask, with the same scale
    np.testing.assert_array_equal(as_numpy(x.grad), values)


def test_dropout_is_reproducible_with_manual_seed(device):
    mg.manual_seed(3)
    a = F.dropout(mg.ones(50, device=device))
    mg.manual_seed(3)
    b = F.dropout(mg.ones(50, device=device))
    np.testing.assert_array_equal(as_numpy(a), as_numpy(b))


def test_dropout_edges(device):
    x = mg.randn(4, 5, device=device, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(as_numpy(F.dropout(x, 1.0)), np.zeros((4, 5)))
    assert F.dropout(mg.ones(3, dtype=mg.int64), 0.5, training=False).dtype == mg.int64
    with pytest.raises(mg.DTypeError):
        F.dropout(mg.ones(3, dtype=mg.int64), 0.5)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"between 0 and 1, but got {p}"):
            F.dropout(x, p)


def test_dropout_gradcheck(device):
    x = f64(np.random.default_rng(0).standard_normal((3, 4)), device)
    mg.manual_seed(0)
    mask = as_numpy(F.dropout(mg.ones(3, 4, dtype=mg.float64, device=device), 0.5))

    def fn(a):  # the same mask on every evaluation
        mg.manual_seed(0)
        return F.dropout(a, 0.5)

    np.testing.assert_array_equal(as_numpy(fn(x)), as_numpy(x) * mask)
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


# ----- softmax and log_softmax -------------------------------------------------------------
def np_log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize(
    ("shape", "dim"), [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1), ((2, 3, 4), 1)]
)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_and_log_softmax(name, shape, dim, device):
    x = np.random.default_rng(1).standard_normal(shape) * 3
    xt = f64(x, device)
    expected = np_log_softmax(x, dim)
    expected = np.exp(expected) if name == "softmax" else expected
    fn = getattr(F, name)
    np.testing.assert_allclose(as_numpy(fn(xt, dim)), expected, rtol=1e-12, atol=1e-15)
    assert [e.op for e in mg.autograd.tape(fn(xt, dim))] == [name]
    assert gradcheck(lambda a: fn(a, dim), (xt,))
    assert gradgradcheck(lambda a: fn(a, dim), (xt,))


def test_softmax_is_stable_for_huge_logits(device):
    x = mg.tensor([[1000.0, 0.0, -1000.0]], device=device)
    np.testing.assert_array_equal(as_numpy(F.softmax(x, 1)), [[1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(as_numpy(F.log_softmax(x, 1)), [[0.0, -1000.0, -2000.0]])
    rows = F.softmax(mg.randn(6, 10, device=device) * 50, 1)
    np.testing.assert_allclose(as_numpy(rows).sum(1), np.ones(6), rtol=1e-6)


def test_softmax_edges(device):
    assert F.softmax(mg.tensor(3.0, device=device), 0).item() == 1.0
    assert F.log_softmax(mg.tensor(3.0, device=device), 0).item() == 0.0
    assert F.softmax(mg.zeros(0, 3, device=device), 0).shape == (0, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        assert F.softmax(mg.zeros(2, 4, device=device)).tolist() == [[0.25] * 4] * 2
    out = F.log_softmax(mg.ones(2, 2, dtype=mg.int64, device=device), 1, dtype=mg.float64)
    assert out.dtype == mg.float64
    with pytest.raises(mg.DTypeError, match="softmax: input must have a floating point dtype"):
        F.softmax(mg.ones(2, 3, dtype=mg.int64), 1)
    with pytest.raises(IndexError, match="dim out of range"):
        F.log_softmax(mg.ones(2, 3), 2)


# ----- edge cases the fuzz of wrong arguments found (tests/test_fuzz_bad_input.py) ----------
def test_functional_arguments_are_checked_by_name():
    x = mg.randn(4, 3)
    assert F.dropout(x, p=mg.tensor(0.0)) is x  # a one-element tensor p (was AttributeError)
    with pytest.raises(TypeError, match="training must be a bool"):
        F.dropout(x, 0.5, mg.zeros(2))
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        F.cross_entropy(x, mg.tensor([0, 1, 2, 0]), ignore_index=1.5)
    with pytest.raises(TypeError, match="label_smoothing must be a real number"):
        F.cross_entropy(x, mg.tensor([0, 1, 2, 0]), label_smoothing=mg.zeros(0, 3))
    with pytest.raises(TypeError, match="num_classes must be an int"):
        F.one_hot(mg.tensor([0, 1]), 2.5)
    with pytest.raises(mg.OptionError, match="num_classes=.* is too large"):
        F.one_hot(mg.tensor([0, 1]), 2**70)
    with pytest.raises(TypeError, match="relu: input must be a Tensor"):
        F.relu([1.0, -1.0])  # was computed into a numpy array
