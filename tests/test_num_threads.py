"""mg.set_num_threads / get_num_threads: numpy's BLAS pool, set at any time, as PyTorch's."""

import pytest

import minigrad as mg


@pytest.fixture
def restored():
    before = mg.get_num_threads()
    yield
    mg.set_num_threads(before)


def test_set_num_threads_takes_effect_at_once(restored):
    mg.set_num_threads(1)
    assert mg.get_num_threads() == 1
    mg.set_num_threads(2)
    assert mg.get_num_threads() == 2
    a = mg.randn(64, 64)
    assert mg.allclose(a @ mg.eye(64), a)  # (products still right on the new pool)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "expects a positive integer"),
        (-1, "expects a positive integer"),
        (1.5, "expects an int, but got float"),
        ("2", "expects an int, but got str"),
        (True, "expects an int, but got bool"),
    ],
)
def test_set_num_threads_refuses_what_pytorch_refuses(restored, value, message):
    before = mg.get_num_threads()
    with pytest.raises(RuntimeError, match=message):
        mg.set_num_threads(value)
    assert mg.get_num_threads() == before
