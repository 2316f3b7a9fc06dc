"""A tour of autograd on a two-layer MLP: the tape, the graph, the backward pass, a NaN hunt.

    python examples/autograd_tour.py

Prints the tape of one loss, writes its graph to autograd_tour.dot (and autograd_tour.svg when
Graphviz is installed), prints the backward trace, checks that the gradients the trace saw
are the ones that landed in `.grad`, and finds a planted log(0) with detect_anomaly.
"""

from pathlib import Path

import minigrad as mg
from minigrad import viz

# ----- settings ---------------------------------------------------------------------------
BATCH, IN, HIDDEN, OUT = 4, 3, 5, 2
SEED = 0
GRAPH = Path("autograd_tour.dot")


class MLP(mg.nn.Module):
    """x -> relu(x @ w1 + b1) @ w2 + b2, with the parameters spelled out."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int):
        super().__init__()
        self.w1 = mg.nn.Parameter(mg.randn(n_in, n_hidden) * 0.5)
        self.b1 = mg.nn.Parameter(mg.zeros(n_hidden))
        self.w2 = mg.nn.Parameter(mg.randn(n_hidden, n_out) * 0.5)
        self.b2 = mg.nn.Parameter(mg.zeros(n_out))

    def forward(self, x):
        return (x @ self.w1 + self.b1).relu() @ self.w2 + self.b2


def main() -> None:
    mg.manual_seed(SEED)
    model = MLP(IN, HIDDEN, OUT)
    params = dict(model.named_parameters())
    x, target = mg.randn(BATCH, IN), mg.randn(BATCH, OUT)
    loss = ((model(x) - target) ** 2).mean()

    print("== the tape: every op recorded for the loss, in the order it ran ==")
    print(mg.autograd.tape(loss))

    GRAPH.write_text(viz.to_dot(loss, params=params))
    print(f"\n== the graph: DOT text in {GRAPH} ==")
    try:
        print(f"drawn to {viz.render(loss, GRAPH.with_suffix('.svg'), params=params)}")
    except (ImportError, RuntimeError) as e:  # graphviz is an optional extra
        print(f"not drawn: {e}")

    print("\n== the backward pass, entry by entry (the tape in reverse) ==")
    with mg.autograd.trace_backward(params=params) as trace:
        loss.backward()
    print(trace)
    first_layer = next(step for step in trace if any(n == "w1" for n, _ in step.passed))
    seen = dict(first_layer.passed)["w1"].norm
    actual = float(((model.w1.grad * model.w1.grad).sum() ** 0.5).item())
    assert abs(seen - actual) < 1e-5 * max(1.0, actual), (seen, actual)
    print(f"the trace's gradient for w1 has norm {seen:.4g}, the same as w1.grad's")

    print("\n== finding a NaN: a planted log(0) ==")
    with mg.autograd.detect_anomaly():
        try:
            (model(x).relu() * 0).log().mean()  # relu(.) * 0 is 0, log(0) is -inf
        except mg.autograd.AnomalyError as e:
            print(e)


if __name__ == "__main__":
    main()
