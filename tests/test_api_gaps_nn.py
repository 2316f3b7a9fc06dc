"""PyTorch names that real programs reach for, part 3: nn.init.trunc_normal_, orthogonal_,
eye_, dirac_ and nn.utils.rnn.pad_sequence.

Statistics for the random initialisers, exact values for the others, PyTorch's errors.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.autograd import gradcheck
from minigrad.nn.utils.rnn import pad_sequence


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    w = nn.init.trunc_normal_(mg.empty(200_000, dtype=mg.float64))
    values = w.numpy()
    assert values.min() >= -2 and values.max() <= 2
    # N(0, 1) truncated to [-2, 2]: mean 0, variance 1 - 4 phi(2) / (Phi(2) - Phi(-2))
    phi2 = np.exp(-2.0) / np.sqrt(2 * np.pi)
    assert abs(values.mean()) < 0.01
    assert abs(values.var() - (1 - 4 * phi2 / 0.954499736)) < 0.01
    shifted = nn.init.trunc_normal_(mg.empty(10_000), mean=3.0, std=0.5, a=2.5, b=4.0).numpy()
    assert shifted.min() >= 2.5 and shifted.max() <= 4.0 and shifted.dtype == np.float32


def test_trunc_normal_reproducible_and_checked():
    g = mg.Generator().manual_seed(3)
    a = nn.init.trunc_normal_(mg.empty(5), generator=g).tolist()
    b = nn.init.trunc_normal_(mg.empty(5), generator=mg.Generator().manual_seed(3)).tolist()
    assert a == b
    with pytest.raises(ValueError):
        nn.init.trunc_normal_(mg.empty(3), a=2, b=1)
    with pytest.raises(TypeError):
        nn.init.trunc_normal_(mg.empty(3, dtype=mg.int64))
    with pytest.raises(TypeError):
        nn.init.trunc_normal_([0.0])


def test_orthogonal_rows_or_columns_are_orthonormal():
    wide = nn.init.orthogonal_(mg.empty(3, 5, dtype=mg.float64)).numpy()
    np.testing.assert_allclose(wide @ wide.T, np.eye(3), atol=1e-12)
    tall = nn.init.orthogonal_(mg.empty(6, 2, dtype=mg.float64), gain=2).numpy()
    np.testing.assert_allclose(tall.T @ tall, 4 * np.eye(2), atol=1e-12)
    conv = nn.init.orthogonal_(mg.empty(4, 2, 3)).numpy().reshape(4, 6)
    np.testing.assert_allclose(conv @ conv.T, np.eye(4), atol=1e-5)
    assert nn.init.orthogonal_(mg.empty(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(mg.empty(3))


def test_eye_and_dirac():
    assert nn.init.eye_(mg.empty(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert nn.init.eye_(mg.empty(2, 2, dtype=mg.int64)).dtype == mg.int64
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.eye_(mg.empty(2))
    w = nn.init.dirac_(mg.empty(4, 2, 3), groups=2)
    want = np.zeros((4, 2, 3))
    for out, inp in [(0, 0), (1, 1), (2, 0), (3, 1)]:
        want[out, inp, 1] = 1
    assert w.tolist() == want.tolist()
    x = mg.randn(1, 3, 5, 5)  # a dirac-initialised conv is the identity
    weight = nn.init.dirac_(mg.empty(3, 3, 3, 3))
    np.testing.assert_allclose(
        nn.functional.conv2d(x, weight, padding=1).numpy(), x.numpy(), atol=1e-6
    )
    with pytest.raises(ValueError, match="3, 4, or 5"):
        nn.init.dirac_(mg.empty(2, 2))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.init.dirac_(mg.empty(3, 2, 3), groups=2)


def test_init_writes_parameters_without_no_grad():
    p = nn.Parameter(mg.empty(3, 3))
    nn.init.eye_(p)
    nn.init.orthogonal_(p)
    nn.init.trunc_normal_(p, std=0.02)
    assert p.requires_grad and p.grad_fn is None


def test_pad_sequence_values():
    a, b = mg.tensor([1.0, 2.0, 3.0]), mg.tensor([4.0, 5.0])
    assert pad_sequence([a, b]).tolist() == [[1, 4], [2, 5], [3, 0]]
    left = pad_sequence([a, b], batch_first=True, padding_value=-1, padding_side="left")
    assert left.tolist() == [[1, 2, 3], [-1, 4, 5]]
    wide = pad_sequence((mg.ones(1, 2), mg.zeros(3, 2)), batch_first=True)
    assert wide.shape == (2, 3, 2) and wide[0].tolist() == [[1, 1], [0, 0], [0, 0]]
    ints = pad_sequence([mg.tensor([1, 2]), mg.tensor([3])], padding_value=9)
    assert ints.dtype == mg.int64 and ints.tolist() == [[1, 3], [2, 9]]
    assert nn.utils.rnn.pad_sequence is pad_sequence


def test_pad_sequence_gradient():
    a = mg.randn(3, 2, dtype=mg.float64, requires_grad=True)
    b = mg.randn(1, 2, dtype=mg.float64, requires_grad=True)
    assert gradcheck(lambda x, y: pad_sequence([x, y], padding_side="left"), (a, b))


def test_pad_sequence_errors():
    with pytest.raises(RuntimeError, match="empty"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="trailing"):
        pad_sequence([mg.ones(3), mg.ones(2, 2)])
    with pytest.raises(ValueError, match="padding_side"):
        pad_sequence([mg.ones(3)], padding_side="up")
    with pytest.raises(TypeError, match=r"sequences\[1\]"):
        pad_sequence([mg.ones(3), [1.0]])
    with pytest.raises(TypeError, match="batch_first"):
        pad_sequence([mg.ones(3)], batch_first=1)
    with pytest.raises(RuntimeError, match="0-d"):
        pad_sequence([mg.tensor(1.0)])
