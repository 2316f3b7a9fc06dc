"""Cutting, repeating and moving: chunk, split, unbind, narrow, movedim, repeat, tile,
repeat_interleave, flip, roll, tril/triu, diag, diagonal, diag_embed, clone, contiguous and
the `*_as` and `type` methods.

Values against numpy, gradients against finite differences (some to second order), gradient
dtypes, PyTorch's rules where numpy's differ (chunk's sizes, tile's padding, roll with no
dims), and clear errors for dims, sizes and counts that do not fit.
"""

import numpy as np
import pytest
from op_checks import check_grad_dtypes, check_gradient, check_value

import minigrad as mg
from minigrad import DTypeError, OptionError, ShapeError


def _split(a, sizes, axis):
    return np.split(a, np.cumsum(sizes)[:-1], axis)


# (id, minigrad function, numpy reference, input shapes)
CASES = [
    ("chunk", lambda a: a.chunk(3, 1), lambda a: _split(a, [2, 2, 1], 1), [(2, 5)]),
    ("chunk_fewer", lambda a: mg.chunk(a, 4), lambda a: _split(a, [2, 2, 2], 0), [(6,)]),
    ("split_size", lambda a: mg.split(a, 2, -1), lambda a: _split(a, [2, 2, 1], 1), [(2, 5)]),
    (
        "split_sections",
        lambda a: a.split([1, 0, 3], dim=0),
        lambda a: _split(a, [1, 0, 3], 0),
        [(4, 2)],
    ),
    (
        "split_method_keyword",
        lambda a: a.split(split_size=3),
        lambda a: _split(a, [3, 1], 0),
        [(4,)],
    ),
    ("unbind", lambda a: a.unbind(1), lambda a: [a[:, i] for i in range(3)], [(2, 3)]),
    ("unbind_many", mg.unbind, list, [(7, 2)]),  # (cut in halves first: see movement.py)
    ("narrow", lambda a: a.narrow(1, -3, 2), lambda a: a[:, 1:3], [(2, 4)]),
    (
        "movedim",
        lambda a: mg.movedim(a, (0, 1), (2, 0)),
        lambda a: np.moveaxis(a, (0, 1), (2, 0)),
        [(2, 3, 4)],
    ),
    ("moveaxis", lambda a: a.moveaxis(0, -1), lambda a: np.moveaxis(a, 0, -1), [(2, 3)]),
    ("repeat", lambda a: a.repeat(2, 1, 3), lambda a: np.tile(a, (2, 1, 3)), [(2, 2)]),
    ("repeat_keyword", lambda a: a.repeat(repeats=(2, 2)), lambda a: np.tile(a, (2, 2)), [(3,)]),
    ("tile_padded", lambda a: mg.tile(a, (2,)), lambda a: np.tile(a, 2), [(2, 2)]),
    ("tile_method", lambda a: a.tile(2, 1, 1), lambda a: np.tile(a, (2, 1, 1)), [(2, 3)]),
    (
        "repeat_interleave",
        lambda a: a.repeat_interleave(2, dim=1),
        lambda a: np.repeat(a, 2, 1),
        [(2, 3)],
    ),
    (
        "repeat_interleave_flat",
        lambda a: mg.repeat_interleave(a, 3),
        lambda a: np.repeat(a, 3),
        [(2, 2)],
    ),
    (
        "repeat_interleave_counts",
        lambda a: a.repeat_interleave(mg.tensor([2, 0, 1]), 0),
        lambda a: np.repeat(a, [2, 0, 1], 0),
        [(3, 2)],
    ),
    ("flip", lambda a: mg.flip(a, (0, 2)), lambda a: np.flip(a, (0, 2)), [(2, 3, 2)]),
    ("flip_method", lambda a: a.flip(-1), lambda a: a[:, ::-1], [(2, 3)]),
    (
        "roll",
        lambda a: mg.roll(a, (1, -4), (0, 1)),
        lambda a: np.roll(a, (1, -4), (0, 1)),
        [(3, 3)],
    ),
    ("roll_flat", lambda a: a.roll(2), lambda a: np.roll(a, 2), [(2, 3)]),
    ("tril", lambda a: a.tril(), np.tril, [(3, 4)]),
    ("tril_batched", lambda a: mg.tril(a, diagonal=-1), lambda a: np.tril(a, -1), [(2, 3, 3)]),
    ("triu", lambda a: mg.triu(a, 1), lambda a: np.triu(a, 1), [(4, 3)]),
    ("diag_embed_1d", lambda a: mg.diag(a, 1), lambda a: np.diag(a, 1), [(3,)]),
    ("diag_of_matrix", lambda a: a.diag(-1), lambda a: np.diag(a, -1), [(3, 4)]),
    ("diagonal", lambda a: a.diagonal(), np.diagonal, [(3, 4)]),
    (
        "diagonal_dims",
        lambda a: mg.diagonal(a, 1, -1, 0),
        lambda a: np.diagonal(a, 1, -1, 0),
        [(3, 2, 4)],
    ),
    ("diagonal_offset_past", lambda a: a.diagonal(5), lambda a: np.diagonal(a, 5), [(2, 3)]),
    (
        "diag_embed",
        lambda a: mg.diag_embed(a),
        lambda a: np.stack([np.diag(r) for r in a]),
        [(2, 3)],
    ),
    (
        "diag_embed_dims",
        lambda a: a.diag_embed(-1, 0, 2),
        lambda a: np.moveaxis(np.stack([np.diag(r, -1) for r in a]), 0, 1),
        [(2, 3)],
    ),
    ("clone", mg.clone, np.copy, [(2, 3)]),
    ("contiguous", lambda a: a.T.contiguous(), np.transpose, [(2, 3)]),
    ("view_as", lambda a: a.view_as(mg.zeros(3, 2)), lambda a: a.reshape(3, 2), [(2, 3)]),
    ("reshape_as", lambda a: a.reshape_as(mg.zeros(6)), np.ravel, [(2, 3)]),
    ("type_as", lambda a: a.type_as(mg.zeros(1, dtype=a.dtype)), np.copy, [(2, 3)]),
]
IDS = [c[0] for c in CASES]
SECOND_ORDER = {
    "chunk",
    "unbind_many",
    "repeat",
    "repeat_interleave",
    "repeat_interleave_counts",
    "roll",
    "tril",
    "diag_embed_1d",
    "diagonal_dims",
    "diag_embed_dims",
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


def test_pytorch_rules_for_sizes_and_counts():
    assert [c.shape for c in mg.zeros(0).chunk(3)] == [(0,), (0,), (0,)]  # as many as asked
    assert [s.shape for s in mg.zeros(0).split(0)] == [(0,)]
    assert [s.shape for s in mg.zeros(5).split(7)] == [(5,)]
    assert mg.unbind(mg.zeros(0, 3)) == ()
    assert mg.zeros(2, 5).narrow(1, 5, 0).shape == (2, 0)
    assert mg.tensor(3.0).repeat(2, 3).tolist() == [[3.0] * 3] * 2
    assert mg.tensor(3.0).tile(()).shape == ()
    assert mg.repeat_interleave(mg.tensor([1, 0, 2])).tolist() == [0, 2, 2]
    assert mg.repeat_interleave(mg.tensor(2.0), 3).tolist() == [2.0] * 3
    assert mg.tensor(5.0).flip(0).item() == 5.0 and mg.tensor(5.0).roll(1).item() == 5.0
    assert mg.movedim(mg.tensor(1.0), 0, 0).shape == ()


def test_clone_copies_and_contiguous_copies_only_when_needed():
    x = mg.randn(2, 3, requires_grad=True)
    assert x.contiguous() is x and x.is_contiguous() and not x.T.is_contiguous()
    y = x.T.contiguous()
    assert y.is_contiguous() and y.grad_fn.name == "clone"
    c = x.clone()
    assert not np.shares_memory(c.array, x.array) and c.grad_fn is not None


def test_type_names_and_casts():
    assert mg.zeros(2).type() == "minigrad.FloatTensor"
    assert mg.zeros(2, dtype=mg.int64).type() == "minigrad.LongTensor"
    assert mg.zeros(2).bool().type() == "minigrad.BoolTensor"
    assert mg.zeros(2).type(mg.float64).dtype == mg.float64
    assert mg.zeros(2).type("torch.IntTensor").dtype == mg.int32
    assert mg.zeros(2).type(dtype="minigrad.HalfTensor").dtype == mg.float16
    assert mg.zeros(2).type_as(mg.zeros(1, dtype=mg.int64)).dtype == mg.int64


def test_unbind_backward_sends_each_row_its_own_gradient():
    x = mg.randn(9, 2, requires_grad=True)
    rows = x.unbind()
    sum(r.sum() * i for i, r in enumerate(rows)).backward()
    assert x.grad.tolist() == [[float(i)] * 2 for i in range(9)]
    with mg.no_grad():  # unrecorded: one slice per row, no halving
        assert len(x.unbind()) == 9


BAD = [  # (call, error type, words the message must contain)
    (lambda: mg.zeros(3).chunk(0), OptionError, "chunks must be greater than 0"),
    (lambda: mg.zeros(3).chunk(2.0), TypeError, "chunks must be an int"),
    (lambda: mg.chunk(mg.tensor(1.0), 1), ShapeError, "at least 1 dim"),
    (lambda: mg.zeros(3).chunk(2, 1), IndexError, "dim out of range"),
    (lambda: mg.zeros(5).split(0), OptionError, "split_size can only be 0"),
    (lambda: mg.zeros(5).split(-1), OptionError, "non-negative"),
    (lambda: mg.zeros(5).split([2, 2]), OptionError, "adding up to the size of dim 0, 5"),
    (lambda: mg.zeros(5).split([2, 2.5]), TypeError, "split_size_or_sections must be ints"),
    (lambda: mg.split(mg.zeros(5)), TypeError, "split_size_or_sections"),
    (lambda: mg.zeros(5).split(2, split_size=2), TypeError, "not both"),
    (lambda: mg.unbind(mg.tensor(1.0)), IndexError, "no dimensions"),
    (lambda: mg.zeros(2, 5).narrow(1, 4, 2), OptionError, "start (4) + length (2)"),
    (lambda: mg.zeros(2, 5).narrow(1, 6, 0), IndexError, "start out of range"),
    (lambda: mg.zeros(2, 5).narrow(1, 1, -1), OptionError, "length must be non-negative"),
    (lambda: mg.tensor(1.0).narrow(0, 0, 1), ShapeError, "0-d"),
    (lambda: mg.zeros(2, 3).movedim((0, 0), (1, 0)), OptionError, "repeated dim in source"),
    (lambda: mg.zeros(2, 3).movedim((0, 1), (1,)), ShapeError, "source (2 dims)"),
    (lambda: mg.zeros(2, 3).movedim(0, (1,)), TypeError, "source and destination"),
    (lambda: mg.zeros(2, 3).movedim(2, 0), IndexError, "source"),
    (lambda: mg.zeros(2, 3).repeat(2), ShapeError, "number of repeats (1)"),
    (lambda: mg.zeros(2, 3).repeat(-1, 1), OptionError, "repeats must be non-negative"),
    (lambda: mg.zeros(2, 3).repeat(), TypeError, "repeats"),
    (lambda: mg.zeros(2, 3).repeat(2.0, 1), TypeError, "repeats must be ints"),
    (lambda: mg.zeros(2, 3).tile(-1), OptionError, "dims must be non-negative"),
    (lambda: mg.repeat_interleave(mg.zeros(3), -1), OptionError, "repeats must be non-negative"),
    (lambda: mg.repeat_interleave(mg.zeros(3), 2.0), TypeError, "repeats must be an int"),
    (
        lambda: mg.repeat_interleave(mg.zeros(2, 3), mg.tensor([1, 2]), 1),
        ShapeError,
        "one count per element along dim (3)",
    ),
    (
        lambda: mg.repeat_interleave(mg.zeros(3), mg.tensor([1.0, 2.0, 1.0])),
        DTypeError,
        "integer tensor",
    ),
    (lambda: mg.repeat_interleave(mg.zeros(2), mg.tensor([[1, 2]]), 0), ShapeError, "0-d or 1-d"),
    (lambda: mg.repeat_interleave(mg.zeros(2), mg.tensor([1, -2]), 0), OptionError, "non-negative"),
    (lambda: mg.repeat_interleave(mg.zeros(2), 2, 0, output_size=5), OptionError, "output_size 5"),
    (lambda: mg.repeat_interleave(mg.zeros(2), [1, 2], 0), TypeError, "repeats must be an int"),
    (lambda: mg.flip(mg.zeros(2, 3), (0, 0)), OptionError, "more than once"),
    (lambda: mg.flip(mg.zeros(2, 3), (2,)), IndexError, "dims"),
    (lambda: mg.zeros(2).flip(), TypeError, "dims"),
    (lambda: mg.roll(mg.zeros(2, 3), (1, 2), 1), ShapeError, "2 shifts, 1 dims"),
    (lambda: mg.roll(mg.zeros(2, 3), (1, 2)), ShapeError, "2 shifts, 0 dims"),
    (lambda: mg.roll(mg.zeros(2, 3), ()), OptionError, "shifts must not be empty"),
    (lambda: mg.roll(mg.zeros(2, 3), 1.5), TypeError, "shifts must be an int"),
    (lambda: mg.roll(mg.tensor(1.0), 1, 0), IndexError, "0-d"),
    (lambda: mg.tril(mg.zeros(3)), ShapeError, "at least 2 dims"),
    (lambda: mg.triu(mg.zeros(3, 3), 1.5), TypeError, "diagonal must be an int"),
    (lambda: mg.diag(mg.zeros(2, 2, 2)), ShapeError, "1-d or 2-d"),
    (lambda: mg.diagonal(mg.zeros(2, 2), 0, 0, 0), OptionError, "dim1 and dim2 must differ"),
    (lambda: mg.diagonal(mg.zeros(2, 2), 0, 0, 2), IndexError, "dim2"),
    (lambda: mg.diagonal(mg.zeros(2)), ShapeError, "at least 2 dims"),
    (lambda: mg.diag_embed(mg.tensor(1.0)), ShapeError, "at least 1 dim"),
    (lambda: mg.zeros(2, 3).view_as(mg.zeros(4)), ShapeError, "reshape"),
    (lambda: mg.zeros(2, 3).view_as((3, 2)), TypeError, "other must be a Tensor"),
    (lambda: mg.zeros(2).type_as(mg.float64), TypeError, "other must be a Tensor"),
    (lambda: mg.zeros(2).type("float64"), OptionError, "type name"),
    (lambda: mg.zeros(2).type("torch.FooTensor"), OptionError, "type name"),
]


@pytest.mark.parametrize("call, error, words", BAD, ids=[b[2] for b in BAD])
def test_bad_input_raises_a_clear_error(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value)
