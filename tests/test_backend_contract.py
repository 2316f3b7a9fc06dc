"""Only minigrad/backend.py decides between numpy and cupy.

Everything else reaches array functions through `backend.xp_of(array)`, so a second,
device-specific code path cannot creep in. Host-side file formats (reading MNIST's IDX files,
writing .npz) are the exception: they produce or consume host arrays by definition.
So is backend_cuda.py, the fused CUDA kernels: a kernel is cupy-specific by definition. It is
part of the backend, reached only through backend.py's `fused_*` functions.
"""

import ast
from pathlib import Path

import minigrad

PACKAGE = Path(minigrad.__file__).parent
BACKEND = {"backend.py", "backend_cuda.py", "_mt19937.py"}  # (_mt19937: the CPU stream)
HOST_IO = {"datasets/idx.py", "datasets/mnist.py", "serialization.py", "autograd/gradcheck.py"}
# What may be read off backend.numpy elsewhere: types and dtypes, numpy's warning switches,
# shape arithmetic; never a function that makes or reads arrays (the backend wraps those).
NUMPY_NAMES = {"ndarray", "generic", "dtype", "errstate", "broadcast_shapes", "iinfo", "finfo"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_but_the_backend_imports_numpy_or_cupy():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in BACKEND | HOST_IO:
            continue
        if _imported_modules(path) & {"numpy", "cupy", "cupyx"}:
            offenders.append(relative)
    assert offenders == [], f"these modules import numpy/cupy directly: {offenders}"


def _numpy_uses(path: Path) -> list[str]:
    """Each `backend.numpy.<name>` (or bare `backend.numpy`) in `path` not in NUMPY_NAMES."""
    tree = ast.parse(path.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        is_numpy = (
            isinstance(node, ast.Attribute)
            and node.attr == "numpy"
            and isinstance(node.value, ast.Name)
            and node.value.id == "backend"
        )
        if not is_numpy:
            continue
        parent = parents.get(node)
        name = parent.attr if isinstance(parent, ast.Attribute) else "(itself)"
        if name not in NUMPY_NAMES:
            found.append(f"line {node.lineno}: backend.numpy.{name}")
    return found


def test_nothing_but_the_backend_touches_arrays_through_backend_numpy():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative not in BACKEND | HOST_IO and (uses := _numpy_uses(path)):
            offenders[relative] = uses
    assert offenders == {}, f"array functions reached through backend.numpy: {offenders}"


def test_only_the_backend_reaches_the_cuda_kernels():
    users = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if "backend_cuda" in path.read_text() and path.name not in BACKEND
    ]
    assert users == [], f"these modules use backend_cuda directly: {users}"


def test_the_contract_test_would_catch_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy as np\nfrom cupy import asarray\n")
    assert _imported_modules(bad) >= {"numpy", "cupy"}
    bad.write_text("np = backend.numpy\nx = backend.numpy.zeros(3)\nbackend.numpy.errstate()\n")
    assert _numpy_uses(bad) == ["line 1: backend.numpy.(itself)", "line 2: backend.numpy.zeros"]
