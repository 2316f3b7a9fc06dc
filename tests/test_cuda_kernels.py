"""The fused cross-entropy CUDA kernels (minigrad/backend_cuda.py) against the numpy path.

Ops ask `backend.kernel(name, array)` for their kernels: the pair for a cupy array the kernels
handle, None otherwise (every numpy array), and then the op runs its array code. On cupy,
`F.cross_entropy` over class indices (N, C) without class weights runs one kernel forward and
one backward, ignore_index included; everything else takes the array path of
`nn/functional/_class_losses.py`. The GPU tests run the same logits through both and compare
losses, softmax and gradients, in float32 and float64, on shapes from one class to a
32000-word vocabulary and on extreme logits; and check that a target out of range gives nan
(the device-side range check) instead of a read back to the host.
"""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import backend

SHAPES = [(1, 1), (5, 1), (1, 7), (64, 10), (3, 257), (2, 32000), (300, 33)]
TOLERANCE = {"float32": {"rtol": 2e-5, "atol": 1e-6}, "float64": {"rtol": 1e-12, "atol": 1e-14}}


def _cupy():
    if not mg.cuda.is_available():
        pytest.skip("needs cupy and a CUDA device")
    return backend.cupy


def _logits(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    y = rng.integers(0, shape[1], size=shape[0])
    return x, y


def _through_minigrad(x, y, device, reduction, upstream=None):
    """Loss and dloss/dx of F.cross_entropy on `device`, as host arrays."""
    logits = mg.tensor(x, device=device, requires_grad=True)
    loss = F.cross_entropy(logits, mg.tensor(y, device=device), reduction=reduction)
    if upstream is None:
        loss.backward()
    else:
        loss.backward(mg.tensor(upstream, device=device))
    return loss.detach().numpy(), logits.grad.numpy()


# ----- CPU: numpy arrays never reach a kernel ----------------------------------------------
def test_numpy_arrays_take_the_array_path():
    x, _ = _logits((4, 3), "float32")
    assert backend.kernel("cross_entropy", x) is None
    assert backend.kernel("cross_entropy", x.astype("float64")) is None


def test_the_array_path_is_untouched_on_the_cpu():
    x, y = _logits((4, 3), "float64")
    loss, grad = _through_minigrad(x, y, "cpu", "sum")
    shifted = x - x.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss, -np.log(p[np.arange(4), y]).sum(), rtol=1e-12)
    np.testing.assert_allclose(grad, p - np.eye(3)[y], rtol=1e-12, atol=1e-15)


# ----- GPU: the kernels against the numpy path ----------------------------------------------
@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_and_backward_kernels_match_numpy(shape, dtype):
    cupy = _cupy()
    x, y = _logits(shape, dtype)
    kernels = backend.kernel("cross_entropy", cupy.asarray(x))
    loss, p = kernels.forward(cupy.asarray(x), cupy.asarray(y), -100)
    assert loss.dtype == p.dtype == np.dtype(dtype)
    shifted = x - x.max(axis=1, keepdims=True)
    total = np.exp(shifted).sum(axis=1, keepdims=True)
    expected_p = np.exp(shifted) / total
    expected_loss = np.log(total[:, 0]) - shifted[np.arange(shape[0]), y]
    np.testing.assert_allclose(cupy.asnumpy(p), expected_p, **TOLERANCE[dtype])
    np.testing.assert_allclose(cupy.asnumpy(loss), expected_loss, **TOLERANCE[dtype])

    rows = np.random.default_rng(1).standard_normal(shape[0]).astype(dtype)
    for scale in (np.asarray(0.5, dtype), rows):  # one scale for all rows, or one per row
        grad = kernels.backward(p, cupy.asarray(y), cupy.asarray(scale), -100)
        s = np.broadcast_to(scale, shape[:1])
        expected = cupy.asnumpy(p) * s[:, None]
        expected[np.arange(shape[0]), y] -= s  # no dense one-hot: (2, 32000) float64 is fine
        np.testing.assert_allclose(cupy.asnumpy(grad), expected, **TOLERANCE[dtype])


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_kernels_ignore_targets_and_give_nan_for_those_out_of_range(dtype):
    cupy = _cupy()
    x, _ = _logits((5, 4), dtype)
    y = np.array([0, 1, 3, 4, -1])  # 1 is ignore_index; 4 and -1 are no class of 4
    kernels = backend.kernel("cross_entropy", cupy.asarray(x))
    loss, p = kernels.forward(cupy.asarray(x), cupy.asarray(y), 1)
    loss, p = cupy.asnumpy(loss), cupy.asnumpy(p)
    shifted = x - x.max(axis=1, keepdims=True)
    expected = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(5), np.clip(y, 0, 3)]
    np.testing.assert_allclose(loss[[0, 2]], expected[[0, 2]], **TOLERANCE[dtype])
    assert loss[1] == 0 and np.isnan(loss[3:]).all() and np.isnan(p[3:]).all()
    grad = cupy.asnumpy(kernels.backward(cupy.asarray(p), cupy.asarray(y), cupy.ones(5), 1))
    assert (grad[1] == 0).all() and np.isnan(grad[3:]).all() and np.isfinite(grad[:3]).all()


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(1, 1), (16, 10), (4, 32000)])
def test_cross_entropy_on_cuda_matches_the_cpu(shape, reduction, dtype):
    _cupy()
    x, y = _logits(shape, dtype, seed=2)
    upstream = None if reduction != "none" else np.linspace(-1, 2, shape[0]).astype(dtype)
    cpu = _through_minigrad(x, y, "cpu", reduction, upstream)
    cuda = _through_minigrad(x, y, "cuda", reduction, upstream)
    for got, expected in zip(cuda, cpu, strict=True):
        np.testing.assert_allclose(got, expected, **TOLERANCE[dtype])


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_extreme_logits_match_the_cpu(dtype):
    _cupy()
    inf = np.inf
    x = np.array(
        [
            [1000.0, 0.0, -1000.0, 5.0],  # huge spread: exp would overflow without the shift
            [-1000.0, -1000.0, -1000.0, -1000.0],  # all equal and hugely negative
            [2.0, -inf, -inf, 1.0],  # -inf in classes that are not the target
            [-inf, -inf, 3.0, -inf],  # only the target is finite: loss exactly 0
            [0.0, 1000.0, 0.0, 0.0],  # the target far below the max: loss 1000
        ],
        dtype=dtype,
    )
    y = np.array([0, 3, 0, 2, 0])
    for reduction, upstream in (("none", np.ones(5, dtype)), ("sum", None)):
        cpu = _through_minigrad(x, y, "cpu", reduction, upstream)
        cuda = _through_minigrad(x, y, "cuda", reduction, upstream)
        for got, expected in zip(cuda, cpu, strict=True):
            assert np.isfinite(got).all()
            np.testing.assert_allclose(got, expected, **TOLERANCE[dtype])


@pytest.mark.gpu
def test_a_one_sample_input_squeezes_back():
    _cupy()
    x, y = _logits((1, 6), "float32", seed=3)
    cpu = _through_minigrad(x[0], y[0], "cpu", "none", np.float32(1.5))
    cuda = _through_minigrad(x[0], y[0], "cuda", "none", np.float32(1.5))
    assert cuda[0].shape == () and cuda[1].shape == (6,)
    for got, expected in zip(cuda, cpu, strict=True):
        np.testing.assert_allclose(got, expected, **TOLERANCE["float32"])


@pytest.mark.gpu
def test_the_plain_case_runs_the_kernels_and_the_others_do_not(monkeypatch):
    _cupy()
    from minigrad import backend_cuda

    calls = []
    handles, kernels = backend_cuda.KERNELS["cross_entropy"]
    counted = backend_cuda.Kernels(
        *(lambda *a, k=k, n=n: calls.append(n) or k(*a) for n, k in kernels._asdict().items())
    )
    monkeypatch.setitem(backend_cuda.KERNELS, "cross_entropy", (handles, counted))
    x, y = _logits((8, 5), "float32")
    _through_minigrad(x, y, "cuda", "mean")
    assert calls == ["forward", "backward"]
    calls.clear()
    _through_minigrad(x[0], y[0], "cuda", "sum")  # one sample (C,): the kernels, as (1, C)
    assert calls == ["forward", "backward"]
    calls.clear()
    logits = mg.tensor(x, device="cuda", requires_grad=True)
    F.cross_entropy(logits, mg.tensor(y, device="cuda"), label_smoothing=0.1).backward()
    F.cross_entropy(logits, mg.tensor(y, device="cuda"), weight=mg.ones(5, device="cuda"))
    assert calls == []  # label smoothing is composed; class weights take the array path
