"""Seeing the graph behind a tensor: Graphviz DOT text, and SVG/PNG when Graphviz is there.

    print(viz.to_dot(loss, params=model.named_parameters()))   # DOT text: no dependencies
    viz.graph(loss, params=model.named_parameters())           # in Jupyter: drawn inline
    viz.render(loss, "mlp.svg", params=model.named_parameters())

The graph is the tape of `mg.autograd.tape(loss)` drawn as a picture. Each tape entry is an
oval "#seq op" with the shape and dtype of the tensor it produced; each leaf is a box with
its name and shape: a parameter by its name in `params`, any other leaf x0, x1, ... in order
of first use (the names `trace_backward` uses too). Leaves that require grad are filled blue,
constants are dashed, the outputs are green. Nodes and edges are written in tape order, so the
DOT text reads like the tape.

Drawing needs the optional `graphviz` package (`pip install minigrad[viz]`) and Graphviz's
`dot` program; `to_dot` needs neither.
"""

from __future__ import annotations

from pathlib import Path

from .autograd.engine import entries_leading_to
from .autograd.tape import shape_text
from .autograd.trace import leaf_names
from .tensor import Tensor

__all__ = ["Graph", "graph", "render", "to_dot"]

_INSTALL_HINT = (
    "drawing a graph needs the graphviz Python package and Graphviz's `dot` program: "
    "`pip install 'minigrad[viz]'` and install Graphviz (apt install graphviz, "
    "brew install graphviz, or https://graphviz.org/download/). Without them, "
    "viz.to_dot() gives the DOT text."
)


def to_dot(*tensors: Tensor, params=None) -> str:
    """The graph that produced `tensors` as Graphviz DOT text.

    `params` names leaves: a mapping or (name, tensor) pairs, e.g.
    `model.named_parameters()`; other leaves are called x0, x1, ...

    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> print(mg.viz.to_dot((x * x).sum()))  # doctest: +ELLIPSIS
    digraph minigrad {
    ...
      leaf0 -> op0;
    ...
    """
    tape = entries_leading_to(tensors)
    bare = [t for t in tensors if t.grad_fn is None]  # outputs that are leaves: no graph at all
    names = leaf_names(tape, params, more=bare)
    bare_set = set(bare)  # Tensors hash by identity
    roots = {t.grad_fn for t in tensors if t.grad_fn is not None}
    lines = ["digraph minigrad {", '  node [fontname="Helvetica", fontsize=11];']
    leaf_nodes: dict[int, str] = {}  # id(tensor) -> its node, drawn on first use

    def leaf(t: Tensor) -> str:
        if id(t) not in leaf_nodes:
            node = leaf_nodes[id(t)] = f"leaf{len(leaf_nodes)}"
            style = 'style=filled, fillcolor="lightblue"' if t.requires_grad else "style=dashed"
            if t in bare_set:
                style = 'style=filled, fillcolor="darkolivegreen1"'
            label = f"{_escape(names[id(t)])}\\n{shape_text(t.shape)} {t.dtype}"
            lines.append(f'  {node} [label="{label}", shape=box, {style}];')
        return leaf_nodes[id(t)]

    for fn in tape:
        sources = [
            leaf(x) if x.grad_fn is None else f"op{x.grad_fn.seq}"
            for x in fn.inputs
            if isinstance(x, Tensor)
        ]
        shape, dtype = fn.out_meta
        style = ', style=filled, fillcolor="darkolivegreen1"' if fn in roots else ""
        label = f"#{fn.seq} {fn.name}\\n{shape_text(shape)} {dtype}"
        lines.append(f'  op{fn.seq} [label="{label}"{style}];')
        lines.extend(f"  {source} -> op{fn.seq};" for source in sources)
    for t in bare:
        leaf(t)
    lines.append("}")
    return "\n".join(lines)


class Graph:
    """DOT text that draws itself: inline in Jupyter, or to a file with `render`.

    `str(graph)` and `graph.source` are the DOT text.
    """

    def __init__(self, source: str):
        self.source = source

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        nodes = sum(1 for line in self.source.splitlines() if "[label=" in line)
        return f"<minigrad.viz.Graph of {nodes} nodes; str() gives its DOT text>"

    def pipe(self, format: str = "svg") -> bytes:
        """The drawing as bytes in `format` ('svg', 'png', 'pdf', ...)."""
        graphviz = _graphviz()
        try:
            return graphviz.Source(self.source).pipe(format=format)
        except graphviz.ExecutableNotFound as e:
            raise RuntimeError(_INSTALL_HINT) from e

    def render(self, path: str | Path) -> Path:
        """Draw to `path`; its suffix picks the format ('graph.svg', 'graph.png'). Returns it."""
        path = Path(path)
        if not path.suffix:
            raise ValueError(f"render: give the file a suffix that names a format: {path}.svg")
        path.write_bytes(self.pipe(path.suffix[1:]))
        return path

    def _repr_svg_(self):
        """Jupyter draws the graph inline when Graphviz is installed, else shows repr()."""
        try:
            return self.pipe("svg").decode()
        except (ImportError, RuntimeError):
            return None


def graph(*tensors: Tensor, params=None) -> Graph:
    """The graph behind `tensors` as a `Graph`: the last line of a Jupyter cell draws it."""
    return Graph(to_dot(*tensors, params=params))


def render(tensor: Tensor, path: str | Path, params=None) -> Path:
    """Draw the graph behind `tensor` to `path` (format from the suffix: .svg, .png, .pdf)."""
    return graph(tensor, params=params).render(path)


def _graphviz():
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    return graphviz


def _escape(text: str) -> str:
    """A name as it may appear inside a quoted DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')
