"""PyTorch names that real programs reach for, part 2: logical and bitwise functions,
hstack/vstack/dstack/column_stack/atleast_nd, meshgrid, nansum/nanmean, trace, diff, addmm,
baddbmm, addcmul/addcdiv (and in place), cummax/cummin, aminmax, logaddexp, hypot, logit,
xlogy, cross, kron, rot90, searchsorted, bucketize, triu_indices/tril_indices.

Values against numpy or hand-worked numbers (the ones PyTorch 2.13 gives), gradients against
float64 finite differences, and PyTorch's errors for bad input.
"""

import warnings

import numpy as np
import pytest
from op_checks import check_gradient, check_value

import minigrad as mg
from minigrad import DTypeError, OptionError, ShapeError

P = "positive"


def _logaddexp(a, b):
    return np.logaddexp(a, b)


CASES = [
    ("hstack", lambda a, b: mg.hstack([a, b]), lambda a, b: np.hstack([a, b]), [(2, 3), (2, 1)]),
    ("hstack_1d", lambda a, b: mg.hstack((a, b)), lambda a, b: np.hstack([a, b]), [(2,), (3,)]),
    ("vstack", lambda a, b: mg.vstack([a, b]), lambda a, b: np.vstack([a, b]), [(3,), (2, 3)]),
    ("dstack", lambda a, b: mg.dstack([a, b]), lambda a, b: np.dstack([a, b]), [(2, 3), (2, 3)]),
    (
        "column_stack",
        lambda a, b: mg.column_stack([a, b]),
        lambda a, b: np.column_stack([a, b]),
        [(3,), (3, 2)],
    ),
    ("atleast_3d", mg.atleast_3d, np.atleast_3d, [(4,)]),
    (
        "meshgrid_ij",
        lambda a, b: mg.meshgrid(a, b, indexing="ij"),
        lambda a, b: np.meshgrid(a, b, indexing="ij"),
        [(2,), (3,)],
    ),
    (
        "meshgrid_xy",
        lambda a, b, c: mg.meshgrid([a, b, c], indexing="xy"),
        lambda a, b, c: np.meshgrid(a, b, c),
        [(2,), (3,), (4,)],
    ),
    ("nansum", lambda a: mg.nansum(a, 1), lambda a: a.sum(1), [(2, 3)]),
    (
        "nanmean",
        lambda a: mg.nanmean(a, dim=0, keepdim=True),
        lambda a: a.mean(0, keepdims=True),
        [(3, 2)],
    ),
    ("trace", mg.trace, np.trace, [(3, 4)]),
    ("diff", lambda a: mg.diff(a, n=2, dim=0), lambda a: np.diff(a, 2, axis=0), [(4, 3)]),
    (
        "diff_edges",
        lambda a, b, c: a.diff(prepend=b, append=c),
        lambda a, b, c: np.diff(a, prepend=b, append=c),
        [(2, 3), (2, 1), (2, 2)],
    ),
    (
        "addmm",
        lambda a, b, c: mg.addmm(a, b, c, beta=0.5, alpha=2),
        lambda a, b, c: 0.5 * a + 2 * b @ c,
        [(2,), (3, 4), (4, 2)],
    ),
    (
        "baddbmm",
        lambda a, b, c: a.baddbmm(b, c, alpha=-1),
        lambda a, b, c: a - b @ c,
        [(2, 1, 3), (2, 2, 4), (2, 4, 3)],
    ),
    (
        "addcmul",
        lambda a, b, c: mg.addcmul(a, b, c, value=3),
        lambda a, b, c: a + 3 * b * c,
        [(2, 3), (3,), (2, 1)],
    ),
    (
        "addcdiv",
        lambda a, b, c: a.addcdiv(b, c, value=0.5),
        lambda a, b, c: a + 0.5 * b / c,
        [(2, 3), (2, 3), (P, (3,))],
    ),
    ("cummax", lambda a: mg.cummax(a, 1).values, lambda a: np.maximum.accumulate(a, 1), [(3, 4)]),
    ("cummin", lambda a: a.cummin(dim=0).values, lambda a: np.minimum.accumulate(a, 0), [(4, 2)]),
    ("aminmax", lambda a: tuple(mg.aminmax(a, dim=1)), lambda a: (a.min(1), a.max(1)), [(3, 4)]),
    ("logaddexp", mg.logaddexp, _logaddexp, [(2, 3), (3,)]),
    ("hypot", lambda a, b: a.hypot(b), np.hypot, [(2, 3), (2, 3)]),
    ("logit", lambda a: mg.logit(a / 3), lambda a: np.log(a / 3 / (1 - a / 3)), [(P, (5,))]),
    (
        "logit_eps",
        lambda a: mg.logit(a / 3, eps=0.3),
        lambda a: np.log(np.clip(a / 3, 0.3, 0.7) / (1 - np.clip(a / 3, 0.3, 0.7))),
        [(P, (5,))],
    ),
    ("xlogy", mg.xlogy, lambda a, b: a * np.log(b), [(2, 3), (P, (3,))]),
    (
        "cross",
        lambda a, b: mg.cross(a, b, dim=1),
        lambda a, b: np.cross(a, b, axis=1),
        [(2, 3), (1, 3)],
    ),
    ("kron", mg.kron, np.kron, [(2, 3), (2, 1, 2)]),
    ("rot90", lambda a: mg.rot90(a, 1, (1, 2)), lambda a: np.rot90(a, 1, (1, 2)), [(2, 3, 4)]),
    ("rot90_back", lambda a: a.rot90(-1), lambda a: np.rot90(a, -1), [(2, 3)]),
    ("rot90_twice", lambda a: a.rot90(2, [1, 0]), lambda a: np.rot90(a, 2, (1, 0)), [(2, 3)]),
]


@pytest.mark.parametrize(("name", "fn", "ref", "shapes"), CASES, ids=[c[0] for c in CASES])
def test_values(name, fn, ref, shapes, device):
    check_value(fn, ref, shapes, device)


@pytest.mark.parametrize(("name", "fn", "ref", "shapes"), CASES, ids=[c[0] for c in CASES])
def test_gradients(name, fn, ref, shapes, device):
    check_gradient(fn, shapes, device)


def test_logical():
    i, f, b = mg.tensor([1, 2, 0]), mg.tensor([0.5, 0.0, 0.0]), mg.tensor([True, False, True])
    assert mg.logical_and(i, f).tolist() == [True, False, False]
    assert i.logical_or(f).tolist() == [True, True, False]
    assert mg.logical_xor(i, b).tolist() == [False, True, True]
    assert mg.logical_not(f).tolist() == [False, True, True]
    assert i.logical_not().dtype == mg.bool
    with pytest.raises(TypeError, match="other"):
        mg.logical_or(b, 2)
    with pytest.raises(RuntimeError, match="broadcast"):
        mg.logical_and(i, mg.ones(2))


def test_bitwise():
    i, b = mg.tensor([1, 2]), mg.tensor([True, False])
    assert mg.bitwise_and(i, 3).tolist() == [1, 2] and i.bitwise_and(1).tolist() == [1, 0]
    assert mg.bitwise_or(i, b).tolist() == [1, 2] and mg.bitwise_xor(3, i).tolist() == [2, 1]
    out = mg.bitwise_and(b, b)
    assert out.dtype == mg.bool and out.tolist() == [True, False]
    assert (i ^ 3).tolist() == [2, 1] and (b | b).tolist() == [True, False]
    with pytest.raises(TypeError):
        mg.bitwise_and(mg.tensor([0.5]), mg.tensor([0.5]))
    with pytest.raises(TypeError, match="other"):
        mg.bitwise_and(i, 2.0)
    with pytest.raises(TypeError):
        mg.bitwise_or(1, 2)


def test_stacking_errors():
    with pytest.raises(RuntimeError, match="non-empty"):
        mg.hstack([])
    with pytest.raises(TypeError):
        mg.hstack(mg.ones(2))
    with pytest.raises(RuntimeError):
        mg.vstack((mg.ones(2), mg.ones(3)))
    with pytest.raises(TypeError, match=r"tensors\[1\]"):
        mg.dstack([mg.ones(2), [1.0]])
    assert mg.hstack([mg.tensor(1.0), mg.tensor(2.0)]).tolist() == [1.0, 2.0]
    promoted = mg.hstack([mg.tensor([1, 2]), mg.tensor([0.5])])
    assert promoted.dtype == mg.float32 and promoted.tolist() == [1.0, 2.0, 0.5]
    assert mg.atleast_2d(mg.tensor(1.0)).shape == (1, 1)
    assert [t.shape for t in mg.atleast_1d(mg.tensor(1.0), mg.ones(2, 2))] == [(1,), (2, 2)]


def test_meshgrid_warns_without_indexing_and_checks_its_input():
    with pytest.warns(UserWarning, match="indexing argument"):
        x, y = mg.meshgrid(mg.arange(2), mg.arange(3))
    assert x.shape == y.shape == (2, 3) and x[:, 0].tolist() == [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mg.meshgrid(mg.arange(2), indexing="ij")
    with pytest.raises(ValueError, match="indexing"):
        mg.meshgrid(mg.arange(2), indexing="bad")
    with pytest.raises(RuntimeError, match="non-empty"):
        mg.meshgrid(indexing="ij")
    with pytest.raises(RuntimeError, match="1-d"):
        mg.meshgrid(mg.ones(2, 2), indexing="ij")
    with pytest.raises(TypeError, match="same dtype"):
        mg.meshgrid(mg.arange(2), mg.ones(3), indexing="ij")
    (s,) = mg.meshgrid(mg.tensor(2.0), indexing="xy")
    assert s.shape == (1,)


def test_nan_reductions():
    nan = float("nan")
    x = mg.tensor([[1.0, nan], [nan, nan]])
    assert mg.nanmean(mg.tensor([1.0, nan, 3.0])).item() == 2.0
    means = mg.nanmean(x, dim=1).tolist()
    assert means[0] == 1.0 and np.isnan(means[1])
    assert mg.nansum(x).item() == 1.0 and mg.nansum(mg.tensor([1, 2])).tolist() == 3
    out = mg.nansum(x, 1, keepdim=True, dtype=mg.float64)
    assert out.dtype == mg.float64 and out.tolist() == [[1.0], [0.0]]
    assert mg.nanmean(mg.tensor([1.0, 2.0]), dtype=mg.float64).dtype == mg.float64
    with pytest.raises(TypeError):
        mg.nanmean(mg.tensor([1, 2]))
    g = mg.tensor([1.0, nan, 3.0], dtype=mg.float64, requires_grad=True)
    mg.nanmean(g).backward()  # the nan gets no gradient, the others 1/2 each
    assert g.grad.tolist() == [0.5, 0.0, 0.5]


def test_trace():
    assert mg.trace(mg.arange(6.0).reshape(2, 3)).item() == 4.0
    out = mg.tensor([[1, 2]]).trace()
    assert out.dtype == mg.int64 and out.item() == 1
    with pytest.raises(RuntimeError, match="expected a matrix"):
        mg.trace(mg.ones(3))
    with pytest.raises(TypeError, match="bool"):
        mg.trace(mg.tensor([[True]]))


def test_diff_rules():
    x = mg.tensor([[1.0, 3.0, 2.0], [0.0, -1.0, 5.0]])
    assert mg.diff(x, n=2, dim=0).shape == (0, 3)
    assert mg.diff(x, n=0) is x
    assert mg.diff(mg.tensor([True, False, False])).tolist() == [True, False]
    assert mg.diff(mg.tensor([1, 4, 9, 16])).tolist() == [3, 5, 7]
    with pytest.raises(RuntimeError, match="non-negative"):
        mg.diff(x, n=-1)
    with pytest.raises(RuntimeError, match="one-dimensional"):
        mg.diff(mg.tensor(1.0))
    with pytest.raises(TypeError, match="prepend"):
        mg.diff(x, prepend=[0.0])
    with pytest.raises(IndexError):
        mg.diff(x, dim=2)


def test_addmm_family_rules():
    nan = float("nan")
    out = mg.addmm(mg.full((2, 2), nan), mg.ones(2, 3), mg.ones(3, 2), beta=0)
    assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]]  # beta=0 ignores input, nans included
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        mg.addmm(mg.ones(2, 2), mg.ones(2, 3), mg.ones(2, 2))
    with pytest.raises(RuntimeError, match="does not broadcast"):
        mg.addmm(mg.ones(3), mg.ones(2, 3), mg.ones(3, 2))
    with pytest.raises(TypeError):
        mg.addmm(mg.ones(2, 2), mg.ones(2, 3), mg.ones(3, 2), 1, 1)  # beta, alpha: keywords
    assert mg.baddbmm(mg.ones(1, 2, 2), mg.ones(3, 2, 4), mg.ones(3, 4, 2)).shape == (3, 2, 2)
    assert mg.addcmul(mg.ones(2), mg.ones(2), mg.ones(2), value=3).tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="integer division"):
        mg.addcdiv(mg.ones(2), mg.tensor([1, 2]), mg.tensor([1, 2]))
    with pytest.raises(TypeError, match="tensor2"):
        mg.addcmul(mg.ones(2), mg.ones(2), 2.0)


def test_addcmul_and_addcdiv_in_place():
    t = mg.ones(2)
    assert t.addcmul_(mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0]), value=0.5) is t
    assert t.tolist() == [2.5, 5.0]
    t.addcdiv_(mg.tensor([1.0, 2.0]), mg.tensor([2.0, 2.0]), value=-2)
    assert t.tolist() == [1.5, 3.0]
    w = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        w.addcmul_(mg.ones(2), mg.ones(2))
    with pytest.raises(RuntimeError):
        mg.ones(2).addcmul_(mg.ones(3), mg.ones(3))  # the result's shape is not t's


def test_cummax_cummin_indices():
    x = mg.tensor([[1.0, 3.0, 2.0], [0.0, -1.0, 5.0]])
    assert mg.cummax(x, 1).indices.tolist() == [[0, 1, 1], [0, 0, 2]]
    assert mg.cummin(x, dim=0).indices.tolist() == [[0, 0, 0], [1, 1, 0]]
    values, indices = mg.cummax(mg.tensor([1.0, float("nan"), 0.0]), 0)
    assert indices.tolist() == [0, 1, 1] and np.isnan(values.tolist()[1:]).all()
    ties = mg.cummax(mg.tensor([2, 2, 1]), 0)  # the latest index on ties, as PyTorch
    assert ties.values.tolist() == [2, 2, 2] and ties.indices.tolist() == [0, 1, 1]
    scalar = mg.cummin(mg.tensor(4.0), 0)
    assert scalar.values.shape == () and scalar.indices.item() == 0
    assert mg.cummax(mg.zeros(0), 0).indices.dtype == mg.int64
    with pytest.raises(IndexError):
        mg.cummax(x, 2)


def test_aminmax():
    x = mg.tensor([[1.0, 3.0], [-1.0, 5.0]])
    low, high = mg.aminmax(x)
    assert (low.item(), high.item()) == (-1.0, 5.0)
    kept = x.aminmax(dim=1, keepdim=True)
    assert kept.min.tolist() == [[1.0], [-1.0]] and kept.max.tolist() == [[3.0], [5.0]]
    with pytest.raises(RuntimeError):
        mg.aminmax(mg.ones(0))
    with pytest.raises(TypeError):
        mg.aminmax(x, 1)  # dim is keyword-only, as in PyTorch


def test_pointwise_edges():
    big = mg.logaddexp(
        mg.tensor([0.0, 1000.0, -float("inf")]), mg.tensor([0.0, 1000.0, -float("inf")])
    )
    np.testing.assert_allclose(big.numpy()[:2], [np.log(2), 1000 + np.log(2)])
    assert big.tolist()[2] == -float("inf")
    with pytest.raises(TypeError):
        mg.logaddexp(mg.tensor([1, 2]), mg.tensor([1, 2]))
    with pytest.raises(TypeError, match="other"):
        mg.hypot(mg.ones(2), 2)
    assert mg.logit(mg.tensor([0.0, 0.5, 1.0])).tolist() == [-float("inf"), 0.0, float("inf")]
    np.testing.assert_allclose(
        mg.logit(mg.tensor([0.0, 1.0]), eps=0.1).numpy(), [-2.1972246, 2.1972246], rtol=1e-6
    )
    assert mg.logit(mg.tensor([1, 2])).dtype == mg.float32
    assert mg.xlogy(mg.tensor([0.0, 1.0]), mg.tensor([0.0, 2.0])).tolist()[0] == 0.0
    assert np.isnan(mg.xlogy(mg.tensor([0.0]), float("nan")).item())
    np.testing.assert_allclose(mg.xlogy(2, mg.tensor([3.0])).numpy(), [2 * np.log(3)], rtol=1e-6)
    assert mg.xlogy(mg.tensor([1, 2]), mg.tensor([1, 2])).dtype == mg.float32
    with pytest.raises(TypeError):
        mg.xlogy(1.0, 2.0)


def test_xlogy_gradient_at_zero_is_zero():
    x = mg.tensor([0.0, 2.0], dtype=mg.float64, requires_grad=True)
    y = mg.tensor([0.0, 3.0], dtype=mg.float64, requires_grad=True)
    mg.xlogy(x, y).sum().backward()
    assert x.grad.tolist() == [0.0, np.log(3.0)] and y.grad.tolist() == [0.0, 2.0 / 3.0]


def test_cross_kron_rot90_rules():
    with pytest.warns(UserWarning, match="dim"):
        out = mg.cross(mg.eye(3), mg.ones(3, 3))
    assert out.tolist() == [[0.0, 1.0, -1.0], [-1.0, 0.0, 1.0], [1.0, -1.0, 0.0]]
    with pytest.raises(RuntimeError, match="size 3"), pytest.warns(UserWarning):
        mg.cross(mg.ones(2, 2), mg.ones(2, 2))
    with pytest.raises(RuntimeError, match="size 3"):
        mg.cross(mg.ones(3, 2), mg.ones(3, 2), dim=1)
    k = mg.kron(mg.tensor([[1, 2], [3, 4]]), mg.ones(2, 1, dtype=mg.int64))
    assert k.tolist() == [[1, 2], [1, 2], [3, 4], [3, 4]]
    r = mg.arange(4).reshape(2, 2)
    assert mg.rot90(r).tolist() == [[1, 3], [0, 2]] and mg.rot90(r, 4).tolist() == r.tolist()
    with pytest.raises(RuntimeError, match="different"):
        mg.rot90(r, 1, [0, 0])
    with pytest.raises(RuntimeError, match="total dims"):
        mg.rot90(mg.arange(4), 1, [0, 1])
    with pytest.raises(TypeError, match="pair"):
        mg.rot90(r, 1, [0])


def test_searchsorted_and_bucketize():
    s, v = mg.tensor([1, 3, 5, 7, 9]), mg.tensor([[3, 6, 9], [3, 6, 9]])
    assert mg.searchsorted(s, v).tolist() == [[1, 3, 4]] * 2
    assert mg.searchsorted(s, v, right=True).tolist() == [[2, 3, 5]] * 2
    assert mg.searchsorted(s, v, side="right").tolist() == [[2, 3, 5]] * 2
    assert mg.searchsorted(s, 5).tolist() == 2 and mg.searchsorted(
        s, mg.tensor([2.5])
    ).tolist() == [1]
    assert mg.searchsorted(s, v, out_int32=True).dtype == mg.int32
    assert mg.searchsorted(mg.tensor([[1, 3], [2, 4]]), mg.tensor([[2], [3]])).tolist() == [
        [1],
        [1],
    ]
    unsorted = mg.tensor([5, 1, 3])
    assert mg.searchsorted(unsorted, mg.tensor([2]), sorter=mg.tensor([1, 2, 0])).tolist() == [1]
    with pytest.raises(ValueError, match="opposites"):
        mg.searchsorted(s, v, side="left", right=True)
    with pytest.raises(ValueError, match="side"):
        mg.searchsorted(s, v, side="middle")
    with pytest.raises(RuntimeError, match="leading dims"):
        mg.searchsorted(mg.tensor([[1, 3], [2, 4]]), mg.tensor([2, 3]))
    assert mg.bucketize(v, s).tolist() == [[1, 3, 4]] * 2
    assert mg.bucketize(v, s, right=True).tolist() == [[2, 3, 5]] * 2
    assert mg.bucketize(3, s).tolist() == 1 and mg.bucketize(mg.tensor(4.0), s).tolist() == 2
    with pytest.raises(RuntimeError, match="1 dimension"):
        mg.bucketize(v, mg.ones(2, 2))
    with pytest.raises(TypeError):
        mg.bucketize("3", s)


def test_triangle_indices():
    assert mg.triu_indices(3, 3).tolist() == [[0, 0, 0, 1, 1, 2], [0, 1, 2, 1, 2, 2]]
    assert mg.triu_indices(3, 4, 1).tolist() == [[0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3]]
    assert mg.tril_indices(3, 3, -1).tolist() == [[1, 2, 2], [0, 0, 1]]
    assert mg.tril_indices(2, 3, dtype=mg.int32).dtype == mg.int32
    empty = mg.triu_indices(0, 3)
    assert empty.shape == (2, 0) and empty.dtype == mg.int64
    with pytest.raises(ValueError, match="row must be non-negative"):
        mg.tril_indices(-1, 3)
    with pytest.raises(TypeError, match="integer dtype"):
        mg.tril_indices(3, 3, dtype=mg.float32)


def test_errors_name_the_argument():
    with pytest.raises(OptionError):
        mg.meshgrid(mg.arange(2), indexing="ji")
    with pytest.raises(ShapeError):
        mg.trace(mg.ones(2, 2, 2))
    with pytest.raises(DTypeError):
        mg.bitwise_xor(mg.tensor([1.0]), 1)
