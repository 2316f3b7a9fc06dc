"""A gradient has its input's dtype and shape, for every op and every float dtype.

PyTorch guarantees it (its engine casts a gradient to the input's dtype), and a float64
gradient leaking out of one op spreads into every parameter's `.grad` and into the optimizer
state. Checked over the whole op table of test_ops.py, over the nn.functional functions and
losses, and over inputs of mixed dtypes, with the gradient of the output seeded in the
output's dtype.
"""

import numpy as np
import pytest
from test_ops import CASES

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import grad_mode

FLOATS = [mg.float16, mg.float32, mg.float64]


def _tensor(spec, dtype, rng, requires_grad=True):
    if spec[0] == "positive":
        array = rng.uniform(0.5, 2.0, spec[1])
    else:
        array = rng.uniform(-2, 2, spec)
    return mg.tensor(array, dtype=dtype, requires_grad=requires_grad)


class _StrictDtypes(grad_mode.Watcher):
    """Watches backward (an engine observer): every gradient an op's backward returns must
    already have its input's dtype. (The engine would cast it, as PyTorch's does, but an op
    computing in float64 for float32 data is slow, and wrong for the ops after it.)"""

    def __enter__(self):
        grad_mode.add_watcher(self)

    def __exit__(self, *exc):
        grad_mode.remove_watcher(self)

    def replayed(self, fn, grad, input_grads):
        for x, g in zip(fn.inputs, input_grads):
            if isinstance(x, mg.Tensor) and x.requires_grad and g is not None:
                assert g.dtype == x.dtype, f"{fn.name}: {x.dtype} input, {g.dtype} gradient"


def _check_grads(out, inputs):
    with _StrictDtypes():
        out.backward(mg.ones(out.shape, dtype=out.dtype))
    for i, x in enumerate(inputs):
        if x.requires_grad:
            assert x.grad is not None, f"input {i} got no gradient"
            assert x.grad.dtype == x.dtype, f"input {i}: {x.dtype} input, {x.grad.dtype} grad"
            assert x.grad.shape == x.shape, f"input {i}: {x.shape} input, {x.grad.shape} grad"


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=[c[0] for c in CASES])
def test_every_op_gives_gradients_of_its_inputs_dtype(name, fn, ref, shapes, dtype):
    rng = np.random.default_rng(0)
    inputs = [_tensor(s, dtype, rng) for s in shapes]
    out = fn(*inputs)
    assert out.dtype == dtype
    _check_grads(out, inputs)


def _class_target():
    return mg.tensor([0, 2, 1, 2])


FUNCTIONAL = [  # (id, function of the float inputs, shapes of the float inputs)
    ("linear", lambda x, w, b: F.linear(x, w, b), [(4, 3), (5, 3), (5,)]),
    ("relu", F.relu, [(4, 3)]),
    ("softmax", lambda x: F.softmax(x, 1), [(4, 3)]),
    ("log_softmax", lambda x: F.log_softmax(x, -1), [(4, 3)]),
    ("dropout_eval", lambda x: F.dropout(x, 0.5, training=False), [(4, 3)]),
    ("dropout", lambda x: F.dropout(x, 0.5), [(4, 3)]),
    ("nll_loss_mean", lambda x: F.nll_loss(x, _class_target()), [(4, 3)]),
    ("nll_loss_sum", lambda x: F.nll_loss(x, _class_target(), reduction="sum"), [(4, 3)]),
    ("nll_loss_none", lambda x: F.nll_loss(x, _class_target(), reduction="none"), [(4, 3)]),
    ("nll_loss_ignore", lambda x: F.nll_loss(x, _class_target(), ignore_index=2), [(4, 3)]),
    ("nll_loss_1d", lambda x: F.nll_loss(x, mg.tensor(1)), [(3,)]),
    (
        "nll_loss_weight",
        lambda x: F.nll_loss(x, _class_target(), weight=mg.rand(3, dtype=x.dtype)),
        [(4, 3)],
    ),
    ("cross_entropy", lambda x: F.cross_entropy(x, _class_target()), [(4, 3)]),
    ("cross_entropy_sum", lambda x: F.cross_entropy(x, _class_target(), reduction="sum"), [(4, 3)]),
    (
        "cross_entropy_smooth",
        lambda x: F.cross_entropy(x, _class_target(), label_smoothing=0.1),
        [(4, 3)],
    ),
    (
        "cross_entropy_ignore",
        lambda x: F.cross_entropy(x, _class_target(), ignore_index=0),
        [(4, 3)],
    ),
    ("cross_entropy_probs", lambda x, t: F.cross_entropy(x, t), [(4, 3), ("positive", (4, 3))]),
    ("cross_entropy_2d", lambda x: F.cross_entropy(x, mg.tensor([[0, 1], [2, 0]])), [(2, 3, 2)]),
    (
        "bce_logits",
        lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid()),
        [(4, 3), (4, 3)],
    ),
    (
        "bce_logits_pos_weight",
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=mg.ones(3, dtype=x.dtype)),
        [(4, 3), ("positive", (4, 3))],
    ),
    ("mse", lambda x, t: F.mse_loss(x, t), [(4, 3), (4, 3)]),
    ("mse_sum", lambda x, t: F.mse_loss(x, t, reduction="sum"), [(4, 3), (4, 3)]),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name, fn, shapes", FUNCTIONAL, ids=[c[0] for c in FUNCTIONAL])
def test_every_functional_gives_gradients_of_its_inputs_dtype(name, fn, shapes, dtype):
    rng = np.random.default_rng(0)
    inputs = [_tensor(s, dtype, rng) for s in shapes]
    out = fn(*inputs)
    assert out.dtype == dtype
    _check_grads(out, inputs)


MIXED = [  # (id, function, [(shape, dtype, requires_grad)]): operands of different dtypes
    ("int_pow_float", lambda a, b: a**b, [((3,), mg.int64, False), ((3,), None, True)]),
    ("float_pow_int", lambda a, b: a**b, [((3,), None, True), ((3,), mg.int64, False)]),
    ("int_pow_float_0d", lambda a, b: a**b, [((3,), mg.int64, False), ((), None, True)]),
    ("int_times_float", lambda a, b: a * b, [((3,), mg.int64, False), ((3,), None, True)]),
    ("int_div_float", lambda a, b: a / b, [((3,), mg.int32, False), ((3,), None, True)]),
    ("float_plus_float64_0d", lambda a, b: a + b, [((3,), None, True), ((), mg.float64, True)]),
    ("float_times_float64", lambda a, b: a * b, [((3,), None, True), ((3,), mg.float64, True)]),
    (
        "where_mixed",
        lambda a, b: mg.where(a > 0, a, b),
        [((3,), None, True), ((3,), mg.float64, True)],
    ),
    ("cat_mixed", lambda a, b: mg.cat([a, b]), [((3,), None, True), ((2,), mg.float64, True)]),
    ("maximum_mixed", lambda a, b: mg.maximum(a, b), [((3,), None, True), ((), mg.float64, True)]),
    (
        "clamp_tensor_bounds",
        lambda x, lo: x.clamp(lo, lo + 1),
        [((3,), None, True), ((3,), mg.float64, True)],
    ),
    ("to_float64", lambda a: a.double() * 2, [((3,), None, True)]),
    ("matmul_then_cast", lambda a, b: (a @ b).double(), [((2, 3), None, True), ((3,), None, True)]),
    (
        "bce_float64_target",
        lambda x, t: F.binary_cross_entropy_with_logits(x, t),
        [((4,), None, True), ((4,), mg.float64, False)],
    ),
    (
        "ce_float64_probabilities",
        lambda x, t: F.cross_entropy(x, t),
        [((2, 3), None, True), ((2, 3), mg.float64, False)],
    ),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name, fn, operands", MIXED, ids=[c[0] for c in MIXED])
def test_mixed_dtypes_give_each_input_its_own_gradient_dtype(name, fn, operands, dtype):
    rng = np.random.default_rng(0)
    inputs = []
    for shape, operand_dtype, requires_grad in operands:
        operand_dtype = operand_dtype or dtype
        values = rng.uniform(0.5, 2.0, shape)
        inputs.append(mg.tensor(values, dtype=operand_dtype, requires_grad=requires_grad))
    _check_grads(fn(*inputs), inputs)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_a_model_trained_in_a_dtype_keeps_its_grads_and_state_in_it(dtype):
    model = mg.nn.Sequential(mg.nn.Linear(4, 8), mg.nn.ReLU(), mg.nn.Linear(8, 3))
    model.to(dtype)
    optimizer = mg.optim.Adam(model.parameters(), lr=1e-3)
    x, y = mg.randn(5, 4, dtype=dtype), mg.tensor([0, 1, 2, 0, 1])
    for loss_fn in (F.cross_entropy, lambda out, y: F.nll_loss(F.log_softmax(out, 1), y)):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        for p in model.parameters():
            assert p.dtype == p.grad.dtype == dtype
            for name, value in optimizer.state[p].items():
                if name != "step":  # a float32 counter, whatever the dtype, as in PyTorch
                    assert value.dtype == dtype


def test_0d_operands_keep_their_dtype_inside_backward():
    """numpy returns scalars, not 0-d arrays, for 0-d results; a backward formula mixing
    them with Python numbers must not widen them to float64 (int ** float at 0-d did)."""
    for a in (mg.tensor(2), mg.tensor(0), mg.tensor(2.0, dtype=mg.float16)):
        b = mg.tensor(2.0, requires_grad=True)
        _check_grads(a**b, [b])
    x = mg.tensor(3.0, dtype=mg.float16, requires_grad=True)
    _check_grads(mg.where(x > 0, x * x, 0.0) + mg.maximum(x, mg.tensor(1.0)), [x])
