"""Optimizers and schedules against hand-computed steps (PyTorch's update rules).

The first cases start from one float64 parameter p = 1 and feed the gradients 1 then 2, so
every expected value can be checked with pencil and paper; the arithmetic is in the comments.
Then every option over many steps against a numpy reference written out in this file, the
update in place, the state (its dtype, PyTorch's state_dict layout, round trips), bad input.
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
    "plain": ({"lr": 0.1}, [0.9, 0.7]),
    # buf1 = g1 = 1, p1 = 0.9;  buf2 = 0.9*1 + 2 = 2.9, p2 = 0.9 - 0.29 = 0.61
    "momentum": ({"lr": 0.1, "momentum": 0.9}, [0.9, 0.61]),
    # buf1 = g1 (no dampening on the first step);  buf2 = 0.9*1 + (1-0.5)*2 = 1.9, p2 = 0.71
    "dampening": ({"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, [0.9, 0.71]),
    # buf1 = 1, step g = 1 + 0.9*1 = 1.9, p1 = 0.81;
    # buf2 = 2.9, step g = 2 + 0.9*2.9 = 4.61, p2 = 0.81 - 0.461 = 0.349
    "nesterov": ({"lr": 0.1, "momentum": 0.9, "nesterov": True}, [0.81, 0.349]),
    # g1 = 1 + 0.1*1 = 1.1, p1 = 0.89;  g2 = 2 + 0.1*0.89 = 2.089, p2 = 0.89 - 0.2089 = 0.6811
    "weight_decay": ({"lr": 0.1, "weight_decay": 0.1}, [0.89, 0.6811]),
    # g1 = 1.1 -> buf1 = 1.1, p1 = 0.89;  g2 = 2.089 -> buf2 = 0.99 + 2.089 = 3.079, p2 = 0.5821
    "momentum+weight_decay": ({"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}, [0.89, 0.5821]),
    # g1 = 1.1 = buf1, step g = 1.1 + 0.9*1.1 = 2.09, p1 = 0.791;  g2 = 2 + 0.0791 = 2.0791,
    # buf2 = 0.99 + 2.0791 = 3.0691, step g = 2.0791 + 2.76219 = 4.84129, p2 = 0.306871
    "nesterov+weight_decay": (
        {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
        [0.791, 0.306871],
    ),
    # g1 = 1.1 = buf1, p1 = 0.89;  g2 = 2.089, buf2 = 0.99 + 0.5*2.089 = 2.0345, p2 = 0.68655
    "dampening+weight_decay": (
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1},
        [0.89, 0.68655],
    ),
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
    "adam": (optim.Adam, {"lr": 0.1}, {}),
    "betas": (optim.Adam, {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}, {}),
    "l2": (optim.Adam, {"lr": 0.1, "weight_decay": 0.5}, {"wd": 0.5}),
    "amsgrad": (optim.Adam, {"lr": 0.1, "amsgrad": True}, {"amsgrad": True}),
    "adamw": (optim.AdamW, {"lr": 0.1, "weight_decay": 0.5}, {"wd": 0.5, "decoupled": True}),
    "adamw-amsgrad": (
        optim.AdamW,
        {"lr": 0.1, "weight_decay": 0.5, "amsgrad": True},
        {"wd": 0.5, "decoupled": True, "amsgrad": True},
    ),
}


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


def _sgd_reference(p, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """SGD over whole float64 arrays, written independently of minigrad's code."""
    p, buf, out = p.copy(), None, []
    for g in grads:
        d_p = g + weight_decay * p
        if momentum:
            buf = d_p.copy() if buf is None else momentum * buf + (1 - dampening) * d_p
            d_p = d_p + momentum * buf if nesterov else buf
        p = p - lr * d_p
        out.append(p)
    return out


def _adam_arrays_reference(
    p, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False
):
    """Adam as the paper writes it (beta1 * m + (1 - beta1) * g, bias-corrected m and v)."""
    (beta1, beta2), p = betas, p.copy()
    m, v, v_max, out = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p), []
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = np.maximum(v_max, v)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        p = p - lr * (m / (1 - beta1**t)) / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


MANY_STEPS = {  # optimizer, its settings, the reference and its settings
    "sgd": (optim.SGD, {"lr": 0.1}, _sgd_reference, {}),
    "sgd-all": (
        optim.SGD,
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.25, "weight_decay": 0.01},
        _sgd_reference,
        {},
    ),
    "sgd-nesterov": (
        optim.SGD,
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
        _sgd_reference,
        {},
    ),
    "adam": (optim.Adam, {"lr": 0.01}, _adam_arrays_reference, {}),
    "adam-all": (
        optim.Adam,
        {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.1, "amsgrad": True},
        _adam_arrays_reference,
        {},
    ),
    "adam-beta1-0": (optim.Adam, {"lr": 0.01, "betas": (0.0, 0.99)}, _adam_arrays_reference, {}),
    "adam-decoupled": (
        optim.Adam,
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        _adam_arrays_reference,
        {"decoupled": True},
    ),
    "adamw-amsgrad": (
        optim.AdamW,
        {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True},
        _adam_arrays_reference,
        {"decoupled": True},
    ),
}


@pytest.mark.parametrize("block_bytes", [1 << 20, 200], ids=["whole", "blocks"])
@pytest.mark.parametrize("case", MANY_STEPS)
def test_many_steps_match_a_numpy_reference(case, block_bytes, device, monkeypatch):
    """30 steps on a (9, 4) float64 parameter, gradients over six orders of magnitude."""
    monkeypatch.setattr(optim.optimizer, "BLOCK_BYTES", block_bytes)
    cls, kwargs, reference, ref_kwargs = MANY_STEPS[case]
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal((9, 4))
    grads = [rng.standard_normal((9, 4)) * 10.0 ** rng.uniform(-4, 2) for _ in range(30)]
    p = Parameter(mg.tensor(p0, device=device))
    opt = cls([p], **kwargs)
    settings = {k: v for k, v in kwargs.items() if k != "decoupled_weight_decay"}
    expected = reference(p0, grads, **settings, **ref_kwargs)
    for g, want in zip(grads, expected):
        p.grad = mg.tensor(g, device=device)
        opt.step()
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=1e-12, atol=1e-12)


def test_adam_with_beta1_0_keeps_the_gradient_exactly():
    # m = lerp(m, g, 1) is computed from g's end, as torch.lerp does: exactly g, even when
    # m was much larger (m + (g - m) would round g away)
    p = Parameter(mg.tensor([0.0, 0.0]))
    opt = optim.Adam([p], betas=(0.0, 0.999))
    for g in ([1.0, -3.0], [1e-9, 2e-10]):
        p.grad = mg.tensor(g)
        opt.step()
        assert opt.state[p]["exp_avg"].tolist() == p.grad.tolist()


def test_adamw_is_adam_with_decoupled_weight_decay():
    a, b = Parameter(mg.tensor([1.0, -2.0])), Parameter(mg.tensor([1.0, -2.0]))
    adamw = optim.AdamW([a], lr=0.1, weight_decay=0.5)
    adam = optim.Adam([b], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    for g in ([0.5, 1.0], [-1.0, 0.25], [2.0, 2.0]):
        a.grad, b.grad = mg.tensor(g), mg.tensor(g)
        adamw.step()
        adam.step()
    assert a.tolist() == b.tolist()
    assert adamw.defaults == adam.defaults


def test_defaults_are_pytorchs():
    p = [Parameter(mg.zeros(1))]
    assert optim.SGD(p).defaults == {
        "lr": 1e-3,
        "momentum": 0,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
    }
    adam = optim.Adam(p).defaults
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"], adam["amsgrad"]) == (
        1e-3,
        (0.9, 0.999),
        1e-8,
        0,
        False,
    )
    assert optim.AdamW(p).defaults["weight_decay"] == 1e-2


MAKERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1),
    "sgd-dampening": lambda ps: optim.SGD(
        ps, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1
    ),
    "sgd-nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, weight_decay=0.1, amsgrad=True),
    "adamw": lambda ps: optim.AdamW(ps),
}


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_steps_update_in_place_and_leave_grad_alone(make, device):
    p = Parameter(mg.randn(300, 100, device=device))
    array, grad = p.array, mg.randn(300, 100, device=device)
    p.grad = grad
    grad_before = grad.numpy().copy()
    opt = make([p])
    opt.step()
    state = {name: t.array for name, t in opt.state.get(p, {}).items()}
    opt.step()
    assert p.array is array and p.grad is grad
    np.testing.assert_array_equal(grad.numpy(), grad_before)
    assert {name: t.array for name, t in opt.state.get(p, {}).items()} == state  # same arrays


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_a_big_parameter_is_updated_with_temporaries_of_a_block(make):
    """Optimizer._in_blocks: a step's temporaries are a few blocks, not a parameter's size."""
    p = Parameter(mg.randn(2048, 512))  # 4 MiB: 16 blocks
    p.grad = mg.randn(2048, 512)
    opt = make([p])
    opt.step()  # the first step makes the state
    tracemalloc.start()
    opt.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * optim.optimizer.BLOCK_BYTES == p.array.nbytes // 4


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_updates_done_block_by_block_equal_whole_ones(make, device, monkeypatch):
    """Parameters bigger than a block are updated in slices; the result must not change."""
    rng = np.random.default_rng(0)
    shapes = [(7, 5), (13,), (), (3, 4, 2), (5, 7)]  # many rows per block, one row, 0-d, 3-d
    values = [rng.standard_normal(s) for s in shapes]
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(3)]

    def train(block_bytes):
        monkeypatch.setattr(optim.optimizer, "BLOCK_BYTES", block_bytes)
        params = [Parameter(mg.tensor(v, device=device)) for v in values]
        params[-1].array = params[-1].array.T.copy().T  # strided: (5, 7) stored column-major
        opt = make(params)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = mg.tensor(g, device=device)
            opt.step()
        return [p.detach().numpy() for p in params]

    whole, blocked = train(1 << 20), train(48)  # 6 float64 elements a block
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


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_state_dict_round_trip_continues_identically(make, tmp_path):
    p, opt, q, fresh = _trained_pair(make)
    mg.save(opt.state_dict(), tmp_path / "opt.npz")
    fresh.load_state_dict(mg.load(tmp_path / "opt.npz"))
    for param, o in ((p, opt), (q, fresh)):
        param.grad = mg.tensor([0.3, -0.7])
        o.step()
    assert q.tolist() == p.tolist()
    # the loaded state is a copy: stepping one optimizer leaves the other's state alone
    assert fresh.state.get(q, {}) is not opt.state.get(p)


def test_state_dict_round_trip_with_groups_and_params_without_state():
    a, b, c = (Parameter(mg.tensor([1.0, 2.0])) for _ in range(3))
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    a.grad = c.grad = mg.tensor([0.5, -1.0])  # b never gets a gradient: it has no state
    opt.step()
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 2]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    x, y, z = (Parameter(mg.tensor([1.0, 2.0])) for _ in range(3))
    fresh = optim.Adam([{"params": [x, y]}, {"params": [z]}], lr=0.01)
    fresh.load_state_dict(sd)
    assert [g["lr"] for g in fresh.param_groups] == [0.1, 0.5]  # the saved settings
    assert set(fresh.state) == {x, z}
    assert fresh.state[z]["exp_avg"].tolist() == opt.state[c]["exp_avg"].tolist()


STATE_LAYOUTS = {  # PyTorch's names for each optimizer's per-parameter state and settings
    "sgd": (
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        {"momentum_buffer"},
        {"lr", "momentum", "dampening", "weight_decay", "nesterov"},
    ),
    "adam": (
        lambda ps: optim.Adam(ps, lr=0.1),
        {"step", "exp_avg", "exp_avg_sq"},
        {"lr", "betas", "eps", "weight_decay", "amsgrad", "decoupled_weight_decay"},
    ),
    "adamw-amsgrad": (
        lambda ps: optim.AdamW(ps, amsgrad=True),
        {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
        {"lr", "betas", "eps", "weight_decay", "amsgrad", "decoupled_weight_decay"},
    ),
}


@pytest.mark.parametrize("case", STATE_LAYOUTS)
def test_state_dict_layout_is_pytorchs(case):
    make, state_names, settings = STATE_LAYOUTS[case]
    _p, opt, _, _ = _trained_pair(make)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert list(sd["state"]) == [0] and set(sd["state"][0]) == state_names
    assert len(sd["param_groups"]) == 1 and sd["param_groups"][0]["params"] == [0]
    assert set(sd["param_groups"][0]) == settings | {"params"}
    if "step" in state_names:  # a float32 0-d tensor, as in PyTorch
        assert sd["state"][0]["step"].item() == 2.0 and sd["state"][0]["step"].dtype == mg.float32
        assert sd["state"][0]["step"].shape == ()


@pytest.mark.parametrize("dtype", [mg.float32, mg.float64])
@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_state_has_the_parameters_dtype_and_device(make, dtype, device):
    p = Parameter(mg.ones(3, 2, dtype=dtype, device=device))
    p.grad = mg.ones(3, 2, dtype=dtype, device=device)
    opt = make([p])
    opt.step()
    assert p.dtype == dtype
    for name, value in opt.state.get(p, {}).items():
        if name == "step":  # on the host whatever the device, so reading it never syncs
            assert value.dtype == mg.float32 and value.device.type == "cpu"
        else:
            assert (value.dtype, value.device, value.shape) == (dtype, p.device, p.shape)


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
    [
        ([1], TypeError),
        ({"state": {}}, KeyError),
        ({"state": {}, "param_groups": 1}, TypeError),
        ({"state": 1, "param_groups": [{"params": [0]}]}, TypeError),
    ],
)
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
