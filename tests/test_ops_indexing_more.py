"""Reading and writing at indices and under masks: masked_fill, masked_select, index_select,
scatter, scatter_add, index_add, take_along_dim, nonzero and argwhere.

Values against numpy written out here, gradients against finite differences (masked_fill,
index_select, scatter_add and others to second order), gradient dtypes, hand-worked
gradients of the overwriting scatter, and the errors PyTorch raises: indices out of range
(IndexError, and RuntimeError as PyTorch raises), indices and masks of the wrong dtype or
shape, each naming the argument.
"""

import numpy as np
import pytest
from op_checks import check_grad_dtypes, check_gradient, check_value

import minigrad as mg
from minigrad import DTypeError, OptionError, ShapeError


def _on(a, values, dtype=None):
    """A constant tensor (an index, a mask) on a's device."""
    return mg.tensor(values, dtype=dtype, device=a.device)


MASK = [[True, False, True], [False, False, True]]
INDEX = [[0, 2], [1, 1]]  # along dim 1 of a (2, 3) tensor: (0, 0), (0, 2), (1, 1) twice
PLACES = [[0, 2], [2, 1]]  # no place twice: scatter's result would depend on the order


def _np_scatter(a, index, src, dim):
    out = a.copy()
    for place in np.ndindex(*np.shape(index)):
        target = list(place)
        target[dim] = index[place]
        out[tuple(target)] = src[place] if np.ndim(src) else src
    return out


def _np_scatter_add(a, index, src, dim):
    out = a.copy()
    for place in np.ndindex(*np.shape(index)):
        target = list(place)
        target[dim] = index[place]
        out[tuple(target)] += src[place]
    return out


# (id, minigrad function, numpy reference, input shapes)
CASES = [
    (
        "masked_fill",
        lambda a: a.masked_fill(_on(a, MASK), -1.0),
        lambda a: np.where(MASK, -1.0, a),
        [(2, 3)],
    ),
    (
        "masked_fill_broadcast",
        lambda a: mg.masked_fill(a, _on(a, [[True], [False]]), 2),
        lambda a: np.where([[True], [False]], 2.0, a),
        [(2, 3)],
    ),
    (
        "masked_fill_mask_wider",
        lambda a: a.masked_fill(_on(a, MASK), 0.5),
        lambda a: np.where(MASK, 0.5, a),
        [(3,)],
    ),
    (
        "masked_fill_tensor_value",
        lambda a, v: a.masked_fill(_on(a, MASK), v.reshape(())),
        lambda a, v: np.where(MASK, v[0], a),
        [(2, 3), (1,)],
    ),
    (
        "masked_select",
        lambda a: a.masked_select(_on(a, MASK)),
        lambda a: a[np.array(MASK)],
        [(2, 3)],
    ),
    (
        "masked_select_broadcast",
        lambda a: mg.masked_select(a, _on(a, [True, False, True])),
        lambda a: a[:, [0, 2]].ravel(),
        [(2, 3)],
    ),
    (
        "index_select",
        lambda a: a.index_select(1, _on(a, [2, 0, 2])),
        lambda a: a[:, [2, 0, 2]],
        [(2, 3)],
    ),
    (
        "index_select_int32",
        lambda a: mg.index_select(a, 0, _on(a, [1], mg.int32)),
        lambda a: a[[1]],
        [(2, 3)],
    ),
    (
        "index_select_0d_index",
        lambda a: a.index_select(-1, _on(a, 1)),
        lambda a: a[:, [1]],
        [(2, 3)],
    ),
    (
        "scatter",
        lambda a, s: a.scatter(1, _on(a, PLACES), s),
        lambda a, s: _np_scatter(a, np.array(PLACES), s, 1),
        [(2, 3), (2, 2)],
    ),
    (
        "scatter_larger_src",
        lambda a, s: mg.scatter(a, 0, _on(a, [[1, 0]]), s),
        lambda a, s: _np_scatter(a, np.array([[1, 0]]), s, 0),
        [(2, 3), (2, 3)],
    ),
    (
        "scatter_value",
        lambda a: a.scatter(1, _on(a, INDEX), 4.0),
        lambda a: _np_scatter(a, np.array(INDEX), 4.0, 1),
        [(2, 3)],
    ),  # (one value: any order)
    (
        "scatter_reduce_add",
        lambda a, s: a.scatter(1, _on(a, INDEX), s, reduce="add"),
        lambda a, s: _np_scatter_add(a, np.array(INDEX), s, 1),
        [(2, 3), (2, 2)],
    ),
    (
        "scatter_add",
        lambda a, s: a.scatter_add(1, _on(a, INDEX), s),
        lambda a, s: _np_scatter_add(a, np.array(INDEX), s, 1),
        [(2, 3), (2, 2)],
    ),
    (
        "scatter_add_dim0",
        lambda a, s: mg.scatter_add(a, 0, _on(a, [[1, 1, 0], [1, 0, 0]]), s),
        lambda a, s: _np_scatter_add(a, np.array([[1, 1, 0], [1, 0, 0]]), s, 0),
        [(2, 3), (2, 3)],
    ),
    (
        "index_add",
        lambda a, s: a.index_add(0, _on(a, [1, 1, 0]), s),
        lambda a, s: a + np.stack([s[2], s[0] + s[1]]),
        [(2, 3), (3, 3)],
    ),
    (
        "index_add_alpha",
        lambda a, s: mg.index_add(a, 1, _on(a, [2]), s, alpha=-2),
        lambda a, s: a + np.pad(-2 * s, ((0, 0), (2, 0))),
        [(2, 3), (2, 1)],
    ),
    (
        "take_along_dim",
        lambda a: a.take_along_dim(_on(a, [[2], [0]]), 1),
        lambda a: np.take_along_axis(a, np.array([[2], [0]]), 1),
        [(2, 3)],
    ),
    (
        "take_along_dim_broadcast",
        lambda a: mg.take_along_dim(a, _on(a, [[0, 2, 2]]), dim=1),
        lambda a: np.take_along_axis(a, np.array([[0, 2, 2]] * 2), 1),
        [(2, 3)],
    ),
    (
        "take_along_dim_flat",
        lambda a: mg.take_along_dim(a, _on(a, [[5, 0]])),
        lambda a: a.ravel()[[5, 0]],
        [(2, 3)],
    ),
]
IDS = [c[0] for c in CASES]
SECOND_ORDER = {
    "masked_fill",
    "masked_fill_tensor_value",
    "masked_select",
    "index_select",
    "scatter",
    "scatter_add",
    "scatter_add_dim0",
    "index_add",
    "take_along_dim",
    "take_along_dim_broadcast",
}


@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=IDS)
def test_value_matches_numpy(name, fn, ref, shapes, device):
    check_value(fn, ref, shapes, device)


@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=IDS)
def test_gradient_matches_finite_differences(name, fn, ref, shapes, device):
    check_gradient(fn, shapes, device, second_order=name in SECOND_ORDER)


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32, mg.float64], ids=str)
@pytest.mark.parametrize("name, fn, ref, shapes", CASES, ids=IDS)
def test_gradients_have_their_inputs_dtype(name, fn, ref, shapes, dtype):
    check_grad_dtypes(fn, shapes, dtype)


def test_scatter_gradients_as_pytorch():
    x = mg.ones(2, 3, requires_grad=True)
    src = mg.ones(2, 2, requires_grad=True)
    weights = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (x.scatter(1, mg.tensor([[0, 2], [1, 1]]), src) * weights).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 0.0], [4.0, 0.0, 6.0]]  # 0 where written over
    assert src.grad.tolist() == [[1.0, 3.0], [5.0, 5.0]]  # the gradient where each landed


def test_masked_fill_value_gets_the_gradient_under_the_mask():
    x = mg.zeros(2, 3, requires_grad=True)
    value = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    out = x.masked_fill(mg.tensor(MASK), value)
    assert out.dtype == mg.float32  # input's dtype, as in PyTorch
    (out * mg.arange(6.0).reshape(2, 3)).sum().backward()
    assert value.grad.item() == 0 + 2 + 5 and value.grad.dtype == mg.float64
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [3.0, 4.0, 0.0]]


def test_dtypes_of_results():
    ints = mg.arange(6).reshape(2, 3)
    assert ints.masked_fill(mg.tensor(MASK), 1.7).tolist() == [[1, 1, 1], [3, 4, 1]]  # truncated
    assert ints.scatter(1, mg.tensor([[0], [0]]), -2.5).tolist() == [[-2, 1, 2], [-2, 4, 5]]
    assert mg.tensor([True, False]).masked_fill(mg.tensor([False, True]), 2).tolist() == [
        True,
        True,
    ]
    assert ints.index_add(1, mg.tensor([0]), mg.ones(2, 1, dtype=mg.int64), alpha=3).tolist() == [
        [3, 1, 2],
        [6, 4, 5],
    ]


def test_zero_dim_inputs():
    s = mg.tensor(3.0)
    assert s.index_select(0, mg.tensor([0])).shape == ()
    assert s.scatter(0, mg.tensor(0), mg.tensor(5.0)).item() == 5.0
    assert s.scatter_add(0, mg.tensor(0), mg.tensor(5.0)).item() == 8.0
    assert s.index_add(0, mg.tensor(0), mg.tensor(5.0)).item() == 8.0
    assert s.masked_select(mg.tensor(True)).tolist() == [3.0]
    assert s.take_along_dim(mg.tensor([0, 0])).tolist() == [3.0, 3.0]


def test_nonzero_and_argwhere():
    x = mg.tensor([[0.0, 1.5, 2.0], [3.0, 0.0, 0.0]])
    want = np.argwhere(x.numpy())
    assert mg.nonzero(x).tolist() == want.tolist() and x.argwhere().dtype == mg.int64
    rows, cols = x.nonzero(as_tuple=True)
    assert (rows.tolist(), cols.tolist()) == (want[:, 0].tolist(), want[:, 1].tolist())
    assert mg.nonzero(mg.tensor(2.0)).shape == (1, 0)
    assert [t.tolist() for t in mg.tensor(0.0).nonzero(as_tuple=True)] == [[]]
    assert mg.nonzero(mg.zeros(0, 3)).shape == (0, 2)
    assert not mg.nonzero(mg.ones(2, requires_grad=True)).requires_grad


X = mg.zeros(2, 3)
I2 = mg.tensor([[0, 1]])
BAD = [  # (call, error type, words the message must contain)
    (lambda: X.masked_fill(mg.ones(3), 1.0), DTypeError, "mask must be a bool tensor"),
    (lambda: X.masked_fill([True, False, True], 1.0), TypeError, "mask must be a Tensor"),
    (lambda: X.masked_fill(mg.ones(4, dtype=mg.bool), 1.0), ShapeError, "mask (4,)"),
    (lambda: X.masked_fill(mg.ones(3, dtype=mg.bool), mg.ones(1)), ShapeError, "0-d tensor"),
    (lambda: X.masked_fill(mg.ones(3, dtype=mg.bool), "a"), TypeError, "value must be a number"),
    (lambda: X.long().masked_fill(mg.ones(3, dtype=mg.bool), 2**70), OptionError, "value"),
    (lambda: X.half().masked_fill(mg.ones(3, dtype=mg.bool), 1e6), OptionError, "float16"),
    (lambda: X.masked_select(mg.ones(2, 3, dtype=mg.int64)), DTypeError, "mask"),
    (lambda: X.index_select(1, mg.tensor([3])), IndexError, "index 3 is out of bounds"),
    (lambda: X.index_select(1, mg.tensor([-1])), RuntimeError, "index -1 is out of bounds"),
    (lambda: X.index_select(1, mg.tensor([1.0])), DTypeError, "index must be a int64 or int32"),
    (lambda: X.index_select(1, mg.tensor([1], dtype=np.int16)), DTypeError, "index"),
    (lambda: X.index_select(1, mg.tensor([[1]])), IndexError, "index must be a vector"),
    (lambda: X.index_select(1, [1]), TypeError, "index must be a Tensor"),
    (lambda: X.index_select(2, mg.tensor([0])), IndexError, "dim out of range"),
    (lambda: mg.tensor(1.0).index_select(0, mg.tensor([0, 0])), OptionError, "one value"),
    (lambda: X.scatter(1, mg.tensor([[3]]), 1.0), IndexError, "index 3 is out of bounds"),
    (lambda: X.scatter(1, mg.tensor([0, 1]), 1.0), ShapeError, "as many dims as input"),
    (lambda: X.scatter(1, mg.tensor([[0.0]]), 1.0), DTypeError, "index must be"),
    (lambda: X.scatter(1, I2, mg.ones(1, 2).double()), DTypeError, "src must have input's"),
    (lambda: X.scatter(1, I2, mg.ones(1, 1)), ShapeError, "no larger than src"),
    (lambda: X.scatter(1, I2, mg.ones(2)), ShapeError, "src must have as many dims"),
    (lambda: X.scatter(0, mg.tensor([[0, 1, 0, 1]]), 1.0), ShapeError, "no larger than input"),
    (lambda: X.scatter(1, I2), TypeError, "src"),
    (lambda: X.scatter(1, I2, mg.ones(1, 2), value=1.0), TypeError, "one of src"),
    (lambda: X.scatter(1, I2, 1.0, reduce="mean"), OptionError, "reduce"),
    (lambda: X.scatter(1, I2, 1.0, reduce="multiply"), NotImplementedError, "multiply"),
    (lambda: X.scatter(1, I2, "a"), TypeError, "value must be a number"),
    (lambda: X.scatter_add(1, I2, 1.0), TypeError, "src must be a Tensor"),
    (lambda: X.scatter_add(1, mg.tensor([[-1]]), mg.ones(1, 1)), IndexError, "index -1"),
    (lambda: X.index_add(1, mg.tensor([0, 3]), mg.ones(2, 2)), IndexError, "index 3"),
    (lambda: X.index_add(1, mg.tensor([0]), mg.ones(2, 2)), ShapeError, "source must have shape"),
    (lambda: X.index_add(1, mg.tensor([0]), mg.ones(2, 1).double()), DTypeError, "source"),
    (lambda: X.index_add(1, mg.tensor([[0]]), mg.ones(2, 1)), IndexError, "index must be"),
    (lambda: X.index_add(1, mg.tensor([0]), mg.ones(2, 1), alpha="a"), TypeError, "alpha"),
    (lambda: X.take_along_dim(mg.tensor([[0]], dtype=mg.int32), 1), DTypeError, "indices"),
    (lambda: X.take_along_dim(mg.tensor([0]), 1), ShapeError, "same number of dims"),
    (lambda: X.take_along_dim(mg.tensor([[0], [1], [2]]), 1), ShapeError, "do not broadcast"),
    (lambda: X.take_along_dim(mg.tensor([[3]]), 1), IndexError, "indices 3 is out of bounds"),
    (lambda: X.take_along_dim(mg.tensor([6])), IndexError, "indices 6"),
    (lambda: mg.tensor(1.0).take_along_dim(mg.tensor(0), 0), IndexError, "0-d"),
    (lambda: X.nonzero(as_tuple=1), TypeError, "as_tuple must be a bool"),
]


@pytest.mark.parametrize("call, error, words", BAD, ids=[b[2] for b in BAD])
def test_bad_input_raises_a_clear_error(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value)


def test_out_of_range_indices_are_index_and_runtime_errors():
    with pytest.raises(IndexError):
        X.scatter(1, mg.tensor([[5]]), 1.0)
    with pytest.raises(RuntimeError):  # what PyTorch raises for these
        X.index_select(0, mg.tensor([2]))
