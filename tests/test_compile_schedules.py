"""mg.compile and the optimizer's settings: a scheduler stepped inside the compiled step is
replayed at every call (its lrs take effect as in eager), and Python in the step that changes
a setting itself, which a replay would not run again, is refused."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.compile import CaptureError
from minigrad.optim import lr_scheduler as schedules


def batches(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (
            mg.tensor(rng.standard_normal((6, 5)).astype(np.float32)),
            mg.tensor(rng.integers(0, 3, 6)),
        )
        for _ in range(n)
    ]


SCHEDULES = {
    "StepLR": lambda opt: schedules.StepLR(opt, 2, 0.5),
    "OneCycleLR": lambda opt: schedules.OneCycleLR(opt, 0.5, total_steps=20),
    "SequentialLR": lambda opt: schedules.SequentialLR(
        opt, [schedules.ConstantLR(opt, 0.5, 3), schedules.ExponentialLR(opt, 0.8)], [3]
    ),
    "CosineAnnealingWarmRestarts": lambda opt: schedules.CosineAnnealingWarmRestarts(opt, 3),
}


def make(schedule, optimizer="sgd"):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    kind = {"sgd": mg.optim.SGD, "adam": mg.optim.Adam}[optimizer]
    opt = kind(model.parameters(), lr=0.1)
    sched = SCHEDULES[schedule](opt)

    def train_step(x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        return loss

    return model, opt, train_step


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("schedule", sorted(SCHEDULES))
def test_a_scheduler_stepped_inside_the_step_is_replayed_as_eager(schedule, optimizer):
    (eager, eager_opt, eager_step), (model, opt, step) = (
        make(schedule, optimizer),
        make(schedule, optimizer),
    )
    step = mg.compile(step)
    lrs = []
    for x, y in batches():
        assert eager_step(x, y).item() == step(x, y).item()
        assert opt.param_groups[0]["lr"] == eager_opt.param_groups[0]["lr"]
        lrs.append(opt.param_groups[0]["lr"])
    assert len(set(lrs)) > 2 and step.recordings == 1  # (the lr moved, the step replayed)
    for p, q in zip(eager.parameters(), model.parameters()):
        assert np.array_equal(p.array, q.array)


def test_the_printed_program_names_the_scheduler_step():
    _, _, step = make("StepLR")
    x, y = batches(1)[0]
    text = mg.compile(step).source(x, y)
    assert "# StepLR.step(): the lrs it sets, the compiled step reads at its next call" in text


def settings_step(case):
    mg.manual_seed(0)
    model = nn.Linear(5, 3)
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    plateau, extra = schedules.ReduceLROnPlateau(opt), nn.Parameter(mg.ones(2))

    def train_step(x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        if case == "before":
            opt.param_groups[0]["lr"] *= 0.5
        opt.step()
        if case == "after":
            opt.param_groups[0]["momentum"] = 0.9
        if case == "plateau":
            plateau.step(loss)
        if case == "group":
            opt.add_param_group({"params": [extra]})
        return loss

    return opt, mg.compile(train_step)


@pytest.mark.parametrize(
    "case, message",
    [
        (
            "before",
            r"settings made in Python \(param_groups\[0\]\['lr'\] 0\.1 -> 0\.05\) \(at "
            r".*test_compile_schedules\.py:\d+: opt\.step\(\)\)",
        ),
        ("after", r"param_groups\[0\]\['momentum'\] 0 -> 0\.9\), found when the step returned"),
        ("plateau", r"reading a tensor's value into Python .*: plateau\.step\(loss\)\)"),
        ("group", r"\(1 param groups -> 2\), found when the step returned"),
    ],
)
def test_settings_changed_by_the_steps_own_python_are_refused(case, message):
    _, step = settings_step(case)
    with pytest.raises(CaptureError, match=message):
        step(*batches(1)[0])
    assert not step.cache


def test_settings_changed_between_calls_take_effect():
    opt, step = settings_step("none")
    data = batches(3)
    step(*data[0]), step(*data[1])
    opt.param_groups[0]["lr"] = 0.0
    before = [p.array.copy() for g in opt.param_groups for p in g["params"]]
    step(*data[2])
    after = [p.array for g in opt.param_groups for p in g["params"]]
    assert all(np.array_equal(a, b) for a, b in zip(before, after)) and step.recordings == 1
