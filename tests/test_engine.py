"""The engine's replay, checked against what PyTorch does: which entries run, when a leaf's
gradient is delivered, and what `autograd.grad` and `backward(inputs=...)` touch."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import engine


def test_a_leafs_gradient_is_delivered_as_soon_as_it_is_complete():
    """As PyTorch's AccumulateGrad runs when its last gradient arrives: the last layer's
    weights get theirs before the first layer's entries are replayed (what lets data-parallel
    training start sending gradients while backward goes on)."""
    events = []
    w1 = mg.randn(3, 4, requires_grad=True)
    w2 = mg.randn(4, 2, requires_grad=True)
    w1.register_hook(lambda g: events.append("w1"))
    w2.register_hook(lambda g: events.append("w2"))
    h = mg.randn(5, 3) @ w1
    h.register_hook(lambda g: events.append("h"))
    (h.relu() @ w2).sum().backward()
    assert events == ["w2", "h", "w1"]


def test_a_leaf_used_by_several_entries_gets_its_total_once():
    seen = []
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 3 + (x * x).exp().log()).sum().backward()  # x: 3 + 2x
    assert seen == [[5.0, 7.0]] and x.grad.tolist() == [5.0, 7.0]


def test_autograd_grad_runs_only_what_lies_between_outputs_and_inputs():
    """torch.autograd.grad(z, y) runs nothing below y: no hooks there, no .grad anywhere."""
    calls = []
    x = mg.ones(2, requires_grad=True)
    x.register_hook(lambda g: calls.append("x"))
    y = x * 2
    y.register_hook(lambda g: calls.append("y"))
    z = (y * y).sum()
    (gy,) = mg.autograd.grad(z, y, retain_graph=True)
    assert gy.tolist() == [4.0, 4.0] and calls == ["y"] and x.grad is None
    (gx,) = mg.autograd.grad(z, x)
    assert gx.tolist() == [8.0, 8.0] and calls == ["y", "y", "x"] and x.grad is None


def test_autograd_grad_fills_retained_gradients_as_pytorch_does():
    x = mg.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    mg.autograd.grad(z, x, retain_graph=True)
    assert y.grad.tolist() == [4.0, 4.0]
    z.backward()
    assert y.grad.tolist() == [8.0, 8.0] and x.grad.tolist() == [8.0, 8.0]


def test_retain_grad_sees_what_the_other_hooks_made_of_the_gradient():
    x = mg.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)  # registered after retain_grad, runs before it
    y.sum().backward()
    assert y.grad.tolist() == [10.0, 10.0] and x.grad.tolist() == [20.0, 20.0]


def test_a_retained_gradient_never_shares_memory_with_a_leafs():
    x = mg.zeros(3, requires_grad=True)
    y = x + 0  # add passes its gradient on unchanged
    y.retain_grad()
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and y.grad.tolist() == [2.0, 2.0, 2.0]
    x.grad.zero_()
    assert y.grad.tolist() == [2.0, 2.0, 2.0]


def test_backward_with_inputs_fills_only_their_grad():
    a = mg.ones(2, requires_grad=True)
    b = mg.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[b])
    assert a.grad is None and b.grad.tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match=r"inputs\[0\] must be a leaf"):
        (a * b).sum().backward(inputs=[a * 2])


def test_entries_are_replayed_in_reverse_recorded_order():
    x = mg.ones(2, requires_grad=True)
    y = ((x * 2).exp() + x).sum()
    tape = engine.entries_leading_to([y])
    assert [fn.name for fn in tape] == ["mul", "exp", "add", "sum"]
    assert [fn.seq for fn in tape] == sorted(fn.seq for fn in tape)


def test_a_gradient_gets_its_inputs_dtype_from_the_engine():
    """A Function whose backward returns float64 for float32 input: the engine casts, as
    PyTorch's does (validate_outputs)."""

    class Sloppy(mg.autograd.Function):
        def forward(self, x):
            return x * 2

        def backward(self, g, x):
            return (g * 2).astype(np.float64)

    x = mg.ones(3, requires_grad=True)
    Sloppy.apply(x).sum().backward()
    assert x.grad.dtype == mg.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]
