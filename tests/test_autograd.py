"""The engine's semantics: what PyTorch users rely on, checked one behaviour at a time."""

import gc
import weakref

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import grad, gradcheck, gradgradcheck


def test_gradients_accumulate_across_backward_calls(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    (x * 3).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    assert x.grad is first  # accumulated in place into the same .grad tensor
    assert x.grad.tolist() == [5.0, 7.0]


def test_only_leaves_get_grad_unless_retain_grad(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    h = x * 2
    kept = x * 3
    kept.retain_grad()
    (h * kept).sum().backward()
    assert h.grad is None and not h.is_leaf
    assert kept.grad.tolist() == [2.0, 4.0]  # d(h*kept)/dkept = h
    assert x.grad.tolist() == [12.0, 24.0]  # d(6x^2)/dx = 12x


def test_diamond_graph_sums_both_paths(device):
    x = mg.tensor(3.0, device=device, requires_grad=True)
    a = x * x  # used by two consumers
    y = a * 2 + a.exp() * 0 + a
    y.backward()
    assert x.grad.item() == pytest.approx(3 * 2 * 3.0)  # dy/da = 3, da/dx = 2x


def test_a_gradient_reaching_two_leaves_is_not_shared(device):
    a = mg.zeros(3, device=device, requires_grad=True)
    b = mg.zeros(3, device=device, requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_user_gradient_is_not_aliased_by_grad(device):
    x = mg.zeros(3, device=device, requires_grad=True)
    seed = mg.ones(3, device=device)
    x.reshape(3).backward(seed)
    x.grad.zero_()
    assert seed.tolist() == [1.0, 1.0, 1.0]


def test_backward_of_a_non_scalar_needs_a_gradient(device):
    x = mg.ones(2, 2, device=device, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="scalar outputs"):
        y.backward()
    with pytest.raises(ValueError, match=r"gradient has shape \(2,\)"):
        y.backward(mg.ones(2, device=device))
    y.backward(mg.tensor([[1.0, 2.0], [3.0, 4.0]], device=device))
    assert x.grad.tolist() == [[2.0, 4.0], [6.0, 8.0]]


def test_second_backward_through_freed_graph_raises(device):
    x = mg.tensor([1.0], device=device, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_a_backward_learns_when_it_is_the_entrys_last(device):
    """`last_use` lets a backward overwrite what it saved: only when nothing runs it again."""
    from minigrad.autograd.engine import Function

    seen = []

    class Double(Function):
        def forward(self, x):
            return x * 2

        def backward(self, g, x):
            seen.append(self.last_use)
            return g * 2

    x = mg.ones(3, device=device, requires_grad=True)
    y = Double.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward(create_graph=True)  # retains the graph too, as PyTorch's default
    y.backward()
    assert seen == [False, False, True]
    assert x.grad.tolist() == [6.0, 6.0, 6.0]


def test_backward_on_tensors_that_do_not_require_grad(device):
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1, 2], device=device).sum().backward()
    with pytest.raises(RuntimeError, match="floating point"):
        mg.tensor([1, 2], device=device, requires_grad=True)


def test_no_grad_records_nothing_and_works_as_decorator(device):
    x = mg.ones(2, device=device, requires_grad=True)
    with mg.no_grad():
        y = x * 2
        with mg.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @mg.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad

    @mg.no_grad  # bare, as PyTorch allows
    def g(t):
        return t * 2

    assert not g(x).requires_grad and g.__name__ == "g"
    assert mg.is_grad_enabled()
    mg.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    mg.set_grad_enabled(True)
    with mg.set_grad_enabled(False):
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()


def test_no_grad_on_a_generator_covers_its_body_at_every_step_only():
    x = mg.ones(2, requires_grad=True)

    @mg.no_grad()
    def outputs(n):
        for _ in range(n):
            received = yield x * 2
            assert received in (None, "hello")
        return "done"

    gen = outputs(3)
    first = next(gen)
    assert mg.is_grad_enabled()  # the caller's mode between steps
    second = gen.send("hello")
    assert first.grad_fn is None and second.grad_fn is None
    with pytest.raises(StopIteration) as stop:
        next(gen), next(gen)
    assert stop.value.value == "done"

    @mg.enable_grad()
    def recording():
        yield x * 2

    with mg.no_grad():
        assert next(recording()).grad_fn is not None

    def catching():
        try:
            yield 1
        except KeyError:
            yield mg.is_grad_enabled()

    wrapped = mg.set_grad_enabled(False)(catching)()
    next(wrapped)
    assert wrapped.throw(KeyError()) is False  # a thrown exception reaches the body
    wrapped.close()
    assert mg.is_grad_enabled()


def test_detach_and_requires_grad_(device):
    x = mg.ones(2, device=device, requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    leaf = mg.ones(2, device=device).requires_grad_()
    assert leaf.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).requires_grad_(False)


def test_a_chain_of_100000_ops_backpropagates_without_recursion():
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_backward_releases_saved_arrays(device):
    x = mg.ones(1000, device=device, requires_grad=True)
    h = x.exp()
    saved = weakref.ref(h.grad_fn._output_array)
    entry = h.grad_fn
    loss = (h * 2).sum()
    del h
    loss.backward()
    assert entry.freed and set(vars(entry)) == {"seq", "freed"}  # inputs, saved arrays gone
    gc.collect()
    assert saved() is None


def test_dropped_forward_passes_do_not_accumulate(device):
    w = mg.randn(100, 100, device=device, requires_grad=True)
    x = mg.randn(10, 100, device=device)
    out = (x @ w).relu().sum()
    probe = weakref.ref(out.grad_fn)
    for _ in range(5):
        out = (x @ w).relu().sum()  # an eval loop that forgot no_grad
    assert probe() is None  # no cycle kept the first graph alive: freed without gc


def test_create_graph_second_derivative_of_cube(device):
    x = mg.tensor([1.0, -2.0, 0.5], dtype=mg.float64, device=device, requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    first = x.grad
    assert first.tolist() == [3.0, 12.0, 0.75]
    assert first.requires_grad
    (dx,) = grad(first.sum(), x)
    assert dx.tolist() == [6.0, -12.0, 3.0]  # d2/dx2 x^3 = 6x


def test_hessian_vector_product_of_a_small_mlp_matches_finite_differences(device):
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.normal(size=(5, 3)), dtype=mg.float64, device=device)
    target = mg.tensor(rng.normal(size=(5, 2)), dtype=mg.float64, device=device)
    w1 = mg.tensor(rng.normal(size=(3, 4)), dtype=mg.float64, device=device, requires_grad=True)
    w2 = mg.tensor(rng.normal(size=(4, 2)), dtype=mg.float64, device=device, requires_grad=True)
    v1 = rng.normal(size=(3, 4))
    v2 = rng.normal(size=(4, 2))

    def loss(a, b):
        return (((x @ a).tanh() @ b - target) ** 2).mean()

    g1, g2 = grad(loss(w1, w2), (w1, w2), create_graph=True)
    directional = (g1 * mg.tensor(v1, device=device)).sum()
    directional = directional + (g2 * mg.tensor(v2, device=device)).sum()
    hv1, hv2 = grad(directional, (w1, w2))

    eps = 1e-6  # (grad(w + eps v) - grad(w - eps v)) / 2 eps = H v

    def grads_at(sign):
        a = mg.tensor(w1.detach().numpy() + sign * eps * v1, device=device, requires_grad=True)
        b = mg.tensor(w2.detach().numpy() + sign * eps * v2, device=device, requires_grad=True)
        return [g.numpy() for g in grad(loss(a, b), (a, b))]

    plus, minus = grads_at(1), grads_at(-1)
    np.testing.assert_allclose(hv1.numpy(), (plus[0] - minus[0]) / (2 * eps), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hv2.numpy(), (plus[1] - minus[1]) / (2 * eps), rtol=1e-5, atol=1e-7)
    assert gradgradcheck(loss, (w1, w2))


def test_grad_returns_without_touching_dot_grad(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = mg.tensor([3.0], device=device, requires_grad=True)
    (gx,) = grad((x * x).sum(), x)
    assert gx.tolist() == [2.0, 4.0] and x.grad is None
    with pytest.raises(RuntimeError, match="not used"):
        grad((x * 2).sum(), (x, y))
    gx, gy = grad((x * 2).sum(), (x, y), allow_unused=True)
    assert gy is None


def test_tape_lists_entries_in_recorded_order(device):
    x = mg.ones(2, 3, device=device, requires_grad=True)
    w = mg.ones(3, 4, device=device, requires_grad=True)
    y = (x @ w).relu().sum()
    unrelated = x * 5  # recorded, but not on y's tape
    entries = mg.autograd.tape(y)
    assert [e.op for e in entries] == ["matmul", "relu", "sum"]
    assert entries[0].inputs == (((2, 3), "float32", True), ((3, 4), "float32", True))
    assert entries[0].output == ((2, 4), "float32")
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    table = str(entries)
    assert table.splitlines()[0].split()[:2] == ["#", "op"]
    assert "matmul" in table and "(2,4) float32" in table
    assert unrelated.grad_fn.name == "mul"


def test_tensor_hooks_can_replace_the_gradient_and_be_removed(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    (x * 2).sum().backward()
    assert seen == [[2.0, 2.0]] and x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad = None
    with x.register_hook(lambda g: g * 10):  # a handle removes its hook on leaving `with`
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [22.0, 22.0]
    h = x * 3
    h.register_hook(lambda g: g * 0)
    x.grad = None
    (h * h).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_in_place_write_into_a_recorded_tensor_is_refused(device):
    x = mg.ones(3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place operation"):
        x[0] = 5.0
    with mg.no_grad():
        x[0] = 5.0
    assert x.tolist() == [5.0, 1.0, 1.0]


def test_gradcheck_reports_the_worst_element():
    class Wrong(mg.autograd.Function):
        def forward(self, a):
            return a * a

        def backward(self, g, a):
            return g * a  # should be 2a

    x = mg.tensor([1.0, 3.0], dtype=mg.float64, requires_grad=True)
    worst = r"worst at.*input element 1.*analytical 3.*numerical 6"
    with pytest.raises(mg.autograd.GradcheckError, match=worst):
        gradcheck(Wrong.apply, (x,))
    assert gradcheck(Wrong.apply, (x,), raise_exception=False) is False
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda a: a * 2, (mg.ones(2, requires_grad=True),))


def test_a_leaf_hook_sees_the_total_gradient_once(device):
    """x used twice: PyTorch sums both uses first, then calls the hook on the total."""
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.tolist()) or g + 1)
    (x * x).sum().backward()
    assert calls == [[2.0, 4.0]] and x.grad.tolist() == [3.0, 5.0]


def test_grad_runs_leaf_hooks_and_takes_repeated_inputs(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    handle = x.register_hook(lambda g: g * 10)
    (gx,) = mg.autograd.grad((x * x).sum(), x)
    assert gx.tolist() == [20.0, 40.0] and x.grad is None
    handle.remove()
    for repeated in ("leaf", "non-leaf"):
        y = x * 1
        inputs = [x, x] if repeated == "leaf" else [y, y]
        first, second = mg.autograd.grad((y * y).sum(), inputs)
        assert first.tolist() == second.tolist() == [2.0, 4.0]
        assert first.array is not second.array  # each its own array


# ----- edge cases the fuzz of wrong arguments found (tests/test_fuzz_bad_input.py) ----------
def test_gradcheck_passes_non_tensor_inputs_through_as_pytorch_does():
    x = mg.randn(3, dtype=mg.float64, requires_grad=True)
    assert gradcheck(lambda t, k: t * k, (x, 3))  # was AttributeError on the 3


def test_gradcheck_checks_its_arguments_by_name():
    x = mg.randn(3, dtype=mg.float64, requires_grad=True)
    with pytest.raises(TypeError, match="func must be callable"):
        gradcheck(None, x)
    with pytest.raises(TypeError, match="func must return floating point Tensors"):
        gradcheck(lambda t: 1.0, x)
    with pytest.raises(mg.OptionError, match="eps must be a step > 0"):
        gradcheck(lambda t: t * 2, x, eps=0)


def test_gradcheck_perturbs_non_contiguous_inputs_too():
    """reshape(-1) of a transposed array is a copy: perturbing it perturbed nothing."""
    base = mg.randn(3, 4, dtype=mg.float64)
    x = mg.Tensor.wrap(base.array.T, requires_grad=True)  # a (4, 3) view, not contiguous
    assert not x.array.flags.c_contiguous
    assert gradcheck(lambda t: (t * t).sum(1), [x])
