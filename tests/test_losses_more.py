"""The regression, likelihood and pair losses, cosine_similarity and normalize, checked against
PyTorch's definitions written out in float64 numpy (sharing no code with minigrad), against
hand-worked numbers, with float64 gradcheck and gradgradcheck, for gradient dtypes, for
PyTorch's edge cases (probabilities of exactly 0 and 1, zero vectors, clamped variances, the
thresholds of the piecewise losses) and for bad input.
"""

import math
import warnings

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck

EPS32 = float(np.float32(1e-12))  # PyTorch's 1e-12, a float32 constant in its kernels


# ----- references: PyTorch's definitions, in float64 numpy ------------------------------------
def reduced(losses, reduction="mean"):
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def ref_smooth_l1(x, t, beta=1.0):
    d = np.abs(x - t)
    return d if beta == 0 else np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)


def ref_huber(x, t, delta=1.0):
    d = np.abs(x - t)
    return np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))


def ref_bce(x, t, w=1.0):
    log_x, log_1mx = np.maximum(np.log(x), -100), np.maximum(np.log1p(-x), -100)
    return -w * (t * log_x + (1 - t) * log_1mx)


def ref_kl(x, t, log_target=False):
    if log_target:
        return np.exp(t) * (t - x)
    return np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0) - t * x


def ref_poisson(x, t, log_input=True, full=False, eps=1e-8):
    loss = np.exp(x) - t * x if log_input else x - t * np.log(x + eps)
    if full:
        safe = np.where(t > 1, t, 1)
        stirling = safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe)
        loss = loss + np.where(t > 1, stirling, 0)
    return loss


def ref_gaussian(x, t, var, full=False, eps=1e-6):
    var = np.maximum(var, eps)
    return 0.5 * (np.log(var) + (x - t) ** 2 / var) + (0.5 * np.log(2 * np.pi) if full else 0)


def ref_cosine_embedding(a, b, y, margin=0.0):
    cos = (a * b).sum(-1) / np.sqrt(((a * a).sum(-1) + EPS32) * ((b * b).sum(-1) + EPS32))
    return np.where(y == 1, 1 - cos, np.where(y == -1, np.maximum(cos - margin, 0), 0))


def ref_margin_ranking(a, b, y, margin=0.0):
    return np.maximum(-y * (a - b) + margin, 0)


def ref_norm(x, p, axis):
    a = np.abs(x)
    if math.isinf(p):
        return (a.max if p > 0 else a.min)(axis=axis, keepdims=True)
    if p == 0:
        return (a != 0).sum(axis=axis, keepdims=True).astype(x.dtype)
    return (a**p).sum(axis=axis, keepdims=True) ** (1 / p)


def ref_cosine_similarity(a, b, dim=1, eps=1e-8):
    a, b = np.broadcast_arrays(a, b)
    na = np.maximum(ref_norm(a, 2, dim), eps)
    nb = np.maximum(ref_norm(b, 2, dim), eps)
    return (a / na * b / nb).sum(dim)


def ref_normalize(x, p=2.0, dim=1, eps=1e-12):
    return x / np.maximum(ref_norm(x, p, dim), eps)


# ----- the table: (id, minigrad function, reference, input makers, which inputs get grads) -----
def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def uniform(low, high, *shape):
    return lambda rng: rng.uniform(low, high, shape)


def signs(*shape):
    return lambda rng: rng.choice([-1.0, 1.0], shape)


def counts(*shape):  # (not integers: the Stirling term is discontinuous at target = 1)
    return lambda rng: rng.integers(0, 6, shape) + rng.uniform(0.1, 0.9, shape)


W3 = np.array([0.5, 1.0, 2.0])
CASES = [
    (
        "l1",
        lambda x, t: F.l1_loss(x, t),
        lambda x, t: np.abs(x - t).mean(),
        [normal(4, 3), normal(4, 3)],
        (0, 1),
    ),
    (
        "l1_sum_weight",
        lambda x, t, w: F.l1_loss(x, t, reduction="sum", weight=w),
        lambda x, t, w: (w * np.abs(x - t)).sum(),
        [normal(4, 3), normal(4, 3), uniform(0.1, 2, 4, 3)],
        (0, 1, 2),
    ),
    (
        "l1_mean_weight",
        lambda x, t, w: F.l1_loss(x, t, weight=w),
        lambda x, t, w: (w * np.abs(x - t)).sum() / w.sum(),
        [normal(4, 3), normal(4, 3), uniform(0.1, 2, 4, 3)],
        (0, 1, 2),
    ),
    (
        "smooth_l1",
        lambda x, t: F.smooth_l1_loss(x, t),
        lambda x, t: ref_smooth_l1(x, t).mean(),
        [normal(4, 3), normal(4, 3)],
        (0, 1),
    ),
    (
        "smooth_l1_beta",
        lambda x, t: F.smooth_l1_loss(x, t, reduction="none", beta=0.4),
        lambda x, t: ref_smooth_l1(x, t, 0.4),
        [normal(5), normal(5)],
        (0, 1),
    ),
    (
        "smooth_l1_beta0",
        lambda x, t: F.smooth_l1_loss(x, t, reduction="sum", beta=0.0),
        lambda x, t: ref_smooth_l1(x, t, 0.0).sum(),
        [normal(2, 3), normal(2, 3)],
        (0, 1),
    ),
    (
        "huber",
        lambda x, t: F.huber_loss(x, t),
        lambda x, t: ref_huber(x, t).mean(),
        [normal(4, 3), normal(4, 3)],
        (0, 1),
    ),
    (
        "huber_delta_none",
        lambda x, t: F.huber_loss(x, t, "none", 0.6),
        lambda x, t: ref_huber(x, t, 0.6),
        [normal(2, 3), normal(2, 3)],
        (0, 1),
    ),
    (
        "huber_weight",
        lambda x, t, w: F.huber_loss(x, t, weight=w, delta=0.5),
        lambda x, t, w: (w * ref_huber(x, t, 0.5)).mean(),
        [normal(4, 3), normal(4, 3), uniform(0.1, 2, 4, 3)],
        (0, 1, 2),
    ),
    (
        "bce",
        lambda x, t: F.binary_cross_entropy(x, t),
        lambda x, t: ref_bce(x, t).mean(),
        [uniform(0.05, 0.95, 4, 3), uniform(0, 1, 4, 3)],
        (0, 1),
    ),
    (
        "bce_weight_sum",
        lambda x, t: F.binary_cross_entropy(x, t, mg.tensor(W3, dtype=x.dtype), reduction="sum"),
        lambda x, t: ref_bce(x, t, W3).sum(),
        [uniform(0.05, 0.95, 4, 3), uniform(0, 1, 4, 3)],
        (0, 1),
    ),
    (
        "kl_batchmean",
        lambda x, t: F.kl_div(x, t, reduction="batchmean"),
        lambda x, t: ref_kl(x, t).sum() / 4,
        [normal(4, 3), uniform(0.05, 1, 4, 3)],
        (0, 1),
    ),
    (
        "kl_log_target_sum",
        lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True),
        lambda x, t: ref_kl(x, t, True).sum(),
        [normal(4, 3), normal(4, 3)],
        (0, 1),
    ),
    (
        "kl_none",
        lambda x, t: F.kl_div(x, t, reduction="none"),
        ref_kl,
        [normal(2, 3), uniform(0.05, 1, 2, 3)],
        (0, 1),
    ),
    (
        "poisson",
        lambda x, t: F.poisson_nll_loss(x, t),
        lambda x, t: ref_poisson(x, t).mean(),
        [normal(4, 3), counts(4, 3)],
        (0, 1),
    ),
    (
        "poisson_rate",
        lambda x, t: F.poisson_nll_loss(x, t, False, reduction="sum"),
        lambda x, t: ref_poisson(x, t, False).sum(),
        [uniform(0.2, 3, 4, 3), counts(4, 3)],
        (0, 1),
    ),
    (
        "poisson_full",
        lambda x, t: F.poisson_nll_loss(x, t, True, True, reduction="none"),
        lambda x, t: ref_poisson(x, t, True, True),
        [normal(4, 3), counts(4, 3)],
        (0, 1),
    ),
    (
        "gaussian",
        lambda x, t, v: F.gaussian_nll_loss(x, t, v),
        lambda x, t, v: ref_gaussian(x, t, v).mean(),
        [normal(4, 3), normal(4, 3), uniform(0.2, 2, 4, 3)],
        (0, 1, 2),
    ),
    (
        "gaussian_one_dim_short",
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, True, 1e-6, "sum"),
        lambda x, t, v: ref_gaussian(x, t, v[:, None], True).sum(),
        [normal(4, 3), normal(4, 3), uniform(0.2, 2, 4)],
        (0, 1, 2),
    ),
    (
        "gaussian_size_1_dim",
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, reduction="none"),
        lambda x, t, v: ref_gaussian(x, t, v),
        [normal(4, 3), normal(4, 3), uniform(0.2, 2, 1, 3)],
        (0, 1, 2),
    ),
    (
        "gaussian_float_var",
        lambda x, t: F.gaussian_nll_loss(x, t, 0.7, True),
        lambda x, t: ref_gaussian(x, t, 0.7, True).mean(),
        [normal(4, 3), normal(4, 3)],
        (0, 1),
    ),
    (
        "cosine_embedding",
        lambda a, b, y: F.cosine_embedding_loss(a, b, y, 0.2),
        lambda a, b, y: ref_cosine_embedding(a, b, y, 0.2).mean(),
        [normal(4, 5), normal(4, 5), lambda rng: np.array([1.0, -1.0, 1.0, -1.0])],
        (0, 1),
    ),
    (
        "cosine_embedding_0d",
        lambda a, b, y: F.cosine_embedding_loss(a, b, y, reduction="sum"),
        lambda a, b, y: ref_cosine_embedding(a, b, y).sum(),
        [normal(5), normal(5), lambda rng: np.array(-1.0)],
        (0, 1),
    ),
    (
        "cosine_embedding_broadcast",
        lambda a, b, y: F.cosine_embedding_loss(a, b, y, -0.3, reduction="none"),
        lambda a, b, y: ref_cosine_embedding(a, b, y, -0.3),
        [normal(3, 4), normal(1, 4), lambda rng: np.array([1.0, -1.0, 0.0])],
        (0, 1),
    ),
    (
        "margin_ranking",
        lambda a, b, y: F.margin_ranking_loss(a, b, y, 0.3),
        lambda a, b, y: ref_margin_ranking(a, b, y, 0.3).mean(),
        [normal(6), normal(6), signs(6)],
        (0, 1, 2),
    ),
    (
        "margin_ranking_none",
        lambda a, b, y: F.margin_ranking_loss(a, b, y, reduction="none"),
        ref_margin_ranking,
        [normal(2, 3), normal(1, 3), signs(2, 1)],
        (0, 1),
    ),
    (
        "cosine_similarity",
        lambda a, b: F.cosine_similarity(a, b),
        ref_cosine_similarity,
        [normal(4, 5), normal(4, 5)],
        (0, 1),
    ),
    (
        "cosine_similarity_broadcast",
        lambda a, b: F.cosine_similarity(a, b, -1, 1e-3),
        lambda a, b: ref_cosine_similarity(a, b, -1, 1e-3),
        [normal(2, 3, 4), normal(3, 1)],
        (0, 1),
    ),
    ("normalize", lambda x: F.normalize(x), ref_normalize, [normal(4, 5)], (0,)),
    (
        "normalize_p1_dim0",
        lambda x: F.normalize(x, 1, 0),
        lambda x: ref_normalize(x, 1, 0),
        [normal(4, 5)],
        (0,),
    ),
    (
        "normalize_p3_dims",
        lambda x: F.normalize(x, 3.0, (0, 2)),
        lambda x: ref_normalize(x, 3.0, (0, 2)),
        [normal(2, 3, 4)],
        (0,),
    ),
    (
        "normalize_p_half",
        lambda x: F.normalize(x, 0.5, -1),
        lambda x: ref_normalize(x, 0.5, -1),
        [uniform(0.5, 2, 3, 4)],
        (0,),
    ),
    (
        "normalize_inf",
        lambda x: F.normalize(x, math.inf),
        lambda x: ref_normalize(x, math.inf),
        [normal(4, 5)],
        (0,),
    ),
    (
        "normalize_all_dims",
        lambda x: F.normalize(x, 2, None, 0.1),
        lambda x: ref_normalize(x, 2, None, 0.1),
        [normal(3, 2)],
        (0,),
    ),
]
IDS = [c[0] for c in CASES]


def _arrays(makers, seed=0):
    rng = np.random.default_rng(seed)
    return [make(rng) for make in makers]


def _tensors(arrays, grads, dtype=mg.float64):
    return [mg.tensor(a, dtype=dtype, requires_grad=i in grads) for i, a in enumerate(arrays)]


@pytest.mark.parametrize("name, fn, ref, makers, grads", CASES, ids=IDS)
def test_values_match_the_reference(name, fn, ref, makers, grads):
    arrays = _arrays(makers)
    out = fn(*_tensors(arrays, grads))
    assert out.dtype == mg.float64
    np.testing.assert_allclose(out.detach().numpy(), ref(*arrays), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, fn, ref, makers, grads", CASES, ids=IDS)
def test_first_and_second_derivatives(name, fn, ref, makers, grads):
    tensors = _tensors(_arrays(makers, seed=1), grads)
    assert gradcheck(fn, tensors)
    assert gradgradcheck(fn, tensors)


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32, mg.float64], ids=str)
@pytest.mark.parametrize("name, fn, ref, makers, grads", CASES, ids=IDS)
def test_gradients_have_their_inputs_dtype(name, fn, ref, makers, grads, dtype):
    tensors = _tensors(_arrays(makers, seed=2), grads, dtype)
    out = fn(*tensors)
    assert out.dtype == dtype
    _check_grads(out, tensors)


# ----- hand-worked numbers --------------------------------------------------------------------
def t(*values):
    return mg.tensor(list(values), dtype=mg.float64)


# Stirling's term at 2: 2 ln 2 - 2 + 0.5 ln(4 pi) = 1.386294 - 2 + 1.265512 = 0.651806
HAND = [
    ("l1", lambda: F.l1_loss(t(1, -3), t(0, 0)), 2.0),
    ("smooth_l1 (0.125 + 2.5) / 2", lambda: F.smooth_l1_loss(t(0.5, 3), t(0, 0)), 1.3125),
    (
        "huber delta 2: 0.125 + 2 (3 - 1)",
        lambda: F.huber_loss(t(0.5, 3), t(0, 0), "sum", 2.0),
        4.125,
    ),
    ("bce: -(ln 0.8 + ln 0.9) / 2", lambda: F.binary_cross_entropy(t(0.8, 0.1), t(1, 0)), 0.164252),
    (
        "bce of certain mistakes: the logs clamp at -100",
        lambda: F.binary_cross_entropy(t(0, 1), t(1, 0)),
        100.0,
    ),
    (
        "kl: 1 (ln 1 + 0.5)",
        lambda: F.kl_div(t(-1, -0.5)[None], t(0, 1)[None], reduction="batchmean"),
        0.5,
    ),
    (
        "kl 0-d batchmean is the sum",
        lambda: F.kl_div(mg.tensor(-1.0), mg.tensor(0.5), reduction="batchmean"),
        0.5 * math.log(0.5) + 0.5,
    ),
    ("poisson: e^0 - 2 * 0", lambda: F.poisson_nll_loss(t(0), t(2)), 1.0),
    ("poisson rate: 2 - 2 ln 2", lambda: F.poisson_nll_loss(t(2), t(2), False), 0.613706),
    ("poisson full: 1 + stirling(2)", lambda: F.poisson_nll_loss(t(0), t(2), full=True), 1.651806),
    ("poisson full, target 1: no term", lambda: F.poisson_nll_loss(t(0), t(1), full=True), 1.0),
    ("gaussian: 0.5 (ln 1 + 1)", lambda: F.gaussian_nll_loss(t(1), t(0), t(1)), 0.5),
    ("gaussian var 4: 0.5 (ln 4 + 1/4)", lambda: F.gaussian_nll_loss(t(1), t(0), 4.0), 0.818147),
    ("gaussian full: + 0.5 ln 2 pi", lambda: F.gaussian_nll_loss(t(1), t(0), t(1), True), 1.418939),
    (
        "cosine embedding: 1 - 1/sqrt 2",
        lambda: F.cosine_embedding_loss(t(1, 0)[None], t(1, 1)[None], mg.tensor([1])),
        0.292893,
    ),
    (
        "cosine embedding, -1, margin 0.5: 0.7071 - 0.5",
        lambda: F.cosine_embedding_loss(t(1, 0)[None], t(1, 1)[None], mg.tensor([-1]), 0.5),
        0.207107,
    ),
    ("margin ranking: 0.3 + 0.1", lambda: F.margin_ranking_loss(t(0.2), t(0.5), t(1), 0.1), 0.4),
    ("cosine similarity: 24 / 25", lambda: F.cosine_similarity(t(3, 4), t(4, 3), 0), 0.96),
    ("normalize, p = 1: 4 / 7", lambda: F.normalize(t(3, 4), 1, 0)[1], 4 / 7),
    ("normalize, p = inf: 3 / 4", lambda: F.normalize(t(3, 4), math.inf, 0)[0], 0.75),
]


@pytest.mark.parametrize("name, fn, expected", HAND, ids=[h[0] for h in HAND])
def test_hand_worked_numbers(name, fn, expected):
    assert fn().item() == pytest.approx(expected, abs=1e-6)


# ----- PyTorch's edge cases -------------------------------------------------------------------
def test_bce_gradient_is_finite_at_probabilities_0_and_1():
    # PyTorch's (x - t) / max(x (1 - x), 1e-12): 0 where right, -+1e12 where certainly wrong.
    x = mg.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    F.binary_cross_entropy(x, mg.tensor([0.0, 1.0, 1.0, 0.0]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 0, -1 / EPS32, 1 / EPS32], rtol=1e-6)


def test_bce_target_gradient_is_minus_logit():
    x, target = mg.tensor([0.2, 0.7]), mg.tensor([0.5, 0.5], requires_grad=True)
    F.binary_cross_entropy(x, target, reduction="sum").backward()
    np.testing.assert_allclose(target.grad.numpy(), [-math.log(0.25), -math.log(7 / 3)], 1e-6)


def test_kl_div_mean_warns_and_zero_targets_contribute_nothing():
    with pytest.warns(UserWarning, match="batchmean"):
        loss = F.kl_div(mg.tensor([-1.0, -2.0]), mg.tensor([0.0, 1.0]))
    assert loss.item() == pytest.approx(1.0)  # (0 + 1 * (0 + 2)) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a negative target gives nan silently, as in PyTorch
        out = F.kl_div(mg.tensor([-1.0]), mg.tensor([-0.5]), reduction="none")
    assert math.isnan(out.item())


def test_gaussian_nll_clamps_the_variance_but_passes_its_gradient():
    var = mg.tensor([1e-9, 2.0], dtype=mg.float64, requires_grad=True)
    x, target = mg.tensor([1.0, 2.0], dtype=mg.float64), mg.zeros(2, dtype=mg.float64)
    loss = F.gaussian_nll_loss(x, target, var, reduction="sum")
    assert loss.item() == pytest.approx(0.5 * (math.log(1e-6) + 1e6 + math.log(2) + 2))
    loss.backward()  # d/dvar 0.5 (log v + d^2 / v) at the clamped v, as if unclamped
    np.testing.assert_allclose(var.grad.numpy(), [0.5 * (1e6 - 1e12), 0.5 * (0.5 - 1)])


@pytest.mark.parametrize(
    "input_shape, var_shape, ok",
    [
        ((4, 3), (4, 3), True),
        ((4, 3), (4,), True),
        ((4, 3), (4, 1), True),
        ((4, 3), (1, 3), True),
        ((3,), (), True),
        ((4, 3), (3,), False),
        ((4, 3), (), False),
        ((4, 3), (1, 1), False),
        ((4, 3), (2, 3), False),
        ((2, 3, 4), (2, 1, 4), True),
        ((2, 3, 4), (1, 1, 4), False),
    ],
)
def test_gaussian_nll_variance_shapes(input_shape, var_shape, ok):
    x, var = mg.randn(*input_shape), mg.rand(*var_shape) + 0.5
    if ok:
        F.gaussian_nll_loss(x, x * 0.5, var)
    else:
        with pytest.raises(mg.ShapeError, match="var is of incorrect size"):
            F.gaussian_nll_loss(x, x * 0.5, var)


def test_cosine_similarity_of_a_zero_vector():
    # PyTorch clamps the norms unrecorded: the value is 0, and the gradient of the zero vector
    # is the other unit vector over eps (the other one's is 0).
    zero, other = mg.zeros(1, 2, requires_grad=True), mg.tensor([[3.0, 4.0]], requires_grad=True)
    out = F.cosine_similarity(zero, other)
    assert out.item() == 0
    out.backward()
    np.testing.assert_allclose(zero.grad.numpy(), [[0.6e8, 0.8e8]], rtol=1e-6)
    np.testing.assert_array_equal(other.grad.numpy(), [[0, 0]])


def test_normalize_of_a_zero_vector_has_the_gradient_one_over_eps():
    zero = mg.zeros(1, 3, dtype=mg.float64, requires_grad=True)
    out = F.normalize(zero)
    np.testing.assert_array_equal(out.detach().numpy(), [[0, 0, 0]])
    out.sum().backward()
    np.testing.assert_allclose(zero.grad.numpy(), [[1e12] * 3])


@pytest.mark.parametrize(
    "fn",
    [lambda x, t: F.smooth_l1_loss(x, t, reduction="sum"), lambda x, t: F.huber_loss(x, t, "sum")],
)
def test_piecewise_losses_at_the_threshold(fn):
    # At |d| = 1 the gradient is sign(d) and the second derivative 0 (PyTorch's strict <).
    x = mg.tensor([1.0, -1.0, 0.5, 0.0], dtype=mg.float64, requires_grad=True)
    (grad,) = mg.autograd.grad(fn(x, mg.zeros(4, dtype=mg.float64)), [x], create_graph=True)
    np.testing.assert_allclose(grad.detach().numpy(), [1, -1, 0.5, 0])
    (second,) = mg.autograd.grad(grad.sum(), [x])
    np.testing.assert_allclose(second.numpy(), [0, 0, 1, 1])


def test_piecewise_losses_do_not_overflow_in_float16():
    x = mg.tensor([300.0, -0.5], dtype=mg.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "overflow encountered" from squaring 300
        out = F.smooth_l1_loss(x, mg.zeros(2, dtype=mg.float16), reduction="none")
        huber = F.huber_loss(x, mg.zeros(2, dtype=mg.float16), "none")
    np.testing.assert_allclose(out.numpy(), [299.5, 0.125])
    np.testing.assert_allclose(huber.numpy(), [299.5, 0.125])


def test_target_of_another_shape_warns_and_broadcasts_as_in_pytorch():
    x, target = mg.randn(4, 1), mg.randn(4)
    for fn in (F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.mse_loss):
        with pytest.warns(UserWarning, match="different to the input size"):
            out = fn(x, target, reduction="none")
        assert out.shape == (4, 4)


def test_empty_inputs_give_nan_means_and_zero_sums():
    empty = mg.zeros(0)
    for fn in (F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.poisson_nll_loss):
        assert math.isnan(fn(empty, empty).item())
        assert fn(empty, empty, reduction="sum").item() == 0
    assert math.isnan(F.binary_cross_entropy(empty, empty).item())
    assert math.isnan(F.kl_div(mg.zeros(0, 3), mg.zeros(0, 3), reduction="batchmean").item())


def test_positional_options_follow_pytorch():
    x, target = mg.rand(3), mg.rand(3)
    # No size_average/reduce before them in PyTorch: positional here too.
    assert F.huber_loss(x, target, "sum", 0.5).item() == pytest.approx(
        F.huber_loss(x, target, reduction="sum", delta=0.5).item()
    )
    F.gaussian_nll_loss(x, target, mg.ones(3), True, 1e-6, "sum")
    F.poisson_nll_loss(x, target, False, True)
    F.cosine_embedding_loss(x[None], target[None], mg.tensor([1]), 0.5)
    F.normalize(x, 1.0, 0, 1e-3)
    F.cosine_similarity(x, target, 0, 1e-6)
    # PyTorch's positional size_average/reduce would land on another option: refused.
    for call in (
        lambda: F.l1_loss(x, target, None, None, "sum"),
        lambda: F.smooth_l1_loss(x, target, None, None, "sum", 0.5),
        lambda: F.kl_div(x, target, None, None, "sum"),
        lambda: F.binary_cross_entropy(x, target, None, None, None, "sum"),
        lambda: F.poisson_nll_loss(x, target, True, False, None, 1e-8),
        lambda: F.margin_ranking_loss(x, target, target, 0.0, None),
    ):
        with pytest.raises(TypeError, match="positional"):
            call()


def test_loss_modules_hold_pytorch_options():
    x, target = mg.rand(4, 3), mg.rand(4, 3)
    pairs = [
        (nn.L1Loss(reduction="sum"), F.l1_loss(x, target, reduction="sum")),
        (nn.SmoothL1Loss(beta=0.3), F.smooth_l1_loss(x, target, beta=0.3)),
        (nn.HuberLoss("none", 0.2), F.huber_loss(x, target, "none", 0.2)),
        (nn.BCELoss(mg.ones(3) * 2), F.binary_cross_entropy(x, target, mg.ones(3) * 2)),
        (
            nn.KLDivLoss(reduction="sum", log_target=True),
            F.kl_div(x, target, reduction="sum", log_target=True),
        ),
        (
            nn.PoissonNLLLoss(False, True, eps=1e-3),
            F.poisson_nll_loss(x, target, False, True, eps=1e-3),
        ),
    ]
    for module, expected in pairs:
        np.testing.assert_allclose(module(x, target).numpy(), expected.numpy())
    var = mg.ones(4, 3)
    np.testing.assert_allclose(
        nn.GaussianNLLLoss(full=True, reduction="sum")(x, target, var).numpy(),
        F.gaussian_nll_loss(x, target, var, True, reduction="sum").numpy(),
    )
    y = mg.tensor([1, -1, 1, -1])
    assert nn.CosineEmbeddingLoss(0.1)(x, target, y).item() == pytest.approx(
        F.cosine_embedding_loss(x, target, y, 0.1).item()
    )
    a, b, s = mg.randn(5), mg.randn(5), mg.tensor([1.0, -1, 1, 1, -1])
    assert nn.MarginRankingLoss(0.2, reduction="sum")(a, b, s).item() == pytest.approx(
        F.margin_ranking_loss(a, b, s, 0.2, reduction="sum").item()
    )
    assert list(nn.BCELoss(mg.ones(3)).state_dict()) == ["weight"]  # a buffer, as in PyTorch
    assert repr(nn.L1Loss()) == "L1Loss()"


# ----- bad input ------------------------------------------------------------------------------
def x23():
    return mg.randn(2, 3)


def p23():
    return mg.rand(2, 3) * 0.8 + 0.1


BAD = [  # (id, call, exception, words the message must contain)
    ("l1_reduction", lambda: F.l1_loss(x23(), x23(), reduction="avg"), ValueError, "reduction"),
    ("l1_shapes", lambda: F.l1_loss(x23(), mg.randn(4)), mg.ShapeError, "input.*target"),
    ("l1_integers", lambda: F.l1_loss(mg.arange(3), mg.arange(3)), mg.DTypeError, "target"),
    (
        "l1_weight_shape",
        lambda: F.l1_loss(x23(), x23(), weight=mg.ones(3)),
        mg.ShapeError,
        "weight",
    ),
    ("l1_not_a_tensor", lambda: F.l1_loss([1.0], x23()), TypeError, "input must be a Tensor"),
    (
        "smooth_negative_beta",
        lambda: F.smooth_l1_loss(x23(), x23(), beta=-1.0),
        mg.OptionError,
        "beta",
    ),
    ("smooth_beta_string", lambda: F.smooth_l1_loss(x23(), x23(), beta="1"), TypeError, "beta"),
    ("smooth_shapes", lambda: F.smooth_l1_loss(x23(), mg.randn(3, 2)), mg.ShapeError, "target"),
    ("huber_delta_zero", lambda: F.huber_loss(x23(), x23(), delta=0.0), mg.OptionError, "delta"),
    ("huber_reduction", lambda: F.huber_loss(x23(), x23(), "avg"), ValueError, "reduction"),
    (
        "bce_target_shape",
        lambda: F.binary_cross_entropy(p23(), mg.rand(3)),
        mg.ShapeError,
        "target size",
    ),
    (
        "bce_target_dtype",
        lambda: F.binary_cross_entropy(p23(), p23().double()),
        mg.DTypeError,
        "target must have the input's dtype",
    ),
    (
        "bce_integer_input",
        lambda: F.binary_cross_entropy(mg.ones(3, dtype=mg.int64), mg.ones(3, dtype=mg.int64)),
        mg.DTypeError,
        "input",
    ),
    (
        "bce_input_range",
        lambda: F.binary_cross_entropy(p23() + 1, p23()),
        RuntimeError,
        "elements of input should be between 0 and 1",
    ),
    (
        "bce_target_range",
        lambda: F.binary_cross_entropy(p23(), p23() - 1),
        RuntimeError,
        "elements of target",
    ),
    (
        "bce_weight_shape",
        lambda: F.binary_cross_entropy(p23(), p23(), mg.ones(4)),
        mg.ShapeError,
        "weight",
    ),
    (
        "bce_weight_grad",
        lambda: F.binary_cross_entropy(p23(), p23(), mg.ones(3, requires_grad=True)),
        RuntimeError,
        "weight",
    ),
    ("kl_reduction", lambda: F.kl_div(x23(), p23(), reduction="batch"), ValueError, "batchmean"),
    (
        "kl_integer_target",
        lambda: F.kl_div(x23(), mg.ones(2, 3, dtype=mg.int64)),
        mg.DTypeError,
        "target",
    ),
    ("kl_shapes", lambda: F.kl_div(x23(), mg.rand(4), reduction="sum"), mg.ShapeError, "target"),
    (
        "kl_log_target_flag",
        lambda: F.kl_div(x23(), p23(), reduction="sum", log_target="yes"),
        TypeError,
        "log_target",
    ),
    ("poisson_flag", lambda: F.poisson_nll_loss(x23(), x23(), 1), TypeError, "log_input"),
    ("poisson_shapes", lambda: F.poisson_nll_loss(x23(), mg.rand(5)), mg.ShapeError, "target"),
    (
        "gaussian_negative_var",
        lambda: F.gaussian_nll_loss(x23(), x23(), -mg.ones(2, 3)),
        mg.OptionError,
        "var has negative",
    ),
    ("gaussian_int_var", lambda: F.gaussian_nll_loss(x23(), x23(), 1), TypeError, "var"),
    (
        "gaussian_integer_var_tensor",
        lambda: F.gaussian_nll_loss(x23(), x23(), mg.ones(2, 3, dtype=mg.int64)),
        mg.DTypeError,
        "var",
    ),
    (
        "gaussian_target_shapes",
        lambda: F.gaussian_nll_loss(x23(), mg.rand(4), mg.ones(2, 3)),
        mg.ShapeError,
        "target",
    ),
    (
        "cel_target_2d",
        lambda: F.cosine_embedding_loss(x23(), x23(), mg.ones(2, 1)),
        mg.ShapeError,
        "target",
    ),
    (
        "cel_input_rank",
        lambda: F.cosine_embedding_loss(mg.randn(3), mg.randn(3), mg.ones(3)),
        mg.ShapeError,
        "input1",
    ),
    (
        "cel_input_shapes",
        lambda: F.cosine_embedding_loss(x23(), mg.randn(2, 4), mg.ones(2)),
        mg.ShapeError,
        "input1.*input2",
    ),
    (
        "cel_target_length",
        lambda: F.cosine_embedding_loss(x23(), x23(), mg.ones(3)),
        mg.ShapeError,
        "target",
    ),
    (
        "mrl_ranks",
        lambda: F.margin_ranking_loss(mg.randn(3), mg.randn(3), mg.tensor(1.0)),
        mg.ShapeError,
        "target",
    ),
    (
        "mrl_bool_target",
        lambda: F.margin_ranking_loss(mg.randn(3), mg.randn(3), mg.ones(3, dtype=mg.bool)),
        mg.DTypeError,
        "target",
    ),
    (
        "mrl_margin",
        lambda: F.margin_ranking_loss(mg.randn(3), mg.randn(3), mg.ones(3), "a"),
        TypeError,
        "margin",
    ),
    (
        "cs_integers",
        lambda: F.cosine_similarity(mg.arange(3), mg.arange(3), 0),
        mg.DTypeError,
        "x1 and x2",
    ),
    ("cs_shapes", lambda: F.cosine_similarity(x23(), mg.randn(2, 4)), mg.ShapeError, "x1.*x2"),
    ("cs_dim_range", lambda: F.cosine_similarity(x23(), x23(), 2), IndexError, "dim"),
    ("cs_dim_tuple", lambda: F.cosine_similarity(x23(), x23(), (0, 1)), TypeError, "dim"),
    ("cs_negative_eps", lambda: F.cosine_similarity(x23(), x23(), 1, -1.0), mg.OptionError, "eps"),
    ("normalize_integers", lambda: F.normalize(mg.arange(3)), mg.DTypeError, "input"),
    ("normalize_dim", lambda: F.normalize(mg.randn(3)), IndexError, "dim"),
    ("normalize_p", lambda: F.normalize(x23(), "nuc"), mg.OptionError, "p"),
    (
        "normalize_inf_of_nothing",
        lambda: F.normalize(mg.zeros(2, 0), math.inf),
        mg.OptionError,
        "inf norm",
    ),
]


@pytest.mark.parametrize("name, call, kind, words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_clearly(name, call, kind, words):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the shape-mismatch warning comes first)
        with pytest.raises(kind, match=f"(?i){words}"):
            call()
