"""F.embedding and nn.Embedding: lookups, the gradient of repeated indices (one scatter-add),
padding_idx, max_norm, scale_grad_by_freq, from_pretrained, and bad input."""

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck


def test_lookup_and_the_gradient_adds_repeated_rows(device):
    weight = mg.arange(12.0, device=device).reshape(4, 3).requires_grad_()
    idx = mg.tensor([[0, 2], [2, 2]], device=device)
    out = F.embedding(idx, weight)
    assert out.tolist() == [[[0, 1, 2], [6, 7, 8]], [[6, 7, 8], [6, 7, 8]]]
    assert [e.op for e in mg.autograd.tape(out)] == ["embedding"]
    out.backward(mg.ones(2, 2, 3, device=device))
    assert weight.grad.tolist() == [[1, 1, 1], [0, 0, 0], [3, 3, 3], [0, 0, 0]]


def test_padding_idx_gets_no_gradient_and_scale_grad_by_freq_divides_by_the_count():
    weight = mg.ones(5, 2, requires_grad=True)
    idx = mg.tensor([1, 1, 3, 4, 4, 4])
    F.embedding(idx, weight, padding_idx=-1).sum().backward()  # -1 is row 4
    assert weight.grad.tolist() == [[0, 0], [2, 2], [0, 0], [1, 1], [0, 0]]
    weight.grad = None
    F.embedding(idx, weight, scale_grad_by_freq=True).sum().backward()
    assert weight.grad.tolist() == [[0, 0], [1, 1], [0, 0], [1, 1], [1, 1]]


def test_max_norm_renormalises_the_rows_looked_up_in_place():
    weight = mg.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    out = F.embedding(mg.tensor([0, 1]), weight, max_norm=1.0)
    np.testing.assert_allclose(weight.numpy()[0], [0.6, 0.8], rtol=1e-6)
    assert weight.tolist()[1:] == [[0.30000001192092896, 0.4000000059604645], [6.0, 8.0]]
    np.testing.assert_allclose(out.numpy(), weight.numpy()[:2])
    F.embedding(mg.tensor([2]), weight, max_norm=2.0, norm_type=1.0)
    np.testing.assert_allclose(weight.numpy()[2], [6 / 7, 8 / 7], rtol=1e-6)


def test_gradients_and_second_derivatives():
    weight = mg.randn(6, 3, dtype=mg.float64, requires_grad=True)
    idx = mg.tensor([[0, 5, 5], [2, 0, 1]])
    assert gradcheck(lambda w: F.embedding(idx, w), (weight,))
    assert gradgradcheck(lambda w: F.embedding(idx, w) * w.sum(), (weight,))
    out = F.embedding(idx, weight.float().detach().requires_grad_())
    _check_grads(out, [out.grad_fn.inputs[0]])


def test_module_initialisation_names_and_from_pretrained():
    emb = nn.Embedding(1000, 16, padding_idx=3)
    assert list(emb.state_dict()) == ["weight"] and emb.weight.shape == (1000, 16)
    assert (emb.weight[3] == 0).all() and 0.9 < float(emb.weight.std()) < 1.1  # N(0, 1)
    assert repr(emb) == "Embedding(1000, 16, padding_idx=3)"
    table = mg.eye(3)
    frozen = nn.Embedding.from_pretrained(table)
    assert frozen.weight.requires_grad is False and frozen(mg.tensor([1])).tolist() == [[0, 1, 0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    out = nn.Embedding(10, 4)(mg.zeros(2, 7, dtype=mg.int64))
    assert out.shape == (2, 7, 4)


BAD = [
    (lambda: F.embedding(mg.tensor([0, 4]), mg.randn(4, 2)), "index 4 is out of range"),
    (lambda: F.embedding(mg.tensor([-1]), mg.randn(4, 2)), "index -1 is out of range"),
    (lambda: F.embedding(mg.tensor([0.0]), mg.randn(4, 2)), "must have dtype int64 or int32"),
    (lambda: F.embedding(mg.tensor([0]), mg.randn(4)), "weight must be 2-D"),
    (lambda: F.embedding(mg.tensor([0]), mg.randn(4, 2), padding_idx=4), "padding_idx"),
    (lambda: F.embedding([0], mg.randn(4, 2)), "input must be a Tensor"),
    (lambda: F.embedding(mg.tensor([0]), mg.randn(4, 2), sparse=True), "sparse"),
    (lambda: nn.Embedding(4, -1), "embedding_dim must be non-negative"),
    (lambda: nn.Embedding.from_pretrained(mg.randn(4)), "2-dimensional"),
]


@pytest.mark.parametrize("call, words", BAD, ids=[w for _, w in BAD])
def test_bad_input_is_refused_clearly(call, words):
    with pytest.raises((TypeError, ValueError, IndexError, RuntimeError), match=words):
        call()
