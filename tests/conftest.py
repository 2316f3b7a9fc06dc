"""Shared fixtures: `device` runs a test on the CPU and, under the `gpu` marker, on cupy."""

import pytest

import minigrad as mg

GPU = pytest.mark.gpu


def _cuda_or_skip():
    if not mg.cuda.is_available():
        pytest.skip("needs cupy and a CUDA device")


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=GPU)])
def device(request):
    """The device a test runs on: 'cpu' always, 'cuda' where cupy sees a GPU."""
    if request.param == "cuda":
        _cuda_or_skip()
    return request.param


@pytest.fixture(autouse=True)
def _seed():
    mg.manual_seed(0)
