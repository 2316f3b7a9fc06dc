"""Optimizers and schedules against hand-computed steps (PyTorch's update rules).

Each case starts from one float64 parameter p = 1 and feeds the gradients 1 then 2, so every
expected value can be checked with pencil and paper; the arithmetic is in the comments.
"""

import math
import tracemalloc

import numpy as np
import pytest

import minigrad as mg
from minigrad import optim
from minigrad.nn import Parameter


def _run(make_opt, grads, device, p0=1.0):
    """Parameter history [p1, p2, ...] of one scalar parameter fed `grads` in turn."""
    p = Parameter(mg.tensor([p0], dtype=mg.float64, device=device))
    opt = make_opt([p])
    history = []
    for g in grads:
        p.grad = mg.tensor([g], dtype=mg.float64, device=device)
        opt.step()
        history.append(p.item())
    return history


SGD_CASES = {
    # p1 = 1 - 0.1*1 = 0.9;  p2 = 0.9 - 0.1*2 = 0.7
    "plain": (dict(lr=0.1), [0.9, 0.7]),
    # buf1 = g1 = 1, p1 = 0.9;  buf2 = 0.9*1 + 2 = 2.9, p2 = 0.9 - 0.29 = 0.61
    "momentum": (dict(lr=0.1, momentum=0.9), [0.9, 0.61]),
    # buf1 = g1 (no dampening on the first step);  buf2 = 0.9*1 + (1-0.5)*2 = 1.9, p2 = 0.71
    "dampening": (dict(lr=0.1, momentum=0.9, dampening=0.5), [0.9, 0.71]),
    # buf1 = 1, step g = 1 + 0.9*1 = 1.9, p1 = 0.81;
    # buf2 = 2.9, step g = 2 + 0.9*2.9 = 4.61, p2 = 0.81 - 0.461 = 0.349
    "nesterov": (dict(lr=0.1, momentum=0.9, nesterov=True), [0.81, 0.349]),
    # g1 = 1 + 0.1*1 = 1.1, p1 = 0.89;  g2 = 2 + 0.1*0.89 = 2.089, p2 = 0.89 - 0.2089 = 0.6811
    "weight_decay": (dict(lr=0.1, weight_decay=0.1), [0.89, 0.6811]),
    # g1 = 1.1 -> buf1 = 1.1, p1 = 0.89;  g2 = 2.089 -> buf2 = 0.99 + 2.089 = 3.079, p2 = 0.5821
    "momentum+weight_decay": (dict(lr=0.1, momentum=0.9, weight_decay=0.1), [0.89, 0.5821]),
}


@pytest.mark.parametrize("case", SGD_CASES)
def test_sgd_matches_hand_computed_steps(case, device):
    kwargs, expected = SGD_CASES[case]
    got = _run(lambda ps: optim.SGD(ps, **kwargs), [1.0, 2.0], device)
    assert got == pytest.approx(expected, abs=1e-12)


def _adam_reference(grads, lr, beta1, beta2, eps, wd=0.0, decoupled=False, amsgrad=False):
    """Adam written out as the scalar formulas of the paper plus PyTorch's variants."""
    p, m, v, v_max, out = 1.0, 0.0, 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        if wd and decoupled:
            p *= 1 - lr * wd
        elif wd:
            g = g + wd * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        p -= lr * (m / (1 - beta1**t)) / (math.sqrt(v_hat) + eps)
        out.append(p)
    return out


def test_adam_first_steps_by_hand(device):
    got = _run(lambda ps: optim.Adam(ps, lr=0.1), [1.0, 2.0], device)
    # step 1: m = 0.1, v = 0.001; m_hat = 1, v_hat = 1, so p1 = 1 - 0.1 * 1 / (1 + 1e-8)
    p1 = 1 - 0.1 / (1 + 1e-8)
    # step 2: m = 0.09 + 0.2 = 0.29, v = 0.000999 + 0.004 = 0.004999;
    # p2 = p1 - 0.1 * (0.29 / 0.19) / (sqrt(0.004999 / 0.001999) + 1e-8) = p1 - 0.0965183...
    p2 = p1 - 0.1 * (0.29 / 0.19) / (math.sqrt(0.004999 / 0.001999) + 1e-8)
    assert got == pytest.approx([p1, p2], abs=1e-12)
    assert p1 - p2 == pytest.approx(0.0965183, abs=1e-7)


ADAM_CASES = {
    "adam": (optim.Adam, dict(lr=0.1), {}),
    "betas": (optim.Adam, dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3), {}),
    "l2": (optim.Adam, dict(lr=0.1, weight_decay=0.5), dict(wd=0.5)),
    "amsgrad": (optim.Adam, dict(lr=0.1, amsgrad=True), dict(amsgrad=True)),
    "adamw": (optim.AdamW, dict(lr=0.1, weight_decay=0.5), dict(wd=0.5, decoupled=True)),
    "adamw-amsgrad": (
        optim.AdamW, dict(lr=0.1, weight_decay=0.5, amsgrad=True),
        dict(wd=0.5, decoupled=True, amsgrad=True),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", ADAM_CASES)
def test_adam_variants_match_the_formulas(case, device):
    cls, kwargs, ref = ADAM_CASES[case]
    grads = [10.0, 0.0, -1.0, 3.0]  # v shrinks after step 1, so amsgrad makes a difference
    got = _run(lambda ps: cls(ps, **kwargs), grads, device)
    beta1, beta2 = kwargs.get("betas", (0.9, 0.999))
    eps = kwargs.get("eps", 1e-8)
    expected = _adam_reference(grads, kwargs["lr"], beta1, beta2, eps, **ref)
    assert got == pytest.approx(expected, abs=1e-12)


def test_adamw_decays_before_the_adam_step():
    # p = 1 * (1 - 0.1*0.5) = 0.95, then the Adam step of size lr: p1 = 0.95 - 0.1/(1+1e-8)
    got = _run(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5), [1.0], "cpu")
    assert got[0] == pytest.approx(0.95 - 0.1 / (1 + 1e-8), abs=1e-12)
    # Adam's L2 decay instead folds it into g: g = 1.5, m_hat = 1.5, v_hat = 2.25: p1 = 0.9
    got = _run(lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.5), [1.0], "cpu")
    assert got[0] == pytest.approx(1 - 0.1 * 1.5 / (1.5 + 1e-8), abs=1e-12)


def test_defaults_are_pytorchs():
    p = [Parameter(mg.zeros(1))]
    assert optim.SGD(p).defaults == dict(
        lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False
    )
    adam = optim.Adam(p).defaults
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"], adam["amsgrad"]) == (
        1e-3, (0.9, 0.999), 1e-8, 0, False
    )
    assert optim.AdamW(p).defaults["weight_decay"] == 1e-2


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1),
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True),
        lambda ps: optim.Adam(ps, weight_decay=0.1, amsgrad=True),
        lambda ps: optim.AdamW(ps),
    ],
    ids=["sgd", "sgd-nesterov", "adam", "adamw"],
)
def test_steps_update_in_place_and_leave_grad_alone(make, device):
    p = Parameter(mg.randn(300, 100, device=device))
    array = p.array
    grad = mg.randn(300, 100, device=device)
    p.grad = grad
    grad_before = grad.numpy().copy()
    opt = make([p])
    opt.step()  # the first step may allocate state and scratch buffers
    assert p.array is array and p.grad is grad
    np.testing.assert_array_equal(grad.numpy(), grad_before)
    if device == "cpu":  # later steps allocate no array of the parameter's size
        tracemalloc.start()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < array.nbytes // 4
    assert p.array is array



@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1),
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1),
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True),
        lambda ps: optim.Adam(ps, weight_decay=0.1, amsgrad=True),
        lambda ps: optim.AdamW(ps),
    ],
    ids=["sgd", "sgd-dampening", "sgd-nesterov", "adam", "adamw"],
)
def test_updates_done_block_by_block_equal_whole_ones(make, device, monkeypatch):
    """Parameters bigger than a block are updated in slices; the result must not change."""
    rng = np.random.default_rng(0)
    shapes = [(7, 5), (13,), (), (3, 4, 2), (5, 7)]  # many rows per block, one row, 0-d, 3-d
    values = [rng.standard_normal(s) for s in shapes]
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(3)]

    def train(block):
        monkeypatch.setattr(optim.optimizer, "BLOCK", block)
        params = [Parameter(mg.tensor(v, device=device)) for v in values]
        params[-1].array = params[-1].array.T.copy().T  # strided: (5, 7) stored column-major
        opt = make(params)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = mg.tensor(g, device=device)
            opt.step()
        return [p.detach().numpy() for p in params]

    whole, blocked = train(1 << 20), train(6)
    for w, b, v in zip(whole, blocked, values):
        np.testing.assert_array_equal(b, w)
        assert not np.array_equal(b, v)


def test_params_without_grad_are_skipped():
    a, b = Parameter(mg.ones(2)), Parameter(mg.ones(2))
    a.grad = mg.ones(2)
    optim.Adam([a, b], lr=0.1).step()
    assert b.tolist() == [1.0, 1.0] and a.tolist() != [1.0, 1.0]


def test_zero_grad(device):
    p = Parameter(mg.ones(3, device=device))
    opt = optim.SGD([p], lr=0.1)
    p.grad = mg.ones(3, device=device)
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()  # PyTorch's default: set_to_none=True
    assert p.grad is None


def test_param_groups_take_their_own_settings():
    a, b = Parameter(mg.ones(1)), Parameter(mg.ones(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9
    a.grad, b.grad = mg.ones(1), mg.ones(1)
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)


def test_named_parameters_are_accepted():
    model = mg.nn.Module()
    model.w = Parameter(mg.ones(1))
    opt = optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w"]
    assert opt.param_groups[0]["params"][0] is model.w


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate"),
        (lambda p: optim.SGD(p, momentum=-0.1), "Invalid momentum"),
        (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
        (lambda p: optim.Adam(p, eps=-1), "Invalid epsilon"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: optim.SGD([{"params": p}, {"params": p}]), "more than one parameter group"),
    ],
)
def test_invalid_settings_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make([Parameter(mg.ones(1))])


def test_bad_params_are_refused():
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(Parameter(mg.ones(1)), lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([1.0], lr=0.1)
    x = mg.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([x * 2], lr=0.1)


def _trained_pair(make):
    """Two identical parameters; the first's optimizer has taken two steps."""
    p, q = Parameter(mg.tensor([1.0, -2.0])), Parameter(mg.tensor([1.0, -2.0]))
    opt = make([p])
    for g in ([0.5, 1.0], [-1.0, 0.25]):
        p.grad = mg.tensor(g)
        opt.step()
    q.array[...] = p.array
    return p, opt, q, make([q])


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
    ],
    ids=["sgd", "adam"],
)
def test_state_dict_round_trip_continues_identically(make, tmp_path):
    p, opt, q, fresh = _trained_pair(make)
    mg.save(opt.state_dict(), tmp_path / "opt.npz")
    fresh.load_state_dict(mg.load(tmp_path / "opt.npz"))
    for param, o in ((p, opt), (q, fresh)):
        param.grad = mg.tensor([0.3, -0.7])
        o.step()
    assert q.tolist() == p.tolist()
    # the loaded state is a copy: stepping one optimizer leaves the other's state alone
    assert fresh.state[q] is not opt.state[p]


def test_state_dict_layout_is_pytorchs():
    p, opt, _, _ = _trained_pair(lambda ps: optim.Adam(ps, lr=0.1))
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sd["param_groups"][0]["params"] == [0] and sd["param_groups"][0]["lr"] == 0.1
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][0]["step"].item() == 2.0 and sd["state"][0]["step"].dtype == mg.float32


def test_load_state_dict_checks_the_groups():
    _, opt, _, _ = _trained_pair(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9))
    other = optim.SGD([Parameter(mg.ones(1)), Parameter(mg.ones(1))], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        other.load_state_dict(opt.state_dict())
    two_groups = optim.SGD(
        [{"params": [Parameter(mg.ones(1))]}, {"params": [Parameter(mg.ones(1))]}], lr=0.1
    )
    with pytest.raises(ValueError, match="different number of parameter groups"):
        two_groups.load_state_dict(opt.state_dict())


def test_repr_lists_each_group():
    opt = optim.SGD([Parameter(mg.ones(1))], lr=0.1)
    assert repr(opt) == (
        "SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n    momentum: 0\n"
        "    nesterov: False\n    weight_decay: 0\n)"
    )


def test_step_returns_the_closure_loss():
    p = Parameter(mg.tensor([3.0]))
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0
    assert p.item() == pytest.approx(3.0 - 0.1 * 6.0)


# ----- learning-rate schedules ---------------------------------------------------------------
def _lrs(make_scheduler, epochs, lr=1.0):
    opt = optim.SGD([Parameter(mg.ones(1))], lr=lr)
    scheduler = make_scheduler(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
        assert scheduler.get_last_lr() == [lrs[-1]]
    return lrs


def test_step_lr():
    lrs = _lrs(lambda o: optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.1), 5)
    assert lrs == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01, 0.01], rel=1e-12)


def test_cosine_annealing_lr():
    lrs = _lrs(lambda o: optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.1), 6)
    # eta_min + (1 - eta_min) * (1 + cos(pi * t / 4)) / 2, and rising again after T_max
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(7)]
    assert lrs == pytest.approx(expected, abs=1e-12)
    assert lrs[2] == pytest.approx(0.55) and lrs[4] == pytest.approx(0.1)


def test_scheduler_state_dict_resumes():
    opt = optim.SGD([Parameter(mg.ones(1))], lr=1.0)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(3):
        scheduler.step()
    state = scheduler.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3
    opt2 = optim.SGD([Parameter(mg.ones(1))], lr=1.0)
    resumed = optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=10)
    resumed.load_state_dict(state)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    scheduler.step()
    resumed.step()
    assert resumed.get_last_lr() == scheduler.get_last_lr()


# ----- edge cases the fuzz of wrong arguments found (tests/test_fuzz_bad_input.py) ----------
def test_optimizer_arguments_are_checked_by_name():
    p = Parameter(mg.zeros(2))
    with pytest.raises(TypeError, match="params argument .* got float"):
        optim.SGD(2.5)  # was "'float' object is not iterable"
    with pytest.raises(KeyError, match="param_group must have 'params'"):
        optim.Adam([{"lr": 0.1}])
    with pytest.raises(TypeError, match="lr must be a real number"):
        optim.SGD([p], lr="0.1")
    with pytest.raises(ValueError, match="Invalid learning rate: nan"):
        optim.SGD([p], lr=math.nan)  # SGD took it, and made every weight nan
    with pytest.raises(TypeError, match="betas must be a pair of numbers"):
        optim.Adam([p], betas=0.9)
    with pytest.raises(TypeError, match="closure must be callable"):
        optim.SGD([p], lr=0.1).step(1)
    with pytest.raises(TypeError, match="amsgrad must be a bool"):
        optim.Adam([p], amsgrad=mg.ones(2))  # a truth value is enough, as in PyTorch


@pytest.mark.parametrize(
    "state_dict, error",
    [([1], TypeError), ({"state": {}}, KeyError), ({"state": {}, "param_groups": 1}, TypeError),
     ({"state": 1, "param_groups": [{"params": [0]}]}, TypeError)],
)  # fmt: skip
def test_optimizer_load_state_dict_checks_the_structure(state_dict, error):
    opt = optim.SGD([Parameter(mg.zeros(2))], lr=0.1)
    with pytest.raises(error, match="state_dict"):
        opt.load_state_dict(state_dict)


def test_schedulers_refuse_periods_that_would_divide_by_zero():
    opt = optim.SGD([Parameter(mg.zeros(2))], lr=0.1)
    with pytest.raises(ValueError, match="step_size must be a positive int"):
        optim.lr_scheduler.StepLR(opt, step_size=0)  # was ZeroDivisionError at step()
    with pytest.raises(ValueError, match="T_max must be a positive int"):
        optim.lr_scheduler.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(TypeError, match="state_dict must be a dict"):
        optim.lr_scheduler.StepLR(opt, 2).load_state_dict([1])
