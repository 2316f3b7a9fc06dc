"""The docs cannot drift from the code: every page in docs/ is run, and docs/api.md is generated.

Each docs/*.md page runs as if in a fresh interpreter (tape numbers from 0, seed 0, in an
empty working directory): its ```python blocks in order, in one namespace per page. A
```text block that follows a python block (with only blank lines between) is that block's
output and must equal what it printed, exactly. Tracebacks point at the page's own lines.

docs/api.md is generated from the package (every public name, its signature, the first line
of its docstring) and must equal what the code gives now.

When the code changes on purpose, regenerate instead of editing outputs by hand:

    python tests/test_docs.py --update            # every page's outputs, and docs/api.md
    python tests/test_docs.py --update autograd   # one page
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import inspect
import io
import itertools
import linecache
import os
import re
import sys
import traceback
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
API = DOCS / "api.md"
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


# ----- running a page -----------------------------------------------------------------------
@dataclass
class Block:
    code: str
    line: int  # the page's line number of the block's first code line
    expected: str | None  # the text block that follows, or None
    span: tuple[int, int] | None  # where that text block's body sits in the page


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of a markdown page, each with the ```text block right after it."""
    fences = list(FENCE.finditer(text))
    blocks = []
    for i, m in enumerate(fences):
        if m["lang"] != "python":
            continue
        line = text.count("\n", 0, m.start("body")) + 1
        nxt = fences[i + 1] if i + 1 < len(fences) else None
        if nxt and nxt["lang"] == "text" and not text[m.end() : nxt.start()].strip():
            blocks.append(Block(m["body"], line, nxt["body"], nxt.span("body")))
        else:
            blocks.append(Block(m["body"], line, None, None))
    return blocks


def run_page(path: Path) -> list[tuple[Block, str]]:
    """Run a page's python blocks in order in a fresh namespace; (block, what it printed)."""
    import minigrad as mg
    from minigrad.autograd import engine

    text = path.read_text()
    name = path.relative_to(ROOT).as_posix()  # what tracebacks and anomaly messages show
    lines = text.splitlines(keepends=True)
    linecache.cache[name] = (len(text), None, lines, name)  # mtime None: never reloaded
    saved_counter = engine._next_seq
    engine._next_seq = itertools.count()  # tape numbers as in a fresh interpreter
    mg.manual_seed(0)
    namespace = {"__name__": "__main__"}
    results = []
    try:
        for block in python_blocks(text):
            code = compile("\n" * (block.line - 1) + block.code, name, "exec")
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    exec(code, namespace)
            except Exception:
                pytest.fail(
                    f"{name}:{block.line}: this block raised\n{traceback.format_exc()}",
                    pytrace=False,
                )
            results.append((block, out.getvalue()))
    finally:
        engine._next_seq = saved_counter
    return results


def pages() -> list[Path]:
    """Every page whose code must run: docs/*.md (but the generated API list) and the README."""
    return sorted(p for p in DOCS.glob("*.md") if p != API) + [ROOT / "README.md"]


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # pages plant log(0)
@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_every_block_runs_and_prints_its_text_block(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files a page writes land here
    mismatches = []
    for block, printed in run_page(page):
        if block.expected is not None and printed != block.expected:
            diff = difflib.unified_diff(
                block.expected.splitlines(),
                printed.splitlines(),
                "in the page",
                "printed",
                lineterm="",
            )
            mismatches.append(
                f"{page.relative_to(ROOT)}:{block.line}: the output differs\n" + "\n".join(diff)
            )
    assert not mismatches, "\n\n".join(mismatches) + "\n\n" + _HOW_TO_UPDATE


def test_api_reference_is_current():
    assert API.exists() and API.read_text() == api_reference(), (
        "docs/api.md does not match the package.\n" + _HOW_TO_UPDATE
    )


def test_the_runner_finds_outputs_and_points_tracebacks_at_the_page(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text(
        "Intro.\n\n```python\nx = 2\nprint(x * 21)\n```\n\n```text\n42\n```\n\n"
        "```python\ny = x + 1\n```\nprose\n```text\nnot an output\n```\n"
        "```python\nraise ValueError('planted')\n```\n"
    )
    a, b, c = python_blocks(page.read_text())
    assert (a.line, a.expected, b.expected, c.line) == (4, "42\n", None, 20)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(
        pytest.fail.Exception,
        match=r"page.md:20: this block raised(.|\n)*"
        r'File "page.md", line 20(.|\n)*planted',
    ):
        run_page(page)


_HOW_TO_UPDATE = (
    "If the code changed on purpose, regenerate: python tests/test_docs.py --update "
    "(then read the diff)."
)


# ----- the API reference --------------------------------------------------------------------
NAMESPACES = [  # the public modules, in the order the reference lists them
    "minigrad",
    "minigrad.autograd",
    "minigrad.nn",
    "minigrad.nn.functional",
    "minigrad.nn.init",
    "minigrad.optim",
    "minigrad.optim.lr_scheduler",
    "minigrad.data",
    "minigrad.datasets",
    "minigrad.cuda",
    "minigrad.viz",
    "minigrad.backend",
]


def api_reference() -> str:
    """docs/api.md: each public name of each namespace, its signature and its purpose."""
    import minigrad as mg

    out = [
        "# API reference",
        "",
        "Every public name, with its signature and the first line of its docstring. This page",
        "is generated from the code (`python tests/test_docs.py --update`) and the tests fail",
        "when it no longer matches, so it cannot drift. Classes list the public methods and",
        "properties they define themselves.",
    ]
    for module_name in NAMESPACES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        out += ["", f"## {module_name}", ""]
        for name in _public_names(module):
            obj = getattr(module, name)
            out.append(f"- {_describe(name, obj, mg)}")
            if inspect.isclass(obj) and obj.__module__.startswith("minigrad"):
                for attr, member in _members(obj):
                    out.append(f"  - {_describe(attr, member, mg, owner=obj)}")
    return "\n".join(out) + "\n"


def _public_names(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n for n, obj in vars(module).items() if not n.startswith("_") and _is_own(obj, module)
        ]
    return sorted(
        (n for n in names if not isinstance(getattr(module, n), types.ModuleType)),
        key=lambda n: (n.lower(), n),
    )


def _is_own(obj, module) -> bool:
    """Defined by minigrad (not imported from elsewhere), or one of its dtypes."""
    if type(obj).__name__ == "dtype" or type(obj).__module__.startswith("numpy.dtypes"):
        return True
    return (getattr(obj, "__module__", None) or "").startswith("minigrad")


def _members(cls) -> list[tuple[str, object]]:
    return [
        (n, m)
        for n, m in sorted(vars(cls).items())
        if not n.startswith("_")
        and (callable(m) or isinstance(m, (property, classmethod, staticmethod)))
    ]


def _describe(name: str, obj, mg, owner=None) -> str:
    if type(obj).__name__ == "dtype" or type(obj).__module__.startswith("numpy.dtypes"):
        return f"`{name}`: the dtype {obj}"
    if isinstance(obj, property):
        return f"`{name}` (property): {_purpose(obj.fget, name, mg, owner)}"
    if isinstance(obj, (classmethod, staticmethod)):
        obj = obj.__func__
    kind = "class " if inspect.isclass(obj) else ""
    return f"{kind}`{name}{_signature(obj, method=owner is not None)}`: " + _purpose(
        obj, name, mg, owner
    )


def _signature(obj, method: bool) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    params = list(sig.parameters.values())
    if method and params and params[0].name in ("self", "cls"):
        params = params[1:]
    params = [p.replace(annotation=_Annotation.of(p.annotation)) for p in params]
    sig = sig.replace(parameters=params, return_annotation=_Annotation.of(sig.return_annotation))
    return re.sub(r" at 0x[0-9a-f]+", "", str(sig))


class _Annotation(str):
    """An annotation kept as text (`from __future__ import annotations`), shown unquoted."""

    def __repr__(self) -> str:
        return str(self)

    @classmethod
    def of(cls, annotation):
        return cls(annotation) if isinstance(annotation, str) else annotation


def _purpose(obj, name: str, mg, owner) -> str:
    doc = inspect.getdoc(obj)
    if doc:
        return _first_paragraph(doc)
    key = f"{owner.__name__}.{name}" if owner else name
    if key in PURPOSES:
        return PURPOSES[key]
    if owner is mg.Tensor and callable(getattr(mg, name, None)):  # t.exp() is mg.exp(t)
        return f"as `minigrad.{name}`: " + _purpose(getattr(mg, name), name, mg, None)
    return "(undocumented)"


# One-line purposes of the public names that have no docstring yet. A docstring, once
# written, takes precedence; then delete the line here.
PURPOSES = {
    "abs": "Elementwise absolute value.",
    "add": "Elementwise a + b, broadcasting.",
    "amax": "Largest value over dim (int, tuple or None = all); ties share the gradient.",
    "amin": "Smallest value over dim (int, tuple or None = all); ties share the gradient.",
    "argmin": "Index of the smallest value (of the flattened tensor when dim is None); int64.",
    "empty": "An uninitialised tensor of the given size.",
    "exp": "Elementwise e**x.",
    "is_grad_enabled": "True when ops are being recorded on the tape.",
    "log": "Elementwise natural logarithm.",
    "maximum": "Elementwise maximum of a and b; ties share the gradient.",
    "minimum": "Elementwise minimum of a and b; ties share the gradient.",
    "mul": "Elementwise a * b, broadcasting.",
    "neg": "Elementwise -a.",
    "ones": "A tensor of ones of the given size.",
    "ones_like": "A tensor of ones with the shape (and by default dtype and device) of t.",
    "pow": "Elementwise a ** b.",
    "relu": "Elementwise max(x, 0).",
    "sigmoid": "Elementwise 1 / (1 + e**-x), computed without overflow.",
    "sign": "Elementwise -1, 0 or 1; not recorded, as its gradient is 0 everywhere.",
    "sqrt": "Elementwise square root.",
    "sub": "Elementwise a - b, broadcasting.",
    "tanh": "Elementwise hyperbolic tangent.",
    "zeros": "A tensor of zeros of the given size.",
    "zeros_like": "A tensor of zeros with the shape (and by default dtype and device) of t.",
    "Tensor": "An array (numpy or cupy) with what autograd needs: requires_grad, grad, grad_fn.",
    "Tensor.T": "All dims reversed (the transpose of a matrix).",
    "Tensor.bool": "Cast to bool.",
    "Tensor.copy_": "Copy src's values into this tensor, in place.",
    "Tensor.cpu": "This tensor on the CPU.",
    "Tensor.cuda": "This tensor on a CUDA device.",
    "Tensor.dim": "The number of dims.",
    "Tensor.double": "Cast to float64.",
    "Tensor.dtype": "The dtype (a numpy dtype).",
    "Tensor.expand_as": "Broadcast to other's shape without copying.",
    "Tensor.fill_": "Set every element to value, in place.",
    "Tensor.float": "Cast to float32.",
    "Tensor.half": "Cast to float16.",
    "Tensor.int": "Cast to int32.",
    "Tensor.is_cuda": "True when the data lives on a CUDA device.",
    "Tensor.is_leaf": "True for tensors not produced by a recorded op.",
    "Tensor.item": "The value of a one-element tensor as a Python number.",
    "Tensor.long": "Cast to int64.",
    "Tensor.mT": "The last two dims swapped.",
    "Tensor.ndim": "The number of dims.",
    "Tensor.normal_": "Fill with samples from N(mean, std**2), in place.",
    "Tensor.numel": "The number of elements.",
    "Tensor.requires_grad_": "Set requires_grad on a leaf, in place; returns the tensor.",
    "Tensor.shape": "The size of each dim, a tuple.",
    "Tensor.size": "The shape, or the size of one dim.",
    "Tensor.t": "The transpose of a tensor with at most 2 dims.",
    "Tensor.tolist": "The values as nested Python lists.",
    "Tensor.uniform_": "Fill with samples from U(low, high), in place.",
    "Tensor.zero_": "Set every element to 0, in place.",
    "Module.add_module": "Register a child module under `name` (None leaves a placeholder).",
    "Module.buffers": "The buffers of this module and (recurse) all below it.",
    "Module.children": "The direct child modules.",
    "Module.cpu": "Move parameters and buffers to the CPU, in place.",
    "Module.cuda": "Move parameters and buffers to a CUDA device, in place.",
    "Module.double": "Cast floating parameters and buffers to float64, in place.",
    "Module.float": "Cast floating parameters and buffers to float32, in place.",
    "Module.forward": "The computation of the module; subclasses define it, and calls run it.",
    "Module.half": "Cast floating parameters and buffers to float16, in place.",
    "Module.modules": "This module and all below it, each once.",
    "Module.named_buffers": "(name, buffer) pairs with dotted names.",
    "Module.named_children": "(name, module) pairs of the direct children.",
    "Module.parameters": "The parameters of this module and (recurse) all below it, each once.",
    "Module.register_module": "Same as add_module.",
    "Module.register_parameter": "Register a Parameter (or None) under `name`.",
    "Module.requires_grad_": "Set requires_grad on every parameter; returns the module.",
    "constant_": "Fill with val, in place.",
    "ones_": "Fill with ones, in place.",
    "zeros_": "Fill with zeros, in place.",
    "LRScheduler.load_state_dict": "Restore what state_dict() returned.",
    "device_count": "The number of CUDA devices cupy sees (0 without cupy).",
    "device_of": "The Device an array lives on.",
}


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.strip().split("\n\n")[0].split())


# ----- regenerating -------------------------------------------------------------------------
def update(selected: list[str]) -> None:
    """Rewrite the text blocks of the selected pages (all when empty) and docs/api.md."""
    os.chdir(_scratch_dir())
    for page in pages():
        if selected and page.stem not in selected and page.name not in selected:
            continue
        text = page.read_text()
        for block, printed in reversed(run_page(page)):
            if block.span is not None:
                start, end = block.span
                text = text[:start] + printed + text[end:]
        page.write_text(text)
        print(f"updated {page.relative_to(ROOT)}")
    if not selected or "api" in selected:
        API.write_text(api_reference())
        print(f"updated {API.relative_to(ROOT)}")


def _scratch_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="minigrad-docs-")


if __name__ == "__main__":
    if sys.argv[1:2] != ["--update"]:
        sys.exit(__doc__)
    sys.path.insert(0, str(ROOT))
    update(sys.argv[2:])
