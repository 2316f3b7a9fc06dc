"""In-place methods with PyTorch's rules: values against numpy, the result must keep the
tensor's shape and fit its dtype, and what autograd would have to see is refused: a leaf that
requires grad (PyTorch's message), a tensor a recorded op produced (PyTorch records the write;
minigrad does not), an operand that requires grad. Under no_grad, or through .data, it works.
"""

import numpy as np
import pytest

import minigrad as mg

A = np.array([[0.5, -1.5, 2.0], [3.0, -0.25, 1.0]])
B = np.array([1.0, 2.0, -4.0])


def _t(values, dtype=mg.float64):
    return mg.tensor(values, dtype=dtype)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda t: t.add_(_t(B)), A + B),
        (lambda t: t.add_(_t(B), alpha=2), A + 2 * B),
        (lambda t: t.add_(3, alpha=0.5), A + 1.5),
        (lambda t: t.sub_(_t(B), alpha=3), A - 3 * B),
        (lambda t: t.mul_(_t(B)), A * B),
        (lambda t: t.div_(_t(B)), A / B),
        (lambda t: t.div_(2, rounding_mode="floor"), np.floor(A / 2)),
        (lambda t: t.div_(-2, rounding_mode="trunc"), np.trunc(A / -2)),
        (lambda t: t.pow_(2), A**2),
        (lambda t: t.clamp_(-1, 1), np.clip(A, -1, 1)),
        (lambda t: t.clamp_(min=0), np.maximum(A, 0)),
        (lambda t: t.clamp_min_(0.75), np.maximum(A, 0.75)),
        (lambda t: t.clamp_max_(0.75), np.minimum(A, 0.75)),
        (lambda t: t.exp_(), np.exp(A)),
        (lambda t: t.abs_().log_(), np.log(np.abs(A))),
        (lambda t: t.abs_().sqrt_(), np.sqrt(np.abs(A))),
        (lambda t: t.neg_(), -A),
        (lambda t: t.sigmoid_(), 1 / (1 + np.exp(-A))),
        (lambda t: t.tanh_(), np.tanh(A)),
        (lambda t: t.relu_(), np.maximum(A, 0)),
        (lambda t: t.lerp_(_t(np.ones((2, 3))), 0.25), A + 0.25 * (1 - A)),
        (
            lambda t: t.masked_fill_(mg.tensor([True, False, True]), 9.0),
            np.where([True, False, True], 9.0, A),
        ),
        (
            lambda t: t.masked_fill_(
                mg.tensor([[True], [False]]), mg.tensor(-1.0, dtype=mg.float64)
            ),
            np.where([[True], [False]], -1.0, A),
        ),
        (lambda t: t.fill_(2.5), np.full_like(A, 2.5)),
        (lambda t: t.zero_(), np.zeros_like(A)),
        (lambda t: t.copy_(_t(B)), np.broadcast_to(B, A.shape)),
        (lambda t: t.copy_(_t(B), non_blocking=True), np.broadcast_to(B, A.shape)),
    ],
)
def test_in_place_values(call, expected):
    t = _t(A)
    view = t.array[0]  # the tensor's own memory changes: views see it
    assert call(t) is t
    assert np.allclose(t.numpy(), expected) and t.dtype == mg.float64
    assert np.allclose(view, expected[0])


def test_index_add_scatter_and_scatter_add_in_place():
    t = mg.zeros(3, 2)
    t.index_add_(0, mg.tensor([0, 0, 2]), mg.ones(3, 2), alpha=2)
    assert t.tolist() == [[4.0, 4.0], [0.0, 0.0], [2.0, 2.0]]
    s = mg.zeros(2, 3)
    s.scatter_(1, mg.tensor([[0, 1], [2, 2]]), mg.ones(2, 2) * 5)
    assert s.tolist() == [[5.0, 5.0, 0.0], [0.0, 0.0, 5.0]]
    s.scatter_(1, mg.tensor([[2], [0]]), 7.0)
    assert s.tolist() == [[5.0, 5.0, 7.0], [7.0, 0.0, 5.0]]
    s.scatter_(1, mg.tensor([[0], [0]]), mg.ones(2, 1), reduce="add")
    assert s.tolist() == [[6.0, 5.0, 7.0], [8.0, 0.0, 5.0]]
    a = mg.zeros(2, 3)
    a.scatter_add_(1, mg.tensor([[0, 0], [2, 2]]), mg.ones(2, 2))
    assert a.tolist() == [[2.0, 0.0, 0.0], [0.0, 0.0, 2.0]]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: mg.tensor([1, 2]).exp_(),
            mg.DTypeError,
            "float32 can't be cast to this tensor's dtype int64",
        ),
        (lambda: mg.tensor([1, 2]).div_(2), mg.DTypeError, "can't be cast"),
        (lambda: mg.tensor([1, 2]).mul_(2.5), mg.DTypeError, "can't be cast"),
        (
            lambda: mg.tensor([True]).add_(1),
            mg.DTypeError,
            "int64 can't be cast to this tensor's dtype bool",
        ),
        (
            lambda: mg.ones(1).add_(mg.ones(3)),
            mg.ShapeError,
            r"result's shape \(3,\) does not fit .* \(1,\)",
        ),
        (lambda: mg.ones(2, 1).mul_(mg.ones(2)), mg.ShapeError, "cannot change the shape"),
        (
            lambda: mg.ones(3).masked_fill_(mg.ones(2, 3, dtype=mg.bool), 0.0),
            mg.ShapeError,
            "shape",
        ),
        (
            lambda: mg.ones(2).masked_fill_(mg.tensor([1, 0]), 0.0),
            mg.DTypeError,
            "mask must be a bool",
        ),
        (
            lambda: mg.ones(2).masked_fill_(mg.tensor([True, False]), mg.ones(2)),
            mg.ShapeError,
            "value",
        ),
        (
            lambda: mg.tensor([1, 2]).add_(mg.tensor([1, 2]), alpha=2.5),
            mg.OptionError,
            "alpha must not be a floating",
        ),
        (lambda: mg.ones(2).add_(1, alpha=True), mg.OptionError, "bool alpha"),
        (lambda: mg.ones(2).add_(1, alpha="2"), TypeError, "alpha must be a real number"),
        (lambda: mg.ones(2).add_("a"), TypeError, "other"),
        (lambda: mg.ones(2).div_(2, rounding_mode="round"), ValueError, "rounding_mode"),
        (
            lambda: mg.zeros(3).index_add_(0, mg.tensor([0, 5]), mg.ones(2)),
            IndexError,
            "out of bounds",
        ),
        (
            lambda: mg.zeros(3).index_add_(0, mg.tensor([0]), mg.ones(1, dtype=mg.float64)),
            mg.DTypeError,
            "source",
        ),
        (lambda: mg.zeros(2, 3).scatter_(1, mg.tensor([[0.0]]), 1.0), mg.DTypeError, "index"),
        (
            lambda: mg.zeros(2, 3).scatter_(1, mg.tensor([[0]]), 1.0, reduce="max"),
            mg.OptionError,
            "reduce",
        ),
        (
            lambda: mg.zeros(2, 3).scatter_add_(1, mg.tensor([[0]]), 1.0),
            TypeError,
            "src must be a Tensor",
        ),
        (lambda: mg.ones(2).clamp_(), ValueError, "at least one of min and max"),
        (lambda: mg.ones(2).copy_(mg.ones(3)), mg.ShapeError, "src"),
    ],
)
def test_in_place_refusals_name_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()


IN_PLACE = [
    lambda t: t.add_(1),
    lambda t: t.sub_(1, alpha=2),
    lambda t: t.mul_(2),
    lambda t: t.div_(2),
    lambda t: t.pow_(2),
    lambda t: t.clamp_(0, 1),
    lambda t: t.clamp_min_(0),
    lambda t: t.exp_(),
    lambda t: t.neg_(),
    lambda t: t.abs_(),
    lambda t: t.sigmoid_(),
    lambda t: t.relu_(),
    lambda t: t.masked_fill_(mg.tensor([True, False]), 0.0),
    lambda t: t.fill_(1),
    lambda t: t.zero_(),
    lambda t: t.copy_(mg.ones(2)),
    lambda t: t.uniform_(),
    lambda t: t.normal_(),
    lambda t: t.bernoulli_(0.5),
    lambda t: t.index_add_(0, mg.tensor([0]), mg.ones(1)),
    lambda t: t.scatter_(0, mg.tensor([1]), 3.0),
    lambda t: t.lerp_(mg.ones(2), 0.5),
    lambda t: t.__setitem__(0, 5.0),
    lambda t: t.__iadd__(1),
]


@pytest.mark.parametrize("op", IN_PLACE)
def test_a_leaf_that_requires_grad_refuses_in_place_ops_outside_no_grad(op):
    leaf = mg.tensor([0.25, 0.5], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad is being used in an in-place operation",
    ):
        op(leaf)
    with mg.no_grad():
        op(leaf)
    assert leaf.requires_grad and leaf.is_leaf
    op(leaf.data)  # .data is the way around it, as in PyTorch


@pytest.mark.parametrize("op", IN_PLACE)
def test_a_recorded_tensor_refuses_in_place_ops_clearly(op):
    """PyTorch records these; minigrad refuses them (README: differences)."""
    w = mg.tensor([0.25, 0.5], requires_grad=True)
    y = w * 2
    with pytest.raises(
        RuntimeError, match=r"output of a recorded op \(mul\).*does not record in-place ops"
    ):
        op(y)
    with mg.no_grad():
        op(y)  # allowed, unrecorded (the old values are gone from y)


def test_an_operand_that_requires_grad_is_refused():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    plain = mg.zeros(2)
    for op, name in [
        (lambda: plain.add_(w), "other"),
        (lambda: plain.copy_(w), "src"),
        (lambda: plain.masked_fill_(mg.tensor([True, False]), w.sum()), "value"),
        (lambda: plain.lerp_(w, 0.5), "end"),
        (lambda: plain.__setitem__(0, w[0]), "value"),
        (lambda: plain.index_add_(0, mg.tensor([0, 1]), w), "source"),
    ]:
        with pytest.raises(RuntimeError, match=f"{name} requires grad"):
            op()
    with mg.no_grad():
        plain.add_(w)
    assert plain.tolist() == [1.0, 2.0] and not plain.requires_grad


def test_plain_tensors_take_in_place_ops_with_grad_mode_on():
    x = mg.tensor([1, 2, 3])
    x.add_(mg.tensor([10, 20, 30]), alpha=2).mul_(2).neg_()
    assert x.tolist() == [-42, -84, -126] and x.dtype == mg.int64
    x.clamp_(min=-100).abs_()
    assert x.tolist() == [42, 84, 100]
    h = mg.ones(3, dtype=mg.float16)
    h.add_(mg.ones(3, dtype=mg.float64))  # a wider float fits a float tensor: cast down
    assert h.dtype == mg.float16 and h.tolist() == [2.0, 2.0, 2.0]
    b = mg.tensor([True, False])
    assert b.mul_(True).tolist() == [True, False]


def test_a_parameter_updated_in_place_under_no_grad_stays_a_parameter():
    p = mg.nn.Parameter(mg.ones(3))
    (p * p).sum().backward()
    with mg.no_grad():
        p.sub_(p.grad, alpha=0.5).clamp_(max=0.5)
    assert isinstance(p, mg.nn.Parameter) and p.requires_grad and p.tolist() == [0.0, 0.0, 0.0]
