"""mg.compile as torch.compile is called: a Module compiled (its forward), a compiled forward
whose result is differentiated outside (run eagerly: a replay has no graph to give), and
torch.compile's arguments."""

import numpy as np
import pytest
from test_compile import training_step

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.compile import CompiledFunction, CompiledModule


def model_and_data(seed=0):
    mg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3))
    rng = np.random.default_rng(seed)
    data = [
        (
            mg.tensor(rng.standard_normal((6, 5)).astype(np.float32)),
            mg.tensor(rng.integers(0, 3, 6)),
        )
        for _ in range(5)
    ]
    return model, data


def train(model, forward, data):
    opt = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    mg.manual_seed(1)
    losses = []
    for x, y in data:
        loss = F.cross_entropy(forward(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_a_compiled_module_trains_as_the_module_with_the_backward_outside():
    (eager, data), (model, _) = model_and_data(), model_and_data()
    compiled = mg.compile(model)
    assert isinstance(compiled, CompiledModule) and isinstance(compiled, nn.Module)
    assert train(eager, eager, data) == train(model, compiled, data)
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array) and np.array_equal(p.grad.array, q.grad.array)


def test_a_compiled_module_is_its_module_as_torch_compile_s_is():
    model, (x, _) = model_and_data()[0], model_and_data()[1][0]
    compiled = mg.compile(model)
    assert compiled._orig_mod is model
    assert [id(p) for p in compiled.parameters()] == [id(p) for p in model.parameters()]
    assert list(compiled.state_dict()) == [f"_orig_mod.{k}" for k in model.state_dict()]
    assert getattr(compiled, "0") is model[0]  # (other attributes are the module's)
    compiled.eval()
    assert not model.training and not model[2].training
    with mg.no_grad():
        outs = [compiled(x) for _ in range(3)]  # recorded once, replayed: eval, no dropout
        expected = model(x)
    assert all(np.array_equal(o.array, expected.array) for o in outs)
    assert compiled._compiled.recordings == 1
    compiled.train()  # a new signature: recorded again, with dropout
    with mg.no_grad():
        compiled(x)
    assert compiled._compiled.recordings == 2


def test_a_compiled_forward_whose_result_is_differentiated_runs_eagerly():
    (eager, data), (model, _) = model_and_data(), model_and_data()
    forward = mg.compile(lambda x: model(x))
    assert train(eager, eager, data) == train(model, forward, data)
    (program,) = forward.cache.values()
    assert program.fast is None and forward.recordings == 1
    with pytest.raises(RuntimeError, match="runs eagerly for these arguments"):
        forward.source(data[0][0])


def test_torch_compile_s_arguments():
    model = model_and_data()[0]
    assert mg.compile(model, disable=True) is model
    compiled = mg.compile(model, mode="reduce-overhead", fullgraph=True, dynamic=False)
    assert isinstance(compiled, CompiledModule)
    decorated = mg.compile(backend="eager", options=None)(lambda x: x * 2)
    assert decorated(mg.ones(2)).tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="unknown mode 'fast'"):
        mg.compile(model, mode="fast")
    with pytest.raises(RuntimeError, match="Either mode or options can be specified"):
        mg.compile(model, mode="default", options={})
    with pytest.raises(TypeError, match="fullgraph"):
        mg.compile(model, fullgraph=1)
    with pytest.raises(TypeError, match="options must be a dict"):
        mg.compile(model, options=[])
    with pytest.raises(TypeError, match="model"):
        mg.compile(3)


class Trainer:
    def __init__(self, seed=0):
        self.model, self.data = model_and_data(seed)
        self.opt = mg.optim.SGD(self.model.parameters(), lr=0.1)

    def step(self, x, y):
        loss = F.cross_entropy(self.model(x), y)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss

    compiled_step = mg.compile(step)


def test_a_compiled_method_is_compiled_for_each_instance_with_its_attributes():
    eager, a, b = Trainer(), Trainer(), Trainer(1)
    for k, (x, y) in enumerate(eager.data):
        if k == 3:  # the instance's model switched to eval: seen, recorded again
            eager.model.eval(), a.model.eval()
        mg.manual_seed(k)
        expected = eager.step(x, y).item()
        mg.manual_seed(k)
        assert a.compiled_step(x, y).item() == expected
        b.compiled_step(x, y)
    assert a.compiled_step is a.compiled_step and a.compiled_step is not b.compiled_step
    assert a.compiled_step.recordings == 2 and b.compiled_step.recordings == 1
    assert Trainer.compiled_step.recordings == 0  # (the class's own: never called)
    for p, q in zip(eager.model.parameters(), a.model.parameters()):
        assert np.array_equal(p.array, q.array)


def test_a_mode_switched_inside_the_step_is_replayed():
    """model.train() at the top of the step (after an evaluation outside it switched to eval)
    runs at every replay, as in eager: the model is in training mode after each call."""

    def make():
        model, data = model_and_data()
        opt = mg.optim.SGD(model.parameters(), lr=0.1)

        def train_step(x, y):
            model.train()
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return model, data, train_step

    (eager, data, eager_step), (model, _, step) = make(), make()
    step = mg.compile(step)
    for k, (x, y) in enumerate(data):
        for m, s in ((eager, eager_step), (model, step)):
            m.eval()  # (an evaluation between steps)
            mg.manual_seed(k)
            s(x, y)
            assert m.training and m[2].training
    assert step.recordings == 1
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)
    plain = nn.Sequential(nn.Linear(5, 3))

    def plain_step(x, y):
        plain.train()
        return F.cross_entropy(plain(x), y)

    with mg.no_grad():
        text = mg.compile(plain_step).source(*data[0])
    assert "# Sequential.train(): replayed as a call (Python)" in text


def test_a_deepcopy_is_compiled_afresh_for_the_copy():
    import copy

    model, data = model_and_data()
    compiled = mg.compile(model)
    compiled.eval()
    x = data[0][0]
    with mg.no_grad():
        compiled(x), compiled(x)
    twin = copy.deepcopy(compiled)
    assert isinstance(twin, CompiledModule) and twin._orig_mod is not model
    with mg.no_grad():
        twin._orig_mod[0].weight.fill_(0.0)
        assert np.array_equal(compiled(x).array, model(x).array)  # the original, untouched
        assert np.array_equal(twin(x).array, twin._orig_mod(x).array)  # the copy's weights
    assert not twin.training and twin._compiled.recordings == 1

    class Holder:
        def __init__(self):
            self.model = model_and_data()[0].eval()  # (no dropout: outputs comparable)
            self.step = mg.compile(self.forward)

        def forward(self, x):
            return self.model(x)

    holder = Holder()
    clone = copy.deepcopy(holder)
    with mg.no_grad():
        clone.model[0].weight.fill_(0.0)
        assert np.array_equal(clone.step(x).array, clone.model(x).array)
        assert np.array_equal(holder.step(x).array, holder.model(x).array)


def test_module_compile_compiles_its_forward_in_place():
    """As torch's Module.compile: the module itself, its state_dict keys unchanged, its
    forward compiled (replayed under no_grad, eager where the caller differentiates)."""
    import copy

    (eager, data), (model, _) = model_and_data(), model_and_data()
    keys = list(model.state_dict())
    assert model.compile() is None
    assert list(model.state_dict()) == keys and isinstance(model.forward, CompiledFunction)
    assert train(eager, eager, data) == train(model, model, data)
    model.eval(), eager.eval()
    x = data[0][0]
    with mg.no_grad():
        outs = [model(x) for _ in range(3)]
    assert all(np.array_equal(o.array, eager(x).array) for o in outs)
    assert model.forward.recordings == 2  # (the training calls ran eagerly: one recording)
    twin = copy.deepcopy(model)
    with mg.no_grad():
        twin[0].weight.fill_(0.0)
        assert np.array_equal(twin(x).array, twin[3](twin[2](twin[1](twin[0](x)))).array)
        assert np.array_equal(model(x).array, eager(x).array)


def test_a_compiled_module_inside_a_compiled_step_is_part_of_the_step():
    """torch.compile(model) and a compiled step that calls it, as programs do both: the inner
    call is inlined into the step's recording (it refused: "called while another records")."""
    (eager, data), (model, _) = model_and_data(), model_and_data()
    net = mg.compile(model)
    opts = [mg.optim.SGD(m.parameters(), lr=0.1) for m in (eager, model)]

    eager_step, step = training_step(eager, opts[0]), mg.compile(training_step(net, opts[1]))
    for k, (x, y) in enumerate(data):
        mg.manual_seed(k)
        expected = eager_step(x, y).item()
        mg.manual_seed(k)
        assert step(x, y).item() == expected
    assert step.recordings == 1 and net._compiled.recordings == 0
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)
