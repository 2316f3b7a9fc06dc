"""Products: mm, bmm, mv, dot, outer/ger, matmul's keywords, tensordot and einsum.

Values against numpy (np.einsum is the reference for every equation), gradients against
finite differences (einsum and tensordot also to second order), gradient dtypes, and the
errors PyTorch raises for shapes, dtypes and equations that do not fit, each naming the
argument at fault.
"""

import numpy as np
import pytest
from op_checks import check_grad_dtypes, check_gradient, check_value

import minigrad as mg
from minigrad import DTypeError, OptionError, ShapeError

E = np.einsum

# (id, minigrad function, numpy reference, input shapes)
CASES = [
    ("mm", mg.mm, np.matmul, [(2, 3), (3, 4)]),
    ("mm_keywords", lambda a, b: mg.mm(input=a, mat2=b), np.matmul, [(2, 3), (3, 1)]),
    ("bmm", lambda a, b: a.bmm(b), np.matmul, [(2, 2, 3), (2, 3, 2)]),
    ("mv", lambda a, b: mg.mv(input=a, vec=b), np.matmul, [(2, 3), (3,)]),
    ("dot", lambda a, b: a.dot(b), np.dot, [(4,), (4,)]),
    ("dot_keyword", lambda a, b: mg.dot(a, tensor=b), np.dot, [(3,), (3,)]),
    ("outer", mg.outer, np.outer, [(3,), (2,)]),
    ("ger", lambda a, b: a.ger(vec2=b), np.outer, [(2,), (3,)]),
    ("matmul_keywords", lambda a, b: mg.matmul(input=a, other=b), np.matmul, [(2, 2, 3), (3,)]),
    ("tensordot_2", mg.tensordot, lambda a, b: np.tensordot(a, b, 2), [(2, 3, 2), (3, 2, 2)]),
    (
        "tensordot_lists",
        lambda a, b: mg.tensordot(a, b, dims=([1, 0], [0, 2])),
        lambda a, b: np.tensordot(a, b, ([1, 0], [0, 2])),
        [(2, 3, 2), (3, 2, 2)],
    ),
    (
        "tensordot_negative",
        lambda a, b: mg.tensordot(a, b, ([-1], [0])),
        lambda a, b: np.tensordot(a, b, ([1], [0])),
        [(2, 3), (3, 2)],
    ),
    ("tensordot_0", lambda a, b: mg.tensordot(a, b, 0), np.multiply.outer, [(2,), (3,)]),
    (
        "tensordot_size_1",
        lambda a, b: mg.tensordot(a, b, ([1], [0])),
        lambda a, b: np.tensordot(np.broadcast_to(a, (2, 3)), b, 1),
        [(2, 1), (3, 2)],
    ),
    (
        "einsum_matmul",
        lambda a, b: mg.einsum("ij,jk->ik", a, b),
        lambda a, b: a @ b,
        [(2, 3), (3, 2)],
    ),
    (
        "einsum_batched",
        lambda a, b: mg.einsum("bij,bjk->bik", [a, b]),
        lambda a, b: E("bij,bjk->bik", a, b),
        [(2, 2, 3), (2, 3, 2)],
    ),
    (
        "einsum_implicit",
        lambda a, b: mg.einsum("ba,ca", a, b),
        lambda a, b: E("ba,ca", a, b),
        [(2, 3), (2, 3)],
    ),
    ("einsum_capitals", lambda a: mg.einsum("aB", a), lambda a: E("aB", a), [(2, 3)]),
    ("einsum_diagonal", lambda a: mg.einsum("ii->i", a), np.diagonal, [(3, 3)]),
    ("einsum_trace", lambda a: mg.einsum("ii", a), np.trace, [(3, 3)]),
    (
        "einsum_diagonal_3",
        lambda a, b: mg.einsum("iji,j->ij", a, b),
        lambda a, b: E("iji,j->ij", a, b),
        [(2, 3, 2), (3,)],
    ),
    ("einsum_sum", lambda a: mg.einsum("ij->", a), np.sum, [(2, 3)]),
    (
        "einsum_sum_one_dim",
        lambda a, b: mg.einsum("ij,k->i", a, b),
        lambda a, b: E("ij,k->i", a, b),
        [(2, 3), (2,)],
    ),
    (
        "einsum_ellipsis",
        lambda a: mg.einsum("...ij->...ji", a),
        lambda a: a.swapaxes(-1, -2),
        [(2, 1, 2, 3)],
    ),
    (
        "einsum_ellipsis_broadcast",
        lambda a, b: mg.einsum("...i,...i->...", a, b),
        lambda a, b: (a * b).sum(-1),
        [(2, 1, 3), (4, 3)],
    ),
    (
        "einsum_ellipsis_summed",
        lambda a: mg.einsum("i...j->ij", a),
        lambda a: a.sum(1),
        [(2, 3, 2)],
    ),
    (
        "einsum_ellipsis_middle",
        lambda a, b: mg.einsum("i...,i...->...i", a, b),
        lambda a, b: E("i...,i...->...i", a, b),
        [(2, 3), (2, 1, 3)],
    ),
    (
        "einsum_size_1_broadcast",
        lambda a, b: mg.einsum("ij,j->i", a, b),
        lambda a, b: (a * b).sum(1),
        [(2, 1), (3,)],
    ),
    (
        "einsum_three",
        lambda a, b, c: mg.einsum("ij,jk,kl->il", a, b, c),
        lambda a, b, c: a @ b @ c,
        [(2, 3), (3, 2), (2, 2)],
    ),
    ("einsum_same_operand", lambda a: mg.einsum("i,i->", a, a), lambda a: (a * a).sum(), [(3,)]),
    ("einsum_scalar", lambda a, b: mg.einsum(",i->i", a.reshape(()), b), np.multiply, [(1,), (3,)]),
    (
        "einsum_sublists",
        lambda a, b: mg.einsum(a, [0, 1], b, [1, 2], [0, 2]),
        np.matmul,
        [(2, 3), (3, 2)],
    ),
    (
        "einsum_sublist_ellipsis",
        lambda a: mg.einsum(a, [..., 0], [0]),
        lambda a: a.reshape(-1, a.shape[-1]).sum(0),
        [(2, 2, 3)],
    ),
]
IDS = [c[0] for c in CASES]
SECOND_ORDER = {
    "mm",
    "outer",
    "tensordot_lists",
    "tensordot_size_1",
    "einsum_matmul",
    "einsum_diagonal",
    "einsum_diagonal_3",
    "einsum_sum_one_dim",
    "einsum_ellipsis_broadcast",
    "einsum_size_1_broadcast",
    "einsum_three",
    "einsum_same_operand",
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


def _ops(y) -> list[str]:
    return [fn.name for fn in mg.autograd.engine.entries_leading_to([y])]


def test_einsum_and_tensordot_are_one_tape_entry():
    a, b = mg.randn(2, 3, requires_grad=True), mg.randn(3, 4)
    assert _ops(mg.einsum("ij,jk->ik", a, b)) == ["einsum"]
    assert _ops(mg.tensordot(a, b, 1)) == ["tensordot"]
    # first a diagonal is indexed out; a size-1 dim that broadcasts is reshaped away
    assert _ops(mg.einsum("ii->", a[:, :2])) == ["getitem", "getitem", "einsum"]
    assert _ops(mg.einsum("ij,j->i", a[:, :1], mg.ones(3))) == ["getitem", "reshape", "einsum"]


def test_integer_products_stay_integer():
    a = mg.arange(6).reshape(2, 3)
    assert mg.mm(a, a.T).tolist() == [[5, 14], [14, 50]]
    assert mg.einsum("ij->j", a).dtype == mg.int64
    assert mg.tensordot(a, a, 2).item() == 55
    assert mg.outer(mg.arange(2), mg.ones(2)).dtype == mg.float32  # promoted, as PyTorch


def test_matmul_keywords_and_methods():
    a, b = mg.randn(2, 3), mg.randn(3, 4)
    np.testing.assert_allclose(a.matmul(other=b).numpy(), a.numpy() @ b.numpy(), rtol=1e-6)
    assert a.mm(mat2=b).shape == (2, 4) and mg.randn(3).outer(vec2=mg.randn(2)).shape == (3, 2)


BAD = [  # (call, error type, words the message must contain)
    (lambda: mg.mm(mg.ones(3), mg.ones(3, 2)), ShapeError, "input must be a matrix"),
    (lambda: mg.mm(mg.ones(2, 3), mg.ones(3)), ShapeError, "mat2 must be a matrix"),
    (lambda: mg.mm(mg.ones(2, 3), mg.ones(4, 2)), ShapeError, "(2x3 and 4x2)"),
    (lambda: mg.mm(mg.ones(2, 3), mg.ones(3, 2).double()), DTypeError, "input and mat2"),
    (lambda: mg.mm(mg.ones(2, 2).bool(), mg.ones(2, 2).bool()), DTypeError, "bool"),
    (lambda: mg.mm(mg.ones(2, 2), [[1.0]]), TypeError, "mat2 must be a Tensor"),
    (lambda: mg.bmm(mg.ones(2, 2, 3), mg.ones(3, 3, 2)), ShapeError, "mat2 must have shape"),
    (lambda: mg.bmm(mg.ones(2, 3), mg.ones(3, 2)), ShapeError, "input must be a batch"),
    (lambda: mg.mv(mg.ones(2, 3), mg.ones(4)), ShapeError, "vec of shape (4,)"),
    (lambda: mg.dot(mg.ones(3), mg.ones(4)), ShapeError, "same number of elements"),
    (lambda: mg.dot(mg.ones(3), mg.ones(3).double()), DTypeError, "input and tensor"),
    (lambda: mg.outer(mg.ones(2, 2), mg.ones(2)), ShapeError, "input must be a vector"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(3, 2), -1), ShapeError, "dims must be >= 0"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(3, 2), 3), ShapeError, "dims=3"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(3, 2), 1.5), TypeError, "dims must be an int"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(2, 3), ([0], [0, 1])), ShapeError, "one length"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(2, 3), ([0, 0], [0, 1])), ShapeError, "twice"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(2, 3), (1, 0)), TypeError, "pair of lists"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(2, 3), ([0], [5])), IndexError, "dims"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(2, 3), ([1], [0])), ShapeError, "size 3 in dim 1"),
    (lambda: mg.tensordot(mg.ones(2), mg.ones(2).double(), 1), DTypeError, "a and b"),
    (lambda: mg.einsum("ij,jk", mg.ones(2, 2)), OptionError, "2 operand(s), but 1"),
    (lambda: mg.einsum("i1", mg.ones(2, 2)), OptionError, "invalid subscript '1'"),
    (lambda: mg.einsum("i.j", mg.ones(2, 2)), OptionError, "not part of an ellipsis"),
    (lambda: mg.einsum("...i...", mg.ones(2, 2)), OptionError, "two ellipses"),
    (lambda: mg.einsum("ijk", mg.ones(2, 2)), ShapeError, "operand 0 has 2 dims"),
    (lambda: mg.einsum("ij->k", mg.ones(2, 2)), OptionError, "output subscript k"),
    (lambda: mg.einsum("i->ii", mg.ones(2)), OptionError, "more than once"),
    (lambda: mg.einsum("ii->i", mg.ones(2, 3)), ShapeError, "repeated in operand 0"),
    (lambda: mg.einsum("i,i->i", mg.ones(2), mg.ones(3)), ShapeError, "subscript i has size 2"),
    (lambda: mg.einsum("...,...", mg.ones(2), mg.ones(3)), ShapeError, "ellipses"),
    (lambda: mg.einsum("i,i", mg.ones(2), mg.ones(2).double()), DTypeError, "operands[1]"),
    (lambda: mg.einsum("i,i", mg.ones(2), [1.0, 2.0]), TypeError, "operands[1]"),
    (lambda: mg.einsum(3, mg.ones(2)), TypeError, "equation must be a str"),
    (lambda: mg.einsum(mg.ones(2), [60]), OptionError, "[0, 52)"),
    (lambda: mg.einsum(), TypeError, "equation"),
]


@pytest.mark.parametrize("call, error, words", BAD, ids=[b[2] for b in BAD])
def test_bad_input_raises_a_clear_error(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value)
