"""examples/mnist_mlp.py, run for a short budget: a subset of MNIST, one epoch.

Few, larger steps (batch 128): on a busy 2-core machine multi-threaded BLAS stalls on every
matrix product, so the step count, not the arithmetic, decides how long this takes.
"""

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import pytest

import minigrad as mg

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


def test_compile_gives_the_eager_numbers(example):
    """--compile replays a recording of the training step: the same bits as eager, so the
    same losses and accuracies (two epochs: the recording, then replays)."""
    tiny = ["--epochs", "2", "--train-size", "640", "--test-size", "200", "--seed", "1"]
    compiled, eager = example.main(tiny + ["--compile"]), example.main(tiny)
    for key in ("train_loss", "test_loss", "test_acc", "steps"):
        assert compiled[key] == eager[key], key


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


# --- bad flags: one line on stderr, a non-zero exit, no traceback ----------------------------


def run_example(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(EXAMPLE), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def assert_one_line_error(result: subprocess.CompletedProcess, status: int, *words: str) -> None:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnist_mlp.py: error: "), result.stderr
    for word in words:
        assert word in lines[0]
    assert result.stdout == ""  # nothing printed means nothing loaded or trained


BAD_NUMBERS = [
    (["--epochs", "0"], ["--epochs", "at least 1, got 0"]),
    (["--epochs", "-2"], ["--epochs", "at least 1, got -2"]),
    (["--batch-size", "0"], ["--batch-size", "at least 1"]),
    (["--hidden", "0"], ["--hidden", "at least 1"]),
    (["--lr", "-0.1"], ["--lr", ">= 0, got -0.1"]),
    (["--lr", "nan"], ["--lr", "finite"]),
    (["--seed", "-1"], ["--seed", "at least 0"]),
    (["--train-size", "0"], ["--train-size", "at least 1"]),
    (["--test-size", "-5"], ["--test-size", "at least 1"]),  # not "all but the last 5"
    (["--log-every", "0"], ["--log-every", "at least 1"]),
    (["--epochs", "two"], ["--epochs", "invalid int value: 'two'"]),
]


@pytest.mark.parametrize(("flags", "words"), BAD_NUMBERS, ids=[" ".join(f) for f, _ in BAD_NUMBERS])
def test_bad_numbers_are_refused_before_anything_runs(flags: list[str], words: list[str]) -> None:
    assert_one_line_error(run_example(*flags), 2, *words)


def test_bad_paths_are_refused_before_anything_runs(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    cases = [
        (["--load", str(missing / "mlp.npz")], ["--load", "no such file"]),
        (["--data", str(missing)], ["--data", "no such directory"]),
        (["--save", str(missing / "mlp.npz")], ["--save", "does not exist", str(missing)]),
        (["--save", str(tmp_path)], ["--save", "is a directory"]),
        (["--plot", str(missing / "curves.png")], ["--plot", "does not exist"]),
    ]
    (tmp_path / "mlp.npz").write_bytes(b"")
    cases.append((["--load", str(tmp_path / "mlp.npz"), "--save", "x.npz"], ["--load", "--save"]))
    for flags, words in cases:
        assert_one_line_error(run_example(*flags), 2, *words)


def test_load_of_a_file_that_is_not_this_models_weights(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 and then nothing a zip file needs")
    other = tmp_path / "other.npz"
    mg.save({"weights": mg.zeros(3)}, other)
    deeper = tmp_path / "deeper.npz"  # a 784-64-64-10 MLP: the same first layer, more layers
    mg.save(mg.nn.Sequential(mg.nn.Linear(784, 64), mg.nn.Linear(64, 64)).state_dict(), deeper)
    for path, words in [
        (corrupt, ["--load", str(corrupt), "corrupted"]),
        (other, ["--load", str(other), "'0.weight'"]),
        (deeper, ["--load", str(deeper), "state_dict"]),
    ]:
        assert_one_line_error(run_example("--load", str(path)), 1, *words)


def test_damaged_data_is_one_line(tmp_path: Path) -> None:
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
    names += ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    for name in names:  # all four present, so nothing is downloaded
        (tmp_path / f"{name}.gz").write_bytes(b"not gzip")
    result = run_example("--data", str(tmp_path), "--epochs", "1")
    assert_one_line_error(result, 1, "MNIST", "t10k-images-idx3-ubyte.gz", "gzip")
