"""The cross-entropy family, checked against hand-worked numbers and independent references.

The references below are PyTorch's definitions written out in float64 numpy, one position at a
time, sharing no code with minigrad. Values are compared with them directly; gradients with
their central differences (so a gradient is checked against the *definition*, not against
minigrad's own forward). `gradcheck`/`gradgradcheck` then check first and second derivatives
of every path: the fused node for class indices (its create_graph formula included), label
smoothing and class probabilities (composed), on 1-d, 2-d and k-d inputs; and the composed
version, nll_loss(log_softmax(x)), is the oracle the fused node must equal.
"""

import contextlib
import itertools
import re
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck

DOC = Path(__file__).resolve().parents[1] / "docs" / "cross-entropy.md"


# ----- references: the definitions, in float64 numpy ----------------------------------------
def ref_log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _reduce(losses, reduction, denominator):
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return losses.sum() / denominator


def ref_cross_entropy(
    x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """PyTorch's cross_entropy from its documented formulas, position by position."""
    x, target = np.asarray(x, np.float64), np.asarray(target)
    one_sample = x.ndim == 1
    if one_sample:
        x, target = x[None], target[None]
    n_classes = x.shape[1]
    w = np.ones(n_classes) if weight is None else np.asarray(weight, np.float64)
    eps = label_smoothing
    logp = np.moveaxis(ref_log_softmax(x, 1), 1, -1)  # (N, *d, C)
    if target.dtype.kind == "f":  # class probabilities, smoothed towards uniform
        q = np.moveaxis(target, 1, -1) * (1 - eps) + eps / n_classes
        losses = -(w * q * logp).sum(-1)
        denominator = losses.size  # positions, not a weight sum
    else:
        losses, denominator = np.zeros(target.shape), 0.0
        for pos in np.ndindex(target.shape):
            y = int(target[pos])
            if y == ignore_index:
                continue
            losses[pos] = -(1 - eps) * w[y] * logp[pos][y] - eps / n_classes * (w * logp[pos]).sum()
            denominator += w[y]
    out = _reduce(losses, reduction, denominator)
    return out[0] if one_sample and reduction == "none" else out


def ref_nll_loss(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    logp, target = np.asarray(logp, np.float64), np.asarray(target)
    if logp.ndim == 1:
        logp, target = logp[None], target[None]
    w = np.ones(logp.shape[1]) if weight is None else np.asarray(weight, np.float64)
    losses, denominator = np.zeros(target.shape), 0.0
    for pos in np.ndindex(target.shape):
        y = int(target[pos])
        if y != ignore_index:
            losses[pos] = -w[y] * logp[(pos[0], y) + pos[1:]]
            denominator += w[y]
    return _reduce(losses, reduction, denominator)


def ref_bce_with_logits(x, t, weight=None, reduction="mean", pos_weight=None):
    """-w [pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))], with log sigmoid via logaddexp."""
    log_sig, log_one_minus_sig = -np.logaddexp(0, -x), -np.logaddexp(0, x)
    pw = 1.0 if pos_weight is None else pos_weight
    losses = -(pw * t * log_sig + (1 - t) * log_one_minus_sig)
    losses = losses * (1.0 if weight is None else weight)
    return _reduce(losses, reduction, losses.size)


def numerical_grad(f, x, v, h=1e-6):
    """d/dx of sum(v * f(x)), by central differences."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = ((v * f(plus)).sum() - (v * f(minus)).sum()) / (2 * h)
    return grad


def as_numpy(t):
    return np.asarray(t.detach())


# ----- the hand-checkable numbers ----------------------------------------------------
HAND_CHECKED = [  # (id, logits, target, kwargs, expected loss)
    ("identity_logits", [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 1, 2], {}, 0.5514),
    ("confident_rows", [[1, 4, 1, 1], [5, 1, 2, 1], [1, 2, 5, 1]], [1, 0, 2], {}, 0.10166),
    ("one_row", [[0, 1, 2, 3]], [3], {}, 0.4402),
    ("weighted", [[1.3, 2.0], [1.3, 2.0]], [1, 1], {"weight": [1.3, 2.0]}, 0.4032),
    # lse = ln(e^4 + 2) = 4.03597; T = (0.8, 0.1, 0.1): 0.8 * 0.03597 + 0.2 * 4.03597
    ("smoothed", [[4, 0, 0]], [0], {"label_smoothing": 0.3}, 0.8360),
    # rows 0 and 1 each cost ln(1 + e^-2) = 0.12693; row 2 is ignored and not counted
    ("ignored", [[2, 0], [0, 2], [5, 5]], [0, 1, -100], {}, 0.1269),
    # weights (2, 1, 1): (1 - eps) w_y (-log p_y) + eps/C sum_c w_c (-log p_c), over D = w_y:
    # (0.7 * 2 * 0.03597 + 0.1 * (2 * 0.03597 + 4.03597 + 4.03597)) / 2
    ("smoothed_weighted", [[4, 0, 0]], [0], {"label_smoothing": 0.3, "weight": [2, 1, 1]}, 0.4324),
]


@pytest.mark.parametrize(
    ("logits", "target", "kwargs", "expected"),
    [c[1:] for c in HAND_CHECKED],
    ids=[c[0] for c in HAND_CHECKED],
)
def test_hand_checked_values(logits, target, kwargs, expected, device):
    kwargs = {
        k: mg.tensor(v, dtype=mg.float32, device=device) if k == "weight" else v
        for k, v in kwargs.items()
    }
    logits = mg.tensor(logits, dtype=mg.float32, device=device)
    loss = F.cross_entropy(logits, mg.tensor(target, device=device), **kwargs)
    assert loss.dtype == mg.float32 and loss.shape == ()
    assert loss.item() == pytest.approx(expected, abs=5e-5)


def test_hand_checked_pieces(device):
    rows = F.log_softmax(mg.tensor([[1.0, 0, 0], [0, 1, 0], [0, 0, 1]], device=device), dim=1)
    np.testing.assert_allclose(np.diag(as_numpy(rows)), [-0.5514] * 3, atol=5e-5)
    np.testing.assert_allclose(as_numpy(rows)[0], [-0.5514, -1.5514, -1.5514], atol=5e-5)
    # The "confident" example is the mean of -ln 0.87005, -ln 0.92046, -ln 0.92046.
    probs = F.softmax(mg.tensor([[1.0, 4, 1, 1], [5, 1, 2, 1], [1, 2, 5, 1]], device=device), 1)
    np.testing.assert_allclose(
        as_numpy(probs)[[0, 1, 2], [1, 0, 2]], [0.87005, 0.92046, 0.92046], atol=5e-6
    )
    assert np.mean(-np.log([0.87005, 0.92046, 0.92046])) == pytest.approx(0.10166, abs=1e-5)


@pytest.mark.parametrize("p", [[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [1 / 3] * 3])
def test_uniform_logits_cost_ln3_whatever_the_probabilities(p, device):
    x = mg.ones(3, device=device, requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor(p, device=device))
    loss.backward()
    assert loss.item() == pytest.approx(np.log(3), abs=1e-6)  # 1.0986
    np.testing.assert_allclose(as_numpy(x.grad), 1 / 3 - np.array(p), atol=1e-6)


def test_bce_with_logits_hand_checked(device):
    loss = F.binary_cross_entropy_with_logits(
        mg.tensor(1.0, device=device), mg.tensor(1.0, device=device)
    )
    assert loss.item() == pytest.approx(-np.log(1 / (1 + np.exp(-1.0))), abs=1e-6)  # 0.3133
    assert loss.item() == pytest.approx(0.3133, abs=5e-5)


def test_huge_and_infinite_logits_are_stable(device):
    x = mg.tensor([1000.0, 0.0, -1000.0], device=device, requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor(2, device=device))
    loss.backward()
    assert loss.item() == 2000.0
    np.testing.assert_array_equal(as_numpy(x.grad), [1.0, 0.0, -1.0])
    # -inf in a class that is not the target: that class just has probability 0.
    x = mg.tensor([[1.0, -np.inf, 0.0]], device=device, requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor([0], device=device))
    loss.backward()
    assert loss.item() == pytest.approx(np.log(1 + np.exp(-1)), abs=1e-6)
    assert np.isfinite(as_numpy(x.grad)).all() and as_numpy(x.grad)[0, 1] == 0
    # BCE: +-1000 logits give exact, finite losses and gradients.
    x = mg.tensor([1000.0, -1000.0, 1000.0, -1000.0], device=device, requires_grad=True)
    t = mg.tensor([1.0, 0.0, 0.0, 1.0], device=device)
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    loss.sum().backward()
    np.testing.assert_array_equal(as_numpy(loss), [0, 0, 1000, 1000])
    np.testing.assert_array_equal(as_numpy(x.grad), [0, 0, 1, -1])


@pytest.mark.parametrize("kind", ["index", "probabilities"])
def test_reductions_agree(kind, device):
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.standard_normal((5, 4)), dtype=mg.float32, device=device)
    t = rng.integers(0, 4, 5) if kind == "index" else rng.dirichlet(np.ones(4), 5)
    t = mg.tensor(t, dtype=None if kind == "index" else mg.float32, device=device)
    w = mg.tensor([0.5, 1.0, 2.0, 1.5], device=device)
    none, total, mean = (
        F.cross_entropy(x, t, weight=w, reduction=r).item()
        if r != "none"
        else as_numpy(F.cross_entropy(x, t, weight=w, reduction=r))
        for r in ("none", "sum", "mean")
    )
    assert none.shape == (5,)
    assert none.sum() == pytest.approx(total, rel=1e-6)
    divisor = as_numpy(w)[as_numpy(t)].sum() if kind == "index" else 5
    assert total / divisor == pytest.approx(mean, rel=1e-6)


# ----- every combination of options against the float64 reference ---------------------------
RANKS = {"C": (4,), "NC": (3, 4), "NCd": (2, 4, 3)}


def _combinations():
    for rank, kind, weighted, ignore, smoothing, reduction in itertools.product(
        RANKS,
        ["index", "probabilities"],
        [False, True],
        [None, -100, 1],
        [0.0, 0.25],
        ["none", "sum", "mean"],
    ):
        if kind == "probabilities" and ignore is not None:
            continue  # ignore_index is for class indices only
        yield rank, kind, weighted, ignore, smoothing, reduction


def _case(rank, kind, weighted, ignore, seed=0):
    """float64 logits, targets (some equal to `ignore`), optional class weights."""
    rng = np.random.default_rng(seed)
    shape = RANKS[rank]
    x = rng.standard_normal(shape)
    if kind == "probabilities":
        positions = () if rank == "C" else shape[:1] + shape[2:]
        target = rng.dirichlet(np.ones(4), positions)  # (*positions, C): rows sum to 1
        # (contiguous: gradcheck perturbs an input through a flat view of its array)
        target = target if rank == "C" else np.ascontiguousarray(np.moveaxis(target, -1, 1))
    elif rank == "C":
        target = np.array(2)  # one sample: ignoring it would leave nothing (tested apart)
    else:
        target = rng.integers(0, 4, shape[:1] + shape[2:])
        if ignore == -100:
            target.flat[::2] = -100
        elif ignore == 1:
            target.flat[::2] = 1
    weight = rng.uniform(0.5, 1.5, 4) if weighted else None
    return x, target, weight


@pytest.mark.parametrize(
    ("rank", "kind", "weighted", "ignore", "smoothing", "reduction"),
    list(_combinations()),
    ids=lambda v: str(v),
)
def test_cross_entropy_matches_the_definition(
    rank, kind, weighted, ignore, smoothing, reduction, device
):
    x, target, weight = _case(rank, kind, weighted, ignore)
    kwargs = {"reduction": reduction, "label_smoothing": smoothing}
    if ignore is not None:
        kwargs["ignore_index"] = ignore

    def reference(x_, t_=target):
        return np.asarray(ref_cross_entropy(x_, t_, weight, **kwargs))

    xt = mg.tensor(x, device=device, requires_grad=True)
    tt = mg.tensor(target, device=device, requires_grad=kind == "probabilities")
    wt = None if weight is None else mg.tensor(weight, device=device)
    loss = F.cross_entropy(xt, tt, weight=wt, **kwargs)
    expected = reference(x)
    assert loss.shape == expected.shape and loss.dtype == mg.float64
    np.testing.assert_allclose(as_numpy(loss), expected, rtol=1e-12, atol=1e-12)

    v = np.random.default_rng(7).standard_normal(expected.shape)
    loss.backward(mg.tensor(v, device=device))
    np.testing.assert_allclose(as_numpy(xt.grad), numerical_grad(reference, x, v), atol=1e-7)
    if kind == "probabilities":  # the soft target gets a gradient too, as in PyTorch
        by_target = numerical_grad(lambda t_: reference(x, t_), target, v)
        np.testing.assert_allclose(as_numpy(tt.grad), by_target, atol=1e-7)


# Every path, each on 1-d, 2-d and k-d inputs: (id, kind, weighted, ignore, smoothing).
PATHS = [
    ("fused", "index", False, None, 0.0),
    ("fused_weight_ignore", "index", True, -100, 0.0),
    ("fused_ignore_a_class", "index", False, 1, 0.0),
    ("smoothed", "index", False, None, 0.25),
    ("smoothed_weight_ignore", "index", True, -100, 0.25),
    ("probabilities", "probabilities", False, None, 0.0),
    ("probabilities_weight_smoothed", "probabilities", True, None, 0.25),
]
REDUCTIONS = {"C": "sum", "NC": "mean", "NCd": "none"}


def _path_inputs(path, rank, device, weight_requires_grad=False):
    """(fn, inputs): the loss of `path` on `rank` as a function of the inputs that get a
    gradient (the logits; for probabilities the target too, and the weight if asked)."""
    _, kind, weighted, ignore, smoothing = path
    x, target, weight = _case(rank, kind, weighted, ignore, seed=3)
    if ignore == 1 and rank != "C":
        target.flat[1] = 0  # (one target that counts, whatever the seed drew)
    xt = mg.tensor(x, device=device, requires_grad=True)
    soft = kind == "probabilities"
    tt = mg.tensor(target, device=device, requires_grad=soft)
    wt = None if weight is None else mg.tensor(weight, device=device)
    kwargs = {"reduction": REDUCTIONS[rank], "label_smoothing": smoothing}
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    if soft and wt is not None and weight_requires_grad:
        wt.requires_grad_()
        return (lambda a, b, c: F.cross_entropy(a, b, weight=c, **kwargs)), (xt, tt, wt)
    if soft:
        return (lambda a, b: F.cross_entropy(a, b, weight=wt, **kwargs)), (xt, tt)
    return (lambda a: F.cross_entropy(a, tt, weight=wt, **kwargs)), (xt,)


@pytest.mark.parametrize("rank", list(RANKS))
@pytest.mark.parametrize("path", PATHS, ids=[p[0] for p in PATHS])
def test_every_path_first_and_second_derivatives(path, rank, device):
    fn, inputs = _path_inputs(path, rank, device, weight_requires_grad=True)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("rank", list(RANKS))
@pytest.mark.parametrize("path", PATHS[:3], ids=[p[0] for p in PATHS[:3]])
def test_the_fused_create_graph_formula_equals_the_fast_one(path, rank, device):
    """Under create_graph the fused node builds its gradient from softmax Tensors instead of
    its arrays: a second formula, which must give the same numbers."""
    fn, inputs = _path_inputs(path, rank, device)
    out = fn(*inputs)
    seed = mg.tensor(np.random.default_rng(4).standard_normal(out.shape), device=device)
    fast = mg.autograd.grad(out, inputs, seed, retain_graph=True)
    graph = mg.autograd.grad(out, inputs, seed, create_graph=True)
    for a, b in zip(fast, graph, strict=True):
        np.testing.assert_allclose(as_numpy(b), as_numpy(a), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("path", PATHS, ids=[p[0] for p in PATHS])
def test_derivatives_of_any_order(path, device):
    """Third derivatives too: gradgradcheck of the gradient checks the loss to third order."""
    fn, inputs = _path_inputs(path, "NCd", device)
    v = mg.tensor(np.random.default_rng(5).standard_normal(fn(*inputs).shape), device=device)

    def gradient(*a):
        return mg.autograd.grad(fn(*a), a[0], v, create_graph=True)[0]

    assert gradgradcheck(gradient, inputs)


@pytest.mark.parametrize(
    ("weighted", "ignore", "reduction", "rank"),
    [
        (w, i, r, k)
        for w, i, r, k in itertools.product(
            [False, True], [None, -100, 1], ["none", "sum", "mean"], ["C", "NC", "NCd"]
        )
    ],
)
def test_fused_cross_entropy_equals_nll_of_log_softmax(weighted, ignore, reduction, rank, device):
    """The composed version is the oracle: values, gradients and second derivatives."""
    x, target, weight = _case(rank, "index", weighted, ignore, seed=5)
    kwargs = {"reduction": reduction} | ({} if ignore is None else {"ignore_index": ignore})
    wt = None if weight is None else mg.tensor(weight, device=device)
    tt = mg.tensor(target, device=device)
    results = []
    for fused in (True, False):
        xt = mg.tensor(x, device=device, requires_grad=True)
        if fused:
            loss = F.cross_entropy(xt, tt, weight=wt, **kwargs)
        else:
            loss = F.nll_loss(
                F.log_softmax(xt, dim=0 if rank == "C" else 1), tt, weight=wt, **kwargs
            )
        loss.sum().backward()
        results.append((as_numpy(loss), as_numpy(xt.grad)))
    (fused_loss, fused_grad), (chain_loss, chain_grad) = results
    np.testing.assert_allclose(fused_loss, chain_loss, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(fused_grad, chain_grad, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        chain_loss,
        ref_nll_loss(ref_log_softmax(x, 0 if rank == "C" else 1), target, weight, **kwargs),
        rtol=1e-12,
    )
    # Second order: the fused node's create_graph formula against the composed graph.
    u = np.random.default_rng(6).standard_normal(x.shape)
    hessian_u = []
    for fused in (True, False):
        xt = mg.tensor(x, device=device, requires_grad=True)
        logits = xt if fused else F.log_softmax(xt, dim=0 if rank == "C" else 1)
        loss = (F.cross_entropy if fused else F.nll_loss)(logits, tt, weight=wt, **kwargs)
        (g,) = mg.autograd.grad(loss.sum(), xt, create_graph=True)
        hessian_u.append(as_numpy(mg.autograd.grad((g * mg.tensor(u, device=device)).sum(), xt)[0]))
    np.testing.assert_allclose(hessian_u[0], hessian_u[1], rtol=1e-12, atol=1e-15)


def test_class_indices_are_one_fused_entry_and_the_rest_is_composed(device):
    x = mg.randn(4, 3, device=device, requires_grad=True)
    w = mg.ones(3, device=device)
    y = mg.tensor([0, 1, -100, 0], device=device)
    fused = F.cross_entropy(x, y, weight=w)
    assert [e.op for e in mg.autograd.tape(fused)] == ["cross_entropy"]
    assert repr(fused).endswith("grad_fn=<cross_entropy>)")
    smoothed = [
        e.op for e in mg.autograd.tape(F.cross_entropy(x, y, weight=w, label_smoothing=0.1))
    ]
    assert smoothed[:2] == ["log_softmax", "nll_loss"] and "cross_entropy" not in smoothed
    soft = [e.op for e in mg.autograd.tape(F.cross_entropy(x, mg.rand(4, 3, device=device)))]
    assert soft[0] == "log_softmax" and "cross_entropy" not in soft


def test_probability_targets_differentiate_the_weight(device):
    """As in PyTorch: with class probabilities, loss = -sum_c w_c q_c log p_c is differentiable
    in w (q the smoothed target). Hand-worked for one sample, then finite differences."""
    x = mg.tensor([[0.0, 0.0]], dtype=mg.float64, device=device, requires_grad=True)
    q = mg.tensor([[0.25, 0.75]], dtype=mg.float64, device=device)
    w = mg.tensor([2.0, 4.0], dtype=mg.float64, device=device, requires_grad=True)
    F.cross_entropy(x, q, weight=w).backward()  # log p = log 1/2 for both classes
    np.testing.assert_allclose(as_numpy(w.grad), [0.25 * np.log(2), 0.75 * np.log(2)])
    x, q = (mg.rand(3, 4, dtype=mg.float64, device=device, requires_grad=True) for _ in "xq")
    w = mg.rand(4, dtype=mg.float64, device=device, requires_grad=True)
    for reduction in ("mean", "sum", "none"):

        def loss(x, q, w, reduction=reduction):
            return F.cross_entropy(x, q, weight=w, label_smoothing=0.1, reduction=reduction)

        assert gradcheck(loss, (x, q, w)) and gradgradcheck(loss, (x, q, w))


def test_negative_label_smoothing_means_none():  # PyTorch's rule
    x, y = mg.randn(4, 3), mg.tensor([0, 2, 1, 1])
    assert F.cross_entropy(x, y, label_smoothing=-0.3).item() == F.cross_entropy(x, y).item()


@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.2, "reduction": "sum"}])
def test_a_retained_graph_keeps_what_backward_reuses(kwargs, device):
    """The last backward turns the saved exp buffer into the gradient; earlier ones must not."""
    x = mg.randn(5, 4, dtype=mg.float64, device=device, requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor([0, 3, 1, 1, 2], device=device), **kwargs)
    loss.backward(retain_graph=True)
    once = as_numpy(x.grad).copy()
    loss.backward(retain_graph=True)  # the saved arrays are intact...
    np.testing.assert_allclose(as_numpy(x.grad), 2 * once, rtol=1e-15)
    loss.backward()  # ...and the last pass may reuse them
    np.testing.assert_allclose(as_numpy(x.grad), 3 * once, rtol=1e-15)
    assert not np.allclose(once, 0)


def test_an_error_after_the_last_backward_leaves_no_half_used_entry(device):
    """The last backward overwrites its saved buffer; a retry must fail, not use it."""
    x = mg.randn(4, 3, device=device, requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor([0, 2, 1, 0], device=device))

    def planted(grad):
        raise ValueError("planted")

    handle = x.register_hook(planted)
    with pytest.raises(ValueError, match="planted"):
        loss.backward()
    handle.remove()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_float32_stays_float32(device):
    x = mg.randn(8, 5, device=device, requires_grad=True)
    for target in (mg.randint(0, 5, (8,), device=device), mg.rand(8, 5, device=device)):
        for kwargs in ({}, {"weight": mg.rand(5, device=device), "label_smoothing": 0.1}):
            x.grad = None
            loss = F.cross_entropy(x, target, **kwargs)
            loss.backward()
            assert loss.dtype == mg.float32 and x.grad.dtype == mg.float32


def test_all_targets_ignored_gives_nan_and_zero_gradient(device, recwarn):
    x = mg.randn(3, 4, device=device, requires_grad=True)
    ignored = mg.tensor([-100, -100, -100], device=device)
    for smoothing in (0.0, 0.2):
        x.grad = None
        loss = F.cross_entropy(x, ignored, label_smoothing=smoothing)
        loss.backward()
        assert np.isnan(loss.item())
        np.testing.assert_array_equal(as_numpy(x.grad), np.zeros((3, 4)))
    assert F.cross_entropy(x, ignored, reduction="sum").item() == 0.0
    np.testing.assert_array_equal(as_numpy(F.cross_entropy(x, ignored, reduction="none")), 0)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]  # quiet, as torch


def test_empty_batch(device):
    x = mg.zeros(0, 3, device=device, requires_grad=True)
    y = mg.zeros(0, dtype=mg.int64, device=device)
    assert np.isnan(F.cross_entropy(x, y).item())
    assert F.cross_entropy(x, y, reduction="sum").item() == 0.0
    assert F.cross_entropy(x, y, reduction="none").shape == (0,)


def test_uint8_targets_are_accepted_like_pytorchs_byte(device):
    x = mg.randn(3, 4, device=device)
    y = mg.tensor([0, 3, 1], device=device)
    expected = F.cross_entropy(x, y).item()
    assert F.cross_entropy(x, y.to(mg.dtypes.as_dtype("uint8"))).item() == expected


LEGACY_CALLS = [  # PyTorch's deprecated size_average/reduce: by name, or by position
    lambda x, y: F.cross_entropy(x, y, size_average=False),
    lambda x, y: F.cross_entropy(x, y, reduce=False),
    lambda x, y: F.cross_entropy(x, y, None, None),  # size_average's place in PyTorch
    lambda x, y: F.nll_loss(F.log_softmax(x, 1), y, None, True, -100),
    lambda x, y: F.binary_cross_entropy_with_logits(x, x, reduce=True),
    lambda x, y: F.mse_loss(x, x, None, None, "sum"),
    lambda x, y: nn.CrossEntropyLoss(None, False),
    lambda x, y: nn.NLLLoss(size_average=True),
    lambda x, y: nn.BCEWithLogitsLoss(reduce=False),
    lambda x, y: nn.MSELoss(None, None, "sum"),
]


@pytest.mark.parametrize("call", LEGACY_CALLS)
def test_size_average_and_reduce_are_not_taken(call, device):
    """Gone, not deprecated: a TypeError names the argument (or the positional count), and no
    argument after `weight` can land in the wrong place positionally."""
    x, y = mg.randn(3, 4, device=device), mg.tensor([0, 1, 2], device=device)
    with pytest.raises(TypeError, match="size_average|reduce|positional argument"):
        call(x, y)


@pytest.mark.gpu
@pytest.mark.parametrize(
    "kwargs", [{}, {"weight": [1.0, 2.0, 0.5, 1.0, 1.5]}, {"label_smoothing": 0.1}]
)
@pytest.mark.parametrize("spatial", [(), (2,)])
def test_on_cuda_an_out_of_range_target_gives_nan_without_a_host_sync(kwargs, spatial):
    """A range check would read the targets back from the GPU every step; on cupy the check
    runs on the device instead (in the fused kernel, or in array ops): the loss and the
    gradient row of a target out of range are nan, where PyTorch stops on a device-side
    assert. cupyx.allow_synchronize(False) raises on a host synchronisation (an API that cupy
    deprecated: where it is gone, the nan is still checked)."""
    if not mg.cuda.is_available():
        pytest.skip("needs cupy and a CUDA device")
    import cupyx

    no_sync = getattr(cupyx, "allow_synchronize", lambda allow: contextlib.nullcontext())
    x = mg.randn(4, 5, *spatial, device="cuda", requires_grad=True)
    y = np.array([0, 7, 2, -100]).reshape((4,) + (1,) * len(spatial)) * np.ones(spatial, int)
    y = mg.tensor(y.astype(np.int64), device="cuda")  # 7: no class of 5; -100: ignored
    kwargs = {k: mg.tensor(v, device="cuda") if k == "weight" else v for k, v in kwargs.items()}
    with no_sync(False):
        loss = F.cross_entropy(x, y, **kwargs)
        loss.backward()
    assert np.isnan(loss.item())
    grad = as_numpy(x.grad)
    assert np.isnan(grad[1]).all() and np.isfinite(grad[[0, 2, 3]]).all()
    assert (grad[3] == 0).all() and not (grad[0] == 0).all()


# ----- nll_loss ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("weighted", "reduction"), list(itertools.product([False, True], ["none", "sum", "mean"]))
)
def test_nll_loss_matches_the_definition(weighted, reduction, device):
    x, target, weight = _case("NCd", "index", weighted, -100, seed=9)
    xt = mg.tensor(x, device=device, requires_grad=True)
    wt = None if weight is None else mg.tensor(weight, device=device)
    loss = F.nll_loss(xt, mg.tensor(target, device=device), weight=wt, reduction=reduction)
    expected = ref_nll_loss(x, target, weight, reduction=reduction)
    np.testing.assert_allclose(as_numpy(loss), expected, rtol=1e-12)
    assert gradcheck(
        lambda a: F.nll_loss(a, mg.tensor(target, device=device), weight=wt, reduction=reduction),
        (xt,),
    )
    assert gradgradcheck(
        lambda a: (
            F.nll_loss(a, mg.tensor(target, device=device), weight=wt, reduction=reduction) ** 2
        ),
        (xt,),
    )


# ----- binary_cross_entropy_with_logits, mse_loss, one_hot ---------------------------------
@pytest.mark.parametrize(
    ("weight", "pos_weight", "reduction"),
    list(itertools.product([None, "full", "row"], [None, "full", "row"], ["none", "sum", "mean"])),
)
def test_bce_with_logits_matches_the_definition(weight, pos_weight, reduction, device):
    rng = np.random.default_rng(11)
    x, t = rng.standard_normal((3, 4)) * 3, rng.uniform(0, 1, (3, 4))

    def make(kind):
        return {None: None, "full": rng.uniform(0.5, 2, (3, 4)), "row": rng.uniform(0.5, 2, 4)}[
            kind
        ]

    w, pw = make(weight), make(pos_weight)
    xt = mg.tensor(x, device=device, requires_grad=True)
    tt = mg.tensor(t, device=device, requires_grad=True)
    wt, pwt = (None if a is None else mg.tensor(a, device=device) for a in (w, pw))

    def fn(a, b):
        return F.binary_cross_entropy_with_logits(a, b, wt, reduction=reduction, pos_weight=pwt)

    np.testing.assert_allclose(
        as_numpy(fn(xt, tt)), ref_bce_with_logits(x, t, w, reduction, pw), rtol=1e-12
    )
    assert gradcheck(fn, (xt, tt))
    assert gradgradcheck(fn, (xt, tt))


def test_mse_loss(device):
    rng = np.random.default_rng(12)
    x, t, w = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.uniform(0, 1, (3, 4))
    xt = mg.tensor(x, device=device, requires_grad=True)
    tt, wt = mg.tensor(t, device=device), mg.tensor(w, device=device)
    assert F.mse_loss(xt, tt).item() == pytest.approx(((x - t) ** 2).mean(), rel=1e-12)
    assert F.mse_loss(xt, tt, reduction="sum").item() == pytest.approx(((x - t) ** 2).sum())
    np.testing.assert_allclose(as_numpy(F.mse_loss(xt, tt, reduction="none")), (x - t) ** 2)
    weighted = F.mse_loss(xt, tt, weight=wt).item()
    assert weighted == pytest.approx((w * (x - t) ** 2).sum() / w.sum(), rel=1e-12)
    assert gradgradcheck(lambda a: F.mse_loss(a, tt), (xt,))
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(xt, mg.tensor(t[0], device=device))


def test_one_hot(device):
    out = F.one_hot(mg.tensor([0, 2, 1], device=device))
    assert out.dtype == mg.int64
    np.testing.assert_array_equal(as_numpy(out), np.eye(3, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot(mg.tensor([[0], [2]], device=device), 4).shape == (2, 1, 4)
    assert F.one_hot(mg.zeros(0, dtype=mg.int64, device=device), 3).shape == (0, 3)
    for bad, num_classes, error in [
        (mg.tensor([0, -1]), -1, IndexError),
        (mg.tensor([0, 5]), 3, IndexError),
        (mg.tensor([0, 1], dtype=mg.int32), -1, mg.DTypeError),
        (mg.zeros(0, dtype=mg.int64), -1, ValueError),
    ]:
        with pytest.raises(error, match="one_hot"):
            F.one_hot(bad.to(device), num_classes)


# ----- bad input: clear exceptions, never a number -------------------------------------------
def _x(shape=(3, 4)):
    return mg.randn(*shape)


def _y(values=(0, 1, 2)):
    return mg.tensor(list(values))


BAD_INPUT = [  # (id, call, exception, what the message must mention)
    (
        "index_too_big",
        lambda: F.cross_entropy(_x(), _y((0, 1, 4))),
        IndexError,
        r"Target 4 is out of bounds.*\[0, 3\]",
    ),
    ("index_negative", lambda: F.cross_entropy(_x(), _y((0, -1, 2))), IndexError, "Target -1"),
    ("nll_index_too_big", lambda: F.nll_loss(_x(), _y((0, 9, 2))), IndexError, "Target 9"),
    (
        "float_target_wrong_shape",
        lambda: F.cross_entropy(_x(), mg.tensor([0.0, 1.0, 2.0])),
        mg.ShapeError,
        r"input's shape \(3, 4\).*got shape \(3,\)",
    ),
    (
        "int_probabilities",
        lambda: F.cross_entropy(_x(), mg.zeros(3, 4, dtype=mg.int64)),
        mg.DTypeError,
        "floating point, got int64",
    ),
    ("int32_indices", lambda: F.cross_entropy(_x(), _y().int()), mg.DTypeError, "int64"),
    (
        "integer_logits",
        lambda: F.cross_entropy(mg.ones(3, 4, dtype=mg.int64), _y()),
        mg.DTypeError,
        "input must have a floating point dtype, got int64",
    ),
    (
        "batch_sizes_differ",
        lambda: F.cross_entropy(_x(), _y((0, 1))),
        mg.ShapeError,
        r"batch_size \(3\) to match target batch_size \(2\)",
    ),
    (
        "spatial_sizes_differ",
        lambda: F.cross_entropy(_x((2, 4, 3)), mg.zeros(2, 5, dtype=mg.int64)),
        mg.ShapeError,
        r"target must have shape \(2, 3\)",
    ),
    (
        "weight_wrong_length",
        lambda: F.cross_entropy(_x(), _y(), weight=mg.ones(3)),
        mg.ShapeError,
        r"weight must have one entry per class, shape \(4,\), got shape \(3,\)",
    ),
    (
        "weight_wrong_dtype",
        lambda: F.cross_entropy(_x(), _y(), weight=mg.ones(4).double()),
        mg.DTypeError,
        "weight",
    ),
    (
        "smoothing_above_1",
        lambda: F.cross_entropy(_x(), _y(), label_smoothing=1.5),
        ValueError,
        r"label_smoothing must be at most 1, got 1.5",
    ),
    (
        "smoothing_nan",
        lambda: F.cross_entropy(_x(), _y(), label_smoothing=float("nan")),
        ValueError,
        "label_smoothing",
    ),
    (
        "weight_requires_grad",
        lambda: F.cross_entropy(_x(), _y(), weight=mg.ones(4, requires_grad=True)),
        RuntimeError,
        "not differentiable with respect to argument 'weight'",
    ),
    (
        "nll_weight_requires_grad",
        lambda: F.nll_loss(_x(), _y(), weight=mg.ones(4, requires_grad=True)),
        RuntimeError,
        "argument 'weight'",
    ),
    (
        "bce_pos_weight_requires_grad",
        lambda: F.binary_cross_entropy_with_logits(
            _x(), mg.rand(3, 4), pos_weight=mg.ones(4, requires_grad=True)
        ),
        RuntimeError,
        "argument 'pos_weight'",
    ),
    (
        "ignore_index_with_probabilities",
        lambda: F.cross_entropy(_x(), mg.rand(3, 4), ignore_index=0),
        ValueError,
        "ignore_index=0 is not supported for class-probability targets",
    ),
    (
        "unknown_reduction",
        lambda: F.cross_entropy(_x(), _y(), reduction="avg"),
        ValueError,
        r"'avg' is not a valid value for reduction \(expected 'none', 'mean' or 'sum'\)",
    ),
    (
        "nll_unknown_reduction",
        lambda: F.nll_loss(_x(), _y(), reduction="total"),
        ValueError,
        "reduction",
    ),
    (
        "bce_unknown_reduction",
        lambda: F.binary_cross_entropy_with_logits(_x(), mg.rand(3, 4), reduction="avg"),
        ValueError,
        "reduction",
    ),
    (
        "mse_unknown_reduction",
        lambda: F.mse_loss(_x(), _x(), reduction="avg"),
        ValueError,
        "reduction",
    ),
    (
        "zero_dim_logits",
        lambda: F.cross_entropy(mg.tensor(1.0), mg.tensor(0)),
        mg.ShapeError,
        "0-d",
    ),
    (
        "bce_shapes_differ",
        lambda: F.binary_cross_entropy_with_logits(_x(), mg.rand(3)),
        mg.ShapeError,
        "Target size",
    ),
    (
        "bce_integer_target",
        lambda: F.binary_cross_entropy_with_logits(_x(), mg.ones(3, 4, dtype=mg.int64)),
        mg.DTypeError,
        "target",
    ),
    (
        "bce_pos_weight_shape",
        lambda: F.binary_cross_entropy_with_logits(_x(), mg.rand(3, 4), pos_weight=mg.ones(3)),
        mg.ShapeError,
        "pos_weight of shape",
    ),
    (
        "mse_integer",
        lambda: F.mse_loss(mg.ones(3, dtype=mg.int64), mg.ones(3, dtype=mg.int64)),
        mg.DTypeError,
        "floating point",
    ),
    (
        "not_a_tensor",
        lambda: F.cross_entropy(np.zeros((3, 4)), _y()),
        TypeError,
        "input must be a Tensor",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_shape_and_dtype_errors_are_also_runtime_errors():
    """PyTorch raises RuntimeError for these; code that catches that catches ours."""
    for call, error, _ in [c[1:] for c in BAD_INPUT]:
        if error in (mg.ShapeError, mg.DTypeError):
            with pytest.raises(RuntimeError):
                call()


# ----- modules -----------------------------------------------------------------------------
def test_loss_modules_call_the_functions(device):
    x = mg.randn(4, 3, device=device)
    y = mg.tensor([0, 2, 1, 2], device=device)
    w = mg.tensor([1.0, 2.0, 0.5], device=device)
    module = nn.CrossEntropyLoss(weight=w, ignore_index=1, label_smoothing=0.1, reduction="sum")
    expected = F.cross_entropy(x, y, w, ignore_index=1, label_smoothing=0.1, reduction="sum")
    assert module(x, y).item() == expected.item()
    logp = F.log_softmax(x, 1)
    assert nn.NLLLoss(weight=w)(logp, y).item() == F.nll_loss(logp, y, w).item()
    t = mg.rand(4, 3, device=device)
    bce = nn.BCEWithLogitsLoss(weight=w, pos_weight=w)
    assert bce(x, t).item() == F.binary_cross_entropy_with_logits(x, t, w, pos_weight=w).item()
    assert nn.MSELoss(reduction="none")(x, t).shape == (4, 3)
    np.testing.assert_array_equal(as_numpy(nn.Softmax(dim=1)(x)), as_numpy(F.softmax(x, 1)))
    np.testing.assert_array_equal(as_numpy(nn.LogSoftmax(1)(x)), as_numpy(F.log_softmax(x, 1)))


def test_loss_modules_are_modules_with_weights_as_buffers():
    w = mg.tensor([1.0, 2.0, 0.5])
    module = nn.CrossEntropyLoss(weight=w)
    assert isinstance(module, nn.Module)
    assert list(module.state_dict()) == ["weight"] and list(module.parameters()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.LogSoftmax()) == "LogSoftmax(dim=None)"
    module.double()
    assert module.weight.dtype == mg.float64
    assert nn.NLLLoss(reduction="sum").reduction == "sum"
    bad = nn.CrossEntropyLoss(reduction="avg")  # reported when called, as in PyTorch
    with pytest.raises(ValueError, match="reduction"):
        bad(mg.randn(2, 3), mg.tensor([0, 1]))


# ----- docs/cross-entropy.md: its numbers come from code the suite runs ----------------------
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:e-?\d+)?")


def _quotes(quoted: str, printed: list[float]) -> bool:
    """`quoted` (as written in prose, e.g. 0.5514) is one of `printed`, rounded."""
    decimals = len(quoted.split(".")[1].split("e")[0])
    return any(abs(float(quoted) - p) <= 0.5 * 10**-decimals + 1e-12 for p in printed)


def test_doc_page_is_run_by_the_docs_suite_and_its_prose_quotes_only_printed_numbers():
    """tests/test_docs.py runs the page and compares each output block with what its code
    prints. Here: every decimal number in the prose must be one of those outputs (rounded),
    so no number in the doc is typed by hand where it could drift."""
    text = DOC.read_text()
    assert "docs-test: skip" not in text
    blocks = FENCE.findall(text)
    assert sum(lang == "python" for lang, _ in blocks) >= 8
    printed = [float(n) for lang, body in blocks if lang == "text" for n in NUMBER.findall(body)]
    prose = re.sub(r"`[^`]*`", "", FENCE.sub("", text))  # inline code holds arguments
    quoted = NUMBER.findall(prose)
    assert len(quoted) >= 5, "the prose should quote the results it explains"
    missing = [n for n in quoted if not _quotes(n, printed)]
    assert not missing, f"numbers in the prose that no code block prints: {missing}"
    assert not _quotes("0.5515", printed) and _quotes("0.5514", printed)  # the check bites
