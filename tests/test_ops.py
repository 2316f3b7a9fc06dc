"""Every differentiable op: value against numpy, gradient against finite differences.

One table row per case: the minigrad function, the same function written in plain numpy (the
independent reference for the value), and the input shapes. Each row is checked for its
forward value, its first derivatives (gradcheck, float64) and its second derivatives
(gradgradcheck), on every device the `device` fixture offers.
"""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import gradcheck, gradgradcheck


def positive(shape):
    return ("positive", shape)


# (id, minigrad function, numpy reference, input shapes; ("positive", s) draws from [0.5, 2])
CASES = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, [(3, 4), (3, 4)]),
    ("add_broadcast", lambda a, b: a + b, lambda a, b: a + b, [(3, 1), (1, 4)]),
    ("add_scalar_left", lambda a: 2.0 + a, lambda a: 2.0 + a, [(3,)]),
    ("sub_broadcast", lambda a, b: a - b, lambda a, b: a - b, [(2, 3, 4), (4,)]),
    ("rsub", lambda a: 1.0 - a, lambda a: 1.0 - a, [(3,)]),
    ("mul_broadcast", lambda a, b: a * b, lambda a, b: a * b, [(2, 1, 4), (3, 1)]),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [(3, 4), positive((4,))]),
    ("rdiv", lambda a: 2.0 / a, lambda a: 2.0 / a, [positive((3,))]),
    ("neg", lambda a: -a, lambda a: -a, [(3, 2)]),
    ("pow_scalar", lambda a: a**3, lambda a: a**3, [(3, 2)]),
    ("pow_half", lambda a: a**0.5, lambda a: a**0.5, [positive((4,))]),
    ("pow_tensor", lambda a, b: a**b, lambda a, b: a**b, [positive((3,)), (3,)]),
    ("rpow", lambda a: 2.0**a, lambda a: 2.0**a, [(3,)]),
    ("matmul_2d", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3), (3, 4)]),
    ("matmul_1d_1d", lambda a, b: a @ b, lambda a, b: a @ b, [(3,), (3,)]),
    ("matmul_1d_2d", lambda a, b: a @ b, lambda a, b: a @ b, [(3,), (3, 2)]),
    ("matmul_2d_1d", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3), (3,)]),
    ("matmul_batched", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 2, 3), (3, 2)]),
    ("matmul_batch_bcast", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 1, 2, 3), (3, 3, 2)]),
    ("matmul_1d_batched", lambda a, b: a @ b, lambda a, b: a @ b, [(3,), (2, 3, 2)]),
    ("exp", mg.exp, np.exp, [(3, 2)]),
    ("log", mg.log, np.log, [positive((3, 2))]),
    ("sqrt", mg.sqrt, np.sqrt, [positive((3, 2))]),
    ("tanh", mg.tanh, np.tanh, [(3, 2)]),
    ("sigmoid", mg.sigmoid, lambda a: 1 / (1 + np.exp(-a)), [(3, 2)]),
    ("relu", mg.relu, lambda a: np.maximum(a, 0), [(3, 4)]),
    ("abs", mg.abs, np.abs, [(3, 4)]),
    ("maximum", mg.maximum, np.maximum, [(3, 4), (4,)]),
    ("minimum", mg.minimum, np.minimum, [(3, 4), (3, 1)]),
    ("clamp", lambda a: mg.clamp(a, -0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), [(3, 4)]),
    ("clamp_min", lambda a: a.clamp(min=0.1), lambda a: np.maximum(a, 0.1), [(3, 4)]),
    ("sum_all", lambda a: a.sum(), lambda a: a.sum(), [(3, 4)]),
    ("sum_dim", lambda a: a.sum(1), lambda a: a.sum(1), [(3, 4)]),
    (
        "sum_tuple_keep",
        lambda a: a.sum((0, 2), keepdim=True),
        lambda a: a.sum((0, 2), keepdims=True),
        [(2, 3, 4)],
    ),
    ("mean_dim", lambda a: a.mean(-1), lambda a: a.mean(-1), [(3, 4)]),
    ("mean_all", lambda a: a.mean(), lambda a: a.mean(), [(3, 4)]),
    ("max_all", lambda a: a.max(), lambda a: a.max(), [(3, 4)]),
    ("max_dim", lambda a: a.max(1).values, lambda a: a.max(1), [(3, 4)]),
    (
        "min_dim_keep",
        lambda a: a.min(0, keepdim=True)[0],
        lambda a: a.min(0, keepdims=True),
        [(3, 4)],
    ),
    ("amax_tuple", lambda a: a.amax((0, 1)), lambda a: a.max((0, 1)), [(2, 3, 4)]),
    ("logsumexp", lambda a: a.logsumexp(1), lambda a: np.log(np.exp(a).sum(1)), [(3, 4)]),
    (
        "logsumexp_keep",
        lambda a: mg.logsumexp(a, (0, 1), keepdim=True),
        lambda a: np.log(np.exp(a).sum((0, 1), keepdims=True)),
        [(3, 4)],
    ),
    ("var", lambda a: a.var(1), lambda a: a.var(1, ddof=1), [(3, 4)]),
    ("var_all_biased", lambda a: a.var(correction=0), lambda a: a.var(), [(3, 4)]),
    ("reshape", lambda a: a.reshape(4, -1), lambda a: a.reshape(4, -1), [(2, 3, 2)]),
    ("view", lambda a: a.view(6), lambda a: a.reshape(6), [(2, 3)]),
    ("flatten", lambda a: a.flatten(1), lambda a: a.reshape(2, -1), [(2, 3, 2)]),
    ("transpose", lambda a: a.transpose(0, 2), lambda a: a.swapaxes(0, 2), [(2, 3, 4)]),
    ("T", lambda a: a.T, lambda a: a.T, [(2, 3)]),
    ("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), [(2, 3, 4)]),
    ("unsqueeze", lambda a: a.unsqueeze(1), lambda a: a[:, None], [(2, 3)]),
    ("squeeze", lambda a: a.squeeze(), lambda a: a.squeeze(), [(2, 1, 3, 1)]),
    ("squeeze_dim", lambda a: a.squeeze(1), lambda a: a.squeeze(1), [(2, 1, 3, 1)]),
    ("expand", lambda a: a.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4)), [(3, 1)]),
    ("index_int_slice", lambda a: a[1, 1:3], lambda a: a[1, 1:3], [(3, 4)]),
    ("index_none_ellipsis", lambda a: a[None, ..., -1], lambda a: a[None, ..., -1], [(3, 4)]),
    ("index_int_array", lambda a: a[mg.tensor([0, 2, 0])], lambda a: a[[0, 2, 0]], [(3, 4)]),
    (
        "index_2_arrays",
        lambda a: a[[0, 1, 1], [3, 0, 0]],
        lambda a: a[[0, 1, 1], [3, 0, 0]],
        [(3, 4)],
    ),
    (
        "index_bool_mask",
        lambda a: a[mg.tensor([True, False, True])],
        lambda a: a[[True, False, True]],
        [(3, 4)],
    ),
    (
        "gather",
        lambda a: a.gather(1, mg.tensor([[0, 0], [3, 1], [2, 2]], device=a.device)),
        lambda a: np.take_along_axis(a, np.array([[0, 0], [3, 1], [2, 2]]), 1),
        [(3, 4)],
    ),
    (
        "cat",
        lambda a, b: mg.cat([a, b, a], 1),
        lambda a, b: np.concatenate([a, b, a], 1),
        [(2, 3), (2, 1)],
    ),
    (
        "stack",
        lambda a, b: mg.stack([a, b], -1),
        lambda a, b: np.stack([a, b], -1),
        [(2, 3), (2, 3)],
    ),
    (
        "where",
        lambda a, b: mg.where(a > 0, a, b),
        lambda a, b: np.where(a > 0, a, b),
        [(3, 4), (4,)],
    ),
    (
        "where_scalar",
        lambda a: mg.where(a > 0, a, 0.0),
        lambda a: np.where(a > 0, a, 0.0),
        [(3, 4)],
    ),
]


def _draw(spec, rng):
    if spec[0] == "positive":
        return rng.uniform(0.5, 2.0, spec[1])
    # away from the kinks of relu/abs/max/clamp so finite differences are valid
    x = rng.uniform(-2, 2, spec)
    return np.where(np.abs(x) < 0.1, 0.3, x)


def _inputs(shapes, device, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [_draw(s, rng) for s in shapes]
    tensors = [mg.tensor(a, dtype=mg.float64, device=device, requires_grad=True) for a in arrays]
    return arrays, tensors


@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=[c[0] for c in CASES])
def test_value_matches_numpy(name, fn, ref, shapes, device):
    arrays, tensors = _inputs(shapes, device)
    out = fn(*tensors)
    np.testing.assert_allclose(out.detach().numpy(), ref(*arrays), rtol=1e-12, atol=1e-12)
    assert out.dtype == mg.float64


@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(name, fn, ref, shapes, device):
    _, tensors = _inputs(shapes, device)
    assert gradcheck(fn, tensors)


SECOND_ORDER = {
    "mul_broadcast",
    "div",
    "pow_scalar",
    "pow_tensor",
    "matmul_batch_bcast",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "logsumexp",
    "var",
    "max_dim",
    "gather",
    "index_int_array",
    "cat",
    "where",
    "sum_tuple_keep",
    "matmul_1d_2d",
    "amax_tuple",
}


@pytest.mark.parametrize(
    "name, fn, ref, shapes",
    [c for c in CASES if c[0] in SECOND_ORDER],
    ids=[c[0] for c in CASES if c[0] in SECOND_ORDER],
)
def test_second_derivatives_match_finite_differences(name, fn, ref, shapes, device):
    _, tensors = _inputs(shapes, device)
    assert gradgradcheck(fn, tensors)


# ----- hand-worked numbers -----------------------------------------------------------------


def test_hand_worked_gradients(device):
    x = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    y = (x**2 * 3).sum()  # dy/dx = 6x
    y.backward()
    assert y.item() == 42.0
    assert x.grad.tolist() == [6.0, 12.0, 18.0]


def test_broadcast_gradient_sums_back_to_each_input_shape(device):
    a = mg.ones(3, 1, device=device, requires_grad=True)
    b = mg.ones(1, 4, device=device, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[4.0]] * 3
    assert b.grad.shape == (1, 4) and b.grad.tolist() == [[3.0] * 4]


def test_max_ties_share_gradient_but_max_dim_picks_first_index(device):
    x = mg.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], device=device, requires_grad=True)
    x.max().backward()  # one max (3.0) at two places: half each, as in PyTorch
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]
    x.grad = None
    values, indices = x.max(dim=1)
    assert values.tolist() == [3.0, 2.0] and indices.tolist() == [1, 0]
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


def test_maximum_ties_split_gradient(device):
    a = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    b = mg.tensor([2.0, 2.0, 2.0], device=device, requires_grad=True)
    mg.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 0.5, 1.0]
    assert b.grad.tolist() == [1.0, 0.5, 0.0]


def test_relu_abs_clamp_gradients_at_the_kinks(device):
    x = mg.tensor([-1.0, 0.0, 1.0], device=device, requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    x.grad = None
    x.abs().sum().backward()
    assert x.grad.tolist() == [-1.0, 0.0, 1.0]
    x.grad = None
    x.clamp(0.0, 1.0).sum().backward()  # bounds are inside the range
    assert x.grad.tolist() == [0.0, 1.0, 1.0]


def test_clamp_with_tensor_bounds_follows_pytorch(device):
    """Values and gradients checked against torch.clamp: bounds included, lo > hi gives hi."""

    def t(values):
        return mg.tensor(values, dtype=mg.float64, device=device, requires_grad=True)

    x, lo, hi = t([-2.0, 0.5, 3.0, 1.0, 2.0]), t([0.0, 0.0, 0.0, 1.0, 2.5]), t([1.0] * 4 + [1.5])
    y = mg.clamp(x, lo, hi)
    assert y.tolist() == [0.0, 0.5, 1.0, 1.0, 1.5]
    y.backward(mg.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=mg.float64, device=device))
    assert x.grad.tolist() == [0.0, 2.0, 0.0, 4.0, 0.0]
    assert lo.grad.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert hi.grad.tolist() == [0.0, 0.0, 3.0, 0.0, 5.0]
    # one bound, broadcast: its gradient is summed over the positions where it won
    x, lo = t([[1.0, 5.0], [0.0, 7.0]]), t(2.0)
    x.clamp(min=lo).sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0], [0.0, 1.0]] and lo.grad.item() == 2.0
    # away from the kinks, finite differences agree to first and second order
    x, lo, hi = t([-2.0, 0.5, 3.0]), t([0.0, -1.0, 0.0]), t([1.0, 2.0, 1.5])
    assert gradcheck(mg.clamp, (x, lo, hi)) and gradgradcheck(mg.clamp, (x, lo, hi))
    ints, bound = mg.tensor([1, 5], device=device), mg.tensor([2.5], device=device)
    assert mg.clamp(ints, bound).dtype == mg.float32  # promoted, as PyTorch does


def test_pow_gradient_conventions_at_zero(device):
    x = mg.tensor([0.0, 2.0], device=device, requires_grad=True)
    (x**0).sum().backward()  # d/dx x^0 is 0 everywhere, even at 0
    assert x.grad.tolist() == [0.0, 0.0]
    base = mg.tensor([0.0, 2.0], device=device, requires_grad=True)
    e = mg.tensor([2.0, 3.0], device=device, requires_grad=True)
    (base**e).sum().backward()
    assert e.grad.tolist()[0] == 0.0  # 0^e ln 0 -> 0 for e >= 0, not nan
    assert e.grad.tolist()[1] == pytest.approx(8 * np.log(2))
    # a tensor exponent of 0: d/da a^0 is 0 even at a = 0 (b a^(b-1) would be 0 * inf)
    a = mg.tensor([0.0, 0.0, 3.0], dtype=mg.float64, device=device, requires_grad=True)
    b = mg.tensor([0.0, 2.0, 0.0], dtype=mg.float64, device=device, requires_grad=True)
    (a**b).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0, 0.0]
    # a constant base of 0: d/db 0^b is 0 for b >= 0 and -inf (inf * ln 0) for b < 0
    b = mg.tensor([0.0, 2.0, -1.0], dtype=mg.float64, device=device, requires_grad=True)
    with np.errstate(divide="ignore"):  # 0 ** -1 is inf (numpy also warns; PyTorch does not)
        (0.0**b).sum().backward()
    assert b.grad.tolist() == [0.0, 0.0, -float("inf")]


def test_sign_of_nan_is_zero(device):  # PyTorch's choice; numpy gives nan
    x = mg.tensor([float("nan"), -2.0, 0.0, 3.0], device=device)
    assert x.sign().tolist() == [0.0, -1.0, 0.0, 1.0]


@pytest.mark.parametrize("reduce", ["sum", "mean", "var", "amax", "amin"])
def test_an_empty_dim_tuple_reduces_every_dim(reduce, device):
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]], device=device)
    assert getattr(x, reduce)(dim=()).item() == pytest.approx(getattr(x, reduce)().item())


def test_var_gradient_with_no_degrees_of_freedom_is_nan(device):
    x = mg.tensor([1.0], dtype=mg.float64, device=device, requires_grad=True)
    with pytest.warns(RuntimeWarning):  # numpy's "degrees of freedom <= 0", as PyTorch warns
        v = x.var()
    v.backward()
    assert np.isnan(v.item()) and np.isnan(x.grad.item())


def test_index_with_repeats_accumulates(device):
    x = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    x[mg.tensor([0, 0, 2, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_sigmoid_and_logsumexp_are_stable(device):
    x = mg.tensor([-1000.0, 0.0, 1000.0], device=device, requires_grad=True)
    assert x.sigmoid().tolist() == [0.0, 0.5, 1.0]
    lse = x.logsumexp(0)
    assert lse.item() == 1000.0
    lse.backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    all_neg_inf = mg.tensor([-float("inf"), -float("inf")], device=device)
    assert all_neg_inf.logsumexp(0).item() == -float("inf")


def test_non_differentiable_ops(device):
    x = mg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], device=device, requires_grad=True)
    assert x.argmax().item() == 3
    assert x.argmax(1).tolist() == [1, 0]
    assert x.argmin(dim=1, keepdim=True).tolist() == [[0], [1]]
    assert (x > 1.5).tolist() == [[False, True, True], [True, False, True]]
    assert mg.eq(x, 7.0).tolist() == [[False, False, False], [True, False, True]]
    assert (x != x).sum().item() == 0
    for out in (x.argmax(), x > 1, x == x):
        assert not out.requires_grad and out.grad_fn is None


# ----- PyTorch's dtype rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: mg.tensor([1, 2]) * 2.5, mg.float32),
        (lambda: mg.tensor([1, 2]) / mg.tensor([2, 2]), mg.float32),
        (lambda: mg.tensor([1, 2]) * 2, mg.int64),
        (lambda: mg.tensor([1.0], dtype=mg.float16) * 2.0, mg.float16),
        (lambda: mg.tensor([1.0]) + mg.tensor([1.0], dtype=mg.float64), mg.float64),
        (lambda: mg.tensor([1.0]) + mg.tensor(1.0, dtype=mg.float64), mg.float32),
        (lambda: mg.tensor([1], dtype=mg.int32) + mg.tensor([1]), mg.int64),
        (lambda: mg.tensor([1], dtype=mg.int32) + 1, mg.int32),
        (lambda: mg.tensor([True]) + 1, mg.int64),
        (lambda: mg.tensor([1, 2]) + mg.tensor([0.5]), mg.float32),
        (lambda: mg.tensor([1, 2]).exp(), mg.float32),
        (lambda: mg.tensor([1, 2]).sum(), mg.int64),
        (lambda: mg.tensor([True, True]).sum(), mg.int64),
        (lambda: mg.where(mg.tensor([True]), mg.tensor([1]), 2.5), mg.float32),
        (lambda: mg.where(mg.tensor([True]), 1.0, 0.0), mg.float32),  # two numbers
        (lambda: mg.where(mg.tensor([True]), 1, 0), mg.int64),
        # numpy scalars count as Python numbers: they never widen a tensor
        (lambda: mg.ones(2) + np.float64(2.5), mg.float32),
        (lambda: mg.ones(2) * np.int64(2), mg.float32),
        (lambda: mg.tensor([1, 2]) * np.float64(2.5), mg.float32),
        (lambda: mg.tensor([1, 2]) * np.int32(2), mg.int64),
        (lambda: mg.ones(2, dtype=mg.float16) + np.float32(2.5), mg.float16),
        (lambda: mg.full((2,), np.float64(1.5)), mg.float32),
        (lambda: mg.full((2,), np.int32(1)), mg.int64),
        # the Python types as dtypes: float is float64 (not the default float32)
        (lambda: mg.zeros(2, dtype=float), mg.float64),
        (lambda: mg.tensor([1], dtype=float), mg.float64),
        (lambda: mg.ones(2).to(float), mg.float64),
        (lambda: mg.zeros(2, dtype=int), mg.int64),
    ],
)
def test_type_promotion_follows_pytorch(make, expected):
    assert make().dtype == expected


def test_cast_passes_the_gradient_back_in_the_source_dtype(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    y = x.float() * 3
    assert y.dtype == mg.float32
    y.sum().backward()
    assert x.grad.dtype == mg.float64 and x.grad.tolist() == [3.0, 3.0]
    assert not x.long().requires_grad  # casts to integers carry no gradient, as in PyTorch


def test_gradient_of_a_mixed_precision_op_has_each_inputs_dtype():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], dtype=mg.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == mg.float32 and b.grad.dtype == mg.float64
    assert a.grad.tolist() == [3.0, 4.0]


# ----- bad input ----------------------------------------------------------------------------


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(mg.ShapeError, match=r"\(2, 3\).*\(4, 5\)"):
        mg.ones(2, 3) @ mg.ones(4, 5)
    with pytest.raises(RuntimeError, match="at least 1 dimension"):
        mg.tensor(1.0) @ mg.ones(3)


def test_matmul_dtype_mismatch():
    with pytest.raises(TypeError, match="same dtype"):
        mg.ones(2, 3) @ mg.ones(3, 2, dtype=mg.float64)


def test_broadcast_mismatch_is_a_clear_error():
    with pytest.raises(mg.ShapeError, match=r"add.*\(2, 3\).*\(4,\).*broadcast"):
        mg.ones(2, 3) + mg.ones(4)
    with pytest.raises(mg.ShapeError, match=r"lt: .*input \(2, 3\), other \(4,\)"):
        _ = mg.ones(2, 3) < mg.ones(4)
    with pytest.raises(mg.ShapeError, match=r"where: .*condition \(2,\), input \(3,\)"):
        mg.where(mg.tensor([True, False]), mg.ones(3), 0.0)


def test_zero_size_dims_flatten():  # -1 cannot be inferred there, so the size is computed
    assert mg.zeros(0, 2, 3).flatten(1).shape == (0, 6)
    assert mg.zeros(2, 0, 3).flatten().shape == (0,)
    with pytest.raises(mg.ShapeError, match="start_dim 1 comes after end_dim 0"):
        mg.zeros(2, 3).flatten(1, 0)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda x: x.reshape(4, 4), ValueError, "invalid for input of size 6"),
        (lambda x: x.sum(2), IndexError, "dim out of range"),
        (lambda x: x.permute(0, 0), ValueError, "permutation"),
        (lambda x: x.expand(3, 3), ValueError, "must match"),
        (lambda x: x.gather(1, mg.tensor([[0, 5]])), IndexError, "out of bounds"),
        (lambda x: x.gather(1, mg.tensor([[0.0, 1.0]])), TypeError, "int64"),
        (lambda x: mg.cat([x, mg.ones(3, 2)]), ValueError, r"tensors\[1\] has shape"),
        (lambda x: mg.stack([x, mg.ones(2, 2)]), ValueError, "does not match"),
        (lambda x: mg.where(x, x, x), TypeError, "bool"),
        (lambda x: mg.tensor([1, 2]).mean(), TypeError, "floating point"),
        (lambda x: mg.tensor([1, 2]).var(), TypeError, "floating point"),
        (lambda x: x[5], IndexError, "out of bounds"),
        (lambda x: x.item(), ValueError, "6 elements"),
        (lambda x: x.clamp(), ValueError, "at least one of min and max"),
        (lambda x: x.clamp(0.0, mg.ones(3)), TypeError, "both be numbers or both be tensors"),
        (lambda x: x.clamp(mg.ones(2)), ValueError, r"\(2, 3\), \(2,\)\] cannot be broadcast"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, words):
    x = mg.ones(2, 3)
    with pytest.raises(error, match=words):
        call(x)


@pytest.mark.parametrize("dtype", [mg.float32, mg.float64, mg.float16], ids=str)
def test_pow_keeps_the_parity_of_a_huge_integer_exponent(dtype):
    """numpy rounds a Python exponent to the tensor's dtype: 2**24 + 1 became even in
    float32, so (-1) ** (2**24 + 1) came out +1 and d/dx x**(2**40) at -1 came out +2**40."""
    x = mg.tensor([-1.0, 1.0], dtype=dtype, requires_grad=True)
    odd = 2**24 + 1 if dtype != mg.float16 else 2049
    assert (x**odd).tolist() == [-1.0, 1.0]
    if dtype == mg.float16:
        with pytest.raises(mg.OptionError, match="exponent 1099511627776 cannot be converted"):
            x**2**40
        return
    (x**2**40).sum().backward()
    assert x.grad.tolist() == [-(2.0**40), 2.0**40]


def test_reductions_of_float16_accumulate_in_float32():
    rng = np.random.default_rng(0)
    data = rng.standard_normal(10_000) * 100  # squares of 1e4: a float16 sum of them overflows
    x = mg.tensor(data, dtype=mg.float16, requires_grad=True)
    v = x.var()
    expected = data.astype(np.float16).astype(np.float64).var(ddof=1)
    assert v.dtype == mg.float16 and v.item() == pytest.approx(expected, rel=1e-3)
    v.backward()
    assert x.grad.dtype == mg.float16 and np.isfinite(x.grad.numpy()).all()
    ones = mg.ones(3000, 2, dtype=mg.float16)  # a float16 running sum stalls at 2048
    assert ones.sum(0).tolist() == [3000.0, 3000.0]
    assert ones.mean(0).tolist() == [1.0, 1.0]
    assert mg.zeros(3000, dtype=mg.float16).logsumexp(0).item() == pytest.approx(
        np.log(3000), rel=1e-3
    )


# ----- edge cases the fuzz of wrong arguments found (tests/test_fuzz_bad_input.py) ----------
def test_functions_take_tensors_not_numbers_or_arrays():
    """mg.exp(2.5) and mg.sum(np.ones(3)) computed a raw numpy array; PyTorch refuses."""
    for call in (
        lambda: mg.exp(2.5),
        lambda: mg.sum(np.ones(3)),
        lambda: mg.relu([1, 2]),
        lambda: mg.where(1, mg.ones(2), 0.0),
        lambda: mg.add(1, 2.0),
    ):
        with pytest.raises(TypeError, match="must be a Tensor"):
            call()
    assert mg.add(1, mg.ones(2)).tolist() == [2.0, 2.0]  # a number and a tensor: fine


def test_zero_dim_tensors_gather_reduce_and_transpose_as_in_pytorch():
    x = mg.tensor(2.0, requires_grad=True)
    assert mg.tensor(2.0).gather(-1, mg.tensor(0)).item() == 2.0  # was "tuple index out of range"
    values, indices = x.max(0)
    assert values.item() == 2.0 and indices.item() == 0 and values.shape == indices.shape == ()
    values.backward()
    assert x.grad.item() == 1.0
    assert mg.tensor(1.5).argmax(0).item() == 0
    assert mg.tensor(1.5).transpose(0, -1).item() == 1.5
    with pytest.raises(mg.ShapeError, match="zero-dimensional"):
        mg.cat((mg.tensor(1.0), mg.tensor(2.0)))


def test_reductions_over_empty_dims():
    """A max over nothing is refused by name (numpy's 'zero-size array' named nothing); over a
    dim that has a size, an empty tensor reduces fine; logsumexp of nothing is -inf."""
    empty = mg.zeros(0, 3)
    with pytest.raises(IndexError, match="reduction dim 0 to have non-zero size"):
        empty.amax(0)
    with pytest.raises(IndexError, match="reduction dim 0"):
        empty.max(0)
    assert empty.max(1).values.shape == (0,) and empty.argmax(1).shape == (0,)
    assert empty.logsumexp(0).tolist() == [-math.inf] * 3


def test_dims_and_sizes_take_what_has_an_index():
    """numpy integers and one-element integer tensors are ints, as in PyTorch; bools are not."""
    x = mg.ones(2, 3)
    assert x.sum(np.int64(1)).shape == (2,) and x.sum(mg.tensor(0)).shape == (3,)
    assert x.reshape(np.int64(6)).shape == (6,) and mg.zeros(mg.tensor(2)).shape == (2,)
    with pytest.raises(TypeError, match="dim must be an int"):
        x.sum(True)
    with pytest.raises(TypeError, match="keepdim must be a bool"):
        x.sum(0, 1)


def test_shapes_refuse_negative_sizes_numpy_would_infer():
    x = mg.ones(2, 3)
    with pytest.raises(mg.ShapeError, match="invalid size -2"):
        x.reshape(2, -2)  # numpy inferred it as if it were -1
    with pytest.raises(mg.ShapeError, match="-1 keeps the size of an existing dim"):
        x.expand(-1, 2, 3)


def test_clamp_by_numpy_scalars_keeps_the_dtype():
    x = mg.ones(3)
    assert x.clamp(np.float64(0.0), np.float64(0.5)).dtype == mg.float32  # was float64
    assert x.clamp(min=np.int64(2)).tolist() == [2.0, 2.0, 2.0]  # was refused


def test_ops_of_bools_that_pytorch_refuses_name_the_operand():
    mask = mg.tensor([True, False])
    assert mask.sign().tolist() == [True, False]  # numpy has no sign of bools
    for call in (lambda: -mask, lambda: mask.relu(), lambda: mask.abs()):
        with pytest.raises(mg.DTypeError, match="input is a bool"):
            call()


def test_numpy_refusals_of_operands_name_them():
    with pytest.raises(mg.OptionError, match="other int 1180591620717411303424"):
        mg.arange(3) + 2**70  # numpy's OverflowError
    with pytest.raises(mg.DTypeError, match="and_: .*input Tensor of dtype float32"):
        mg.ones(2) & True  # numpy's UFuncTypeError
