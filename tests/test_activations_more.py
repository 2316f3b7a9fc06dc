"""softsign, tanhshrink, logsigmoid, softmin, glu, threshold, hardshrink, softshrink: values by
hand, float64 gradcheck (and gradgradcheck: they are compositions the engine differentiates),
PyTorch's gradient at the kinks, and bad input."""

import math

import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck


def _x():
    return mg.tensor([-2.0, -0.3, 0.1, 0.7, 3.0], dtype=mg.float64, requires_grad=True)


def test_values_by_hand():
    x = mg.tensor([-1.0, 0.0, 2.0])
    assert F.softsign(x).tolist() == pytest.approx([-0.5, 0.0, 2.0 / 3.0])
    assert F.tanhshrink(x).tolist() == pytest.approx([-1 + math.tanh(1), 0.0, 2 - math.tanh(2)])
    assert F.logsigmoid(mg.tensor([-100.0, 0.0, 100.0])).tolist() == pytest.approx(
        [-100.0, math.log(0.5), 0.0], abs=1e-6
    )  # no overflow at either end
    assert F.softmin(mg.tensor([0.0, math.log(3.0)]), dim=0).tolist() == pytest.approx([0.75, 0.25])
    assert F.glu(mg.tensor([[1.0, 2.0, 0.0, 100.0]])).tolist()[0] == pytest.approx([0.5, 2.0])
    assert F.threshold(x, 0.0, 9.0).tolist() == [9.0, 9.0, 2.0]
    assert F.hardshrink(mg.tensor([-0.5, 0.6, -2.0]), 0.5).tolist() == pytest.approx(
        [0.0, 0.6, -2.0]
    )
    assert F.softshrink(mg.tensor([-0.5, 0.6, -2.0]), 0.5).tolist() == pytest.approx(
        [0.0, 0.1, -1.5]
    )


@pytest.mark.parametrize(
    "f",
    [
        F.softsign,
        F.tanhshrink,
        F.logsigmoid,
        lambda x: F.softmin(x, dim=0),
        lambda x: F.glu(x[:4]),
        lambda x: F.threshold(x, 0.5, -1.0),
        F.hardshrink,
        lambda x: F.softshrink(x, 0.2),
    ],
)
def test_gradients(f):
    assert gradcheck(f, (_x(),))
    assert gradgradcheck(f, (_x(),))


def test_gradients_at_the_kinks_are_pytorchs():
    x = mg.tensor([-0.5, 0.5, 1.0], requires_grad=True)
    F.hardshrink(x, 0.5).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    x.grad = None
    F.softshrink(x, 0.5).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    x.grad = None
    F.threshold(x, 1.0, 0.0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_modules_and_repr():
    x = mg.randn(2, 6)
    for module, function in [
        (nn.Softsign(), F.softsign),
        (nn.Tanhshrink(), F.tanhshrink),
        (nn.LogSigmoid(), F.logsigmoid),
        (nn.Softmin(1), lambda t: F.softmin(t, 1)),
        (nn.GLU(), F.glu),
        (nn.Threshold(0.1, 2.0), lambda t: F.threshold(t, 0.1, 2.0)),
        (nn.Hardshrink(0.3), lambda t: F.hardshrink(t, 0.3)),
        (nn.Softshrink(0.3), lambda t: F.softshrink(t, 0.3)),
    ]:
        assert module(x).tolist() == function(x).tolist()
    assert repr(nn.GLU(1)) == "GLU(dim=1)" and repr(nn.Softshrink()) == "Softshrink(0.5)"
    assert repr(nn.Threshold(0.1, 20)) == "Threshold(threshold=0.1, value=20)"


def test_bad_input():
    with pytest.raises(
        mg.ShapeError, match="Halving dimension must be even, but dimension 1 is size 3"
    ):
        F.glu(mg.ones(2, 3))
    with pytest.raises(mg.ShapeError, match="scalars"):
        F.glu(mg.tensor(1.0))
    with pytest.raises(ValueError, match="lambda must be greater or equal to 0"):
        F.softshrink(mg.ones(2), -1.0)
    with pytest.raises(mg.DTypeError, match="input"):
        F.softsign(mg.arange(3))
    with pytest.raises(TypeError, match="input"):
        F.logsigmoid([1.0, 2.0])
    with pytest.raises(TypeError, match="lambd"):
        F.hardshrink(mg.ones(2), "big")
