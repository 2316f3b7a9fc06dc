"""examples/shakespeare_gpt.py in a tiny configuration: a few iterations of the GPT and of the
LSTM on the first 200,000 characters of the text must lower the loss, save a checkpoint, and
sample from it. (The text is cut so that encoding it takes no time; the packaged copy itself
is checked against its checksum below.)"""

import importlib.util
import math
import shlex
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shakespeare_gpt.py"
TINY = shlex.split(
    "--n-layer 1 --n-head 2 --n-embd 32 --block-size 16 --batch-size 16 --max-iters 25 "
    "--eval-interval 25 --eval-iters 2 --warmup-iters 5 --lr 1e-2 --tokens 20 --no-final-eval"
)


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("shakespeare_gpt", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def text(example, tmp_path_factory):
    """The packaged text (checked against its published SHA-256), its start in a file."""
    full = example.load_text(example.TEXT)
    assert len(full) == 1_115_394 and len(set(full)) == 65
    path = tmp_path_factory.mktemp("data") / "start.txt"
    path.write_text(full[:200_000])
    return ["--data", str(path)]


def test_a_few_iterations_of_the_gpt_lower_the_loss_and_sample(example, text, tmp_path, capsys):
    path = tmp_path / "gpt.npz"
    history = example.main(TINY + text + ["--save", str(path)])
    out = capsys.readouterr().out
    losses = history["losses"]
    assert len(losses) == 25
    assert losses[0] == pytest.approx(math.log(62), abs=0.1)  # a uniform guess: 62 characters
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.6
    assert history["val_loss"][-1] < history["val_loss"][0] - 0.5
    assert "step 25: train loss" in out and "a sample:" in out and path.exists()
    text = example.main(["--sample", str(path), "--tokens", "30", "--start", "ROMEO:"])
    assert text.startswith("ROMEO:") and len(text) == 36


def test_the_lstm_trains_too(example, text, tmp_path):
    history = example.main(TINY + text + ["--model", "lstm", "--save", str(tmp_path / "lstm.npz")])
    assert sum(history["losses"][-5:]) / 5 < sum(history["losses"][:5]) / 5 - 0.5


def test_the_schedule_warms_up_then_decays_to_min_lr(example):
    args = example.parse_args([])
    lrs = [example.get_lr(it, args) for it in (0, 99, 100, 1050, 2000)]
    assert lrs[0] == pytest.approx(1e-3 / 101) and lrs[1] == pytest.approx(1e-3 * 100 / 101)
    assert lrs[2] == pytest.approx(1e-3) and lrs[3] == pytest.approx(5.5e-4)
    assert lrs[4] == pytest.approx(1e-4)


def test_the_defaults_start_as_nanogpts_run_in_pytorch(example, tmp_path):
    """With nanoGPT's configuration and seed, the model, its initialisation and the order of
    every random draw are nanoGPT's, and minigrad's streams are PyTorch's: the first loss
    estimate (20 batches of each split, drawn after the first training batch) is the one
    nanoGPT's train.py prints in PyTorch 2.13, train 4.1676469 and val 4.1648989 (its
    programs' output on this configuration; the whole run ends at 1.8857, this at 1.8858)."""
    args = ["--max-iters", "1", "--tokens", "1", "--no-final-eval", "--save", str(tmp_path / "m")]
    history = example.main(args)
    assert history["train_loss"][0] == pytest.approx(4.1676469, abs=2e-6)
    assert history["val_loss"][0] == pytest.approx(4.1648989, abs=2e-6)
