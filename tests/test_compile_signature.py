"""mg.compile's signature: what changes in the modules a step uses is seen at the next call,
however it was changed (nn/store.py counts the changes; the signature reads the modules
again only when the count moved)."""

import numpy as np
import pytest
from test_compile import training_step

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def setup():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    return model, opt, training_step(model, opt)


def stepped_twice():
    """An eager model and step, and a compiled twin, each run twice on the same batch (the
    second call replayed): (eager, eager_step, model, step, x, y)."""
    (eager, _, eager_step), (model, _, step) = setup(), setup()
    step = mg.compile(step)
    x, y = mg.randn(5, 4, generator=mg.Generator().manual_seed(1)), mg.tensor([0, 1, 2, 0, 1])
    for s in (eager_step, step):
        mg.manual_seed(2)
        s(x, y), s(x, y)
    return eager, eager_step, model, step, x, y


def change_parameter_dict(model):
    model[0]._parameters["weight"] = nn.Parameter(mg.zeros(8, 4))  # no __setattr__


def change_attribute(model):
    model[3].weight = nn.Parameter(mg.zeros(3, 8))


def change_children(model):
    model[1] = nn.Tanh()  # Sequential's __setitem__


def change_mode(model):
    model.eval()


def change_mode_of_one(model):
    model[2].training = False


@pytest.mark.parametrize(
    "change",
    [change_parameter_dict, change_attribute, change_children, change_mode, change_mode_of_one],
)
def test_a_change_to_the_modules_between_calls_is_seen(change):
    eager, eager_step, model, step, x, y = stepped_twice()
    change(eager), change(model)
    for s in (eager_step, step):
        mg.manual_seed(3)
        s(x, y)
    assert step.recordings == 2
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)


def test_nothing_changed_reads_no_module_again():
    _, _, step = setup()
    step = mg.compile(step)
    x, y = mg.randn(5, 4), mg.tensor([0, 1, 2, 0, 1])
    step(x, y)
    walked = step.signature.walked
    for _ in range(3):
        step(x, y)
    assert step.signature.walked is walked and step.recordings == 1


def test_a_global_module_rebound_records_again_even_when_used_only_in_a_lambda():
    """The names fn's code loads as globals, in functions and lambdas inside it too, are read
    at every call: rebinding one to another model (of the same shapes) records again."""
    global lambda_model
    lambda_model = nn.Linear(4, 1)

    def step(x):
        apply = lambda t: lambda_model(t)  # the global is loaded only in here
        return apply(x).sum()

    step = mg.compile(step)
    x = mg.ones(2, 4)
    first = step(x).item()
    assert step(x).item() == first and step.recordings == 1
    old = lambda_model  # (kept alive: the recording's tensors are still there)
    lambda_model = nn.Linear(4, 1)
    with mg.no_grad():
        lambda_model.weight.fill_(1.0), lambda_model.bias.fill_(0.5)
    assert step(x).item() == 9.0 and step.recordings == 2 and old is not lambda_model


def test_a_closure_cell_rebound_records_again():
    model = nn.Linear(4, 1)

    def step(x):
        return model(x).sum()

    step = mg.compile(step)
    x = mg.ones(2, 4)
    step(x), step(x)
    old, model = model, nn.Linear(4, 1)  # (the old one kept alive)
    with mg.no_grad():
        model.weight.fill_(2.0), model.bias.fill_(0.0)
    assert step(x).item() == 16.0 and step.recordings == 2 and old is not model


def test_a_parameter_whose_array_changed_dtype_or_shape_records_again():
    """model.double() keeps the Parameter objects and swaps their arrays: the replay must not
    run float64 weights through a float32 recording (eager refuses the mixed dtypes)."""
    eager, eager_step, model, step, x, y = stepped_twice()
    eager.double(), model.double()
    for s in (eager_step, step):
        with pytest.raises(TypeError, match="same dtype, got float32 and float64"):
            s(x, y)
    mg.manual_seed(3)
    eager_loss = eager_step(x.double(), y)
    mg.manual_seed(3)
    assert step(x.double(), y).item() == eager_loss.item()
    with mg.no_grad():  # a weight of another shape, through .data: recorded again, and refused
        for m in (eager, model):
            m[0].weight.data = mg.zeros(8, 5, dtype=mg.float64)
    for s in (eager_step, step):
        with pytest.raises(ValueError, match="linear"):
            s(x.double(), y)


def test_a_partial_and_a_callable_object_see_their_modules_change():
    """What a partial is given and what a callable object holds are what the step refers to:
    the model's switch to eval is seen (it was missed: the recording kept dropout on), and a
    partial has a name for the errors (it had none: AttributeError)."""
    import functools

    class Caller:
        def __init__(self, model):
            self.model = model

        def __call__(self, x):
            return self.model(x)

    def forward(model, x):
        return model(x)

    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    x = mg.ones(5, 4)
    for fn in (functools.partial(forward, model), Caller(model)):
        step = mg.compile(fn)
        model.train()
        with mg.no_grad():
            step(x), step(x)
            model.eval()
            assert np.array_equal(step(x).array, model(x).array)
        assert step.recordings == 2
    assert mg.compile(functools.partial(forward, model)).__name__ == "forward"

    class Holder:  # (a partial as a class attribute binds nothing, compiled or not)
        step = mg.compile(functools.partial(forward, model))

    with mg.no_grad():
        assert np.array_equal(Holder().step(x).array, model(x).array)


def test_a_model_and_an_optimizer_passed_as_arguments():
    """step(model, opt, x, y): the tensors are found at their positions (the generated replay
    read args[0].array of the model: AttributeError), and the model's switch to eval is seen
    (it was missed: a module argument was in the signature only by identity)."""
    (eager, eager_opt, _), (model, opt, _) = setup(), setup()

    def train_step(model, opt, x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    step = mg.compile(train_step)
    x, y = mg.randn(5, 4, generator=mg.Generator().manual_seed(1)), mg.tensor([0, 1, 2, 0, 1])
    for k in range(6):
        if k == 3:
            eager.eval(), model.eval()
        mg.manual_seed(k)
        expected = train_step(eager, eager_opt, x, y).item()
        mg.manual_seed(k)
        assert step(model, opt, x, y).item() == expected
    assert step.recordings == 2
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)


def test_a_step_decorated_inside_compile_still_shows_its_modules():
    """@mg.compile over @mg.no_grad(): the wrapper's code runs the step's, whose globals (the
    model) are what the step refers to; its switch to eval was missed."""
    global decorated_model
    decorated_model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 3))

    @mg.compile
    @mg.no_grad()
    def evaluate(x):
        return decorated_model(x)

    x = mg.ones(5, 4)
    evaluate(x), evaluate(x)
    decorated_model.eval()
    with mg.no_grad():
        expected = decorated_model(x)
    assert np.array_equal(evaluate(x).array, expected.array) and evaluate.recordings == 2
    assert evaluate.__name__ == "evaluate"


def test_a_global_tensor_rebound_records_again():
    """A parameter the step names as a global, rebound to another (the old one still held by
    the optimizer): the replay used the old one."""
    global global_weight
    global_weight = nn.Parameter(mg.ones(3))
    opt = mg.optim.SGD([global_weight], lr=0.1)

    @mg.compile
    def step(x):
        loss = (x * global_weight).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    x = mg.ones(3)
    step(x), step(x)
    global_weight = nn.Parameter(mg.full((3,), 10.0))
    opt.add_param_group({"params": [global_weight]})
    assert step(x).item() == 30.0 and step.recordings == 2


activation, SCALE = F.relu, 2.0  # (globals test_every_part_of_the_signature_... rebinds)


class Scaled:
    def __init__(self):
        self.scale = 3.0

    def forward(self, a, b, k=1):
        return (activation(a) * SCALE + b * k) * self.scale


def rebind(name, value):
    def change(_):
        globals()[name] = value

    return change


def set_scale(value):
    def change(owner):
        owner.scale = value

    return change


x, x64 = mg.tensor([[-1.0, 2.0]]), mg.tensor([[-1.0, 2.0]], dtype=mg.float64)
SIGNATURE_CHANGES = {  # name: (the first call's arguments, what changes, the second call's)
    "shape": ((x, x), None, (mg.ones(3, 2), x)),
    "dtype": ((x, x), None, (x64, x64)),
    "requires_grad": ((x, x), None, (x.detach().requires_grad_(), x)),
    "an array shared": ((x, x.clone()), None, (x, x)),
    "an int argument": ((x, x, 1), None, (x, x, 2)),
    "True for 1": ((x, x, 1), None, (x, x, True)),
    "by keyword": ((x, x, 2), None, ((x, x), {"k": 2})),
    "a global function": ((x, x), rebind("activation", F.gelu), (x, x)),
    "a global number": ((x, x), rebind("SCALE", 4.0), (x, x)),
    "a method's number": ((x, x), set_scale(5.0), (x, x)),
}


@pytest.mark.parametrize("case", SIGNATURE_CHANGES, ids=str)
def test_every_part_of_the_signature_changed_alone_records_again(case):
    """The newest recording's check (Signature.check) comes first at each call: it must say
    no wherever the key would differ, and the call records again and gives eager's result.
    (A function or a Python number a global names was missed: the replay ran the old one.)"""
    global activation, SCALE
    first, change, second = SIGNATURE_CHANGES[case]
    owner = Scaled()
    step = mg.compile(owner.forward)
    try:
        for _ in range(2):
            step(*first)
        if change is not None:
            change(owner)
        args, kwargs = second if isinstance(second[-1], dict) else (second, {})
        for _ in range(2):
            assert np.array_equal(step(*args, **kwargs).array, owner.forward(*args, **kwargs).array)
        assert step.recordings == 2
    finally:
        activation, SCALE = F.relu, 2.0


def test_a_number_rebound_to_an_equal_one_is_the_same_signature():
    global SCALE
    owner = Scaled()
    step = mg.compile(owner.forward)
    try:
        step(x, x), step(x, x)
        SCALE, owner.scale = float("2.0"), 3.0 * 1.0  # (other float objects, equal values)
        assert np.array_equal(step(x, x).array, owner.forward(x, x).array)
        assert step.recordings == 1
    finally:
        SCALE = 2.0


def test_the_check_is_the_replay_s_first_lines_and_the_key_decides_where_it_says_no():
    """The newest recording's check is written into its generated replay. Where it says no
    and the key is the same (model.train() moved nn/store.py's count; no mode changed), the
    cache's lookup finds the recording: replayed, not recorded again, eager's bits."""
    eager, eager_step, model, step, x, y = stepped_twice()
    program = next(iter(step.cache.values()))
    assert "if changes is not None and not (" in program.fast.text
    for m, s in ((eager, eager_step), (model, step)):
        m.train()
        mg.manual_seed(4)
        s(x, y), s(x, y)
    assert step.recordings == 1
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)


def test_an_attribute_the_step_does_not_name_changed_at_every_call_records_once():
    """A trainer's step counter, changed between calls and not read by its compiled step, is
    not part of the signature (it was, once numbers were: every call recorded again); a
    module held by an attribute is, named or not."""

    class Trainer:
        def __init__(self):
            self.model, self.calls = nn.Linear(2, 1), 0

        def predict(self, x):
            return self.model(x) * 2.0

    trainer = Trainer()
    step = mg.compile(trainer.predict)
    with mg.no_grad():
        for _ in range(4):
            trainer.calls += 1
            assert np.array_equal(step(x).array, trainer.predict(x).array)
        assert step.recordings == 1
        trainer.model = nn.Linear(2, 1)  # (the attribute the step names, rebound)
        assert np.array_equal(step(x).array, trainer.predict(x).array)
        assert step.recordings == 2
