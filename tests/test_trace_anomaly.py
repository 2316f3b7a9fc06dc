"""The backward trace (checked against gradients derived by hand) and anomaly detection."""

import itertools
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import AnomalyError, detect_anomaly, engine, grad_mode, trace_backward

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")  # planted


def _line_below() -> int:
    """The line number just after the caller's current line."""
    return sys._getframe(1).f_lineno + 1


# ----- trace_backward ---------------------------------------------------------------------
def test_trace_of_a_tiny_graph_equals_the_gradients_derived_by_hand(device):
    # L = sum((x*w)^2): dL/dh = 2h, dL/dx = 2h*w, dL/dw = 2h*x
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    w = mg.tensor([3.0, -1.0], device=device, requires_grad=True)
    h = x * w  # [3, -2]
    loss = (h * h).sum()
    mul0, mul1, total = mg.autograd.tape(loss)
    with trace_backward(params={"w": w}) as trace:
        loss.backward()
    assert [(s.seq, s.op) for s in trace] == [
        (total.seq, "sum"),
        (mul1.seq, "mul"),
        (mul0.seq, "mul"),
    ]
    s_sum, s_square, s_xw = trace
    assert s_sum.received.shape == () and s_sum.received.values.tolist() == 1.0
    assert [(name, g.values.tolist()) for name, g in s_sum.passed] == [
        (f"#{mul1.seq} mul", [1.0, 1.0])
    ]
    # h feeds both inputs of h*h: each gets g*h, and the engine sums them into 2h
    assert [(name, g.values.tolist()) for name, g in s_square.passed] == [
        (f"#{mul0.seq} mul", [3.0, -2.0]),
        (f"#{mul0.seq} mul", [3.0, -2.0]),
    ]
    assert s_xw.received.values.tolist() == [6.0, -4.0]
    assert [(name, g.values.tolist()) for name, g in s_xw.passed] == [
        ("x0", [18.0, 4.0]),  # 2 h w
        ("w", [6.0, -8.0]),  # 2 h x
    ]
    assert s_xw.passed[0][1].norm == pytest.approx(np.hypot(18, 4))
    assert x.grad.tolist() == [18.0, 4.0] and w.grad.tolist() == [6.0, -8.0]


def test_trace_prints_one_row_per_replayed_entry_and_one_line_per_input(monkeypatch):
    monkeypatch.setattr(engine, "_next_seq", itertools.count())  # as in a fresh interpreter
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, -1.0], requires_grad=True)
    with trace_backward(params={"w": w}) as trace:
        (x * w).sum().backward()
    assert str(trace) == "\n".join(
        [
            "#  op   received                passed on to  gradient",
            "-  ---  ----------------------  ------------  -----------------------",
            "1  sum  () 1                    #0 mul        (2,) norm=1.414 [1, 1]",
            "0  mul  (2,) norm=1.414 [1, 1]  x0            (2,) norm=3.162 [3, -1]",
            "                                w             (2,) norm=2.236 [1, 2]",
        ]
    )


def test_trace_sums_broadcast_gradients_and_drops_large_values():
    x = mg.ones(4, 3, requires_grad=True)
    b = mg.zeros(3, requires_grad=True)
    c = mg.ones(4, 3)  # a constant: gets no gradient, so it is not listed
    with trace_backward(max_values=3) as trace:
        ((x + b) * c).sum().backward()
    _, mul, add = trace
    assert [name for name, _ in mul.passed] == [f"#{add.seq} add"]
    (x_name, gx), (b_name, gb) = add.passed
    assert (x_name, gx.shape, gx.values) == ("x0", (4, 3), None)  # 12 values > max_values
    assert gx.norm == pytest.approx(np.sqrt(12))
    assert (b_name, gb.shape, gb.values.tolist()) == ("x1", (3,), [4.0, 4.0, 4.0])


def test_trace_records_every_pass_and_stops_at_exit():
    x = mg.tensor(2.0, requires_grad=True)
    with trace_backward() as trace:
        (x * x).backward()
        (x * 3).backward()
        mg.autograd.grad(x.exp(), x)
    assert [s.op for s in trace] == ["mul", "mul", "exp"]
    assert trace[2].passed[0][1].values.tolist() == pytest.approx(np.exp(2.0))
    assert grad_mode.state.watchers == ()
    (x * x).backward()
    assert len(trace) == 3


def test_trace_under_create_graph_sees_tensors():
    x = mg.tensor(3.0, dtype=mg.float64, requires_grad=True)
    with trace_backward() as trace:
        (x**3).backward(create_graph=True)
    assert trace[0].passed[0][1].values.tolist() == 27.0  # 3 x^2
    assert x.grad.requires_grad


# ----- detect_anomaly ---------------------------------------------------------------------
def test_detect_anomaly_points_at_the_line_of_a_planted_log_of_zero(device):
    x = mg.tensor([1.0, 0.0], device=device, requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        h = x * 2
        line = _line_below()
        y = (h * 0.5).log()  # log(0) = -inf
        y.sum().backward()
    err = info.value
    assert (err.op, err.phase) == ("log", "forward")
    assert err.site[0] == __file__ and err.site[1] == line
    message = str(err)
    assert message.startswith("log produced -inf in its output")
    assert f'File "{__file__}", line {line}, in test_detect_anomaly' in message
    assert "y = (h * 0.5).log()  # log(0) = -inf" in message
    assert grad_mode.state.watchers == ()


def test_backward_anomaly_names_the_line_that_created_the_op(device):
    x = mg.tensor([4.0, 0.0], device=device, requires_grad=True)
    with detect_anomaly():
        line = _line_below()
        root = x.sqrt()  # finite forward; backward 1 / (2 sqrt 0) = inf
        loss = root.sum()
        with pytest.raises(AnomalyError) as info:
            loss.backward()
    err = info.value
    assert (err.op, err.phase, err.site[1]) == ("sqrt", "backward", line)
    assert "the backward of sqrt (entry #" in str(err)
    assert "returned inf in the gradient of input 0; the sqrt was called at" in str(err)
    assert "root = x.sqrt()" in str(err)


def test_check_forward_false_lets_an_intended_inf_through():
    x = mg.tensor([1.0, 0.0], requires_grad=True)
    with detect_anomaly(check_forward=False):
        line = _line_below()
        y = x.log()
        assert y.tolist()[1] == -np.inf
        with pytest.raises(AnomalyError, match="backward of log") as info:
            y.sum().backward()  # 1/x at 0: inf
    assert info.value.site[1] == line


def test_nan_is_reported_as_nan_and_the_site_is_the_users_not_minigrads():
    def user_helper(t):
        return mg.sqrt(t)  # goes through minigrad.ops, which the site skips

    line = user_helper.__code__.co_firstlineno + 1
    with detect_anomaly(), pytest.raises(AnomalyError, match="sqrt produced nan") as info:
        user_helper(mg.tensor([-1.0]))
    assert info.value.site[1:] == (line, "user_helper")


def test_anomaly_in_a_recorded_backward_names_the_entry_being_replayed():
    x = mg.tensor([0.0], dtype=mg.float64, requires_grad=True)
    with detect_anomaly():
        y = x.sqrt().sum()
        with pytest.raises(AnomalyError, match=r"computing the backward of sqrt \(entry #\d+"):
            y.backward(create_graph=True)


def test_entries_recorded_before_anomaly_mode_have_no_line():
    x = mg.tensor([0.0], requires_grad=True)
    y = x.sqrt().sum()
    with detect_anomaly(), pytest.raises(AnomalyError, match="line is unknown"):
        y.backward()


def test_detect_anomaly_as_a_decorator_and_clean_runs_untouched():
    @detect_anomaly()
    def step(t):
        return (t.exp() * 2).sum()

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    step(x).backward()
    assert x.grad.tolist() == pytest.approx((2 * np.exp([1.0, 2.0])).tolist())
    assert grad_mode.state.watchers == ()
    with pytest.raises(AnomalyError):
        step(mg.tensor([1000.0]))  # exp overflows to inf
    assert grad_mode.state.watchers == ()
    assert mg.tensor([0.0]).log().tolist() == [-np.inf]  # outside: no checks


def test_integer_and_bool_outputs_are_not_checked():
    x = mg.tensor([1.0, np.nan], requires_grad=True)
    with detect_anomaly(check_forward=False):
        mask = x > 0
        idx = x.argmax()
    assert mask.dtype == mg.bool and idx.dtype == mg.int64


# ----- module hooks -------------------------------------------------------------------------
class Scale(mg.nn.Module):
    """y = x @ w, with w a (n, m) parameter of ones."""

    def __init__(self, n, m):
        super().__init__()
        self.w = mg.nn.Parameter(mg.ones(n, m))

    def forward(self, x):
        return x @ self.w


class Net(mg.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Scale(2, 3)
        self.b = Scale(3, 1)

    def forward(self, x):
        return self.b(self.a(x).relu())


def _hook_everything(net, log):
    handles = []
    for name, m in [("net", net), ("a", net.a), ("b", net.b)]:
        handles += [
            m.register_forward_pre_hook(lambda mod, args, n=name: log.append(f"pre {n}")),
            m.register_forward_hook(lambda mod, args, out, n=name: log.append(f"fwd {n}")),
            m.register_full_backward_hook(
                lambda mod, gi, go, n=name: log.append(
                    f"bwd {n} in={[None if g is None else g.shape for g in gi]} "
                    f"out={[g.shape for g in go]}"
                )
            ),
        ]
    return handles


def test_module_hooks_fire_in_pytorchs_order_and_can_be_removed():
    net, log = Net(), []
    handles = _hook_everything(net, log)
    x = mg.ones(4, 2, requires_grad=True)
    net(x).sum().backward()
    assert log == [
        "pre net",
        "pre a",
        "fwd a",
        "pre b",
        "fwd b",
        "fwd net",
        "bwd b in=[Size([4, 3])] out=[Size([4, 1])]",  # backward meets the last layer first
        "bwd a in=[Size([4, 2])] out=[Size([4, 3])]",
        "bwd net in=[Size([4, 2])] out=[Size([4, 1])]",
    ]
    assert x.grad.tolist() == [[3.0, 3.0]] * 4  # the hooks changed nothing
    for handle in handles:
        handle.remove()
    log.clear()
    net(x).sum().backward()
    assert log == []
    assert "backward_hook" not in [e.op for e in mg.autograd.tape(net(x).sum())]


def test_backward_hook_sees_the_gradients_and_may_replace_grad_input():
    layer = Scale(2, 3)
    seen = []

    def hook(module, grad_input, grad_output):
        seen.append((module, grad_input[0].tolist(), grad_output[0].tolist()))
        return (grad_input[0] * 10,)

    layer.register_full_backward_hook(hook)
    x = mg.tensor([[1.0, 2.0]], requires_grad=True)
    (layer(x) * mg.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    # grad_output = [1, 2, 3]; grad_input = grad_output @ w.T = [6, 6]
    assert seen == [(layer, [[6.0, 6.0]], [[1.0, 2.0, 3.0]])]
    assert x.grad.tolist() == [[60.0, 60.0]]
    assert layer.w.grad.tolist() == [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]  # untouched


def test_forward_hooks_may_replace_args_and_output():
    layer = Scale(2, 1)
    layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    layer.register_forward_hook(lambda m, args, out: out + 1)
    assert layer(mg.tensor([[1.0, 2.0]])).tolist() == [[7.0]]  # (1+2)*2 + 1


def test_backward_hook_on_a_layer_whose_input_needs_no_gradient():
    layer, seen = Scale(2, 1), []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].tolist())))
    layer(mg.ones(3, 2)).sum().backward()  # data in: only the weight needs a gradient
    assert seen == [((None,), [[1.0]] * 3)]
    assert layer.w.grad.tolist() == [[3.0], [3.0]]


def test_backward_hook_with_two_inputs_and_retained_graph():
    class Mul(mg.nn.Module):
        def forward(self, a, b):
            return a * b

    mul, seen = Mul(), []
    handle = mul.register_full_backward_hook(
        lambda m, gi, go: seen.append([g.tolist() for g in gi])
    )
    a = mg.tensor([2.0], requires_grad=True)
    b = mg.tensor([5.0], requires_grad=True)
    out = mul(a, b).sum()
    out.backward(retain_graph=True)
    out.backward()
    assert seen == [[[5.0], [2.0]]] * 2
    handle.remove()
    mul.register_full_backward_hook(lambda m, gi, go: (gi[0] * 2, gi[1] * 2))
    with pytest.raises(RuntimeError, match="single input that requires grad"):
        mul(a, b).sum().backward()


def test_no_backward_hook_bookkeeping_under_no_grad():
    layer, calls = Scale(2, 1), []
    layer.register_full_backward_hook(lambda *a: calls.append(a))
    layer.register_forward_hook(lambda m, args, out: calls.append("fwd"))
    with mg.no_grad():
        out = layer(mg.ones(1, 2, requires_grad=True))
    assert out.grad_fn is None and calls == ["fwd"]
