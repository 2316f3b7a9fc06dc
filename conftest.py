"""The namespace of the package's docstring examples (`pytest --doctest-modules minigrad`):
what their `>>>` lines may use without importing it, as a reader at a prompt would have."""

import itertools

import numpy
import pytest

import minigrad as mg

# The CUDA kernels need cupy to import at all; their docstrings run where a GPU does.
collect_ignore = [] if mg.cuda.is_available() else ["minigrad/backend_cuda.py"]


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    monkeypatch.setattr(mg.autograd.engine, "_next_seq", itertools.count())  # tape numbers from 0
    mg.manual_seed(0)
    model = mg.nn.Sequential(mg.nn.Linear(4, 3), mg.nn.ReLU(), mg.nn.Linear(3, 2))
    doctest_namespace.update(
        mg=mg,
        nn=mg.nn,
        F=mg.nn.functional,
        np=numpy,
        model=model,
        x=mg.randn(5, 4),
        y=mg.tensor([0, 1, 1, 0, 1]),
    )
