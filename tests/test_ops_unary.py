"""More elementwise functions (trigonometry, exponentials, erf, rounding, division, lerp,
closeness): values against numpy or math, float64 gradients against finite differences,
gradient dtypes, PyTorch's result dtypes for integer and bool input, and bad input.
"""

import math

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
from minigrad.autograd import gradcheck, gradgradcheck

_erf = np.vectorize(math.erf)
_erfc = np.vectorize(math.erfc)


def unit(shape):
    return ("unit", shape)


def positive(shape):
    return ("positive", shape)


def _draw(spec, rng):
    kind, shape = spec if isinstance(spec[0], str) else ("any", spec)
    if kind == "unit":  # inside (-1, 1): asin, acos, tan
        return rng.uniform(-0.9, 0.9, shape)
    if kind == "positive":
        return rng.uniform(0.5, 2.0, shape)
    x = rng.uniform(-2.5, 2.5, shape)
    return np.where(np.abs(x - np.round(x)) < 0.05, x + 0.2, x)  # away from the jumps


# (id, minigrad function, numpy reference, input specs)
CASES = [
    ("sin", mg.sin, np.sin, [(3, 4)]),
    ("cos", lambda a: a.cos(), np.cos, [(3, 4)]),
    ("tan", mg.tan, np.tan, [unit((5,))]),
    ("asin", mg.asin, np.arcsin, [unit((5,))]),
    ("acos", lambda a: a.acos(), np.arccos, [unit((5,))]),
    ("atan", mg.atan, np.arctan, [(5,)]),
    ("sinh", mg.sinh, np.sinh, [(2, 3)]),
    ("cosh", lambda a: a.cosh(), np.cosh, [(2, 3)]),
    ("exp2", mg.exp2, np.exp2, [(2, 3)]),
    ("expm1", lambda a: a.expm1(), np.expm1, [(2, 3)]),
    ("log2", mg.log2, np.log2, [positive((4,))]),
    ("log10", lambda a: a.log10(), np.log10, [positive((4,))]),
    ("log1p", mg.log1p, np.log1p, [positive((4,))]),
    ("rsqrt", mg.rsqrt, lambda a: 1 / np.sqrt(a), [positive((4,))]),
    ("reciprocal", lambda a: a.reciprocal(), lambda a: 1 / a, [positive((4,))]),
    ("square", mg.square, np.square, [(2, 3)]),
    ("erf", mg.erf, _erf, [(3, 4)]),
    ("erfc", lambda a: a.erfc(), _erfc, [(3, 4)]),
    ("floor", mg.floor, np.floor, [(3, 4)]),
    ("ceil", lambda a: a.ceil(), np.ceil, [(3, 4)]),
    ("trunc", mg.trunc, np.trunc, [(3, 4)]),
    ("round", mg.round, np.round, [(3, 4)]),
    ("round_decimals", lambda a: a.round(decimals=1), lambda a: np.round(a, 1), [(3, 4)]),
    ("frac", mg.frac, lambda a: a - np.trunc(a), [(3, 4)]),
    ("nan_to_num", mg.nan_to_num, np.nan_to_num, [(3, 4)]),
    ("atan2", mg.atan2, np.arctan2, [(3, 4), (4,)]),
    ("atan2_method", lambda a, b: a.atan2(b), np.arctan2, [(3, 1), (1, 4)]),
    (
        "lerp_number",
        lambda a, b: mg.lerp(a, b, 0.3),
        lambda a, b: a + 0.3 * (b - a),
        [(3, 4), (4,)],
    ),
    (
        "lerp_tensor",
        lambda a, b, w: a.lerp(b, w),
        lambda a, b, w: a + w * (b - a),
        [(3, 4), (3, 4), unit((4,))],
    ),
    (
        "lerp_far_weight",
        lambda a, b: mg.lerp(a, b, 0.8),
        lambda a, b: a + 0.8 * (b - a),
        [(5,), (5,)],
    ),
    ("remainder", mg.remainder, np.remainder, [(3, 4), positive((4,))]),
    ("remainder_op", lambda a, b: a % b, np.remainder, [(3, 4), (3, 4)]),
    ("rmod_number", lambda b: 2.5 % b, lambda b: np.remainder(2.5, b), [positive((4,))]),
    ("fmod", mg.fmod, np.fmod, [(3, 4), (3, 4)]),
    ("floor_divide", mg.floor_divide, np.floor_divide, [(3, 4), positive((4,))]),
    ("floordiv_op", lambda a, b: a // b, np.floor_divide, [(3, 4), (3, 4)]),
    (
        "div_trunc",
        lambda a, b: mg.div(a, b, rounding_mode="trunc"),
        lambda a, b: np.trunc(a / b),
        [(3, 4), (3, 4)],
    ),
    ("div_floor", lambda a, b: a.div(b, rounding_mode="floor"), np.floor_divide, [(3, 4), (4,)]),
]


def _inputs(specs, device, dtype=mg.float64, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [_draw(s, rng) for s in specs]
    tensors = [mg.tensor(a, dtype=dtype, device=device, requires_grad=True) for a in arrays]
    return arrays, tensors


@pytest.mark.parametrize("name, fn, ref, specs", CASES, ids=[c[0] for c in CASES])
def test_value_matches_reference(name, fn, ref, specs, device):
    arrays, tensors = _inputs(specs, device)
    out = fn(*tensors)
    assert out.dtype == mg.float64
    np.testing.assert_allclose(out.detach().numpy(), ref(*arrays), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name, fn, ref, specs", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(name, fn, ref, specs, device):
    _, tensors = _inputs(specs, device)
    assert gradcheck(fn, tensors)


SECOND_ORDER = {"sin", "tan", "asin", "erf", "rsqrt", "atan2", "lerp_tensor", "remainder"}


@pytest.mark.parametrize(
    "name, fn, ref, specs",
    [c for c in CASES if c[0] in SECOND_ORDER],
    ids=[c[0] for c in CASES if c[0] in SECOND_ORDER],
)
def test_second_derivatives_match_finite_differences(name, fn, ref, specs, device):
    _, tensors = _inputs(specs, device)
    assert gradgradcheck(fn, tensors)


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32, mg.float64], ids=str)
@pytest.mark.parametrize("name, fn, ref, specs", CASES, ids=[c[0] for c in CASES])
def test_gradients_have_their_inputs_dtype(name, fn, ref, specs, dtype):
    _, tensors = _inputs(specs, "cpu", dtype)
    out = fn(*tensors)
    assert out.dtype == dtype
    _check_grads(out, tensors)


def test_erf_and_erfc_are_accurate_far_out_and_at_the_edges():
    x = np.concatenate([np.linspace(-7, 7, 2001), [0.0, 0.84375, 1.25, 1 / 0.35, 6, 27.9]])
    np.testing.assert_allclose(mg.erf(mg.tensor(x)).numpy(), _erf(x), rtol=3e-16, atol=1e-300)
    tail = np.array([3.0, 5.0, 10.0, 20.0, 26.0])  # erfc(26) = 5.7e-296: all digits kept
    np.testing.assert_allclose(mg.erfc(mg.tensor(tail)).numpy(), _erfc(tail), rtol=1e-14)
    special = mg.tensor([math.inf, -math.inf, math.nan, -0.0])
    assert mg.erf(special).tolist()[:2] == [1.0, -1.0] and math.isnan(mg.erf(special)[2])
    assert math.copysign(1, mg.erf(special)[3].item()) == -1  # erf(-0) is -0
    assert mg.erfc(special).tolist()[:2] == [0.0, 2.0]


# ----- PyTorch's result dtypes ----------------------------------------------------------------
FLOATS_OF_INTEGERS = [
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "exp2",
    "expm1",
    "log2",
    "log10",
    "log1p",
    "rsqrt",
    "reciprocal",
    "erf",
    "erfc",
]


@pytest.mark.parametrize("name", FLOATS_OF_INTEGERS)
def test_functions_of_floats_give_the_default_float_for_integers_and_bools(name):
    for x in (mg.tensor([1, 2]), mg.tensor([1, 2], dtype=mg.int32), mg.tensor([True, False])):
        out = getattr(mg, name)(x)
        assert out.dtype == mg.float32, (name, x.dtype)
    assert getattr(mg, name)(mg.tensor([0.5], dtype=mg.float16)).dtype == mg.float16


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round"])
def test_rounding_keeps_integers_and_refuses_bools(name):
    x = mg.tensor([-3, 0, 7])
    out = getattr(mg, name)(x)
    assert out.dtype == mg.int64 and out.tolist() == [-3, 0, 7] and out is not x
    with pytest.raises(mg.DTypeError, match=rf"{name}: input has dtype bool"):
        getattr(mg, name)(mg.tensor([True]))


def test_integer_rules_of_square_frac_round_and_the_tests():
    assert mg.square(mg.tensor([-3, 2])).tolist() == [9, 4]
    assert mg.square(mg.tensor([True, False])).dtype == mg.int64
    with pytest.raises(mg.DTypeError, match="frac: input must have a floating point dtype"):
        mg.frac(mg.tensor([1]))
    with pytest.raises(mg.DTypeError, match="round: decimals=1"):
        mg.round(mg.tensor([1]), decimals=1)
    x = mg.tensor([1, 2])
    assert mg.isnan(x).tolist() == [False, False] and mg.isfinite(x).tolist() == [True, True]
    assert mg.nan_to_num(x).tolist() == [1, 2] and mg.nan_to_num(x).dtype == mg.int64


def test_rounding_hand_worked():
    x = mg.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.675])
    assert mg.round(x).tolist() == [-2.0, -2.0, -0.0, 0.0, 2.0, 3.0]  # half to even
    assert mg.round(mg.tensor([1234.5678]), decimals=-2).tolist() == [1200.0]
    assert mg.tensor([-1.5, 1.25]).frac().tolist() == [-0.5, 0.25]
    y = mg.tensor([1.7, -1.7], requires_grad=True)
    (y.floor() + y.ceil() + y.round() + y.trunc() + y.frac()).sum().backward()
    assert y.grad.tolist() == [1.0, 1.0]  # only frac's slope 1


def test_nan_to_num_replacements_and_gradient():
    x = mg.tensor([math.nan, math.inf, -math.inf, 2.0], requires_grad=True)
    out = mg.nan_to_num(x)
    assert out.tolist()[0] == 0 and out.tolist()[1] == np.finfo(np.float32).max
    assert mg.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0).tolist() == [1.0, 2.0, -3.0, 2.0]
    assert mg.nan_to_num(x.half().detach()).tolist()[1] == 65504.0
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert mg.isinf(x).tolist() == [False, True, True, False]


# ----- division: signs, integers, zeros, rounding modes --------------------------------------
def test_integer_division_signs_follow_pytorch():
    a = mg.tensor([7, -7, 7, -7])
    b = mg.tensor([3, 3, -3, -3])
    assert mg.floor_divide(a, b).tolist() == [2, -3, -3, 2]
    assert (a // b).tolist() == [2, -3, -3, 2]
    assert mg.remainder(a, b).tolist() == [1, 2, -2, -1]  # the divisor's sign (Python's %)
    assert (a % b).tolist() == [1, 2, -2, -1]
    assert mg.fmod(a, b).tolist() == [1, -1, 1, -1]  # the dividend's sign (C's fmod)
    assert mg.div(a, b, rounding_mode="trunc").tolist() == [2, -2, -2, 2]
    assert a.div(b, rounding_mode="floor").tolist() == [2, -3, -3, 2]
    for out in (a // 2, a % 2, mg.fmod(a, 2), a.div(2, rounding_mode="trunc")):
        assert out.dtype == mg.int64
    assert (7 // mg.tensor([2, -2])).tolist() == [3, -4]  # __rfloordiv__
    assert (7 % mg.tensor([2, -2])).tolist() == [1, -1]  # __rmod__
    assert mg.remainder(7, mg.tensor([3])).tolist() == [1]
    assert (a // 2.5).dtype == mg.float32  # an integer tensor and a float: the default float


def test_float_division_by_zero_is_inf_or_nan_and_integer_division_raises():
    x = mg.tensor([1.0, -1.0, 0.0])
    assert (x // 0.0).tolist()[:2] == [math.inf, -math.inf]
    assert all(math.isnan(v) for v in (x % 0.0).tolist())
    assert (mg.tensor([7.5]) % -2).tolist() == [-0.5] and mg.fmod(
        mg.tensor([-7.5]), 2
    ).item() == -1.5
    for call in (
        lambda: mg.tensor([1, 2]) // 0,
        lambda: mg.tensor([1]) % mg.tensor([0]),
        lambda: mg.fmod(mg.tensor([3]), 0),
        lambda: 5 // mg.tensor([0, 1]),
        lambda: mg.div(mg.tensor([1]), 0, rounding_mode="trunc"),
    ):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            call()
    assert mg.fmod(mg.zeros(0, dtype=mg.int64), 0).shape == (0,)  # nothing divided: no error


def test_rounding_mode_and_bool_division_are_checked():
    with pytest.raises(ValueError, match="rounding_mode to be one of None, 'trunc' or 'floor'"):
        mg.div(mg.tensor([1.0]), 2, rounding_mode="round")
    with pytest.raises(TypeError, match="div: rounding_mode must be a str"):
        mg.tensor([1.0]).div(2, rounding_mode=1)
    with pytest.raises(mg.DTypeError, match="floor_divide of bools is undefined"):
        mg.tensor([True]) // mg.tensor([True])
    assert (mg.tensor([True]) // 2).tolist() == [0]  # a bool and an int: int64
    x = mg.tensor([3.0, 5.0], requires_grad=True)
    (x // 2 + mg.div(x, 2, rounding_mode="trunc")).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]  # step functions


def test_remainder_and_fmod_gradients_hand_worked():
    a = mg.tensor([7.5, -7.5], requires_grad=True)
    b = mg.tensor([2.0, 2.0], requires_grad=True)
    (a % b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [-3.0, 4.0]  # -floor(a/b)
    a.grad = b.grad = None
    mg.fmod(a, b).sum().backward()
    assert b.grad.tolist() == [-3.0, 3.0]  # -trunc(a/b)


# ----- lerp, atan2, closeness ---------------------------------------------------------------
def test_lerp_values_dtypes_and_weight_gradient():
    a, b = mg.tensor([0.0, 10.0]), mg.tensor([10.0, 20.0])
    w = mg.tensor(0.25, requires_grad=True)
    out = mg.lerp(a, b, w)
    assert out.tolist() == [2.5, 12.5]
    out.sum().backward()
    assert w.grad.item() == 20.0  # sum of end - input
    assert mg.lerp(a, b, 1.0).tolist() == [10.0, 20.0]  # exact at the ends
    ints = mg.tensor([1, 3])
    assert mg.lerp(ints, ints * 3, mg.tensor(0.5)).tolist() == [2.0, 6.0]  # a 0-d float weight
    with pytest.raises(mg.DTypeError, match="lerp: input and end of dtype int64"):
        mg.lerp(ints, ints, 0.5)
    with pytest.raises(mg.DTypeError, match="lerp: expected dtype float32 for end"):
        mg.lerp(a, b.double(), 0.5)
    with pytest.raises(mg.DTypeError, match="for weight"):
        mg.lerp(a, b, mg.tensor([0.5, 0.5], dtype=mg.float64))
    with pytest.raises(TypeError, match="lerp: end must be a Tensor"):
        mg.lerp(a, 2.0, 0.5)
    with pytest.raises(mg.ShapeError, match="lerp"):
        mg.lerp(a, mg.ones(3), 0.5)


def test_atan2_quadrants_and_integer_input():
    y, x = mg.tensor([1.0, 1.0, -1.0, -1.0]), mg.tensor([1.0, -1.0, -1.0, 1.0])
    expected = [math.pi / 4, 3 * math.pi / 4, -3 * math.pi / 4, -math.pi / 4]
    np.testing.assert_allclose(mg.atan2(y, x).numpy(), expected, rtol=1e-6)
    assert mg.atan2(mg.tensor([1]), mg.tensor([1])).dtype == mg.float32
    with pytest.raises(TypeError, match="atan2: other must be a Tensor"):
        mg.atan2(y, 2.0)


def test_isclose_allclose_equal():
    a = mg.tensor([1.0, 1.0, math.nan, math.inf])
    b = mg.tensor([1.0 + 1e-6, 1.1, math.nan, math.inf])
    assert mg.isclose(a, b).tolist() == [True, False, False, True]
    assert mg.isclose(a, b, equal_nan=True).tolist() == [True, False, True, True]
    assert mg.isclose(a, b, rtol=0.2).tolist()[1] is True
    assert mg.allclose(a[:1], b[:1]) is True and mg.allclose(a, b) is False
    assert mg.isclose(mg.tensor([1]), mg.tensor([2]), atol=1).tolist() == [True]
    assert mg.equal(a[:2], a[:2]) is True and mg.equal(a, a) is False  # NaN != NaN
    assert mg.equal(mg.tensor([1, 2]), mg.tensor([1.0, 2.0])) is True  # values, promoted
    assert mg.equal(mg.ones(2), mg.ones(3)) is False and mg.ones(2).equal(mg.ones(1, 2)) is False
    with pytest.raises(mg.DTypeError, match="isclose: input and other must have the same dtype"):
        mg.isclose(mg.ones(2), mg.ones(2, dtype=mg.float64))
    with pytest.raises(ValueError, match="isclose: rtol must be >= 0"):
        mg.allclose(mg.ones(2), mg.ones(2), rtol=-1)
    with pytest.raises(TypeError, match="equal_nan must be a bool"):
        mg.isclose(mg.ones(2), mg.ones(2), equal_nan=1)
    with pytest.raises(TypeError, match="equal: other must be a Tensor"):
        mg.equal(mg.ones(2), 1.0)


@pytest.mark.parametrize("name", ["sin", "floor", "erf", "isnan", "nan_to_num", "square"])
def test_public_functions_want_a_tensor(name):
    with pytest.raises(TypeError, match=rf"{name}: input must be a Tensor, got list"):
        getattr(mg, name)([1.0, 2.0])
    assert getattr(mg, name)(input=mg.ones(2)).shape == (2,)  # PyTorch's keyword name
