"""Normalization and channel dropout: F.batch_norm, instance_norm, group_norm, dropout2d and
their layers, against numpy written here, with running statistics, state_dicts, float64
gradcheck and gradgradcheck, and bad input."""

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

RNG = np.random.default_rng(0)


def normalized(x, axes, eps=1e-5):
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


def test_batch_norm_training_and_running_statistics():
    x = RNG.standard_normal((6, 3, 4, 2))
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    mean, var = mg.zeros(3, dtype=mg.float64), mg.ones(3, dtype=mg.float64)
    y = F.batch_norm(mg.tensor(x), mean, var, mg.tensor(w), mg.tensor(b), True, 0.3)
    want = normalized(x, (0, 2, 3)) * w.reshape(1, 3, 1, 1) + b.reshape(1, 3, 1, 1)
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-10)
    np.testing.assert_allclose(mean.numpy(), 0.3 * x.mean(axis=(0, 2, 3)), rtol=1e-12)
    unbiased = x.var(axis=(0, 2, 3), ddof=1)  # the running variance is unbiased
    np.testing.assert_allclose(var.numpy(), 0.7 + 0.3 * unbiased, rtol=1e-12)
    # eval: the running statistics, not the batch's
    y = F.batch_norm(mg.tensor(x), mean, var, training=False)
    want = (x - mean.numpy().reshape(1, 3, 1, 1)) / np.sqrt(var.numpy().reshape(1, 3, 1, 1) + 1e-5)
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-12)


def test_hand_worked_batch_norm():
    y = F.batch_norm(mg.tensor([[1.0], [3.0]]), None, None, training=True, eps=0.0)
    assert y.tolist() == [[-1.0], [1.0]]


def test_batch_norm_layer_modes_and_state_dict():
    bn = nn.BatchNorm2d(3, momentum=None)  # a cumulative average of the batches' statistics
    first, second = mg.randn(4, 3, 2, 2), mg.randn(4, 3, 2, 2) * 2 + 1
    bn(first)
    bn(second)
    means = [t.numpy().mean(axis=(0, 2, 3)) for t in (first, second)]
    np.testing.assert_allclose(bn.running_mean.numpy(), (means[0] + means[1]) / 2, rtol=1e-5)
    assert bn.num_batches_tracked.item() == 2 and bn.num_batches_tracked.dtype == mg.int64
    state = bn.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    copy = nn.BatchNorm2d(3)
    copy.load_state_dict(state)
    bn.eval()
    copy.eval()
    np.testing.assert_allclose(copy(first).detach().numpy(), bn(first).detach().numpy())
    assert copy.num_batches_tracked.item() == 2
    before = bn.running_mean.numpy().copy()
    bn(second)  # eval: nothing moves
    np.testing.assert_array_equal(bn.running_mean.numpy(), before)
    assert repr(bn) == (
        "BatchNorm2d(3, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True)"
    )


def test_batch_norm_without_running_statistics_or_affine():
    bn = nn.BatchNorm1d(4, affine=False, track_running_stats=False)
    assert list(bn.state_dict()) == [] and bn.running_mean is None and bn.weight is None
    x = RNG.standard_normal((5, 4, 3))
    bn.eval()  # no running statistics: the batch's, in eval mode too
    np.testing.assert_allclose(bn(mg.tensor(x)).numpy(), normalized(x, (0, 2)), rtol=1e-10)
    assert repr(bn) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)"
    )


def test_group_and_instance_norm():
    x = RNG.standard_normal((2, 6, 3, 2))
    w, b = RNG.standard_normal(6), RNG.standard_normal(6)
    got = F.group_norm(mg.tensor(x), 3, mg.tensor(w), mg.tensor(b))
    grouped = normalized(x.reshape(2, 3, -1), (2,)).reshape(x.shape)
    np.testing.assert_allclose(
        got.numpy(), grouped * w.reshape(1, 6, 1, 1) + b.reshape(1, 6, 1, 1), rtol=1e-10
    )
    got = F.instance_norm(mg.tensor(x))
    np.testing.assert_allclose(got.numpy(), normalized(x, (2, 3)), rtol=1e-10)
    layer = nn.InstanceNorm2d(6, affine=True, track_running_stats=True)
    layer(mg.tensor(x, dtype=mg.float32))
    per_instance = x.var(axis=(2, 3), ddof=1).mean(axis=0)
    np.testing.assert_allclose(layer.running_var.numpy(), 0.9 + 0.1 * per_instance, rtol=1e-5)
    assert nn.InstanceNorm2d(6)(mg.randn(6, 3, 2)).shape == (6, 3, 2)  # unbatched
    assert repr(nn.GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert repr(nn.InstanceNorm2d(3)) == (
        "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)"
    )


def _f64(*shape):
    return mg.tensor(RNG.standard_normal(shape), requires_grad=True)


GRAD_CASES = [
    ("batch_norm", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)),
    (
        "batch_norm_eval",
        lambda x, w, b: F.batch_norm(
            x, mg.zeros(3, dtype=mg.float64), mg.full((3,), 2.0, dtype=mg.float64), w, b
        ),
    ),
    ("instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b)),
    ("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b)),
]


@pytest.mark.parametrize("name, fn", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_and_second_derivatives(name, fn):
    inputs = (_f64(3, 3, 2, 2), _f64(3), _f64(3))
    assert mg.autograd.gradcheck(fn, inputs)
    assert mg.autograd.gradgradcheck(fn, inputs)


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32], ids=str)
def test_gradients_have_the_inputs_dtype(dtype):
    x = mg.randn(4, 3, 2, 2, dtype=dtype, requires_grad=True)
    w = mg.ones(3, dtype=dtype, requires_grad=True)
    b = mg.zeros(3, dtype=dtype, requires_grad=True)
    out = F.batch_norm(x, None, None, w, b, training=True)
    assert out.dtype == dtype
    _check_grads(out, [x, w, b])


def test_dropout2d_zeroes_whole_channels():
    mg.manual_seed(0)
    x = mg.ones(8, 16, 3, 3)
    y = F.dropout2d(x, 0.5).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # a channel is all kept or not
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.8
    layer = nn.Dropout2d(0.3)
    layer.eval()
    assert layer(x) is x and repr(layer) == "Dropout2d(p=0.3, inplace=False)"
    with pytest.warns(UserWarning, match="3D input"):
        assert F.dropout2d(mg.ones(2, 3, 4)).shape == (2, 3, 4)


BAD = [
    (lambda: F.batch_norm(mg.randn(1, 3), None, None, training=True), ValueError, "more than 1"),
    (lambda: F.batch_norm(mg.randn(4, 3), None, None), RuntimeError, "evaluation mode"),
    (lambda: F.batch_norm(mg.randn(4, 3), mg.zeros(4), mg.ones(4)), RuntimeError, "3 elements"),
    (lambda: F.batch_norm(mg.randn(4, 3), mg.zeros(3), None), ValueError, "both be None"),
    (
        lambda: F.batch_norm(mg.randn(4, 3), None, None, mg.ones(3).double(), training=True),
        RuntimeError,
        "dtype",
    ),
    (lambda: nn.BatchNorm2d(3)(mg.randn(2, 3, 4)), ValueError, "expected 4D input"),
    (lambda: nn.BatchNorm1d(3)(mg.randn(2, 3, 4, 4)), ValueError, "2D or 3D input"),
    (lambda: nn.BatchNorm2d(4)(mg.randn(2, 3, 4, 4)), RuntimeError, "3 elements not 4"),
    (lambda: F.group_norm(mg.randn(2, 3, 4), 2), RuntimeError, "divisible by num_groups"),
    (lambda: nn.GroupNorm(2, 3), ValueError, "divisible by num_groups"),
    (lambda: F.instance_norm(mg.randn(2, 3, 1, 1)), ValueError, "more than 1 spatial"),
    (lambda: nn.InstanceNorm2d(4, affine=True)(mg.randn(2, 3, 4, 4)), ValueError, "num_features"),
    (lambda: F.dropout2d(mg.randn(3), 0.5), RuntimeError, "at least 2 dimensions"),
    (lambda: nn.Dropout2d(1.5), ValueError, "between 0 and 1"),
]


@pytest.mark.filterwarnings("ignore:dropout2d")  # (a 1-D input warns, then raises)
@pytest.mark.parametrize("call, error, words", BAD, ids=[b[2] for b in BAD])
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(error, match=words):
        call()
