"""benchmarks/nanogpt.py, nanoGPT's run as a PyTorch program, under `import minigrad as
torch`: a short run prints what PyTorch 2.13 prints for the same settings (its output on
this configuration, for the first estimates and after 30 updates)."""

import subprocess
import sys
from pathlib import Path

PROGRAM = Path(__file__).resolve().parent.parent / "benchmarks" / "nanogpt.py"


def test_nanogpts_program_under_minigrad_prints_pytorchs_numbers(tmp_path):
    settings = ["--max_iters=30", "--eval_iters=4", "--eval_interval=30", "--whole_val=False"]
    run = subprocess.run(
        [sys.executable, str(PROGRAM), "--framework", "minigrad", *settings],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("step")]
    assert lines == [  # torch 2.13's output for these settings
        "step 0: train loss 4.1650, val loss 4.1697",
        "step 30: train loss 3.2697, val loss 3.2634",
    ]


def test_an_unknown_or_mistyped_setting_is_refused(tmp_path):
    for bad in ("--max_itres=3", "--max_iters=3.5", "--max_iters=x"):
        run = subprocess.run(
            [sys.executable, str(PROGRAM), bad], capture_output=True, text=True, cwd=tmp_path
        )
        assert run.returncode == 2 and "max_it" in run.stderr, bad
