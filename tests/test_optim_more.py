"""RMSprop, Adagrad, add_param_group and per-group settings (PyTorch's update rules).

Hand-worked steps first: one float64 parameter p = 1 fed the gradients 1 then 2, the
arithmetic in the comments. Then every option over many steps against a numpy reference
written out here, block-by-block updates, the state (PyTorch's names, round trips), bad input.
"""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import optim
from minigrad.nn import Parameter


def _run(make_opt, grads, device="cpu", p0=1.0):
    """Parameter history [p1, p2, ...] of one scalar parameter fed `grads` in turn."""
    p = Parameter(mg.tensor([p0], dtype=mg.float64, device=device))
    opt = make_opt([p])
    history = []
    for g in grads:
        p.grad = mg.tensor([g], dtype=mg.float64, device=device)
        opt.step()
        history.append(p.item())
    return history


RMSPROP_CASES = {  # alpha = 0.75 and eps = 0 unless given: v1 = 0.25 * g1**2 = 0.25
    # p1 = 1 - 0.1 * 1 / sqrt(0.25) = 0.8;  v2 = 0.75*0.25 + 0.25*4 = 1.1875
    "plain": ({}, [0.8, 0.8 - 0.2 / math.sqrt(1.1875)]),
    # p1 = 1 - 0.1 / (0.5 + 0.5) = 0.9
    "eps": ({"eps": 0.5}, [0.9, 0.9 - 0.2 / (math.sqrt(1.1875) + 0.5)]),
    # g1 = 1.1, v1 = 0.3025 (sqrt 0.55), p1 = 1 - 0.11 / 0.55 = 0.8;
    # g2 = 2 + 0.08 = 2.08, v2 = 0.75*0.3025 + 0.25*2.08**2 = 1.308475
    "weight_decay": ({"weight_decay": 0.1}, [0.8, 0.8 - 0.208 / math.sqrt(1.308475)]),
    # buf1 = 0 * 0.9 + 1 / 0.5 = 2, p1 = 1 - 0.1*2 = 0.8;  buf2 = 0.9*2 + 2 / sqrt(1.1875)
    "momentum": ({"momentum": 0.9}, [0.8, 0.8 - 0.1 * (1.8 + 2 / math.sqrt(1.1875))]),
    # m1 = 0.25, v1 - m1**2 = 0.1875;  m2 = 0.25 + 0.25*(2 - 0.25) = 0.6875,
    # v2 - m2**2 = 1.1875 - 0.47265625 = 0.71484375
    "centered": (
        {"centered": True},
        [
            1 - 0.1 / math.sqrt(0.1875),
            1 - 0.1 / math.sqrt(0.1875) - 0.2 / math.sqrt(0.71484375),
        ],
    ),
    # buf1 = 1 / sqrt(0.1875), buf2 = 0.5 * buf1 + 2 / sqrt(0.71484375)
    "centered+momentum": (
        {"centered": True, "momentum": 0.5},
        [
            1 - 0.1 / math.sqrt(0.1875),
            1 - 0.1 / math.sqrt(0.1875) * 1.5 - 0.2 / math.sqrt(0.71484375),
        ],
    ),
}


@pytest.mark.parametrize("case", RMSPROP_CASES)
def test_rmsprop_matches_hand_computed_steps(case, device):
    settings, expected = RMSPROP_CASES[case]
    settings = {"lr": 0.1, "alpha": 0.75, "eps": 0.0, **settings}
    got = _run(lambda ps: optim.RMSprop(ps, **settings), [1.0, 2.0], device)
    assert got == pytest.approx(expected, abs=1e-12)


ADAGRAD_CASES = {  # lr = 0.1 and eps = 0 unless given
    # s1 = 1, p1 = 1 - 0.1 * 1 / 1 = 0.9;  s2 = 5, p2 = 0.9 - 0.1 * 2 / sqrt(5)
    "plain": ({}, [0.9, 0.9 - 0.2 / math.sqrt(5)]),
    # s1 = 3 + 1 = 4, p1 = 1 - 0.1 / 2 = 0.95;  s2 = 8
    "initial_accumulator_value": (
        {"initial_accumulator_value": 3.0},
        [0.95, 0.95 - 0.2 / math.sqrt(8)],
    ),
    # clr1 = 0.1 / (1 + 0 * 0.5) = 0.1;  clr2 = 0.1 / (1 + 1 * 0.5)
    "lr_decay": ({"lr_decay": 0.5}, [0.9, 0.9 - 0.1 / 1.5 * 2 / math.sqrt(5)]),
    # g1 = 1.1, s1 = 1.21, p1 = 1 - 0.1 * 1.1 / 1.1 = 0.9;  g2 = 2.09, s2 = 1.21 + 2.09**2
    "weight_decay": ({"weight_decay": 0.1}, [0.9, 0.9 - 0.209 / math.sqrt(5.5781)]),
    # p1 = 1 - 0.1 / (1 + 1) = 0.95
    "eps": ({"eps": 1.0}, [0.95, 0.95 - 0.2 / (math.sqrt(5) + 1)]),
}


@pytest.mark.parametrize("case", ADAGRAD_CASES)
def test_adagrad_matches_hand_computed_steps(case, device):
    settings, expected = ADAGRAD_CASES[case]
    settings = {"lr": 0.1, "eps": 0.0, **settings}
    got = _run(lambda ps: optim.Adagrad(ps, **settings), [1.0, 2.0], device)
    assert got == pytest.approx(expected, abs=1e-12)


def _rmsprop_reference(p, grads, lr, alpha, eps, weight_decay, momentum, centered):
    """RMSprop over whole float64 arrays, written independently of minigrad's code."""
    p, v, m, buf, out = p.copy(), np.zeros_like(p), np.zeros_like(p), np.zeros_like(p), []
    for g in grads:
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g**2
        m = alpha * m + (1 - alpha) * g
        step = g / (np.sqrt(v - m**2 if centered else v) + eps)
        buf = momentum * buf + step
        p = p - lr * (buf if momentum else step)
        out.append(p)
    return out


def _adagrad_reference(p, grads, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    p, s, out = p.copy(), np.full_like(p, initial_accumulator_value), []
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * p
        s = s + g**2
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
        out.append(p)
    return out


MANY_STEPS = {
    "rmsprop": (
        optim.RMSprop,
        _rmsprop_reference,
        {
            "lr": 0.01,
            "alpha": 0.99,
            "eps": 1e-8,
            "weight_decay": 0,
            "momentum": 0,
            "centered": False,
        },
    ),
    "rmsprop-all": (
        optim.RMSprop,
        _rmsprop_reference,
        {
            "lr": 0.003,
            "alpha": 0.9,
            "eps": 1e-3,
            "weight_decay": 0.1,
            "momentum": 0.9,
            "centered": True,
        },
    ),
    "adagrad": (
        optim.Adagrad,
        _adagrad_reference,
        {
            "lr": 0.01,
            "lr_decay": 0,
            "weight_decay": 0,
            "initial_accumulator_value": 0,
            "eps": 1e-10,
        },
    ),
    "adagrad-all": (
        optim.Adagrad,
        _adagrad_reference,
        {
            "lr": 0.1,
            "lr_decay": 0.01,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.5,
            "eps": 1e-3,
        },
    ),
}


@pytest.mark.parametrize("block_bytes", [1 << 20, 200], ids=["whole", "blocks"])
@pytest.mark.parametrize("case", MANY_STEPS)
def test_many_steps_match_a_numpy_reference(case, block_bytes, device, monkeypatch):
    """30 steps on a (9, 4) float64 parameter, gradients over six orders of magnitude."""
    monkeypatch.setattr(optim.optimizer, "BLOCK_BYTES", block_bytes)
    cls, reference, settings = MANY_STEPS[case]
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal((9, 4))
    grads = [rng.standard_normal((9, 4)) * 10.0 ** rng.uniform(-4, 2) for _ in range(30)]
    p = Parameter(mg.tensor(p0, device=device))
    opt = cls([p], **settings)
    for g, want in zip(grads, reference(p0, grads, **settings)):
        p.grad = mg.tensor(g, device=device)
        opt.step()
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=1e-12, atol=1e-12)


MAKERS = {
    "rmsprop": lambda ps: optim.RMSprop(ps, weight_decay=0.1),
    "rmsprop-momentum-centered": lambda ps: optim.RMSprop(ps, momentum=0.9, centered=True),
    "adagrad": lambda ps: optim.Adagrad(ps, lr_decay=0.1, initial_accumulator_value=0.1),
}


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_steps_update_in_place_and_leave_grad_alone(make, device):
    p = Parameter(mg.randn(300, 100, device=device))
    array, grad = p.array, mg.randn(300, 100, device=device)
    p.grad = grad
    grad_before = grad.numpy().copy()
    opt = make([p])
    opt.step()
    state = {name: t.array for name, t in opt.state[p].items()}
    opt.step()
    assert p.array is array and p.grad is grad
    np.testing.assert_array_equal(grad.numpy(), grad_before)
    assert {name: t.array for name, t in opt.state[p].items()} == state  # the same arrays
    assert opt.state[p]["step"].item() == 2.0


def test_defaults_are_pytorchs():
    p = [Parameter(mg.zeros(1))]
    assert optim.RMSprop(p).defaults == {
        "lr": 1e-2,
        "momentum": 0,
        "alpha": 0.99,
        "eps": 1e-8,
        "centered": False,
        "weight_decay": 0,
    }
    assert optim.Adagrad(p).defaults == {
        "lr": 1e-2,
        "lr_decay": 0,
        "eps": 1e-10,
        "weight_decay": 0,
        "initial_accumulator_value": 0,
    }


STATE_LAYOUTS = {  # PyTorch's names for each optimizer's per-parameter state
    "rmsprop": (lambda ps: optim.RMSprop(ps), {"step", "square_avg"}),
    "rmsprop-momentum": (
        lambda ps: optim.RMSprop(ps, momentum=0.5),
        {"step", "square_avg", "momentum_buffer"},
    ),
    "rmsprop-centered-momentum": (
        lambda ps: optim.RMSprop(ps, momentum=0.5, centered=True),
        {"step", "square_avg", "momentum_buffer", "grad_avg"},
    ),
    "adagrad": (lambda ps: optim.Adagrad(ps), {"step", "sum"}),
}


@pytest.mark.parametrize("case", STATE_LAYOUTS)
def test_state_dict_layout_is_pytorchs(case):
    make, names = STATE_LAYOUTS[case]
    p = Parameter(mg.tensor([1.0, -2.0]))
    opt = make([p])
    for _ in range(2):
        p.grad = mg.tensor([0.5, 1.0])
        opt.step()
    sd = opt.state_dict()
    assert list(sd["state"]) == [0] and set(sd["state"][0]) == names
    step = sd["state"][0]["step"]
    assert (step.item(), step.dtype, step.shape) == (2.0, mg.float32, ())
    assert set(sd["param_groups"][0]) == set(opt.defaults) | {"params"}


def test_adagrad_makes_its_state_when_a_parameter_joins():
    # as in PyTorch: the state exists before any step (and sum starts at the initial value)
    a, b = Parameter(mg.zeros(2)), Parameter(mg.zeros(3))
    opt = optim.Adagrad([a], initial_accumulator_value=0.25)
    assert opt.state[a]["sum"].tolist() == [0.25, 0.25] and opt.state[a]["step"].item() == 0
    opt.add_param_group({"params": [b], "initial_accumulator_value": 2.0})
    assert opt.state[b]["sum"].tolist() == [2.0] * 3  # (PyTorch's first step would fail here)
    b.grad = mg.tensor([1.0, 2.0, 3.0])
    opt.step()
    assert opt.state[b]["sum"].tolist() == [3.0, 6.0, 11.0]
    assert opt.state[a]["step"].item() == 0  # a had no gradient: not stepped


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_state_dict_round_trip_continues_identically(make, tmp_path):
    groups = [Parameter(mg.tensor([1.0, -2.0])), Parameter(mg.tensor([0.5]))]
    copies = [Parameter(mg.tensor(p.tolist())) for p in groups]
    opt = make([{"params": groups[:1]}, {"params": groups[1:], "lr": 0.5}])
    for g in ([0.5, 1.0], [-1.0, 0.25]):
        groups[0].grad, groups[1].grad = mg.tensor(g), mg.tensor(g[:1])
        opt.step()
    for p, q in zip(groups, copies):
        q.array[...] = p.array
    mg.save(opt.state_dict(), tmp_path / "opt.npz")
    fresh = make([{"params": copies[:1]}, {"params": copies[1:]}])
    fresh.load_state_dict(mg.load(tmp_path / "opt.npz"))
    assert [g["lr"] for g in fresh.param_groups] == [g["lr"] for g in opt.param_groups]
    for params, o in ((groups, opt), (copies, fresh)):
        params[0].grad, params[1].grad = mg.tensor([0.3, -0.7]), mg.tensor([2.0])
        o.step()
    assert [q.tolist() for q in copies] == [p.tolist() for p in groups]
    assert fresh.state[copies[0]]["step"].item() == 3.0


# ----- add_param_group and per-group settings ---------------------------------------------------
def test_add_param_group_fills_in_the_defaults_and_steps_the_new_group():
    body, head = Parameter(mg.ones(2)), Parameter(mg.ones(2))
    opt = optim.RMSprop([body], lr=0.1, alpha=0.75, eps=0.0)
    opt.add_param_group({"params": head, "lr": 0.2, "momentum": 0.5})  # one tensor is enough
    assert opt.param_groups[1]["params"] == [head]
    assert {k: v for k, v in opt.param_groups[1].items() if k != "params"} == {
        "lr": 0.2,
        "momentum": 0.5,
        "alpha": 0.75,
        "eps": 0.0,
        "centered": False,
        "weight_decay": 0,
    }
    body.grad, head.grad = mg.ones(2), mg.ones(2)
    opt.step()
    # body: 1 - 0.1 * 1 / sqrt(0.25) = 0.8;  head: buf = 2, 1 - 0.2 * 2 = 0.6
    assert body.tolist() == pytest.approx([0.8, 0.8]) and head.tolist() == pytest.approx([0.6] * 2)
    assert set(opt.state[head]) == {"step", "square_avg", "momentum_buffer"}
    assert set(opt.state[body]) == {"step", "square_avg"}


def test_each_group_keeps_its_own_settings_through_a_step_and_a_state_dict():
    a, b = Parameter(mg.ones(1)), Parameter(mg.ones(1))
    opt = optim.Adagrad([{"params": [a], "lr_decay": 1.0}, {"params": [b], "lr": 0.5}], lr=0.1)
    for _ in range(2):
        a.grad, b.grad = mg.ones(1), mg.ones(1)
        opt.step()
    # a: 1 - 0.1 / 1 - 0.05 / sqrt(2);  b: 1 - 0.5 - 0.5 / sqrt(2)
    assert a.item() == pytest.approx(0.9 - 0.05 / math.sqrt(2))
    assert b.item() == pytest.approx(0.5 - 0.5 / math.sqrt(2))
    saved = opt.state_dict()["param_groups"]
    assert [(g["lr"], g["lr_decay"]) for g in saved] == [(0.1, 1.0), (0.5, 0)]


def test_add_param_group_refuses_what_pytorch_refuses():
    a, b = Parameter(mg.ones(1)), Parameter(mg.ones(1))
    opt = optim.RMSprop([a])
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [b, a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([b])
    with pytest.raises(KeyError, match="param_group must have 'params'"):
        opt.add_param_group({"lr": 0.1})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {b}})
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is int"):
        opt.add_param_group({"params": [b, 3]})
    with pytest.raises(ValueError, match="Some param names are missing"):
        optim.SGD([("w", a), b])
    with pytest.raises(ValueError, match="cannot add param group with names"):
        opt.add_param_group({"params": [("b", b)]})
    assert len(opt.param_groups) == 1  # nothing was added by the refused calls
    with pytest.raises(ValueError, match="Invalid initial_accumulator_value value: -1"):
        optim.Adagrad([a]).add_param_group({"params": [b], "initial_accumulator_value": -1})


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.RMSprop(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.RMSprop(p, alpha=-0.5), "Invalid alpha value: -0.5"),
        (lambda p: optim.RMSprop(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (lambda p: optim.RMSprop(p, momentum=-0.9), "Invalid momentum value: -0.9"),
        (lambda p: optim.RMSprop(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.RMSprop(p, lr=math.nan), "Invalid learning rate: nan"),
        (lambda p: optim.Adagrad(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
        (lambda p: optim.Adagrad(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.Adagrad(p, eps=-1), "Invalid epsilon value: -1"),
        (
            lambda p: optim.Adagrad(p, initial_accumulator_value=-0.1),
            "Invalid initial_accumulator_value value: -0.1",
        ),
        (lambda p: optim.Adagrad([]), "empty parameter list"),
    ],
)
def test_invalid_settings_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make([Parameter(mg.ones(1))])


def test_settings_of_the_wrong_type_are_refused_by_name():
    p = [Parameter(mg.ones(1))]
    with pytest.raises(TypeError, match="RMSprop: alpha must be a real number, got str"):
        optim.RMSprop(p, alpha="0.9")
    with pytest.raises(TypeError, match="Adagrad: lr_decay must be a real number"):
        optim.Adagrad(p, lr_decay=None)
    with pytest.raises(TypeError, match="RMSprop: centered must be a bool"):
        optim.RMSprop(p, centered=mg.ones(2))
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.Adagrad(p[0])


def test_rmsprop_makes_a_buffer_when_a_schedule_turns_the_momentum_on():
    p = Parameter(mg.tensor([1.0], dtype=mg.float64))
    opt = optim.RMSprop([p], lr=0.1, alpha=0.75, eps=0.0)
    p.grad = mg.tensor([1.0], dtype=mg.float64)
    opt.step()  # v1 = 0.25, p1 = 1 - 0.1 / 0.5 = 0.8
    opt.param_groups[0]["momentum"] = 0.5
    opt.step()  # v2 = 0.75*0.25 + 0.25 = 0.4375, buf = 0 * 0.5 + 1 / sqrt(0.4375)
    assert p.item() == pytest.approx(0.8 - 0.1 / math.sqrt(0.4375), abs=1e-12)
    assert opt.state[p]["momentum_buffer"].item() == pytest.approx(1 / math.sqrt(0.4375))
    # OneCycleLR cycles RMSprop's momentum (it has no betas)
    cycled = optim.RMSprop([Parameter(mg.ones(1))])
    optim.lr_scheduler.OneCycleLR(cycled, max_lr=0.1, total_steps=10)
    assert cycled.param_groups[0]["momentum"] == 0.95
