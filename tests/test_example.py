"""examples/mnist_mlp.py, run for a short budget: a subset of MNIST, one epoch.

Few, larger steps (batch 128): on a busy 2-core machine multi-threaded BLAS stalls on every
matrix product, so the step count, not the arithmetic, decides how long this takes.
"""

import importlib.util
import math
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mnist_mlp.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("mnist_mlp", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHORT = ["--epochs", "1", "--train-size", "8000", "--test-size", "2000", "--hidden", "128"]
SHORT += ["--log-every", "10"]


def test_one_short_epoch_learns(example, tmp_path, capsys):
    history = example.main(SHORT + ["--save", str(tmp_path / "mlp.npz")])
    out = capsys.readouterr().out
    losses = history["steps"]  # the mean loss of every 10 steps: 63 steps give 6 readings
    assert len(losses) == 6
    assert losses[-1] < 0.5 * losses[0]
    assert history["train_loss"][0] < math.log(10)  # below the loss of a uniform guess
    assert history["test_acc"][0] > 0.80  # chance is 0.10
    assert "epoch 1: train loss" in out and "best test accuracy" in out

    # --load evaluates the saved weights and gets the same accuracy
    loaded = example.main(["--load", str(tmp_path / "mlp.npz"), "--test-size", "2000"])
    assert loaded["test_acc"] == history["test_acc"][0]


def test_the_same_seed_gives_the_same_numbers(example):
    tiny = ["--epochs", "1", "--train-size", "2000", "--test-size", "500", "--hidden", "64"]
    first = example.main(tiny + ["--seed", "3"])
    second = example.main(tiny + ["--seed", "3"])
    assert first["train_loss"] == second["train_loss"]
    assert first["test_loss"] == second["test_loss"] and first["test_acc"] == second["test_acc"]
    assert example.main(tiny + ["--seed", "4"])["train_loss"] != first["train_loss"]


def test_plot_without_matplotlib_is_a_clear_message(example, tmp_path):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(SystemExit) as info:
            example.main(SHORT + ["--plot", str(tmp_path / "curves.png")])
        assert "needs matplotlib" in str(info.value.code)  # a message, exit status 1
        assert not (tmp_path / "curves.png").exists()
    else:
        tiny = ["--epochs", "1", "--train-size", "3200", "--test-size", "500", "--hidden", "64"]
        example.main(tiny + ["--plot", str(tmp_path / "curves.png")])
        assert (tmp_path / "curves.png").stat().st_size > 0
