"""More reductions (std, prod, cumsum, cumprod, all, any, count_nonzero, the norms) and
sorting and selection (sort, argsort, topk, kthvalue, median, unique, bincount, histc):
values against numpy, float64 gradients against finite differences (second derivatives for
some), gradient dtypes, result dtypes, zeros in products, ties, NaN, and bad input.
"""

import math

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
from minigrad.autograd import gradcheck, gradgradcheck


def _np_sort(a, axis=-1, descending=False):
    return -np.sort(-a, axis) if descending else np.sort(a, axis)


def _matrix_norm(a, ord):
    return np.linalg.norm(a, ord=ord, axis=(-2, -1))


# (id, minigrad function, numpy reference, input shapes)
CASES = [
    ("std", lambda a: a.std(), lambda a: a.std(ddof=1), [(3, 4)]),
    (
        "std_dim",
        lambda a: mg.std(a, 1, keepdim=True),
        lambda a: a.std(1, ddof=1, keepdims=True),
        [(3, 4)],
    ),
    ("std_biased", lambda a: a.std((0, 2), unbiased=False), lambda a: a.std((0, 2)), [(2, 3, 2)]),
    ("prod", lambda a: a.prod(), np.prod, [(2, 3)]),
    (
        "prod_dim",
        lambda a: mg.prod(a, 1, keepdims=True),
        lambda a: a.prod(1, keepdims=True),
        [(3, 4)],
    ),
    ("cumsum", lambda a: a.cumsum(1), lambda a: np.cumsum(a, 1), [(3, 4)]),
    ("cumsum_0", lambda a: mg.cumsum(a, dim=0), lambda a: np.cumsum(a, 0), [(3, 2)]),
    ("cumprod", lambda a: a.cumprod(-1), lambda a: np.cumprod(a, -1), [(3, 4)]),
    ("norm", lambda a: a.norm(), np.linalg.norm, [(3, 4)]),
    ("norm_p1_dim", lambda a: mg.norm(a, 1, dim=1), lambda a: np.abs(a).sum(1), [(3, 4)]),
    (
        "norm_p3",
        lambda a: a.norm(3, (0, 1), True),
        lambda a: (np.abs(a) ** 3).sum(keepdims=True) ** (1 / 3),
        [(3, 4)],
    ),
    ("norm_inf", lambda a: a.norm(math.inf, 1), lambda a: np.abs(a).max(1), [(3, 4)]),
    (
        "vector_norm_neg",
        lambda a: mg.linalg.vector_norm(a, -1.5),
        lambda a: (np.abs(a) ** -1.5).sum() ** (1 / -1.5),
        [(5,)],
    ),
    (
        "vector_norm_half",
        lambda a: mg.linalg.vector_norm(a, 0.5, dim=0),
        lambda a: (np.abs(a) ** 0.5).sum(0) ** 2,
        [(3, 2)],
    ),
    ("linalg_norm", lambda a: mg.linalg.norm(a), np.linalg.norm, [(2, 3, 2)]),
    ("matrix_1", lambda a: mg.linalg.norm(a, 1), lambda a: _matrix_norm(a, 1), [(3, 4)]),
    (
        "matrix_-inf",
        lambda a: mg.linalg.matrix_norm(a, -math.inf),
        lambda a: _matrix_norm(a, -np.inf),
        [(2, 3, 4)],
    ),
    ("matrix_2", lambda a: mg.linalg.norm(a, 2), lambda a: _matrix_norm(a, 2), [(3, 4)]),
    (
        "matrix_-2",
        lambda a: mg.linalg.matrix_norm(a, -2, dim=(0, 2)),
        lambda a: np.linalg.norm(a, -2, axis=(0, 2)),
        [(3, 2, 4)],
    ),
    ("matrix_nuc", lambda a: mg.norm(a, "nuc"), lambda a: _matrix_norm(a, "nuc"), [(4, 3)]),
    (
        "matrix_fro_keep",
        lambda a: mg.linalg.matrix_norm(a, keepdim=True),
        lambda a: np.sqrt((a * a).sum((-2, -1), keepdims=True)),
        [(2, 3, 4)],
    ),
    ("sort", lambda a: a.sort().values, np.sort, [(3, 4)]),
    (
        "sort_desc_0",
        lambda a: mg.sort(a, 0, descending=True)[0],
        lambda a: _np_sort(a, 0, True),
        [(3, 4)],
    ),
    ("topk", lambda a: a.topk(2).values, lambda a: _np_sort(a, -1, True)[..., :2], [(3, 4)]),
    (
        "topk_smallest",
        lambda a: mg.topk(a, 3, dim=0, largest=False)[0],
        lambda a: np.sort(a, 0)[:3],
        [(4, 2)],
    ),
    ("kthvalue", lambda a: a.kthvalue(2, 1).values, lambda a: np.sort(a, 1)[:, 1], [(3, 4)]),
    ("median", lambda a: a.median(), lambda a: np.sort(a, None)[(a.size - 1) // 2], [(3, 4)]),
    (
        "median_dim",
        lambda a: mg.median(a, 0, keepdim=True).values,
        lambda a: np.sort(a, 0)[1:2],
        [(4, 3)],
    ),
]


def _inputs(shapes, device, dtype=mg.float64, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-2, 2, s) for s in shapes]  # distinct values: no ties
    tensors = [mg.tensor(a, dtype=dtype, device=device, requires_grad=True) for a in arrays]
    return arrays, tensors


@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=[c[0] for c in CASES])
def test_value_matches_numpy(name, fn, ref, shapes, device):
    arrays, tensors = _inputs(shapes, device)
    out = fn(*tensors)
    assert out.dtype == mg.float64
    np.testing.assert_allclose(out.detach().numpy(), ref(*arrays), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(name, fn, ref, shapes, device):
    _, tensors = _inputs(shapes, device)
    assert gradcheck(fn, tensors)


SECOND_ORDER = {
    "std_dim",
    "prod",
    "prod_dim",
    "cumsum",
    "cumprod",
    "norm",
    "norm_p3",
    "norm_inf",
    "vector_norm_neg",
    "matrix_1",
    "sort",
    "topk",
    "median",
}


@pytest.mark.parametrize(
    "name, fn, ref, shapes",
    [c for c in CASES if c[0] in SECOND_ORDER],
    ids=[c[0] for c in CASES if c[0] in SECOND_ORDER],
)
def test_second_derivatives_match_finite_differences(name, fn, ref, shapes, device):
    _, tensors = _inputs(shapes, device)
    assert gradgradcheck(fn, tensors)


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32, mg.float64], ids=str)
@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=[c[0] for c in CASES])
def test_gradients_have_their_inputs_dtype(name, fn, ref, shapes, dtype):
    _, tensors = _inputs(shapes, "cpu", dtype)
    if dtype == mg.float16 and name in ("matrix_2", "matrix_-2", "matrix_nuc"):
        with pytest.raises(mg.DTypeError, match="singular values.*not implemented for float16"):
            fn(*tensors)  # refused, as in PyTorch
        return
    out = fn(*tensors)
    assert out.dtype == dtype
    _check_grads(out, tensors)


# ----- products and running products with zeros ---------------------------------------------
def test_prod_gradient_with_zeros_is_the_product_of_the_others():
    x = mg.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]], requires_grad=True)
    x.prod(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [8.0, 4.0, 2.0]]
    y = mg.tensor([3.0, 0.0, 2.0], dtype=mg.float64, requires_grad=True)
    assert gradcheck(lambda t: t.prod(), [y]) and gradgradcheck(lambda t: t.prod(), [y])


def test_cumprod_gradient_with_zeros():
    x = mg.tensor([2.0, 0.0, 3.0, 0.0, 4.0], requires_grad=True)
    x.cumprod(0).backward(mg.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert x.grad.tolist() == [1.0, 22.0, 0.0, 0.0, 0.0]  # PyTorch's numbers
    y = mg.tensor([[1.5, 0.0, 2.0], [0.0, 0.5, 3.0]], dtype=mg.float64, requires_grad=True)
    assert gradcheck(lambda t: t.cumprod(1), [y]) and gradgradcheck(lambda t: t.cumprod(1), [y])


def test_integer_products_and_sums_are_int64_and_dtype_casts_first():
    i = mg.tensor([[1, 2], [3, 4]], dtype=mg.int32)
    assert mg.prod(i).item() == 24 and mg.prod(i).dtype == mg.int64
    assert mg.cumsum(mg.tensor([True, True, False]), 0).tolist() == [1, 2, 2]
    assert mg.cumprod(i, 1).dtype == mg.int64
    assert mg.prod(mg.tensor([[-1.5, 2.5]]), 1, dtype=mg.int64).tolist() == [-2]  # cast first
    assert mg.cumsum(i, 0, dtype=mg.float64).dtype == mg.float64
    with pytest.raises(mg.DTypeError, match="cumsum: dtype=int64 for an input that requires grad"):
        mg.cumsum(mg.ones(2, requires_grad=True), 0, dtype=mg.int64)
    assert mg.prod(mg.zeros(0)).item() == 1.0 and mg.cumsum(mg.tensor(2.0), 0).item() == 2.0


def test_std_rules():
    x = mg.tensor([[1.0, 3.0], [2.0, 2.0]], requires_grad=True)
    assert x.std(True).item() == pytest.approx(np.std([1, 3, 2, 2], ddof=1))  # std(x, unbiased)
    assert mg.std(x, 1, False).tolist() == [1.0, 0.0] and x.std(0, correction=0).tolist() == [
        0.5,
        0.5,
    ]
    x.std(1).sum().backward()  # the second row has std 0: gradient 0, not NaN
    assert x.grad[1].tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="std: give correction or unbiased, not both"):
        x.std(unbiased=True, correction=1)
    with pytest.raises(mg.DTypeError, match="std: input must have a floating point dtype"):
        mg.std(mg.tensor([1, 2]))


def test_all_any_count_nonzero():
    x = mg.tensor([[1, 0, 2], [3, 4, 5]])
    assert x.all().item() is False and x.all(1).tolist() == [False, True]
    assert mg.any(x, 0, keepdims=True).tolist() == [[True, True, True]]
    assert mg.all(x, dim=(0, 1)).item() is False and x.any().dtype == mg.bool
    assert mg.all(x, ()).tolist() == [[True, False, True], [True, True, True]]  # no reduction
    assert mg.all(mg.zeros(0)).item() is True and mg.any(mg.zeros(0, 3), 0).tolist() == [False] * 3
    assert mg.all(mg.tensor(np.array([1, 0], dtype=np.uint8))).dtype == np.uint8
    assert mg.count_nonzero(x).item() == 5 and x.count_nonzero(1).tolist() == [2, 3]
    assert mg.count_nonzero(x, (0, 1)).dtype == mg.int64


# ----- norms -----------------------------------------------------------------------------
def test_norm_gradients_at_zero_and_ties_follow_pytorch():
    x = mg.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]  # not 0/0
    y = mg.tensor([1.0, -3.0, 3.0], requires_grad=True)
    mg.linalg.vector_norm(y, math.inf).backward()
    assert y.grad.tolist() == [0.0, -0.5, 0.5]  # shared by the ties, with the sign
    z = mg.tensor([0.0, 1.0, 0.0], requires_grad=True)
    mg.linalg.vector_norm(z, 0.5).backward()
    assert z.grad.tolist() == [0.0, 1.0, 0.0]
    w = mg.tensor([1.0, 0.0], requires_grad=True)
    mg.linalg.vector_norm(w, 0).backward()
    assert mg.linalg.vector_norm(w, 0).item() == 1.0 and w.grad is None  # (PyTorch: no grad)


def test_which_norm_ord_and_dim_select():
    a = mg.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert mg.linalg.norm(a, 1).item() == 6.0  # a matrix norm: the largest column sum
    assert mg.linalg.norm(a, 1, dim=1).tolist() == [3.0, 7.0]  # a vector norm per row
    assert mg.linalg.norm(a, math.inf).item() == 7.0 and mg.norm(a, 1).item() == 10.0
    assert mg.linalg.norm(a, dim=1, keepdims=True).shape == (2, 1)
    assert mg.norm(a, dtype=mg.float64).dtype == mg.float64
    assert mg.linalg.matrix_norm(mg.zeros(0, 3), 1).item() == 0.0  # PyTorch: 0
    with pytest.raises(ValueError, match="linalg.norm: with ord and without dim, input must be"):
        mg.linalg.norm(mg.ones(2, 2, 2), 1)
    with pytest.raises(ValueError, match="linalg.matrix_norm: ord 3 is not supported"):
        mg.linalg.norm(a, 3)
    with pytest.raises(ValueError, match="dim must be a 2-tuple"):
        mg.norm(mg.ones(2, 2, 2), "nuc")
    with pytest.raises(mg.DTypeError, match="not implemented for float16"):
        mg.linalg.norm(a.half(), "nuc")
    with pytest.raises(mg.DTypeError, match="input must be a floating point tensor, got int64"):
        mg.norm(mg.tensor([1, 2]))
    with pytest.raises(mg.DTypeError, match="cannot be narrowed"):
        mg.linalg.vector_norm(a.double(), dtype=mg.float32)
    with pytest.raises(TypeError, match="linalg.vector_norm: ord must be a real number"):
        mg.linalg.vector_norm(a, "fro")
    with pytest.raises(ValueError, match="norm of an empty slice is undefined"):
        mg.linalg.vector_norm(mg.zeros(0), math.inf)
    assert mg.linalg.vector_norm(mg.zeros(0)).item() == 0.0


def test_matrix_norms_of_infinite_matrices_are_nan_and_second_derivatives_refused():
    assert math.isnan(mg.linalg.norm(mg.tensor([[math.inf, 1.0], [2.0, math.inf]]), 2).item())
    x = mg.randn(3, 3, dtype=mg.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="svdvals: second derivatives"):
        gradgradcheck(lambda t: mg.linalg.norm(t, "nuc"), [x])


# ----- sorting and selection --------------------------------------------------------------
def test_sort_nan_ties_stability_and_result_types():
    x = mg.tensor([[2.0, math.nan, 1.0, 2.0]])
    s = x.sort()
    assert type(s).__name__ == "SortResult" and s.indices.tolist() == [[2, 0, 3, 1]]
    d = mg.sort(x, descending=True, stable=True)
    assert d.indices.tolist() == [[1, 0, 3, 2]] and math.isnan(d.values[0, 0].item())
    i = mg.tensor([3, 1, 3, -(2**63)])  # descending without negating: no overflow
    assert i.sort(descending=True).values.tolist() == [3, 3, 1, -(2**63)]
    assert mg.argsort(x, stable=True).tolist() == [[2, 0, 3, 1]]
    assert mg.sort(mg.tensor(3.0)).values.item() == 3.0 and mg.argsort(mg.tensor(3.0)).item() == 0
    assert mg.sort(mg.tensor([True, False])).values.tolist() == [False, True]


def test_selection_gradients_go_to_the_picked_entries():
    x = mg.tensor([[4.0, 1.0, 3.0, 2.0]], requires_grad=True)
    x.topk(2).values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 1.0, 0.0]]
    x.grad = None
    mg.kthvalue(x, 2, keepdim=True).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0, 1.0]]
    m = mg.tensor([1.0, 2.0, 2.0, 3.0], requires_grad=True)
    m.median().backward()  # median() shares the gradient among the equal entries
    assert m.grad.tolist() == [0.0, 0.5, 0.5, 0.0]
    values, indices = mg.median(mg.tensor([[1.0, 2.0], [2.0, math.nan]]), 1)
    assert (
        values.tolist()[0] == 1.0 and math.isnan(values.tolist()[1]) and indices.tolist() == [0, 1]
    )
    assert math.isnan(mg.median(mg.zeros(0)).item())


def test_topk_kthvalue_ranges_and_named_results():
    x = mg.tensor([1.0, 5.0, 3.0, 4.0])
    t = mg.topk(x, 3, largest=False)
    assert type(t).__name__ == "TopkResult" and t.values.tolist() == [1.0, 3.0, 4.0]
    assert x.topk(0).values.shape == (0,) and mg.topk(mg.tensor(2.0), 1).values.item() == 2.0
    k = x.kthvalue(1)
    assert type(k).__name__ == "KthvalueResult" and (k.values.item(), k.indices.item()) == (1.0, 0)
    assert type(mg.median(x, 0)).__name__ == "MedianResult"
    with pytest.raises(ValueError, match=r"topk: k must be in \[0, 4\]"):
        x.topk(5)
    with pytest.raises(ValueError, match=r"kthvalue: k must be in \[1, 4\]"):
        x.kthvalue(0)
    with pytest.raises(TypeError, match="topk: k must be an int"):
        x.topk(2.0)
    with pytest.raises(mg.DTypeError, match="topk: input has dtype bool"):
        mg.topk(mg.tensor([True]), 1)
    with pytest.raises(IndexError, match="median: expected reduction dim 0 to have non-zero"):
        mg.median(mg.zeros(0, 3), 0)
    with pytest.raises(IndexError, match="sort: dim out of range"):
        x.sort(1)
    with pytest.raises(TypeError, match="sort: descending must be a bool"):
        x.sort(descending=1)


def test_unique_bincount_histc():
    x = mg.tensor([[3, 1], [3, 2]])
    assert mg.unique(x).tolist() == [1, 2, 3]
    _, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    assert inverse.tolist() == [[2, 0], [2, 1]] and counts.tolist() == [1, 1, 2]
    assert mg.unique(mg.tensor([[1, 2], [1, 2], [0, 1]]), dim=0).tolist() == [[0, 1], [1, 2]]
    nan = mg.unique(mg.tensor([math.nan, 1.0, math.nan]))
    assert nan.shape == (3,)  # NaNs are all distinct, as in PyTorch
    assert mg.unique(mg.randn(3, requires_grad=True)).requires_grad is False
    with pytest.raises(IndexError, match="unique: dim was given, but input is 0-d"):
        mg.unique(mg.tensor(2), dim=0)
    assert mg.bincount(mg.tensor([0, 1, 1, 3]), minlength=6).tolist() == [1, 2, 0, 1, 0, 0]
    w = mg.bincount(mg.tensor([0, 1, 1]), mg.tensor([0.5, 1.0, 2.0]))
    assert w.tolist() == [0.5, 3.0] and w.dtype == mg.float32
    assert mg.bincount(mg.tensor([0, 1]), mg.tensor([1, 2])).dtype == mg.float64
    with pytest.raises(ValueError, match="bincount: input must be non-negative"):
        mg.bincount(mg.tensor([0, -1]))
    with pytest.raises(mg.DTypeError, match="bincount: input must be a 1-d tensor"):
        mg.bincount(mg.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="bincount: minlength must be non-negative"):
        mg.bincount(mg.tensor([0]), minlength=-1)
    h = mg.histc(mg.tensor([1.0, 2.0, 1.0, 3.0, 7.0, math.nan]), bins=4, min=0, max=3)
    assert h.tolist() == [0.0, 2.0, 1.0, 1.0] and h.dtype == mg.float32  # 3.0: the last bin
    assert mg.histc(mg.tensor([1.0, 2.0, 1.0]), 3).tolist() == [2.0, 0.0, 1.0]  # own range
    assert mg.histc(mg.tensor([1.0, 1.0]), 2).tolist() == [0.0, 2.0]  # range [0, 2]
    with pytest.raises(ValueError, match="histc: max must be larger than min"):
        mg.histc(mg.ones(2), 3, 2, 1)
    with pytest.raises(ValueError, match="histc: min == max asks for input's own range"):
        mg.histc(mg.tensor([1.0, math.inf]), 3)
    with pytest.raises(mg.DTypeError, match="histc: input must have a floating point dtype"):
        mg.histc(mg.tensor([1, 2]))
