"""Size budgets that keep the code readable: the engine reads in one sitting, no module
sprawls, and the package's imports form layers, as described in README.md's Layout.

When one of these fails, the fix is to split or simplify the code, not to raise the budget.
"""

import ast
from pathlib import Path

import minigrad

PACKAGE = Path(minigrad.__file__).parent
ENGINE_BUDGET = 250  # lines of autograd/engine.py, docstrings included
MODULE_BUDGET = 400  # lines of any other module of the package
# Kernel source in a string, not Python to read: the one exception.
EXEMPT = {"backend_cuda.py"}

# Each layer may import itself and the layers before it, never one after it. The accepted
# cycle: tensor <-> autograd (the engine wraps outputs in Tensor; Tensor.backward calls the
# engine), and Tensor's methods are thin calls into functions, which apply ops; ops build on
# the engine's Function and never import Tensor.
UPWARD_ALLOWED = {("tensor", "ops"), ("tensor", "functions")}
LAYERS = [
    {"errors", "backend", "backend_cuda", "_mt19937", "_atomic", "size", "threads"},
    {"dtypes"},
    {"tensor", "autograd"},
    {"ops"},
    {"functions"},
    {"creation", "cuda", "linalg", "random", "accelerator", "backends", "distributed"},
    {"nn"},
    {"optim", "data", "utils", "datasets", "serialization", "viz", "compile"},
]


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_the_engine_reads_in_one_sitting():
    assert _lines(PACKAGE / "autograd" / "engine.py") <= ENGINE_BUDGET


def test_no_module_sprawls():
    too_long = {
        path.relative_to(PACKAGE).as_posix(): _lines(path)
        for path in PACKAGE.rglob("*.py")
        if path.name not in EXEMPT and _lines(path) > MODULE_BUDGET
    }
    assert too_long == {}, f"modules over {MODULE_BUDGET} lines: {too_long}"


def _layer(module: str) -> int:
    top = module.split(".")[0]
    for i, layer in enumerate(LAYERS):
        if top in layer:
            return i
    raise AssertionError(f"{module}: not in any layer of test_budgets.LAYERS; add it")


def _imports(path: Path) -> set[str]:
    """minigrad's own modules that `path` imports (relative to the package, e.g. 'ops')."""
    package = list(path.relative_to(PACKAGE).parts[:-1])  # where `from . import` looks
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                names = [".".join(base + ([node.module] if node.module else []))]
                if not node.module:  # from . import a, b
                    names = [".".join(base + [alias.name]) for alias in node.names]
            elif node.module and node.module.startswith("minigrad."):
                names = [node.module.removeprefix("minigrad.")]
            else:
                continue
            found.update(name for name in names if name)
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.removeprefix("minigrad.")
                for alias in node.names
                if alias.name.startswith("minigrad.")
            )
    return found


def test_imports_form_layers():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        if relative == "__init__":
            continue  # the public API: it imports everything
        own = _layer(relative)
        for imported in _imports(path):
            if _layer(imported) > own and (relative, imported.split(".")[0]) not in UPWARD_ALLOWED:
                upward.append(f"{relative} imports {imported}")
    assert upward == [], "imports that go up the layers:\n" + "\n".join(upward)


def test_ops_never_touch_tensor():
    """ops/ builds on the engine's Function only; Tensor is what calls them."""
    offenders = [
        path.name
        for path in sorted((PACKAGE / "ops").glob("*.py"))
        if any(name.split(".")[0] == "tensor" for name in _imports(path))
    ]
    assert offenders == []


def test_the_package_declares_what_it_exports():
    """minigrad/__init__.py's __all__ lists exactly the names it imports (and they exist)."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if not (alias.asname or alias.name).startswith("_")
    }
    assert set(minigrad.__all__) == imported
    assert len(minigrad.__all__) == len(set(minigrad.__all__))
    assert all(hasattr(minigrad, name) for name in minigrad.__all__)
