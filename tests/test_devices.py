"""Devices as PyTorch scripts ask about them: mg.accelerator, mg.cuda's seeds and counts,
mg.backends (cudnn's switches, mps), `.to(..., non_blocking=, copy=)` on tensors and modules,
pin_memory; and on a GPU (`-m gpu`), generators and the default device there."""

import pytest

import minigrad as mg
from minigrad import backend

GPU = pytest.mark.gpu


def test_accelerator_answers_truthfully():
    available = backend.cuda_available()
    assert mg.accelerator.is_available() is available
    assert mg.accelerator.device_count() == mg.cuda.device_count()
    if available:
        assert mg.accelerator.current_accelerator() == mg.device("cuda")
        assert mg.accelerator.current_device_index() >= 0
    else:
        assert mg.accelerator.current_accelerator() is None  # (PyTorch's answer too)
        assert mg.cuda.device_count() == 0
        with pytest.raises(RuntimeError, match="no accelerator"):
            mg.accelerator.current_device_index()
        with pytest.raises(RuntimeError, match="no CUDA device"):
            mg.cuda.current_device()
    device = mg.accelerator.current_accelerator() or "cpu"
    assert mg.zeros(1, device=device).device.type == ("cuda" if available else "cpu")


def test_backends_switches_are_kept_and_harmless():
    assert mg.backends.mps.is_available() is False and mg.backends.mps.is_built() is False
    assert mg.backends.cudnn.is_available() is False and mg.backends.cudnn.enabled is True
    cudnn = mg.backends.cudnn
    saved = (cudnn.benchmark, cudnn.deterministic, mg.backends.cuda.matmul.allow_tf32)
    try:
        cudnn.benchmark, cudnn.deterministic = True, True
        mg.backends.cuda.matmul.allow_tf32 = True
        assert cudnn.benchmark and cudnn.deterministic
        assert (mg.ones(2, 2) @ mg.ones(2, 2)).tolist() == [[2.0, 2.0], [2.0, 2.0]]
    finally:
        cudnn.benchmark, cudnn.deterministic, mg.backends.cuda.matmul.allow_tf32 = saved


def test_cuda_seeds_reach_only_cuda_generators():
    mg.manual_seed(1)
    a = mg.rand(3).tolist()
    mg.manual_seed(1)
    mg.cuda.manual_seed_all(123)  # (fine without CUDA, as in PyTorch)
    mg.cuda.manual_seed(5)
    assert mg.rand(3).tolist() == a  # the CPU's stream is untouched
    assert backend._seeds[mg.device("cuda:0")] == 5 and backend._seeds["cuda"] == 123
    mg.cuda.manual_seed_all(7)  # overrides the per-device seed
    assert mg.device("cuda:0") not in backend._seeds and backend._seeds["cuda"] == 7
    mg.manual_seed(0)
    assert backend._seeds == {}
    with pytest.raises(TypeError, match="seed must be an int"):
        mg.cuda.manual_seed(1.5)
    with pytest.raises(ValueError, match="seed must be in"):
        mg.cuda.manual_seed_all(2**64)
    mg.cuda.synchronize()  # nothing to wait for without CUDA


def test_tensor_to_takes_non_blocking_and_copy():
    x = mg.zeros(2)
    assert x.to("cpu", non_blocking=True) is x and x.to("cpu") is x
    c = x.to("cpu", copy=True)
    assert c is not x and c.tolist() == [0.0, 0.0]
    c.array[0] = 1.0
    assert x.tolist() == [0.0, 0.0]  # a copy, not a view
    assert x.to(mg.float64, True, True).dtype == mg.float64  # dtype, non_blocking, copy
    assert x.to("cpu", mg.float64, True, False).dtype == mg.float64
    assert x.to(mg.zeros(1, dtype=mg.int64), True).dtype == mg.int64
    assert x.to(dtype=mg.float64, copy=True).dtype == mg.float64
    w = mg.ones(2, requires_grad=True)
    w.to("cpu", copy=True).sum().backward()  # the copy is recorded: gradients flow through it
    assert w.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("cpu", True), {}, "dtype"),  # after a device comes a dtype, as in PyTorch
        (("cpu",), {"non_blocking": 1}, "non_blocking must be a bool"),
        (("cpu",), {"copy": "yes"}, "copy must be a bool"),
        ((mg.float64, mg.float32), {}, "non_blocking and copy"),
        ((mg.float64, True, True, True), {}, "non_blocking and copy"),
        ((mg.float64, True), {"non_blocking": True}, "both by position and by keyword"),
        (("cpu",), {"memory": 1}, "unexpected keyword"),
    ],
)
def test_tensor_to_refuses_bad_arguments(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        mg.zeros(2).to(*args, **kwargs)


def test_module_to_takes_non_blocking_but_not_copy():
    model = mg.nn.Linear(2, 2)
    assert model.to("cpu", non_blocking=True) is model
    assert model.to(mg.float64, True).weight.dtype == mg.float64
    with pytest.raises(RuntimeError, match="does not accept copy"):
        model.to("cpu", copy=True)


def test_pin_memory_is_a_no_op_on_the_cpu():
    x = mg.zeros(3)
    assert x.pin_memory() is x and x.is_pinned() is False


@GPU
def test_generators_and_the_default_device_on_the_gpu():
    if not mg.cuda.is_available():
        pytest.skip("needs cupy and a CUDA device")
    g = mg.Generator("cuda").manual_seed(3)
    a = mg.rand(4, device="cuda", generator=g)
    assert (
        a.device == "cuda"
        and a.tolist()
        == mg.rand(4, device="cuda", generator=mg.Generator("cuda").manual_seed(3)).tolist()
    )
    with pytest.raises(RuntimeError, match="expected a generator on cuda:0"):
        mg.rand(2, generator=g)  # a CUDA generator for a CPU tensor
    mg.cuda.manual_seed(11)
    b = mg.randn(3, device="cuda").tolist()
    mg.cuda.manual_seed(11)
    assert mg.randn(3, device="cuda").tolist() == b
    mg.set_default_device("cuda")
    try:
        assert mg.zeros(2).device == "cuda" and mg.tensor([1.0]).device == "cuda"
        assert mg.Tensor(2).device == "cuda" and repr(mg.zeros(1)) == "tensor([0.])"
    finally:
        mg.set_default_device(None)
    assert "device='cuda:0'" in repr(mg.zeros(1, device="cuda"))
    x = mg.ones(2, device="cuda")
    assert x.to("cpu", non_blocking=True).device == "cpu" and x.to("cuda", copy=True) is not x
    assert x.multinomial(1).device == "cuda" and mg.bernoulli(x * 0.5).device == "cuda"
    with pytest.raises(RuntimeError, match="only CPU tensors can be pinned"):
        x.pin_memory()
    with pytest.raises(NotImplementedError, match="get_state"):
        g.get_state()
    mg.cuda.synchronize()
    mg.cuda.synchronize(0)
