"""The checks a table of ops gets, shared by the test files that hold such tables.

A row is (id, minigrad function, numpy reference, input shapes): test_ops.py's form, whose
input drawing is reused here. Each row is checked for its value against the reference, its
first derivatives (float64 gradcheck), optionally its second (gradgradcheck), and for the
dtype of every gradient at float16, float32 and float64 (test_grad_dtypes.py's check).
"""

import numpy as np
from test_grad_dtypes import _check_grads, _tensor
from test_ops import _inputs

from minigrad.autograd import gradcheck, gradgradcheck


def outputs(out) -> list:
    """A result, or the tensors of a tuple of results (split, chunk, ...), as a list."""
    return list(out) if isinstance(out, (tuple, list)) else [out]


def check_value(fn, ref, shapes, device) -> None:
    arrays, tensors = _inputs(shapes, device)
    got, want = outputs(fn(*tensors)), ref(*arrays)
    want = list(want) if isinstance(want, (tuple, list)) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == np.shape(w)
        np.testing.assert_allclose(g.detach().numpy(), w, rtol=1e-12, atol=1e-12)


def joined(fn):
    """fn with its outputs joined into one tensor (gradcheck takes a tensor or a tuple)."""
    return lambda *xs: tuple(outputs(fn(*xs)))


def check_gradient(fn, shapes, device, second_order: bool = False) -> None:
    _, tensors = _inputs(shapes, device)
    assert gradcheck(joined(fn), tensors)
    if second_order:
        assert gradgradcheck(joined(fn), tensors)


def check_grad_dtypes(fn, shapes, dtype) -> None:
    rng = np.random.default_rng(0)
    inputs = [_tensor(s, dtype, rng) for s in shapes]
    total = None
    for out in outputs(fn(*inputs)):
        assert out.dtype == dtype
        total = out.sum() if total is None else total + out.sum()
    _check_grads(total, inputs)
