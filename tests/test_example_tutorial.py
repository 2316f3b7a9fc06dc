"""examples/pytorch_tutorial_polynomial.py: PyTorch's custom-Function tutorial, only its import
changed, gives PyTorch's numbers."""

import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent / "examples" / "pytorch_tutorial_polynomial.py"


def test_the_tutorial_runs_unchanged_and_lands_where_pytorch_does():
    source = EXAMPLE.read_text()
    assert "import minigrad as torch" in source and "\nimport torch\n" not in source
    out = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    losses = [float(line.split()[1]) for line in out.splitlines() if re.match(r"\d+ ", line)]
    assert len(losses) == 20 and losses[0] > losses[-1]
    # PyTorch 2.13 (CPU, float32) printed these for the same program: loss 8.943641662597656 at
    # step 1999, b = -2.208526849746704, d = 0.2554861009120941 (a and c are ~1e-9: zero).
    assert abs(losses[-1] - 8.943641662597656) < 1e-3
    a, b, c, d = map(
        float, re.search(r"y = (\S+) \+ (\S+) \* P3\((\S+) \+ (\S+) x\)", out).groups()
    )
    assert abs(a) < 1e-6 and abs(c) < 1e-6
    assert abs(b - -2.208526849746704) < 1e-5 and abs(d - 0.2554861009120941) < 1e-6
