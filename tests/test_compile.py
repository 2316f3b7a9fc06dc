"""mg.compile: a replay gives the eager step's bits, state changes take effect, what cannot be
recorded is refused, and the printed program runs on its own."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.compile import CaptureError

STEPS = 12


def batches(n=STEPS, batch=16, features=20, classes=5, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (
            mg.tensor(rng.standard_normal((batch, features)).astype(np.float32)),
            mg.tensor(rng.integers(0, classes, batch)),
        )
        for _ in range(n)
    ]


def mlp(dropout=0.0, hidden=16):
    """The same weights every call (seeded), so an eager and a compiled copy start equal."""
    mg.manual_seed(0)
    layers = [nn.Linear(20, hidden), nn.ReLU()]
    layers += [nn.Dropout(dropout)] if dropout else []
    return nn.Sequential(*layers, nn.Linear(hidden, 5))


class Setup:
    """A model, its optimizer (and scheduler), and its training step, eager or compiled."""

    def __init__(self, compiled, dropout=0.0, optimizer="sgd", scheduler=False, **settings):
        self.model = model = mlp(dropout)
        kind = {"sgd": mg.optim.SGD, "adam": mg.optim.Adam, "adamw": mg.optim.AdamW}[optimizer]
        self.opt = opt = kind(model.parameters(), lr=0.05, **settings)
        self.sched = mg.optim.lr_scheduler.StepLR(opt, 3, 0.5) if scheduler else None
        train_step = training_step(model, opt)
        self.step = mg.compile(train_step) if compiled else train_step

    def run(self, data, seed=1):
        mg.manual_seed(seed)  # the dropout masks' stream
        losses = []
        for x, y in data:
            losses.append(self.step(x, y).item())
            if self.sched is not None:
                self.sched.step()
        return losses


def training_step(model, opt, **zero_grad):
    """The usual step: cross-entropy of model(x), zero_grad(**zero_grad), backward, update."""

    def train_step(x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(**zero_grad)
        loss.backward()
        opt.step()
        return loss

    return train_step


def assert_same(a: Setup, b: Setup):
    for (name, p), q in zip(a.model.named_parameters(), b.model.parameters()):
        assert np.array_equal(p.array, q.array), name
        assert np.array_equal(p.grad.array, q.grad.array), name


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"momentum": 0.9},  # momentum buffers: made at the first step, then updated
        {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
        {"optimizer": "adam"},  # Adam's step count and bias correction
        {"optimizer": "adamw", "amsgrad": True},
        {"scheduler": True, "momentum": 0.5},  # lr halved every 3 steps by StepLR
        {"dropout": 0.5},  # fresh masks each call, from the stream eager draws from
        {"dropout": 0.2, "optimizer": "adam", "scheduler": True},
    ],
    ids=repr,
)
def test_replay_is_bit_identical_to_eager_over_many_steps(settings):
    data = batches()
    eager, compiled = Setup(False, **settings), Setup(True, **settings)
    assert eager.run(data) == compiled.run(data)
    assert_same(eager, compiled)
    assert compiled.step.recordings == 1  # one recording, STEPS - 1 replays
    if compiled.sched is not None:
        assert compiled.opt.param_groups[0]["lr"] == 0.05 * 0.5**4  # it did change


def test_dropout_draws_a_new_mask_every_replay():
    setup = Setup(True, dropout=0.5)
    x, y = batches(1)[0]
    setup.opt.param_groups[0]["lr"] = 0.0  # the same weights: only the mask can differ
    losses = setup.run([(x, y)] * 4)
    assert len(set(losses)) == 4


def test_load_state_dict_and_set_lr_take_effect():
    data = batches()
    eager, compiled = Setup(False, momentum=0.9), Setup(True, momentum=0.9)
    eager.run(data[:4]), compiled.run(data[:4])
    fresh = mlp().state_dict()
    for s in (eager, compiled):
        s.model.load_state_dict(fresh)
        s.opt.load_state_dict(Setup(False, momentum=0.9).opt.state_dict())  # no buffers
        s.opt.param_groups[0]["lr"] = 0.2
    assert eager.run(data[4:]) == compiled.run(data[4:])
    assert_same(eager, compiled)
    assert compiled.step.recordings == 1


def test_requires_grad_switched_off_records_again():
    data = batches()
    eager, compiled = Setup(False), Setup(True)
    eager.run(data[:3]), compiled.run(data[:3])
    for s in (eager, compiled):
        s.model[0].weight.requires_grad_(False)
        s.model[0].weight.grad = None
    frozen = compiled.model[0].weight.array.copy()
    assert eager.run(data[3:]) == compiled.run(data[3:])
    assert np.array_equal(compiled.model[0].weight.array, frozen)  # not trained any more
    assert compiled.model[0].weight.grad is None
    assert compiled.step.recordings == 2


def test_parameter_replaced_records_again():
    data = batches()
    eager, compiled = Setup(False), Setup(True)
    eager.run(data[:2]), compiled.run(data[:2])
    for s in (eager, compiled):
        s.model[2].bias = nn.Parameter(mg.zeros(5))
        s.opt.add_param_group({"params": [s.model[2].bias]})
    assert eager.run(data[2:]) == compiled.run(data[2:])
    assert compiled.step.recordings == 2


def test_a_submodule_replaced_records_again():
    data = batches()
    eager, compiled = Setup(False), Setup(True)
    eager.run(data[:2]), compiled.run(data[:2])
    for s in (eager, compiled):
        mg.manual_seed(3)
        s.model[2] = nn.Linear(16, 5)
        s.opt.add_param_group({"params": s.model[2].parameters()})
    assert eager.run(data[2:]) == compiled.run(data[2:])
    assert_same(eager, compiled)
    assert compiled.step.recordings == 2


def test_new_signature_records_again_and_the_cache_is_bounded():
    model = mlp()
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    train_step = training_step(model, opt)
    step = mg.compile(train_step, cache_size=2)
    for batch in (16, 16, 8, 8, 16, 4):  # the last, smaller batch of an epoch: a new signature
        step(*batches(1, batch=batch)[0])
    assert step.recordings == 3
    assert len(step.cache) == 2
    model.eval()  # a module's training flag is part of the signature
    step(*batches(1, batch=4)[0])
    assert step.recordings == 4


def test_an_inference_step_without_backward():
    model = mlp()
    predict = mg.compile(lambda x: model(x).argmax(1))
    for x, _ in batches(3):
        with mg.no_grad():
            expected = model(x).argmax(1)
            got = predict(x)
        assert np.array_equal(got.array, expected.array)


def refusing_step(model, case):
    """A step that does `case`, each on a line of its own: the error must name that line."""

    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        if case == "item":
            loss.item()
        elif case == "print":
            print(loss)
        elif case == "branch":
            if loss > 3:
                pass
        elif case == "float":
            float(loss)
        elif case == "format":
            f"{loss:.3f}"
        elif case == "randn":
            mg.randn(3)
        elif case == "seed":
            mg.manual_seed(3)
        elif case == "attribute":
            model[0].calls = 1
        elif case == "layer":
            nn.Linear(3, 3)
        elif case == "grad":
            mg.autograd.grad(loss, [model[0].weight])
        elif case == "hook":
            loss.register_hook(lambda g: g)
        elif case == "write":
            x[y] = 0.0
        loss.backward()
        if case == "fill":
            x.normal_()
        return loss

    return step


@pytest.mark.parametrize(
    "case, message",
    [
        ("item", r"\.item\(\).*test_compile\.py:\d+: loss\.item\(\)\)"),
        ("print", r"printing a tensor.*: print\(loss\)\)"),
        ("branch", r"bool\(tensor\), as in `if loss > 3:`.*: if loss > 3:\)"),
        ("float", r"float\(tensor\).*: float\(loss\)\)"),
        ("format", r"formatting a tensor"),
        ("randn", r"outside F\.dropout \(normal, at .*test_compile\.py:\d+: mg\.randn\(3\)\)"),
        ("seed", r"outside F\.dropout \(manual_seed, at .*: mg\.manual_seed\(3\)\)"),
        (
            "attribute",
            r"attribute in Python \(Linear\.calls = \.\.\.\) \(at .*: model\[0\]\.calls = 1",
        ),
        ("layer", r"creating a layer"),
        ("grad", r"mg\.autograd\.grad.*: mg\.autograd\.grad\(loss"),
        ("hook", r"tensor hooks"),
        ("write", r"__setitem__ with an index that is a tensor.*: x\[y\] = 0\.0\)"),
        ("fill", r"a random fill \(normal_\).*: x\.normal_\(\)\)"),
    ],
)
def test_what_cannot_be_recorded_is_refused_naming_the_line(case, message):
    model = mlp()
    step = mg.compile(refusing_step(model, case))
    x, y = batches(1)[0]
    with pytest.raises(CaptureError, match=message):
        step(x, y)
    assert not step.cache
    loss = F.cross_entropy(model(x), y)  # the tensors' classes are restored
    assert isinstance(loss.item(), float)


def test_an_array_made_inside_the_step_without_an_op_is_refused():
    model = mlp()

    @mg.compile
    def step(x, y):  # uint8 targets: cross_entropy casts them with numpy, outside any op
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        return loss

    x, y = batches(1)[0]
    with pytest.raises(CaptureError, match="made inside the step without an op"):
        step(x, y.to(mg.uint8))


def test_keyword_arguments_are_part_of_the_signature():
    """A tensor given by keyword is an input as a positional one is; the names are in the
    signature (step(x, y=t) and step(x, t) are two recordings)."""
    eager, model = mlp(), mlp()
    opts = [mg.optim.SGD(m.parameters(), lr=0.1) for m in (eager, model)]

    def make(m, opt):
        def train_step(x, y, *, scale=1.0):
            loss = F.cross_entropy(m(x), y)
            loss = loss * scale if scale != 1.0 else loss  # (a Python value: in the signature)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step

    eager_step, step = make(eager, opts[0]), mg.compile(make(model, opts[1]))
    for k, (x, y) in enumerate(batches(6)):
        kwargs = {"y": y, "scale": 0.5} if k % 2 else {"y": y}
        assert eager_step(x, **kwargs).item() == step(x, **kwargs).item()
    assert step.recordings == 2
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)
    x, y = batches(1)[0]
    text = step.source(x, y=y)
    assert "def train_step(x, y, layer0_weight, " in text
    with pytest.raises(ValueError, match="cache_size"):
        mg.compile(lambda x: x, cache_size=0)


@pytest.mark.parametrize(
    "settings",
    [{}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}],
    ids=repr,
)
def test_the_printed_program_runs_with_numpy_alone_and_gives_the_same_bits(settings):
    setup = Setup(True, **settings)
    data = batches(4)
    setup.run(data[:2])  # recorded, replayed; momentum buffers exist now
    source = setup.step.source(*data[2])
    assert "import numpy as np" in source and "minigrad" not in source
    assert "layer0_weight_grad = d_linear_out.T @ x  # backward of entry 0 (linear)" in source
    namespace = {}
    exec(source, namespace)
    params = [p.array.copy() for p in setup.model.parameters()]
    state = [setup.opt.state.get(p, {}) for p in setup.model.parameters()]
    buffers = [s["momentum_buffer"].array.copy() for s in state if s]
    x, y = data[3]
    loss = namespace["train_step"](x.numpy(), y.numpy(), *params, *buffers)
    assert setup.step(x, y).item() == loss.item()
    for p, mine in zip(setup.model.parameters(), params):
        assert np.array_equal(p.array, mine)


@pytest.mark.parametrize(
    "settings", [{"optimizer": "adam"}, {"optimizer": "adamw", "amsgrad": True}], ids=repr
)
def test_the_printed_program_of_an_adam_step(settings):
    setup = Setup(True, **settings)
    data = batches(4)
    setup.run(data[:2])
    source = setup.step.source(*data[2])
    assert "step 3, settings as now" in source
    namespace = {}
    exec(source, namespace)
    params = [p.array.copy() for p in setup.model.parameters()]
    names = ["exp_avg", "exp_avg_sq"] + ["max_exp_avg_sq"] * ("amsgrad" in settings)
    state = [setup.opt.state[p][n].array.copy() for p in setup.model.parameters() for n in names]
    x, y = data[3]
    loss = namespace["train_step"](x.numpy(), y.numpy(), *params, *state)
    assert setup.step(x, y).item() == loss.item()
    for p, mine in zip(setup.model.parameters(), params):
        assert np.array_equal(p.array, mine)


def test_the_printed_program_skips_a_frozen_parameter():
    setup = Setup(True)
    setup.model[0].weight.requires_grad_(False)
    x, y = batches(1)[0]
    source = setup.step.source(x, y)
    assert "layer0_weight -=" not in source and "layer0_bias -= 0.05 * layer0_bias_grad" in source
    namespace = {}
    exec(source, namespace)
    params = [p.array.copy() for p in setup.model.parameters()]
    loss = namespace["train_step"](x.numpy(), y.numpy(), *params)
    assert setup.step(x, y).item() == loss.item()
    assert all(np.array_equal(p.array, q) for p, q in zip(setup.model.parameters(), params))


def test_source_refuses_ops_it_has_no_template_for():
    model = nn.Sequential(nn.Linear(20, 5), nn.Softplus())
    step = mg.compile(lambda x: model(x).sum())
    with mg.no_grad(), pytest.raises(RuntimeError, match="no numpy template for the op 'softplus'"):
        step.source(batches(1)[0][0])  # (no_grad: with a graph to give, it would run eagerly)


def test_a_cnn_with_max_pooling_replays_bit_identically():
    """Max pooling's winners are searched for outside its op: the replay searches again."""

    def run(compiled):
        mg.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 9, 5)
        )
        opt = mg.optim.Adam(model.parameters(), lr=1e-2)
        train_step = training_step(model, opt)
        step = mg.compile(train_step) if compiled else train_step
        rng = np.random.default_rng(0)
        losses = []
        for _ in range(6):
            x = mg.tensor(rng.standard_normal((4, 1, 8, 8)).astype(np.float32))
            losses.append(step(x, mg.tensor(rng.integers(0, 5, 4))).item())
        return losses, [p.array for p in model.parameters()]

    (eager_losses, eager_params), (losses, params) = run(False), run(True)
    assert eager_losses == losses
    assert all(np.array_equal(a, b) for a, b in zip(eager_params, params))


def test_a_tensor_factory_inside_the_step_is_a_constant_of_the_recording():
    """As nanoGPT's positions, mg.arange(T) in forward: kept by the recording, read by each
    replay (tests/test_compile_writes.py has more); an uninitialised one is still refused."""
    embed = nn.Embedding(8, 4)
    embed.weight.requires_grad_(False)  # (a result with a graph would run eagerly)

    @mg.compile
    def step(x):
        return (embed(x) + embed(mg.arange(x.shape[1]))).sum()

    for x in (mg.tensor([[1, 2, 3]]), mg.tensor([[4, 5, 6]])):
        expected = (embed(x) + embed(mg.arange(3))).sum()
        assert step(x).array.tobytes() == expected.array.tobytes()
    assert step.recordings == 1

    @mg.compile
    def uninitialised(x):
        return (embed(x) + embed(mg.empty(x.shape[1], dtype=mg.int64))).sum()

    with pytest.raises(CaptureError, match="embedding's indices read an array made inside"):
        uninitialised(mg.tensor([[1, 2, 3]]))


def test_two_backwards_with_retain_graph():
    data = batches(6)

    def run(compiled):
        model = mlp()
        state = {"opt": mg.optim.SGD(model.parameters(), lr=0.1)}

        def train_step(x, y):
            loss = F.cross_entropy(model(x), y)
            state["opt"].zero_grad()
            loss.backward(retain_graph=True)
            loss.backward()  # the gradients accumulate: twice each
            state["opt"].step()
            return loss

        step = mg.compile(train_step) if compiled else train_step
        losses = [step(x, y).item() for x, y in data[:3]]
        return model, losses, step

    (eager, eager_losses, _), (model, losses, step) = run(False), run(True)
    assert eager_losses == losses
    assert step.recordings == 1
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)
        assert np.array_equal(p.grad.array, q.grad.array)


def test_rebinding_the_optimizer_records_again():
    global rebound_opt
    model = mlp()
    rebound_opt = mg.optim.SGD(model.parameters(), lr=0.1)

    def train_step(x, y):  # (rebound_opt read as a global: the test rebinds it)
        loss = F.cross_entropy(model(x), y)
        rebound_opt.zero_grad()
        loss.backward()
        rebound_opt.step()
        return loss

    step = mg.compile(train_step)
    (x, y), (x2, y2) = batches(2)
    step(x, y), step(x, y)
    rebound_opt = mg.optim.SGD(model.parameters(), lr=0.0)  # a new optimizer: lr 0
    before = [p.array.copy() for p in model.parameters()]
    step(x2, y2)
    assert all(np.array_equal(a, p.array) for a, p in zip(before, model.parameters()))
    assert step.recordings == 2


def program_of(setup: Setup):
    (program,) = setup.step.cache.values()
    return program


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
        {"optimizer": "adam", "weight_decay": 1e-2},
        {"optimizer": "adamw", "amsgrad": True},
    ],
    ids=repr,
)
def test_the_fast_replay_is_bit_identical_to_eager(settings):
    data = batches()
    eager, compiled = Setup(False, **settings), Setup(True, **settings)
    assert eager.run(data) == compiled.run(data)
    assert_same(eager, compiled)
    assert "def replay" in program_of(compiled).fast.text  # the generated function ran
    for (_, s), (_, t) in zip(eager.opt.state.items(), compiled.opt.state.items()):
        assert all(np.array_equal(s[k].array, t[k].array) for k in s)  # buffers, step counts


def test_an_lr_changed_between_fast_replays_takes_effect():
    data = batches()
    eager, compiled = Setup(False, optimizer="adam"), Setup(True, optimizer="adam")
    for k, (x, y) in enumerate(data):
        for s in (eager, compiled):
            s.opt.param_groups[0]["lr"] = 0.1 / (k + 1)
            s.opt.param_groups[0]["betas"] = (0.9 - 0.01 * k, 0.999)
            s.step(x, y)
    assert_same(eager, compiled)
    assert program_of(compiled).fast is not None and compiled.step.recordings == 1
    frozen = [p.array.copy() for p in compiled.model.parameters()]
    compiled.opt.param_groups[0]["lr"] = 0.0
    compiled.step(*data[0])
    assert all(np.array_equal(p.array, q) for p, q in zip(compiled.model.parameters(), frozen))


def test_the_fast_replay_delivers_grads_as_eager():
    """A fresh .grad each step after zero_grad(); added into it without one."""

    def make(set_to_none):
        model = mlp()
        opt = mg.optim.SGD(model.parameters(), lr=0.1)
        train_step = training_step(model, opt, set_to_none=set_to_none)
        return model, train_step

    for set_to_none in (True, False):
        (eager, eager_step), (model, step) = make(set_to_none), make(set_to_none)
        step, grads = mg.compile(step), []
        for x, y in batches(4):
            assert eager_step(x, y).item() == step(x, y).item()
            grads.append(model[0].weight.grad.array)
        (program,) = step.cache.values()
        assert program.fast is not None
        assert len({id(g) for g in grads}) == (4 if set_to_none else 1)
        for p, q in zip(eager.parameters(), model.parameters()):
            assert np.array_equal(p.array, q.array) and np.array_equal(p.grad.array, q.grad.array)


@pytest.mark.parametrize("settings", [{}, {"momentum": 0.9}, {"optimizer": "adam"}], ids=repr)
def test_dropout_runs_in_the_generated_replay_with_eager_s_masks(settings):
    """The generated function draws each mask again by dropout_mask, from the generator eager
    draws from, in eager's order: the same bits over many steps, fresh masks each call."""
    data = batches(20)
    eager, compiled = Setup(False, dropout=0.3, **settings), Setup(True, dropout=0.3, **settings)
    assert eager.run(data) == compiled.run(data)
    assert_same(eager, compiled)
    assert "_dropout_mask(" in program_of(compiled).fast.text
    with pytest.raises(RuntimeError, match="no numpy template for the op 'dropout'"):
        compiled.step.source(*data[0])  # (a printed program has no minigrad generator)


def test_an_op_without_a_template_replays_step_by_step():
    def make():
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(20, 16), nn.Softplus(), nn.Linear(16, 5))
        return model, training_step(model, mg.optim.SGD(model.parameters(), lr=0.1))

    (eager, eager_step), (model, step) = make(), make()
    step = mg.compile(step)
    for x, y in batches():
        assert eager_step(x, y).item() == step(x, y).item()
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)
    (program,) = step.cache.values()
    assert program.fast is None  # softplus has no template: the closures ran it


def test_sgd_updates_inline_and_runs_its_own_step_where_its_state_is_not_as_recorded(
    monkeypatch,
):
    """The fast replay writes SGD's update as lines; a momentum buffer not made yet (its first
    step, after the state was cleared) has it call the optimizer's own step, with the same
    bits as eager."""
    updates = []  # the optimizers whose own step ran
    own = mg.optim.SGD._update
    monkeypatch.setattr(mg.optim.SGD, "_update", lambda o, g: (updates.append(o), own(o, g)))
    settings = {"momentum": 0.9, "weight_decay": 1e-3, "dampening": 0.1}
    eager, compiled = Setup(False, **settings), Setup(True, **settings)
    extra = [nn.Parameter(mg.ones(3)) for _ in range(2)]
    data = batches(6)

    def own_steps(k):
        for s, p in zip((eager, compiled), extra):
            if k == 0:
                s.opt.add_param_group({"params": [p], "lr": 0.2})  # p: in no step's graph
            if k == 3:
                s.opt.state.clear()  # momentum buffers made anew: the first-step formula
        updates.clear()
        eager.step(*data[k])
        compiled.step(*data[k])
        return updates.count(compiled.opt)

    # recorded (two groups), inline, inline, a first step again, inline ...
    assert [own_steps(k) for k in range(6)] == [2, 0, 0, 2, 0, 0]
    assert_same(eager, compiled)
    assert np.array_equal(extra[0].array, extra[1].array)
    assert program_of(compiled).fast is not None and compiled.step.recordings == 1


def test_a_grad_the_step_does_not_make_is_updated_as_eager():
    """zero_grad(set_to_none=False) keeps a zero .grad on a parameter outside the graph: SGD
    decays it every step, and so must the replay."""

    def make():
        model, outside = mlp(), nn.Parameter(mg.ones(3))
        outside.grad = mg.zeros(3)
        opt = mg.optim.SGD([*model.parameters(), outside], lr=0.1, weight_decay=0.5)
        train_step = training_step(model, opt, set_to_none=False)
        return model, outside, train_step

    (eager, eager_outside, eager_step), (model, outside, step) = make(), make()
    step = mg.compile(step)
    for x, y in batches(4):
        assert eager_step(x, y).item() == step(x, y).item()
    assert np.array_equal(eager_outside.array, outside.array) and outside.array[0] < 0.9
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_param_group_added_between_replays_is_zeroed_and_updated_as_eager(optimizer):
    """The second layer's parameters are in the graph but in no group until call 3: from then
    on zero_grad must reset them too (the replay reads the groups then, not at recording)."""

    def make():
        model = mlp()
        kind = {"sgd": mg.optim.SGD, "adam": mg.optim.Adam}[optimizer]
        opt = kind(model[0].parameters(), lr=0.05)
        train_step = training_step(model, opt)
        return model, opt, train_step

    (eager, eager_opt, eager_step), (model, opt, step) = make(), make()
    step = mg.compile(step)
    for k, (x, y) in enumerate(batches(6)):
        if k == 3:
            for o, m in ((eager_opt, eager), (opt, model)):
                o.add_param_group({"params": list(m[2].parameters())})
        assert eager_step(x, y).item() == step(x, y).item()
    assert step.recordings == 1
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array) and np.array_equal(p.grad.array, q.grad.array)


def test_random_numbers_another_thread_draws_while_a_step_records_are_its_own():
    """The check that only dropout draws is this thread's: another thread drawing from the
    same generator during the recording neither fails it nor sees its stream disturbed."""
    import threading

    eager, compiled = Setup(False, dropout=0.5), Setup(True, dropout=0.5)
    data, stop, drawn = batches(6), threading.Event(), []

    def draw():
        while not stop.is_set():
            drawn.append(mg.randint(0, 2**62, (1,)).item())

    other = threading.Thread(target=draw)
    other.start()
    try:
        for _ in range(20):  # recordings, each with the other thread drawing
            compiled.step.cache.clear()
            compiled.step._last = None
            compiled.step(*data[0])
    finally:
        stop.set()
        other.join()
    assert len(drawn) > 0 and compiled.step.recordings == 20
    assert len(set(drawn)) == len(drawn)  # (none drawn twice: the stream was never rewound)
    mg.manual_seed(5)
    expected = [mg.rand(1).item() for _ in range(50)]
    mg.manual_seed(5)
    assert [mg.rand(1).item() for _ in range(50)] == expected
    fresh = Setup(True, dropout=0.5)
    assert eager.run(data) == fresh.run(data)


@pytest.mark.parametrize("activation", [nn.Tanh, nn.Sigmoid])
def test_tanh_and_sigmoid_run_in_the_generated_replay_and_print(activation):
    def make():
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(20, 16), activation(), nn.Linear(16, 5))
        return model, training_step(model, mg.optim.SGD(model.parameters(), lr=0.1))

    (eager, eager_step), (model, step) = make(), make()
    step = mg.compile(step)
    data = batches()
    for x, y in data[:-1]:
        assert eager_step(x, y).item() == step(x, y).item()
    (program,) = step.cache.values()
    assert program.fast is not None
    namespace, params = {}, [p.array.copy() for p in model.parameters()]
    exec(step.source(*data[-1]), namespace)  # the printed program, numpy alone
    loss = namespace["train_step"](data[-1][0].numpy(), data[-1][1].numpy(), *params)
    assert loss == step(*data[-1]).item()
    for mine, p in zip(params, model.parameters()):
        assert np.array_equal(mine, p.array)
    eager_step(*data[-1])
    assert all(
        np.array_equal(p.array, q.array) for p, q in zip(eager.parameters(), model.parameters())
    )
