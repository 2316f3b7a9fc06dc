"""Tensor creation, PyTorch's default dtypes, conversions, printing and devices."""

import numpy as np
import pytest

import minigrad as mg


def test_default_dtypes_follow_pytorch(device):
    assert mg.tensor(1.5, device=device).dtype == mg.float32
    assert mg.tensor([1.0, 2.0], device=device).dtype == mg.float32
    assert mg.tensor([1, 2], device=device).dtype == mg.int64
    assert mg.tensor([1, 2.5], device=device).dtype == mg.float32
    assert mg.tensor([True, False], device=device).dtype == mg.bool
    assert mg.tensor([1, 2], dtype=mg.float64, device=device).dtype == mg.float64
    # arrays keep their dtype, as torch.tensor(ndarray) does
    assert mg.tensor(np.zeros(2, np.float64), device=device).dtype == mg.float64
    assert mg.tensor(np.zeros(2, np.int32), device=device).dtype == mg.int32


def test_tensor_copies_its_data_and_from_numpy_shares_it():
    source = np.zeros(3, np.float32)
    copied, shared = mg.tensor(source), mg.from_numpy(source)
    source[0] = 7
    assert copied.tolist()[0] == 0 and shared.tolist()[0] == 7


def test_factories(device):
    assert mg.zeros(2, 3, device=device).tolist() == [[0.0] * 3] * 2
    assert mg.ones((2,), dtype=mg.int64, device=device).tolist() == [1, 1]
    assert mg.full((2,), 7, device=device).dtype == mg.int64
    assert mg.full((2,), 0.5, device=device).tolist() == [0.5, 0.5]
    assert mg.empty(4, device=device).shape == (4,)
    assert mg.arange(5, device=device).tolist() == [0, 1, 2, 3, 4]
    assert mg.arange(1, 2, 0.5, device=device).tolist() == [1.0, 1.5]
    assert mg.arange(1, 2, 0.5, device=device).dtype == mg.float32
    x = mg.ones(2, 2, dtype=mg.float64, device=device)
    assert mg.zeros_like(x).dtype == mg.float64 and mg.ones_like(x).tolist() == [[1.0] * 2] * 2
    r = mg.rand(1000, device=device)
    assert r.dtype == mg.float32 and r.min().item() >= 0 and r.max().item() < 1
    n = mg.randn(10000, device=device)
    assert abs(n.mean().item()) < 0.05 and abs(n.var().item() - 1) < 0.05
    i = mg.randint(3, 7, (1000,), device=device)
    assert i.dtype == mg.int64 and i.min().item() == 3 and i.max().item() == 6
    assert mg.randint(5, (2, 2), device=device).shape == (2, 2)
    assert mg.ones(3, requires_grad=True).requires_grad


def test_manual_seed_makes_random_numbers_reproducible(device):
    mg.manual_seed(123)
    a = mg.randn(5, device=device).tolist()
    mg.manual_seed(123)
    assert mg.randn(5, device=device).tolist() == a


def test_attributes_and_conversions(device):
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size() == (2, 3) and x.size(-1) == 3
    assert x.numel() == 6 and len(x) == 2
    assert x.T.shape == (3, 2) and x.T.tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert x[1, 2].item() == 6.0 and isinstance(x[1, 2].item(), float)
    assert x.long().dtype == mg.int64 and x.double().dtype == mg.float64
    assert x.to(mg.float16).dtype == mg.float16 and x.float().dtype == mg.float32
    assert isinstance(x.numpy(), np.ndarray) and x.cpu().device == "cpu"
    assert str(x.device) == device if device == "cpu" else str(x.device).startswith("cuda")
    with pytest.raises(RuntimeError, match="detach"):
        mg.ones(2, requires_grad=True).numpy()


def test_repr_looks_like_pytorch():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mg.tensor([0.5, 1.25])) == "tensor([0.5000, 1.2500])"
    assert repr(mg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(mg.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(mg.tensor([1.0], dtype=mg.float64)) == "tensor([1.], dtype=float64)"
    x = mg.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<mul>)"


def test_devices_parse_and_compare():
    assert mg.device("cpu") == "cpu"
    assert str(mg.backend.as_device("cuda")) == "cuda:0"
    assert mg.backend.as_device("cuda:1").index == 1
    for bad in ("gpu", "cuda:x", "cpu:1"):  # (cpu:0 is the CPU, as in torch)
        with pytest.raises(ValueError, match="device"):
            mg.tensor([1.0], device=bad)


def test_cuda_request_without_cupy_is_a_clear_error():
    if mg.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="cupy|CUDA"):
        mg.tensor([1.0], device="cuda")


@pytest.mark.gpu
def test_mixing_devices_names_both():
    if not mg.cuda.is_available():
        pytest.skip("needs cupy and a CUDA device")
    with pytest.raises(RuntimeError, match="cpu.*cuda:0|cuda:0.*cpu"):
        mg.ones(2) + mg.ones(2, device="cuda")


@pytest.mark.gpu
def test_gpu_round_trip_keeps_values_and_gradients():
    if not mg.cuda.is_available():
        pytest.skip("needs cupy and a CUDA device")
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.cuda() * 3).sum()
    assert y.device == "cuda:0"
    y.backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: mg.tensor("abc"), TypeError, "data must be numbers"),
        (lambda: mg.tensor([1.0], dtype="complex64"), TypeError, "not supported"),
        (lambda: mg.zeros(-1), ValueError, "non-negative"),
        (lambda: mg.randint(5, 2, (3,)), ValueError, "greater than low"),
        (lambda: mg.manual_seed(1.5), TypeError, "int"),
        (lambda: len(mg.tensor(1.0)), TypeError, "0-d"),
        (lambda: bool(mg.ones(2)), RuntimeError, "ambiguous"),
        (lambda: mg.ones(2).to(device="tpu"), ValueError, "device"),
    ],
)
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize(
    "data, dtype",
    [
        (2**63, None),
        (float("nan"), mg.int64),
        ([float("inf")], mg.int64),
        (2**40, mg.int32),
        ([1, 300], "uint8"),
        ([-256], "uint8"),
        ([1e20], mg.int64),
    ],
)
def test_tensor_refuses_numbers_its_dtype_cannot_hold(data, dtype):
    """As PyTorch does; numpy's cast would wrap them silently."""
    with pytest.raises(mg.OptionError, match="cannot be converted to .* without overflow"):
        mg.tensor(data, dtype=dtype)


def test_tensor_converts_what_fits():
    assert mg.tensor([1.7, -2.5], dtype=mg.int64).tolist() == [1, -2]  # truncated, as in PyTorch
    assert mg.tensor([-1, -255], dtype="uint8").tolist() == [255, 1]  # PyTorch wraps these
    assert mg.tensor(2**63 - 1).item() == 2**63 - 1


def test_in_place_operators_update_the_same_tensor():
    """The hand-written SGD step: `w -= lr * w.grad` under no_grad keeps `w` a parameter."""
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    same, view = w, w.array[:1]
    with mg.no_grad():
        w -= 0.25 * w.grad
    assert w is same and w.requires_grad and w.tolist() == [0.5, 1.0] and view.tolist() == [0.5]
    with pytest.raises(RuntimeError, match="__isub__: a leaf Variable that requires grad"):
        w -= 1  # grad mode is on: autograd would have to see this
    x = mg.tensor([[1, 2], [3, 4]])
    x += mg.tensor([10, 20])  # broadcast into x's shape
    x *= 2
    assert x.tolist() == [[22, 44], [26, 48]] and x.dtype == mg.int64
    with pytest.raises(mg.DTypeError, match="float32 can't be cast to this tensor's dtype int64"):
        x /= 2  # true division gives floats, as in PyTorch
    with pytest.raises(mg.ShapeError, match=r"shape \(2, 2, 2\) does not fit .* \(2, 2\)"):
        x += mg.ones(2, 2, 2, dtype=mg.int64)
    y = mg.ones(2)
    y *= mg.tensor(3.0, dtype=mg.float64)  # a wider float fits a float tensor: cast down
    assert y.dtype == mg.float32 and y.tolist() == [3.0, 3.0]


NOT_OPERANDS = [{}, (1, 2, 3), [1.0, 2.0, 3.0], "abc", None, 1j, object(), {1, 2}]


@pytest.mark.parametrize("other", NOT_OPERANDS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize(
    "op", ["+", "-", "*", "/", "**", "@", "<", "<=", ">", ">="], ids=lambda o: f"'{o}'"
)
def test_operators_refuse_what_is_not_a_tensor_or_number_as_pytorch_does(op, other):
    t = mg.tensor([1.0, 2.0, 4.0])
    with pytest.raises(TypeError, match="not supported|unsupported operand|to an index"):
        eval(f"t {op} other")  # (t * [1.0] asks t for a repeat count: not an int either)
    # Python's own TypeError (`[1.0] + t`: "can only concatenate list", as with torch)
    with pytest.raises(TypeError):
        eval(f"other {op} t")
    if op not in "<=>=":  # t += {} and friends
        with pytest.raises(TypeError):
            exec(f"t {op}= other")
    assert t.tolist() == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("other", NOT_OPERANDS, ids=lambda o: type(o).__name__)
def test_equality_with_what_is_not_a_tensor_is_false_as_in_pytorch(other):
    t = mg.tensor([1.0, 2.0])
    assert (t == other) is False and (t != other) is True


@pytest.mark.parametrize("fn", [mg.add, mg.sub, mg.mul, mg.div, mg.pow, mg.maximum, mg.minimum])
@pytest.mark.parametrize("other", NOT_OPERANDS, ids=lambda o: type(o).__name__)
def test_functions_refuse_non_tensor_operands_naming_the_argument(fn, other):
    t = mg.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"(other|exponent) (must be a Tensor|is a complex)"):
        fn(t, other)
    with pytest.raises(TypeError, match=r"input (must be a Tensor|is a complex)"):
        fn(other, t)


def test_numpy_operands_act_as_pytorch_says():
    t = mg.tensor([1.0, 2.0])
    assert (t * np.float64(2)).dtype == mg.float32  # a numpy scalar is a Python number
    assert (t + np.ones(2)).dtype == mg.float64  # an array is a tensor
    assert (np.ones(2) + t).dtype == mg.float64
    with pytest.raises(TypeError, match="other has dtype <U1"):
        mg.add(t, np.array(["a", "b"]))
    with pytest.raises(TypeError, match="complex"):
        mg.mul(t, np.complex64(1))
    with pytest.raises(TypeError, match="matmul: other must be a Tensor, got bool"):
        mg.matmul(t, True)
    with pytest.raises(TypeError, match="where: other must be a Tensor or a number, got str"):
        mg.where(t > 0, t, "a")


# ----- edge cases the fuzz of wrong arguments found (tests/test_fuzz_bad_input.py) ----------
def test_factories_refuse_what_numpy_would_turn_into_garbage():
    with pytest.raises(TypeError, match="fill_value must be a real number"):
        mg.full((2,), None)  # numpy made a tensor of nan
    with pytest.raises(TypeError, match="dtype: expected a minigrad dtype"):
        mg.zeros(2, dtype=np.float64(0.5))  # numpy read a number as its dtype
    with pytest.raises(mg.OptionError, match="cannot make a tensor of size"):
        mg.zeros(2**40, 2**40)  # numpy's ValueError, naming no argument
    with pytest.raises(mg.OptionError, match="data value .* without overflow"):
        mg.tensor(2**70)  # was "could not build a tensor from int"
    assert mg.tensor([1.5, 2**70]).dtype == mg.float32  # floats: as in PyTorch
    with pytest.raises(TypeError, match="requires_grad must be a bool"):
        mg.zeros(2, requires_grad="yes")


def test_arange_with_an_integer_dtype_truncates_first_as_pytorch_does():
    assert mg.arange(-2.5, 2.5, 1.5, dtype=mg.int64).tolist() == [-2, -1, 0, 1]  # was 0, 2
    assert mg.arange(3.5, dtype=int).tolist() == [0, 1, 2]
    with pytest.raises(mg.OptionError, match="inconsistent with step sign"):
        mg.arange(1, -7)  # was an empty tensor
    with pytest.raises(mg.OptionError, match="each must be finite"):
        mg.arange(float("nan"))


def test_invert_is_bitwise_not_for_integers_and_logical_not_for_bools():
    assert (~mg.tensor([0, 5])).tolist() == [-1, -6]  # was refused
    assert (~mg.tensor(True)).item() is False and (~mg.tensor(True)).shape == ()
    with pytest.raises(mg.DTypeError, match="bool or integer tensor"):
        ~mg.ones(2)


def test_assigning_grad_checks_it_as_pytorch_does():
    p = mg.nn.Parameter(mg.zeros(3))
    p.grad = mg.ones(3)
    with pytest.raises(mg.ShapeError, match=r"assigned grad has shape \(4,\)"):
        p.grad = mg.ones(4)  # an optimizer step would have failed far from here
    with pytest.raises(mg.DTypeError, match="assigned grad has dtype float64"):
        p.grad = mg.ones(3, dtype=mg.float64)
    with pytest.raises(TypeError, match="Tensor or None, got list"):
        p.grad = [1.0, 2.0, 3.0]
    p.grad = None


def test_tensor_methods_name_their_arguments():
    with pytest.raises(IndexError, match="0-d"):
        mg.tensor(1.0).size(0)  # was "tuple index out of range"
    assert mg.tensor(1.0).mT.item() == 1.0
    with pytest.raises(mg.ShapeError, match="self is 1-d"):
        mg.ones(3).mT
    with pytest.raises(TypeError, match="'<' not supported"):
        mg.ones(2) < mg.float32  # noqa: B015 - a numpy dtype answered False
    assert mg.ones(3).copy_(2).tolist() == [2.0, 2.0, 2.0]  # a number, as in PyTorch
    with pytest.raises(mg.OptionError, match="value .* does not fit"):
        mg.zeros(2, dtype=mg.int64).fill_(2**70)
    with pytest.raises(mg.OptionError, match="expected low <= high"):
        mg.zeros(2).uniform_(1.0, 0.0)  # numpy drew from the reversed range
    with pytest.raises(mg.DTypeError, match="input must have a floating point dtype"):
        mg.zeros(2, dtype=mg.int64).normal_()
    with pytest.raises(TypeError, match="requires_grad must be a bool"):
        mg.ones(2).requires_grad_("yes")


def test_devices_parse_as_torch_device_does():
    assert mg.device("cpu:0") == mg.device("cpu") == "cpu"
    assert repr(mg.device("cuda:1")) == "device(type='cuda', index=1)"
    for bad in ("gpu", "cuda:x", "cpu:1"):
        with pytest.raises(ValueError, match="device: expected"):
            mg.device(bad)
    with pytest.raises(TypeError, match="index must be an int, got str"):
        mg.device("cuda", "1")


def test_manual_seed_takes_pytorchs_range():
    mg.manual_seed(-1)  # wraps around, as in PyTorch
    a = mg.rand(3).tolist()
    mg.manual_seed(2**64 - 1)
    assert mg.rand(3).tolist() == a
    with pytest.raises(ValueError, match=r"seed must be in \[-2\*\*63, 2\*\*64\)"):
        mg.manual_seed(2**70)


def test_eq_is_elementwise_and_needs_a_tensor():
    assert mg.eq(mg.tensor([1, 2]), 2).tolist() == [False, True]
    with pytest.raises(TypeError, match="eq: input must be a Tensor, got list"):
        mg.eq([1, 2], 2)


def test_data_is_a_tensor_sharing_memory_as_in_pytorch():
    w = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = w.data
    assert isinstance(d, mg.Tensor) and not d.requires_grad and d.is_leaf
    (w * w).sum().backward()
    w.data -= 0.5 * w.grad.data  # hand-written SGD, outside no_grad, as PyTorch code does
    assert w.tolist() == [0.0, 0.0, 0.0] and w.requires_grad and w.is_leaf
    d[0] = 7.0  # writes through .data reach w
    assert w.tolist() == [7.0, 0.0, 0.0]
    out = mg.tensor([[0.1, 0.9], [0.8, 0.2]], requires_grad=True) * 1
    assert out.data.max(1)[1].tolist() == [1, 0]  # the argmax, not a value
    w.data = mg.tensor([4.0, 5.0])  # swaps the array, as PyTorch swaps the storage
    assert w.tolist() == [4.0, 5.0] and w.requires_grad
    with pytest.raises(TypeError, match="data: expected a Tensor, got list"):
        w.data = [1.0]


def test_numpy_shares_memory_with_a_cpu_tensor():
    t = mg.zeros(3)
    t.numpy()[1] = 5.0
    assert t.tolist() == [0.0, 5.0, 0.0]
    assert np.shares_memory(t.numpy(), t.array)


def test_wrap_holds_the_array_itself_and_checks_it():
    array = np.zeros(3, dtype=np.float32)
    t = mg.Tensor.wrap(array)
    assert t.array is array and not t.requires_grad and t.is_leaf
    assert mg.Tensor.wrap(array, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="array must be a numpy or cupy array, got list"):
        mg.Tensor.wrap([1.0])
    with pytest.raises(TypeError, match="uint32, which is not supported"):
        mg.Tensor.wrap(np.zeros(2, dtype=np.uint32))
    with pytest.raises(RuntimeError, match="floating point"):
        mg.Tensor.wrap(np.zeros(2, dtype=np.int64), requires_grad=True)
