"""nn.utils: gradient clipping and flat parameter vectors, against hand-worked numbers and
PyTorch's rules (clip_coef = max_norm / (total_norm + 1e-6), clamped to 1; the total norm is
the norm of the per-gradient norms; parameters without a gradient are skipped)."""

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)


def params_with_grads(*grads, dtype=mg.float32):
    """Parameters of ones whose .grad are the given lists."""
    out = []
    for g in grads:
        p = nn.Parameter(mg.ones(len(g), dtype=dtype))
        p.grad = mg.tensor(g, dtype=dtype)
        out.append(p)
    return out


def test_the_package_and_its_modules():
    assert mg.nn.utils.clip_grad_norm_ is clip_grad_norm_
    from minigrad.nn.utils.clip_grad import clip_grad_norm_ as direct
    from minigrad.nn.utils.convert_parameters import parameters_to_vector as direct_p2v

    assert direct is clip_grad_norm_ and direct_p2v is parameters_to_vector


def test_clip_grad_norm_scales_by_pytorchs_coefficient():
    # grads (3, 0) and (0, 4): total 2-norm 5; max_norm 1 -> each times 1 / (5 + 1e-6)
    params = params_with_grads([3.0, 0.0], [0.0, 4.0])
    total = clip_grad_norm_(params, max_norm=1.0)
    assert isinstance(total, mg.Tensor) and total.shape == () and total.item() == 5.0
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(params[0].grad.numpy(), [3 * coef, 0], rtol=1e-6)
    np.testing.assert_allclose(params[1].grad.numpy(), [0, 4 * coef], rtol=1e-6)
    assert get_total_norm([p.grad for p in params]).item() == pytest.approx(1.0, abs=1e-6)


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = params_with_grads([0.3, 0.4])
    assert clip_grad_norm_(params, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(params[0].grad.numpy(), [0.3, 0.4], rtol=1e-6)  # times 1.0


@pytest.mark.parametrize(
    "norm_type, expected",
    [
        (1, 10.0),
        (2.0, math.sqrt(30)),
        (3, 100 ** (1 / 3)),
        (math.inf, 4.0),
        ("inf", 4.0),
        (-math.inf, 1.0),
        (0, 2.0),
        (0.5, (1 + math.sqrt(2) + math.sqrt(3) + 2) ** 2),
    ],
)
def test_total_norm_of_each_order(norm_type, expected):
    params = params_with_grads([1.0, -2.0], [3.0, -4.0])
    assert clip_grad_norm_(params, 1e9, norm_type).item() == pytest.approx(expected, rel=1e-6)


def test_parameters_without_gradients_and_empty_input():
    with_grad, without = params_with_grads([3.0, 4.0])[0], nn.Parameter(mg.ones(2))
    assert clip_grad_norm_([with_grad, without], 1.0).item() == 5.0
    assert without.grad is None
    assert clip_grad_norm_(with_grad, 10.0).item() == pytest.approx(1.0, abs=1e-5)  # a Tensor
    empty = clip_grad_norm_([], 1.0)
    assert empty.item() == 0.0 and empty.dtype == mg.float32
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_norm_((p for p in []), 1.0)


def test_model_gradients_are_clipped_in_place():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    (model(mg.randn(8, 4)) * 100).sum().backward()
    grads = [p.grad for p in model.parameters()]
    before = math.sqrt(sum(float((g * g).sum().item()) for g in grads))
    total = clip_grad_norm_(model.parameters(), 0.5)
    assert total.item() == pytest.approx(before, rel=1e-5)
    assert [p.grad for p in model.parameters()] == grads  # the same tensors, scaled
    assert get_total_norm(grads).item() == pytest.approx(0.5, rel=1e-5)
    assert not total.requires_grad


@pytest.mark.parametrize(
    "dtypes, total_dtype",
    [
        ((mg.float16,), mg.float16),
        ((mg.float32, mg.float64), mg.float64),
        ((mg.float16, mg.float32), mg.float32),
    ],
)
def test_dtypes_promote_and_gradients_keep_theirs(dtypes, total_dtype):
    params = [params_with_grads([3.0, 4.0], dtype=d)[0] for d in dtypes]
    total = clip_grad_norm_(params, 1.0)
    assert total.dtype == total_dtype
    assert [p.grad.dtype for p in params] == list(dtypes)


def test_nonfinite_norms():
    params = params_with_grads([math.nan, 1.0])
    assert math.isnan(clip_grad_norm_(params, 1.0).item())  # scaled by nan, as PyTorch does
    assert math.isnan(params[0].grad.numpy()[1])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params_with_grads([math.inf]), 1.0, error_if_nonfinite=True)


def test_the_two_halves():
    params = params_with_grads([6.0, 8.0])
    total = get_total_norm([p.grad for p in params])
    clip_grads_with_norm_(params, 5.0, total)
    np.testing.assert_allclose(params[0].grad.numpy(), [3.0, 4.0], rtol=1e-6)


def test_clip_grad_value_clamps_in_place():
    params = params_with_grads([-5.0, 0.5, 3.0])
    grad = params[0].grad
    assert clip_grad_value_(params, 1.0) is None
    assert params[0].grad is grad
    np.testing.assert_allclose(grad.numpy(), [-1.0, 0.5, 1.0])
    negative = params_with_grads([-5.0, 0.5])  # PyTorch's clamp(min=1, max=-1): all -1
    clip_grad_value_(negative, -1.0)
    np.testing.assert_allclose(negative[0].grad.numpy(), [-1.0, -1.0])


def test_parameters_to_vector_and_back():
    model = nn.Linear(3, 2)
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (8,)
    np.testing.assert_array_equal(vec.detach().numpy()[:6], model.weight.detach().numpy().ravel())
    vec.sum().backward()  # differentiable, as a cat of views
    assert model.weight.grad.shape == (2, 3)
    new = mg.arange(8.0)
    vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(model.weight.detach().numpy(), [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(model.bias.detach().numpy(), [6, 7])
    assert isinstance(model.weight, nn.Parameter) and model.weight.requires_grad
    with mg.no_grad():
        new[0] = 100.0  # the parameters view vec, as in PyTorch
    assert model.weight.detach().numpy()[0, 0] == 100
    vector_to_parameters(mg.zeros(10, dtype=mg.float64), model.parameters())  # extra ignored
    assert model.weight.dtype == mg.float64  # vec's dtype, as in PyTorch
    mixed = [nn.Parameter(mg.ones(2)), nn.Parameter(mg.ones(1, dtype=mg.float64))]
    assert parameters_to_vector(mixed).dtype == mg.float64


@pytest.mark.parametrize(
    "call, kind, words",
    [
        (lambda: clip_grad_norm_(params_with_grads([1.0]), 1.0, "fro"), ValueError, "norm_type"),
        (lambda: clip_grad_norm_(params_with_grads([1.0]), None), TypeError, "max_norm"),
        (lambda: clip_grad_norm_([1], 1.0), TypeError, "parameters"),
        (lambda: clip_grad_norm_(3, 1.0), TypeError, "parameters"),
        (lambda: clip_grad_norm_(params_with_grads([1.0]), 1.0, foreach=1), TypeError, "foreach"),
        (lambda: clip_grad_value_(params_with_grads([1.0]), "1"), TypeError, "clip_value"),
        (lambda: get_total_norm([mg.ones(2)], "x"), ValueError, "norm_type"),
        (
            lambda: clip_grads_with_norm_(params_with_grads([1.0]), 1.0, 2.0),
            TypeError,
            "total_norm",
        ),
        (lambda: parameters_to_vector([]), ValueError, "non-empty"),
        (lambda: parameters_to_vector([1.0]), TypeError, "parameters"),
        (lambda: vector_to_parameters([1.0, 2.0], [nn.Parameter(mg.ones(2))]), TypeError, "vec"),
        (
            lambda: vector_to_parameters(mg.ones(1), [nn.Parameter(mg.ones(2))]),
            ValueError,
            "vec of shape",
        ),
        (
            lambda: vector_to_parameters(mg.ones(1, 3), [nn.Parameter(mg.ones(2))]),
            ValueError,
            "vec of shape",
        ),
        (
            lambda: vector_to_parameters(mg.tensor(1.0), [nn.Parameter(mg.ones(1))]),
            IndexError,
            "vec",
        ),
        (
            lambda: vector_to_parameters(mg.arange(2), [nn.Parameter(mg.ones(2))]),
            RuntimeError,
            "floating point",
        ),
    ],
)
def test_bad_arguments(call, kind, words):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(kind, match=words):
            call()
