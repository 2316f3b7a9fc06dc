"""examples/mnist_cnn.py, run for a short budget: a subset of MNIST, one short epoch, the
loss must fall; and its flags, --load and its target check."""

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mnist_cnn.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("mnist_cnn", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHORT = ["--epochs", "1", "--train-size", "3000", "--test-size", "500", "--log-every", "4"]


def test_one_short_epoch_learns(example, tmp_path, capsys):
    history = example.main(SHORT + ["--save", str(tmp_path / "cnn.npz")])
    out = capsys.readouterr().out
    losses = history["steps"]  # the mean loss of every 4 steps: 24 steps give 6 readings
    assert len(losses) == 6
    assert losses[-1] < 0.6 * losses[0]
    assert history["train_loss"][0] < math.log(10)  # below the loss of a uniform guess
    assert history["test_acc"][0] > 0.5  # chance is 0.10
    assert "Conv2d(1, 8, kernel_size=(5, 5), stride=(1, 1))" in out
    assert "target not checked" in out and history["target_met"]

    loaded = example.main(["--load", str(tmp_path / "cnn.npz"), "--test-size", "500"])
    assert loaded["test_acc"] == history["test_acc"][0]


def test_the_target_is_checked_on_a_full_run(example, capsys):
    args = example.parse_args([])
    assert (args.dataset, args.epochs, tuple(args.channels)) == ("mnist", 8, (8, 16))
    fashion = example.parse_args(["--dataset", "fashion"])
    assert (fashion.epochs, tuple(fashion.channels)) == (5, (16, 32))  # its own defaults
    assert example.parse_args(["--dataset", "fashion", "--epochs", "2"]).epochs == 2
    met = {"test_acc": [0.9912], "cpu_seconds": 100.0, "train_seconds": 300.0}
    assert example.check_target(args, met)
    assert not example.check_target(args, {**met, "test_acc": [0.985]})
    assert not example.check_target(args, {**met, "cpu_seconds": 200.0})
    out = capsys.readouterr().out
    assert "met (99.12%, 100.0 s of CPU time, 300.0 s by the clock)" in out
    assert "MISSED (98.50%" in out and "a busy machine" in out
    fashion = example.parse_args(["--dataset", "fashion"])
    assert example.check_target(fashion, {**met, "test_acc": [0.905]})


def run_example(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(EXAMPLE), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--dataset", "cifar"], ["--dataset", "invalid choice"]),
        (["--channels", "8"], ["--channels", "expected 2 arguments"]),
        (["--channels", "8", "0"], ["--channels", "at least 1"]),
        (["--epochs", "0"], ["--epochs", "at least 1"]),
        (["--load", "/nonexistent/cnn.npz"], ["--load", "no such file"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_bad_flags_are_one_line(flags, words):
    result = run_example(*flags)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("mnist_cnn.py: error: ")
    for word in words:
        assert word in line
