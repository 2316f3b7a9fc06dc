"""minigrad.viz: the DOT text is checked structurally, and rendered where Graphviz is installed."""

import itertools
import re
import runpy
import shutil
import sys
from pathlib import Path

import pytest

import minigrad as mg
from minigrad import viz
from minigrad.autograd import engine

ROOT = Path(__file__).resolve().parents[1]
STATEMENT = re.compile(
    r'\s*(?P<src>\w+)(?: -> (?P<dst>\w+))?(?: \[(?P<attrs>(?:[^"\]]|"(?:[^"\\]|\\.)*")*)\])?;'
)
ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[\w.]+)')


def parse_dot(text: str):
    """A small parser for the DOT subset to_dot writes: nodes with attributes, and edges.

    Returns (nodes: {id: {attr: value}}, edges: [(src, dst)]); fails on anything else, on a
    node defined twice, and on an edge from or to a node not defined before it.
    """
    lines = text.splitlines()
    assert lines[0] == "digraph minigrad {" and lines[-1] == "}", text
    assert lines[1].startswith("  node [")  # defaults for every node
    nodes, edges = {}, []
    for line in lines[2:-1]:
        m = STATEMENT.fullmatch(line)
        assert m, f"not a DOT statement: {line!r}"
        attrs = {k: v.strip('"') for k, v in ATTR.findall(m["attrs"] or "")}
        if m["dst"] is None:
            assert m["src"] not in nodes, f"node {m['src']} defined twice"
            nodes[m["src"]] = attrs
        else:
            assert not attrs
            assert m["src"] in nodes and m["dst"] in nodes, f"edge before its nodes: {line}"
            edges.append((m["src"], m["dst"]))
    return nodes, edges


class TwoLayer(mg.nn.Module):
    def __init__(self):
        super().__init__()
        self.w1 = mg.nn.Parameter(mg.randn(3, 4))
        self.b1 = mg.nn.Parameter(mg.zeros(4))
        self.w2 = mg.nn.Parameter(mg.randn(4, 1))

    def forward(self, x):
        return (x @ self.w1 + self.b1).relu() @ self.w2


def test_dot_of_a_module_names_parameters_and_follows_the_tape(device):
    model = TwoLayer().to(device)
    x = mg.randn(5, 3, device=device)
    y = mg.randn(5, 1, device=device)
    loss = ((model(x) - y) ** 2).mean()
    tape = mg.autograd.tape(loss)
    nodes, edges = parse_dot(viz.to_dot(loss, params=model.named_parameters()))

    ops = {n: a for n, a in nodes.items() if n.startswith("op")}
    leaves = {a["label"].split("\\n")[0]: a for n, a in nodes.items() if n.startswith("leaf")}
    assert [a["label"] for a in ops.values()] == [
        f"#{e.seq} {e.op}\\n{_shape(e.output[0])} {e.output[1]}" for e in tape
    ]
    assert set(leaves) == {"x0", "w1", "b1", "w2", "x1"}  # data x, target y
    assert leaves["w1"]["label"] == "w1\\n(3,4) float32"
    assert leaves["b1"]["label"] == "b1\\n(4,) float32"
    for name in ("w1", "b1", "w2"):
        assert leaves[name]["fillcolor"] == "lightblue"
    assert leaves["x0"]["style"] == leaves["x1"]["style"] == "dashed"  # constants
    assert ops[f"op{tape[-1].seq}"]["fillcolor"] == "darkolivegreen1"  # the output

    # edges arrive in tape order, each one feeding an op from something already drawn
    targets = [int(dst[2:]) for _, dst in edges]
    assert targets == sorted(targets)
    order = list(nodes)
    assert all(order.index(src) < order.index(dst) for src, dst in edges)
    fan_in = {e.seq: sum(1 for _, d in edges if d == f"op{e.seq}") for e in tape}
    assert fan_in == {e.seq: len(e.inputs) for e in tape}


def _shape(shape):
    return str(tuple(shape)).replace(" ", "")


def test_dot_text_of_a_tiny_graph_exactly(monkeypatch):
    monkeypatch.setattr(engine, "_next_seq", itertools.count())
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    assert viz.to_dot((x * c).sum()) == "\n".join(
        [
            "digraph minigrad {",
            '  node [fontname="Helvetica", fontsize=11];',
            '  leaf0 [label="x0\\n(2,) float32", shape=box, style=filled, fillcolor="lightblue"];',
            '  leaf1 [label="x1\\n(2,) float32", shape=box, style=dashed];',
            '  op0 [label="#0 mul\\n(2,) float32"];',
            "  leaf0 -> op0;",
            "  leaf1 -> op0;",
            '  op1 [label="#1 sum\\n() float32", style=filled, fillcolor="darkolivegreen1"];',
            "  op0 -> op1;",
            "}",
        ]
    )


def test_a_tensor_used_twice_is_one_node_and_odd_names_are_escaped():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = parse_dot(viz.to_dot(x * x + x, params={'my "x"\\': x}))
    assert [a["label"] for n, a in nodes.items() if n.startswith("leaf")] == [
        'my \\"x\\"\\\\\\n(2,) float32'
    ]
    assert len(edges) == 4


def test_several_outputs_and_a_bare_leaf():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a, b = x.exp(), x.sum()
    nodes, edges = parse_dot(viz.to_dot(a, b))
    assert sum(a.get("fillcolor") == "darkolivegreen1" for a in nodes.values()) == 2
    nodes, edges = parse_dot(viz.to_dot(x))
    assert list(nodes) == ["leaf0"] and edges == []


def _can_render() -> bool:
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def test_render_svg_and_png_with_graphviz(tmp_path):
    if not _can_render():
        pytest.skip("rendering needs the graphviz package and the `dot` program")
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    svg = viz.render(loss, tmp_path / "g.svg")
    assert "<svg" in svg.read_text() and "mul" in svg.read_text()
    png = viz.graph(loss).render(tmp_path / "g.png")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "<svg" in viz.graph(loss)._repr_svg_()


def test_without_graphviz_rendering_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    graph = viz.graph(mg.tensor([1.0], requires_grad=True).exp())
    with pytest.raises(ImportError, match=r"pip install 'minigrad\[viz\]'.*to_dot"):
        graph.render(tmp_path / "g.svg")
    assert graph._repr_svg_() is None  # Jupyter then falls back to repr()
    assert repr(graph) == "<minigrad.viz.Graph of 2 nodes; str() gives its DOT text>"
    assert str(graph) == graph.source and graph.source.startswith("digraph")
    with pytest.raises(ValueError, match="suffix"):
        graph.render(tmp_path / "g")


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # its planted log(0)
def test_the_autograd_tour_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["autograd_tour.py"])
    runpy.run_path(str(ROOT / "examples" / "autograd_tour.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "passed on to" in out and "matmul" in out
    parse_dot((tmp_path / "autograd_tour.dot").read_text())


def test_jupyter_shows_a_graph_through_its_display_formatter(monkeypatch):
    formatters = pytest.importorskip("IPython.core.formatters")
    monkeypatch.setitem(sys.modules, "graphviz", None)
    graph = viz.graph((mg.ones(2, requires_grad=True) * 2).sum())
    shown, _ = formatters.DisplayFormatter().format(graph)
    assert shown == {"text/plain": repr(graph)}  # no Graphviz: the text fallback
    monkeypatch.setattr(viz.Graph, "pipe", lambda self, format="svg": b"<svg>drawn</svg>")
    shown, _ = formatters.DisplayFormatter().format(graph)
    assert shown["image/svg+xml"] == "<svg>drawn</svg>"  # with it: drawn inline
