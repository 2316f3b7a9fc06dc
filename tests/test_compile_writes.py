"""mg.compile on steps that write in place (clip_grad_norm_, a manual update under no_grad) and
make tensors with factories (nanoGPT's mg.arange(T), an LSTM's zero states): bit-identical to
eager over many steps; and what is still refused, naming the op and the line."""

import importlib.util
import math
import types
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.compile import CaptureError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shakespeare_gpt.py"
STEPS = 10


def example():
    spec = importlib.util.spec_from_file_location("shakespeare_gpt_for_tests", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def arrays_of(model, optimizer=None) -> list:
    """Every parameter, every .grad and every optimizer state tensor, as arrays, in order."""
    out = [p.array for p in model.parameters()]
    out += [None if p.grad is None else p.grad.array for p in model.parameters()]
    if optimizer is not None:
        for p in model.parameters():
            state = optimizer.state.get(p, {})
            out += [state[k].array for k in sorted(state)]
    return out


def same_bits(a: list, b: list) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if (x is None) != (y is None):
            return False
        if x is not None and (x.dtype != y.dtype or x.tobytes() != y.tobytes()):
            return False
    return True


def run_both(make, steps=STEPS):
    """make() -> (train_step, batches, after_each, model, optimizer); each run eagerly and
    compiled from the same seed. Returns both runs' (losses, arrays) and the compiled fn."""
    runs = []
    for compiled in (False, True):
        mg.manual_seed(0)
        train_step, batches, after_each, model, optimizer = make()
        step = mg.compile(train_step) if compiled else train_step
        losses = []
        for i in range(steps):
            after_each(i)
            losses.append(step(*batches[i]).array.tobytes())
        runs.append((losses, arrays_of(model, optimizer), step))
    (eager_losses, eager_arrays, _), (losses, arrays, step) = runs
    return eager_losses, eager_arrays, losses, arrays, step


def gpt_run(dropout=0.0):
    ex = example()
    vocab, block, batch = 20, 16, 4
    data = mg.tensor(np.random.default_rng(1).integers(0, vocab, 500))
    args = types.SimpleNamespace(lr=1e-2, min_lr=1e-3, warmup_iters=4, max_iters=STEPS)

    def make():
        model = ex.GPT(vocab, block, 2, 2, 32, dropout)
        optimizer = ex.configure_optimizer(model, args.lr, 0.1)
        generator = mg.Generator().manual_seed(3)
        batches = [ex.get_batch(data, block, batch, generator) for _ in range(STEPS)]

        def train_step(x, y):
            _, loss = model(x, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            return loss

        def after_each(it):  # the warm-up, then the cosine: a new lr every step
            for group in optimizer.param_groups:
                group["lr"] = ex.get_lr(it, args)

        return train_step, batches, after_each, model, optimizer

    return make


def test_the_gpt_step_with_clipping_is_bit_identical_to_eager():
    eager_losses, eager_arrays, losses, arrays, step = run_both(gpt_run())
    assert step.recordings == 1  # recorded once, replayed nine times
    assert losses == eager_losses
    assert same_bits(arrays, eager_arrays)


def test_the_gpt_step_with_dropout_in_attention_is_bit_identical_to_eager():
    """Dropout in the attention weights (scaled_dot_product_attention's dropout_p) and after
    each block: every replay draws the masks again, from the stream eager draws from."""
    eager_losses, eager_arrays, losses, arrays, step = run_both(gpt_run(dropout=0.2))
    assert step.recordings == 1
    assert losses == eager_losses
    assert same_bits(arrays, eager_arrays)


def test_the_gpt_gradients_are_clipped_in_the_replay():
    """The clip scales every .grad (the norm is above 1.0 at these steps): the replay wrote."""
    make = gpt_run()
    mg.manual_seed(0)
    train_step, batches, after_each, model, _ = make()
    step = mg.compile(train_step)
    for i in range(3):
        after_each(i)
        step(*batches[i])
        norm = nn.utils.get_total_norm([p.grad for p in model.parameters()]).item()
        assert norm <= 1.0 + 1e-5
    assert step.recordings == 1


def test_the_example_lstm_step_is_bit_identical_to_eager():
    ex = example()
    vocab, block, batch = 12, 8, 3
    data = mg.tensor(np.random.default_rng(2).integers(0, vocab, 300))
    config = {"model": "lstm", "vocab_size": vocab, "block_size": block, "n_embd": 16}

    def make():
        model = ex.build_model({**config, "dropout": 0.0})
        optimizer = ex.configure_optimizer(model, 1e-2, 0.1)
        generator = mg.Generator().manual_seed(4)
        batches = [ex.get_batch(data, block, batch, generator) for _ in range(STEPS)]

        def train_step(x, y):
            _, loss = model(x, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.05)  # (below the norm)
            optimizer.step()
            return loss

        def after_each(it):
            for group in optimizer.param_groups:
                group["lr"] = 1e-2 * (it + 1) / STEPS

        return train_step, batches, after_each, model, optimizer

    eager_losses, eager_arrays, losses, arrays, step = run_both(make)
    assert step.recordings == 1
    assert losses == eager_losses
    assert same_bits(arrays, eager_arrays)


def mlp():
    return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))


def mlp_batches(rng=None):
    rng = np.random.default_rng(5) if rng is None else rng
    return [
        (
            mg.tensor(rng.standard_normal((4, 6), dtype=np.float32)),
            mg.tensor(rng.integers(0, 3, 4)),
        )
        for _ in range(STEPS)
    ]


@pytest.mark.parametrize("reset", ["none", "zero_grad", "grad_zero_"])
def test_the_manual_no_grad_sgd_step_is_bit_identical_to_eager(reset):
    """The PyTorch tutorial's update: p -= lr * p.grad under no_grad, then the .grads reset
    (p.grad = None, model.zero_grad(), or p.grad.zero_()). A reset not replayed would make
    the next replay add into the old gradients."""
    lrs = [0.5 / (i + 1) for i in range(STEPS)]  # a learning rate that changes: a tensor

    def make():
        model = mlp()

        def train_step(x, y, lr):
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            with mg.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    if reset == "grad_zero_":
                        p.grad.zero_()
            if reset == "none":
                for p in model.parameters():
                    p.grad = None
            elif reset == "zero_grad":
                model.zero_grad()
            return loss

        batches = [(x, y, mg.tensor(lr)) for (x, y), lr in zip(mlp_batches(), lrs)]
        return train_step, batches, lambda i: None, model, None

    eager_losses, eager_arrays, losses, arrays, step = run_both(make)
    assert step.recordings == 1
    assert losses == eager_losses
    assert same_bits(arrays, eager_arrays)


@pytest.mark.parametrize("optimizer_name", ["sgd", "adam"])
def test_clip_grad_norm_in_an_mlp_step_is_bit_identical_to_eager(optimizer_name):
    def make():
        model = mlp()
        if optimizer_name == "sgd":
            optimizer = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        else:
            optimizer = mg.optim.Adam(model.parameters(), lr=1e-2)

        def train_step(x, y):
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.1)  # (well below the norm)
            optimizer.step()
            return loss

        return train_step, mlp_batches(), lambda i: None, model, optimizer

    eager_losses, eager_arrays, losses, arrays, step = run_both(make)
    assert step.recordings == 1
    assert losses == eager_losses
    assert same_bits(arrays, eager_arrays)


def test_gradients_accumulated_over_calls_with_clipping_match_eager():
    """No zero_grad in the step: the replay adds into the .grads the last call left, and the
    clip scales those (the .grad is bound to a slot as the replay leaves it)."""

    def make():
        model = mlp()

        def train_step(x, y):
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), 0.05)
            return loss

        return train_step, mlp_batches(), lambda i: None, model, None

    eager_losses, eager_arrays, losses, arrays, step = run_both(make)
    assert step.recordings == 1
    assert losses == eager_losses
    assert same_bits(arrays, eager_arrays)


@pytest.mark.parametrize("zero_grad", [True, False])
def test_a_grad_delivered_as_a_copy_is_the_array_the_clip_writes(zero_grad):
    """x @ w.t(): w's gradient is a view, so the engine copies it into w.grad (and, without
    zero_grad, the replay adds into the last call's instead): the clip scales that .grad."""

    def make():
        w = nn.Parameter(mg.randn(3, 6))

        def train_step(x, y):
            loss = F.cross_entropy(x @ w.t(), y)
            if zero_grad:
                model.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_([w], 0.05)
            return loss

        model = nn.Module()
        model.w = w
        return train_step, mlp_batches(), lambda i: None, model, None

    eager_losses, eager_arrays, losses, arrays, step = run_both(make)
    modes = [s[3] for s in next(iter(step.cache.values())).steps if s[0] == "deliver"]
    assert modes == ["copy"]  # (at the recording: the later calls without zero_grad add)
    assert step.recordings == 1
    assert losses == eager_losses
    assert same_bits(arrays, eager_arrays)


def test_a_factory_constant_is_what_the_replay_uses():
    """mg.arange(T) in the step: each signature (T) keeps its own; a replay reads it."""
    embed = nn.Embedding(10, 3)

    @mg.compile
    def step(x):
        positions = mg.arange(x.shape[1])
        return (embed(x) + embed(positions) * mg.full((), 2.0)).sum(2)

    rng = np.random.default_rng(6)
    for _ in range(3):
        for t in (4, 7):
            x = mg.tensor(rng.integers(0, 10, (2, t)))
            expected = (embed(x) + embed(mg.arange(t)) * 2.0).sum(2)
            assert np.array_equal(step(x).array, expected.array)
    assert step.recordings == 2


def test_a_factory_tensor_written_in_the_step_is_fresh_at_every_replay():
    """A buffer made by mg.zeros and written into (as an RNN's state): each replay starts
    from zeros again, and a returned one is the caller's own."""

    @mg.compile
    def step(x):
        buffer = mg.zeros(2, 3)
        buffer[0] = x.sum()
        buffer += x
        return buffer

    outs = [step(mg.full((2, 3), float(k))) for k in range(4)]
    outs[1][1, 1] = 100.0  # (a returned tensor is not the recording's constant)
    for k, out in enumerate(outs[2:], start=2):
        assert out.tolist() == [[7.0 * k] * 3, [float(k)] * 3]


def test_the_printed_program_writes_in_place():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    optimizer = mg.optim.SGD(model.parameters(), lr=0.1)

    @mg.compile
    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        with mg.no_grad():
            model[0].bias[0] = 0.0  # a write into a parameter, printed as numpy
        optimizer.step()
        return loss

    x, y = mg.randn(5, 4), mg.tensor([0, 1, 0, 1, 1])
    text = step.source(x, y)
    assert "    layer0_bias[0] = 0.0  # __setitem__, in place" in text
    assert next(iter(step.cache.values())).fast is not None  # (replayed by the generated code)
    params = [p.array.copy() for p in model.parameters()]
    namespace = {}
    exec(text, namespace)
    loss = namespace["step"](x.numpy(), y.numpy(), *params)
    assert loss == step(x, y).item()
    assert all(np.array_equal(a, p.array) for a, p in zip(params, model.parameters()))


def test_a_factory_constant_in_the_generated_replay():
    """Targets made by mg.full in a step of templated ops: printed as a numpy line, which the
    generated replay runs; the same bits as eager over the steps."""

    def run(compiled):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
        optimizer = mg.optim.SGD(model.parameters(), lr=0.1)

        def train_step(x):
            loss = F.cross_entropy(model(x), mg.full((x.shape[0],), 2))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss

        step = mg.compile(train_step) if compiled else train_step
        losses = [step(x).item() for x, _ in mlp_batches()]
        return losses, [p.array for p in model.parameters()], step

    (eager_losses, eager_params, _), (losses, params, step) = run(False), run(True)
    assert losses == eager_losses
    assert same_bits(params, eager_params)
    x = mlp_batches()[0][0]
    assert "full = np.full((4,), 2, dtype=np.int64)  # full: a constant" in step.source(x)
    assert next(iter(step.cache.values())).fast is not None


def test_source_refuses_a_read_of_a_grad_with_a_runtime_error():
    model = mlp()

    @mg.compile
    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        model.zero_grad()
        return loss

    x, y = mlp_batches()[0]
    with pytest.raises(RuntimeError, match="no numpy template"):
        step.source(x, y)


# ----- what is still refused ------------------------------------------------------------------
def refused(body):
    """The CaptureError that compiling a step of mlp() that ends with body(model, x) raises."""
    model = mlp()

    @mg.compile
    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        body(model, x)
        return loss

    x, y = mlp_batches()[0]
    with pytest.raises(CaptureError) as info:
        step(x, y)
    assert not step.cache
    return str(info.value)


def test_creating_a_parameter_is_refused_naming_the_line():
    def body(model, x):
        nn.Parameter(mg.zeros(3))  # not random, still refused

    message = refused(body)
    assert "creating a parameter (nn.Parameter" in message
    assert "test_compile_writes.py:" in message
    assert ": nn.Parameter(mg.zeros(3))" in message


@pytest.mark.parametrize("op", ["uniform_", "normal_", "bernoulli_"])
def test_a_random_fill_is_refused_naming_the_op_and_the_line(op):
    def body(model, x):
        with mg.no_grad():
            getattr(x, op)()

    message = refused(body)
    assert f"a random fill ({op})" in message
    assert "test_compile_writes.py:" in message
    assert ": getattr(x, op)())" in message


def test_a_write_at_a_tensor_index_is_refused_naming_the_line():
    def body(model, x):
        x[mg.tensor([0, 1])] = 0.0

    message = refused(body)
    assert "__setitem__ with an index that is a tensor or an array" in message
    assert ": x[mg.tensor([0, 1])] = 0.0" in message


def test_a_factory_tensor_that_requires_grad_is_refused():
    def body(model, x):
        mg.zeros(3, requires_grad=True)

    assert "zeros(..., requires_grad=True) inside the step" in refused(body)


def test_an_array_made_by_numpy_from_a_tensor_is_still_refused():
    def body(model, x):
        (x * mg.tensor(x.array * 2)).sum()  # raw numpy on .array: not a factory of numbers

    assert "made inside the step without an op" in refused(body)


def test_writes_outside_compile_are_unchanged():
    t = mg.zeros(3)
    t[1] = 2.0
    t += 1
    assert t.tolist() == [1.0, 3.0, 1.0]
    assert math.isclose(mg.arange(3).sum().item(), 3)


def test_grads_set_to_none_by_hand_at_the_start_of_the_step_are_replayed():
    """`p.grad = None` for each parameter, then backward: at the first call the .grads are
    None already (the assignment changes nothing), at later ones they are last call's."""

    def make():
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
        opt = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def train_step(x, y):
            for p in model.parameters():
                p.grad = None
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, train_step

    (eager, eager_step), (model, step) = make(), make()
    step = mg.compile(step)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = mg.tensor(rng.standard_normal((4, 6)).astype(np.float32))
        y = mg.tensor(rng.integers(0, 3, 4))
        assert eager_step(x, y).item() == step(x, y).item()
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array) and np.array_equal(p.grad.array, q.grad.array)
    assert step.recordings == 1


def _norm_model(kind: str):
    mg.manual_seed(0)
    if kind == "instance_norm":
        norm = nn.InstanceNorm1d(4, affine=True, track_running_stats=True)
        return nn.Sequential(nn.Conv1d(2, 4, 3), norm, nn.ReLU(), nn.Flatten(), nn.Linear(24, 3))
    norm = nn.GroupNorm(2, 8) if kind == "group_norm" else nn.BatchNorm1d(8)
    return nn.Sequential(nn.Linear(4, 8), norm, nn.ReLU(), nn.Linear(8, 3))


@pytest.mark.parametrize("kind", ["batch_norm", "batch_norm_eval", "group_norm", "instance_norm"])
def test_normalization_layers_replay_bit_identically_with_their_running_statistics(kind):
    """Their statistics are an op (Moments), the running averages and num_batches_tracked
    recorded writes: a replay moves them as eager does, and eval mode reads them live."""
    rng = np.random.default_rng(5)
    shape = (6, 2, 8) if kind == "instance_norm" else (6, 4)
    data = [
        (mg.tensor(rng.standard_normal(shape).astype(np.float32)), mg.tensor(rng.integers(0, 3, 6)))
        for _ in range(6)
    ]
    runs = []
    for compiled in (False, True):
        model = _norm_model(kind)
        if kind == "batch_norm_eval":
            with mg.no_grad():
                model(data[0][0])  # (running statistics that are not the initial ones)
            model.eval()
        opt = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def train_step(x, y, model=model, opt=opt):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        step = mg.compile(train_step) if compiled else train_step
        losses = [step(x, y).item() for x, y in data]
        state = [t.array.copy() for t in model.state_dict().values()]
        runs.append((losses, state, step))
    (eager_losses, eager_state, _), (losses, state, step) = runs
    assert losses == eager_losses
    assert all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(eager_state, state))
    assert step.recordings == 1


def test_batch_norm_with_a_cumulative_average_is_refused_naming_the_line():
    """momentum=None: the factor 1/num_batches_tracked is read into Python, a constant."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8, momentum=None), nn.Linear(8, 3))
    opt = mg.optim.SGD(model.parameters(), lr=0.1)

    @mg.compile
    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    with pytest.raises(CaptureError, match="momentum=None.*test_compile_writes"):
        step(mg.randn(6, 4), mg.tensor([0, 1, 2, 0, 1, 2]))
