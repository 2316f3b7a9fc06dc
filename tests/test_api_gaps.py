"""PyTorch names that real programs reach for, part 1: softmax and log_softmax under `mg.`,
as_tensor, clip, inference_mode, neg/negative/positive, Tensor.where, is_floating_point,
unflatten, broadcast_to/broadcast_tensors/broadcast_shapes, t, true_divide, stride and
element_size.

Values against hand-worked numbers (or numpy), gradients against float64 finite differences,
and PyTorch's errors for bad input.
"""

import numpy as np
import pytest
from op_checks import check_gradient, check_value

import minigrad as mg
from minigrad import DTypeError, ShapeError
from minigrad.autograd import gradcheck

CASES = [
    (
        "softmax",
        lambda a: mg.softmax(a, 1),
        lambda a: np.exp(a) / np.exp(a).sum(1, keepdims=True),
        [(2, 3)],
    ),
    (
        "log_softmax",
        lambda a: mg.log_softmax(a, dim=0),
        lambda a: a - np.log(np.exp(a).sum(0)),
        [(4, 2)],
    ),
    ("clip", lambda a: mg.clip(a, -0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), [(3, 4)]),
    ("clip_min_method", lambda a: a.clip(min=0.2), lambda a: np.maximum(a, 0.2), [(5,)]),
    ("negative", mg.negative, np.negative, [(2, 3)]),
    ("neg_method", lambda a: a.neg(), np.negative, [(3,)]),
    ("negative_method", lambda a: a.negative(), np.negative, [(3,)]),
    (
        "where_method",
        lambda a, b: a.where(a > 0, b),
        lambda a, b: np.where(a > 0, a, b),
        [(2, 3), (3,)],
    ),
    ("unflatten", lambda a: a.unflatten(1, (2, -1)), lambda a: a.reshape(2, 2, 3), [(2, 6)]),
    ("unflatten_fn", lambda a: mg.unflatten(a, -1, [3, 1]), lambda a: a.reshape(4, 3, 1), [(4, 3)]),
    (
        "broadcast_to",
        lambda a: mg.broadcast_to(a, (2, 4, 3)),
        lambda a: np.broadcast_to(a, (2, 4, 3)),
        [(4, 1)],
    ),
    ("broadcast_tensors", mg.broadcast_tensors, np.broadcast_arrays, [(2, 1), (3,)]),
    ("t", mg.t, np.transpose, [(2, 3)]),
    ("t_vector", mg.t, lambda a: a, [(3,)]),
    ("true_divide", lambda a, b: mg.true_divide(a, b), np.divide, [(2, 3), (3,)]),
]


@pytest.mark.parametrize(("name", "fn", "ref", "shapes"), CASES, ids=[c[0] for c in CASES])
def test_values(name, fn, ref, shapes, device):
    check_value(fn, ref, shapes, device)


@pytest.mark.parametrize(("name", "fn", "ref", "shapes"), CASES, ids=[c[0] for c in CASES])
def test_gradients(name, fn, ref, shapes, device):
    check_gradient(fn, shapes, device)


def test_softmax_takes_dtype_and_hand_worked_values():
    x = mg.tensor([1, 2])  # an integer tensor is refused unless dtype= casts it
    with pytest.raises(DTypeError):
        mg.softmax(x, 0)
    p = mg.softmax(x, 0, dtype=mg.float64)
    assert p.dtype == mg.float64
    np.testing.assert_allclose(p.numpy(), [1 / (1 + np.e), np.e / (1 + np.e)])
    assert mg.log_softmax(x.float(), dim=0, dtype=mg.float64).dtype == mg.float64
    with pytest.raises(IndexError):
        mg.softmax(mg.zeros(2, 3), 5)
    with pytest.raises(TypeError):
        mg.softmax([1.0], 0)


def test_as_tensor_shares_memory_when_it_can():
    a = np.zeros(3)
    t = mg.as_tensor(a)
    t[0] = 5.0
    a[1] = 7.0
    assert a.tolist() == [5.0, 7.0, 0.0] and t.tolist() == [5.0, 7.0, 0.0]
    same = mg.as_tensor(a, dtype=mg.float64, device="cpu")
    same[2] = 1.0
    assert a[2] == 1.0
    copied = mg.as_tensor(a, dtype=mg.float32)  # another dtype: a copy
    copied[0] = -1.0
    assert a[0] == 5.0 and copied.dtype == mg.float32
    assert mg.as_tensor([1, 2]).dtype == mg.int64 and mg.as_tensor(3.0).dtype == mg.float32
    assert mg.as_tensor(np.arange(3)).dtype == mg.int64


def test_as_tensor_of_a_tensor_keeps_the_graph():
    x = mg.ones(2, requires_grad=True)
    assert mg.as_tensor(x) is x
    y = mg.as_tensor(x, dtype=mg.float64)
    assert y.requires_grad and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_as_tensor_refuses_what_is_not_numbers():
    with pytest.raises(TypeError):
        mg.as_tensor(np.array(["a"]))
    with pytest.raises((TypeError, ValueError)):
        mg.as_tensor([[1.0], [2.0, 3.0]])


def test_clip_in_place_and_errors():
    x = mg.tensor([-2.0, 0.5, 3.0])
    assert x.clip_(-1, 1) is x
    assert x.tolist() == [-1.0, 0.5, 1.0]
    with pytest.raises(ValueError, match="min and max"):
        mg.clip(x)
    with pytest.raises(TypeError):
        mg.clip([1.0], 0, 1)
    leaf = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        leaf.clip_(0, 1)


def test_inference_mode_is_no_grad_as_context_and_decorator():
    x = mg.ones(2, requires_grad=True)
    with mg.inference_mode():
        assert not mg.is_grad_enabled()
        assert not (x * 2).requires_grad
    assert mg.is_grad_enabled()

    @mg.inference_mode()
    def called():
        return mg.is_grad_enabled()

    @mg.inference_mode
    def bare():
        return mg.is_grad_enabled()

    assert called() is False and bare() is False and mg.is_grad_enabled()
    with mg.no_grad(), mg.inference_mode(False):  # as PyTorch: mode=False turns recording on
        assert mg.is_grad_enabled()
    assert (x * 2).requires_grad
    with pytest.raises(TypeError, match="mode"):
        mg.inference_mode("yes")


def test_inference_mode_outputs_are_ordinary_tensors():
    """The difference from PyTorch: no inference tensors, so an output may join a graph later."""
    w = mg.ones(2, requires_grad=True)
    with mg.inference_mode():
        y = mg.ones(2) * 3
    (y * w).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_positive_negative_and_bools():
    x = mg.tensor([1.0, -2.0])
    assert mg.positive(x) is x
    assert mg.negative(x).tolist() == [-1.0, 2.0]
    with pytest.raises(RuntimeError, match="bool"):
        mg.positive(mg.tensor([True]))
    with pytest.raises(DTypeError):
        mg.negative(mg.tensor([True]))
    with pytest.raises(TypeError):
        mg.negative(1.0)


def test_where_method_promotes_as_torch():
    i = mg.tensor([1, 2])
    out = i.where(mg.tensor([True, False]), 2.5)
    assert out.dtype == mg.float32 and out.tolist() == [1.0, 2.5]
    with pytest.raises(DTypeError, match="bool"):
        i.where(mg.tensor([1, 0]), 0)


def test_is_floating_point():
    assert mg.zeros(1).is_floating_point() and mg.zeros(1, dtype=mg.float16).is_floating_point()
    assert not mg.tensor([1]).is_floating_point() and not mg.tensor([True]).is_floating_point()
    with pytest.raises(TypeError):
        mg.is_floating_point([1.0])


def test_unflatten_errors():
    x = mg.zeros(2, 3)
    with pytest.raises(RuntimeError, match="don't multiply up to the size of dim 1"):
        x.unflatten(1, (2, 2))
    with pytest.raises(RuntimeError, match="non-empty"):
        x.unflatten(1, ())
    with pytest.raises(RuntimeError, match="one -1"):
        x.unflatten(1, (-1, -1))
    with pytest.raises(IndexError):
        x.unflatten(5, (3,))
    with pytest.raises(TypeError):
        x.unflatten(1, 3)
    with pytest.raises(TypeError):
        x.unflatten(1, (3.0,))
    assert mg.zeros(0, 2).unflatten(0, (0, 5)).shape == (0, 5, 2)


def test_broadcast_shapes():
    assert mg.broadcast_shapes((2, 1), (3,)) == mg.Size([2, 3])
    assert mg.broadcast_shapes(2, (3, 1)) == (3, 2)
    assert mg.broadcast_shapes() == () and mg.broadcast_shapes((0,), (1,)) == (0,)
    assert isinstance(mg.broadcast_shapes((1,)), mg.Size)
    with pytest.raises(RuntimeError, match="Mismatching argument at index 1"):
        mg.broadcast_shapes((2,), (3,))
    with pytest.raises(ValueError, match="negative"):
        mg.broadcast_shapes((2, -1))
    with pytest.raises(TypeError):
        mg.broadcast_shapes([2.0])


def test_broadcast_tensors_and_to_errors():
    x = mg.zeros(2, 3)
    assert mg.broadcast_tensors() == ()
    with pytest.raises(ShapeError, match=r"\(2, 3\), \(3, 2\)"):
        mg.broadcast_tensors(x, mg.zeros(3, 2))
    with pytest.raises(TypeError, match="element 0"):
        mg.broadcast_tensors([x, x])
    with pytest.raises(RuntimeError):
        mg.broadcast_to(x, (3, 3))
    assert mg.broadcast_to(x, (-1, 3)).shape == (2, 3)
    with pytest.raises(TypeError):
        mg.broadcast_to(np.zeros(2), (2,))


def test_t_refuses_more_than_two_dims():
    assert mg.t(mg.tensor(2.0)).tolist() == 2.0
    with pytest.raises(RuntimeError, match="<= 2"):
        mg.t(mg.zeros(2, 3, 4))


def test_true_divide_of_ints_is_float():
    out = mg.tensor([1, 2]).true_divide(4)
    assert out.dtype == mg.float32 and out.tolist() == [0.25, 0.5]


def test_stride_and_element_size():
    x = mg.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1) and x.stride(0) == 12 and x.stride(-1) == 1
    assert x.transpose(0, 2).stride() == (1, 4, 12)
    assert x.element_size() == 4 and mg.zeros(1, dtype=mg.int16).element_size() == 2
    assert mg.zeros(1, dtype=mg.bool).element_size() == 1
    with pytest.raises(IndexError):
        x.stride(3)
    with pytest.raises(IndexError):
        mg.tensor(1.0).stride(0)
    assert mg.tensor(1.0).stride() == ()


def test_float64_gradcheck_of_clip_with_tensor_bounds():
    x = mg.tensor([-1.0, 0.2, 0.9], dtype=mg.float64, requires_grad=True)
    lo = mg.tensor([0.0, 0.0, 0.0], dtype=mg.float64, requires_grad=True)
    assert gradcheck(lambda a, b: mg.clip(a, b, mg.tensor(0.5, dtype=mg.float64)), (x, lo))


def test_softmax_methods():
    x = mg.tensor([[1.0, 2.0], [3.0, 5.0]], dtype=mg.float64, requires_grad=True)
    np.testing.assert_allclose(x.softmax(1).detach().numpy(), mg.softmax(x, 1).detach().numpy())
    np.testing.assert_allclose(
        x.log_softmax(dim=0).detach().numpy()[:, 0],
        [1 - np.logaddexp(1, 3), 3 - np.logaddexp(1, 3)],
    )
    assert mg.tensor([1, 2]).softmax(0, dtype=mg.float32).dtype == mg.float32
    assert gradcheck(lambda t: t.softmax(0) * t.log_softmax(-1), (x,))
    assert mg.nn.functional.softmax is mg.functions.softmax
