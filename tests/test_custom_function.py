"""Custom autograd Functions written PyTorch's way (static forward/backward with a ctx), as
PyTorch's tutorials and "Extending PyTorch" write them, beside minigrad's own way."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function, gradcheck, gradgradcheck


class Exp(Function):  # "Extending PyTorch": saving an output
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class LegendrePolynomial3(Function):  # "Learning PyTorch with Examples": saving an input
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


class LinearFunction(Function):  # "Extending PyTorch": optional bias, needs_input_grad
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t()) if hasattr(input, "mm") else input @ weight.t()
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output @ weight
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t() @ input
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MulConstant(Function):  # a non-tensor argument; backward returns None for it
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


def f64(*shape, requires_grad=True):
    return mg.randn(*shape, dtype=mg.float64, requires_grad=requires_grad)


def test_the_tutorials_functions_compute_and_differentiate():
    x = f64(4)
    np.testing.assert_allclose(Exp.apply(x).detach().numpy(), np.exp(x.detach().numpy()))
    y = LegendrePolynomial3.apply(x)
    assert y.grad_fn.name == "LegendrePolynomial3"
    y.sum().backward()
    expected = 1.5 * (5 * x.detach().numpy() ** 2 - 1)
    np.testing.assert_allclose(x.grad.numpy(), expected)
    for fn in (Exp.apply, LegendrePolynomial3.apply, lambda t: MulConstant.apply(t, 2.5)):
        assert gradcheck(fn, [f64(3)]) and gradgradcheck(fn, [f64(3)])
    inputs = [f64(5, 3), f64(4, 3), f64(4)]
    assert gradcheck(LinearFunction.apply, inputs)
    assert gradcheck(LinearFunction.apply, inputs[:2])


def test_needs_input_grad_and_the_inputs_that_get_no_gradient():
    seen = []

    class Watch(Function):
        @staticmethod
        def forward(ctx, a, b, k):
            seen.append(ctx.needs_input_grad)
            return a * b * k

        @staticmethod
        def backward(ctx, g):
            return g, g, None  # b needs none: dropped, as in PyTorch (one per input)

    a, b = f64(2), f64(2, requires_grad=False)
    Watch.apply(a, b, 3).sum().backward()
    assert seen == [(True, False, False)] and a.grad.tolist() == [1.0, 1.0] and b.grad is None


def test_several_outputs_and_non_differentiable_ones():
    class Halves(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2, a.exp(), a > 0

        @staticmethod
        def backward(ctx, g_double, g_exp, g_mask):
            (a,) = ctx.saved_tensors
            return g_double * 2 + g_exp * a.exp()

    a = f64(3)
    _double, exp, mask = Halves.apply(a)
    assert mask.dtype == mg.bool and not mask.requires_grad
    exp.sum().backward()  # `double` gets no gradient: backward sees zeros for it
    np.testing.assert_allclose(a.grad.numpy(), np.exp(a.detach().numpy()))
    assert gradcheck(lambda t: Halves.apply(t)[:2], [f64(3)])


def test_pytorch_2s_setup_context_form():
    class Cube(Function):
        @staticmethod
        def forward(x):
            return x**3

        @staticmethod
        def setup_context(ctx, inputs, output):
            (ctx.x,) = inputs

        @staticmethod
        def backward(ctx, g):
            return g * 3 * ctx.x**2

    assert gradcheck(Cube.apply, [f64(3)])


def test_once_differentiable_and_no_recording_without_grad():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @mg.autograd.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert not mg.is_grad_enabled()
            return 2 * x * g

    x = f64(2)
    (gx,) = mg.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert not gx.requires_grad  # once differentiable: the gradient is a constant
    with mg.no_grad():
        assert Square.apply(x).grad_fn is None
    assert Square.apply(f64(2, requires_grad=False)).grad_fn is None


def test_bad_functions_fail_clearly():
    class ReturnsList(Function):
        @staticmethod
        def forward(ctx, x):
            return [x]

        @staticmethod
        def backward(ctx, g):
            return g

    class TooManyGrads(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g, g

    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return mg.ones(5, dtype=mg.float64)

    x = f64(3)
    with pytest.raises(TypeError, match="ReturnsList.forward must return Tensors, got list"):
        ReturnsList.apply(x)
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 1, got 2\)"):
        TooManyGrads.apply(x).sum().backward()
    with pytest.raises(mg.ShapeError, match="gradient 0 has shape \\(5,\\), input 0"):
        WrongShape.apply(f64(3)).sum().backward()
    with pytest.raises(TypeError, match="save_for_backward: argument 0 must be a Tensor"):
        mg.autograd.FunctionCtx((True,)).save_for_backward(1.0)


def test_minigrads_own_way_still_works_and_variable_is_the_tensor():
    class Double(Function):
        def forward(self, x):
            return x * 2

        def backward(self, g, x):
            return g * 2

    x = f64(2)
    Double.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    t = mg.tensor([1.0])
    assert mg.autograd.Variable(t) is t
    assert mg.autograd.Variable(t, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        mg.autograd.Variable([2.0])  # as in PyTorch
