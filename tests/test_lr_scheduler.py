"""Learning-rate schedules against hand-worked lr sequences (PyTorch's formulas).

Each schedule runs on an SGD optimizer with lr 1 (or two groups), stepping as a training
loop does (optimizer.step(), then scheduler.step()); the lrs of epochs 0, 1, ... are worked
out in the comments. Then state_dict round trips, nanoGPT's hand-written warm-up + cosine
as a LambdaLR, and bad input.
"""

import math

import pytest

import minigrad as mg
from minigrad import optim
from minigrad.nn import Parameter
from minigrad.optim import lr_scheduler as sched


def _opt(lr=1.0, groups=1, **settings):
    return optim.SGD(
        [{"params": [Parameter(mg.ones(1))]} for _ in range(groups)], lr=lr, **settings
    )


def _lrs(scheduler, epochs, metrics=None):
    """[lr at epoch 0, 1, ..., epochs] of group 0, checking get_last_lr() along the way."""
    groups = scheduler.optimizer.param_groups
    lrs = [groups[0]["lr"]]
    for epoch in range(epochs):
        scheduler.optimizer.step()
        scheduler.step(*([] if metrics is None else [metrics[epoch]]))
        assert scheduler.get_last_lr() == [g["lr"] for g in groups]
        lrs.append(groups[0]["lr"])
    return lrs


def test_multistep_lr():
    # a milestone listed twice multiplies by gamma twice
    scheduler = sched.MultiStepLR(_opt(), milestones=[5, 2, 5], gamma=0.5)
    assert _lrs(scheduler, 6) == [1.0, 1.0, 0.5, 0.5, 0.5, 0.125, 0.125]


def test_exponential_lr():
    assert _lrs(sched.ExponentialLR(_opt(), gamma=0.5), 4) == [1.0, 0.5, 0.25, 0.125, 0.0625]


def test_lambda_lr_one_function_or_one_per_group():
    assert _lrs(sched.LambdaLR(_opt(), lambda epoch: 1 / (epoch + 1)), 3) == pytest.approx(
        [1.0, 1 / 2, 1 / 3, 1 / 4], rel=1e-15
    )
    opt = _opt(groups=2)
    opt.param_groups[1]["lr"] = 0.5
    scheduler = sched.LambdaLR(opt, [lambda epoch: 1.0, lambda epoch: 0.1 * epoch])
    _lrs(scheduler, 3)
    assert scheduler.get_last_lr() == pytest.approx([1.0, 0.5 * 0.3])  # initial_lr * lambda(3)


def test_multiplicative_lr():
    # epoch 1: * 0.5, epoch 2: * 0.9, epoch 3: * 0.5 (the lambda is not applied at epoch 0)
    scheduler = sched.MultiplicativeLR(_opt(), lambda epoch: 0.5 if epoch % 2 else 0.9)
    assert _lrs(scheduler, 3) == pytest.approx([1.0, 0.5, 0.45, 0.225], rel=1e-15)


def test_constant_lr():
    assert _lrs(sched.ConstantLR(_opt(), factor=0.5, total_iters=3), 4) == [0.5] * 3 + [1.0] * 2
    default = sched.ConstantLR(_opt())  # factor 1/3 for 5 epochs
    assert _lrs(default, 6) == pytest.approx([1 / 3] * 5 + [1.0] * 2, rel=1e-15)
    # factor 0 (PyTorch then divides by zero at total_iters): back to initial_lr
    assert _lrs(sched.ConstantLR(_opt(), factor=0.0, total_iters=2), 3) == [0.0, 0.0, 1.0, 1.0]


def test_linear_lr():
    scheduler = sched.LinearLR(_opt(), start_factor=0.5, end_factor=1.0, total_iters=4)
    # 0.5 + 0.5 * epoch / 4, then kept
    assert _lrs(scheduler, 5) == pytest.approx([0.5, 0.625, 0.75, 0.875, 1.0, 1.0], rel=1e-15)
    decay = sched.LinearLR(_opt(), start_factor=1.0, end_factor=0.0, total_iters=2)
    assert _lrs(decay, 3) == pytest.approx([1.0, 0.5, 0.0, 0.0], abs=1e-15)


def test_polynomial_lr():
    linear = sched.PolynomialLR(_opt(), total_iters=4)  # power 1: 1 - epoch / 4
    assert _lrs(linear, 5) == pytest.approx([1.0, 0.75, 0.5, 0.25, 0.0, 0.0], abs=1e-15)
    square = sched.PolynomialLR(_opt(), total_iters=4, power=2.0)
    assert _lrs(square, 4) == pytest.approx([1.0, 0.5625, 0.25, 0.0625, 0.0], abs=1e-15)


def test_cosine_annealing_warm_restarts():
    scheduler = sched.CosineAnnealingWarmRestarts(_opt(), T_0=2, T_mult=2, eta_min=0.1)

    def cosine(t_cur, t_i):
        return 0.1 + 0.9 * (1 + math.cos(math.pi * t_cur / t_i)) / 2

    # a cycle of 2 epochs, then one of 4 (restarting at epoch 2), then one of 8 (at epoch 6)
    expected = [cosine(0, 2), cosine(1, 2)] + [cosine(t, 4) for t in range(4)] + [cosine(0, 8)]
    assert _lrs(scheduler, 6) == pytest.approx(expected, abs=1e-15)
    assert expected[1] == pytest.approx(0.55) and expected[4] == pytest.approx(0.55)


def test_cosine_annealing_warm_restarts_takes_fractional_epochs():
    scheduler = sched.CosineAnnealingWarmRestarts(_opt(), T_0=2, T_mult=2)
    scheduler.step(2.5)  # in the second cycle (epochs 2 to 6, T_i = 4): T_cur = 0.5
    assert scheduler.get_last_lr() == pytest.approx([(1 + math.cos(math.pi * 0.5 / 4)) / 2])
    assert (scheduler.T_i, scheduler.T_cur, scheduler.last_epoch) == (4, 0.5, 2)
    scheduler.step(1.25)  # back in the first cycle
    assert scheduler.get_last_lr() == pytest.approx([(1 + math.cos(math.pi * 1.25 / 2)) / 2])
    same_length = sched.CosineAnnealingWarmRestarts(_opt(), T_0=2)
    same_length.step(5.5)  # T_mult 1: T_cur = 5.5 % 2
    assert same_length.get_last_lr() == pytest.approx([(1 + math.cos(math.pi * 1.5 / 2)) / 2])
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        same_length.step(-1)


def _one_cycle(step, peak_step, last_step, start, top, bottom):
    """OneCycleLR's cos schedule at `step`, worked out from its definition."""
    if step <= peak_step:
        return top + (start - top) / 2 * (1 + math.cos(math.pi * step / peak_step))
    pct = (step - peak_step) / (last_step - peak_step)
    return bottom + (top - bottom) / 2 * (1 + math.cos(math.pi * pct))


def test_one_cycle_lr_cos_and_its_momentum():
    opt = _opt(lr=0.1, momentum=0.9)
    scheduler = sched.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    # from 1 / 25 up to 1 by step 0.3 * 10 - 1 = 2, then down to 0.04 / 1e4 at step 9
    expected = [_one_cycle(s, 2, 9, 0.04, 1.0, 4e-6) for s in range(10)]
    assert _lrs(scheduler, 9) == pytest.approx(expected, rel=1e-12)
    assert expected[:3] == pytest.approx([0.04, 0.52, 1.0]) and expected[9] == pytest.approx(4e-6)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)  # max_momentum at the end
    group = opt.param_groups[0]
    assert (group["initial_lr"], group["max_lr"], group["min_lr"]) == (0.04, 1.0, 0.04 / 1e4)
    with pytest.raises(ValueError, match="Tried to step 11 times. The specified number of total"):
        scheduler.step()
        scheduler.step()


def test_one_cycle_lr_moves_the_momentum_against_the_lr():
    # momentum goes 0.95 -> 0.85 while the lr rises, then back; with Adam it is beta1
    sgd = _opt(momentum=0.9)
    scheduler = sched.OneCycleLR(sgd, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    momenta = [sgd.param_groups[0]["momentum"]]
    for _ in range(9):
        scheduler.step()
        momenta.append(sgd.param_groups[0]["momentum"])
    assert momenta[:3] == pytest.approx([0.95, 0.9, 0.85])  # linear, peak at step 2
    assert momenta[9] == pytest.approx(0.95) and momenta[2 + 7 // 2 + 1] > 0.9
    adam = optim.Adam([Parameter(mg.ones(1))], betas=(0.5, 0.99))
    sched.OneCycleLR(adam, max_lr=0.1, total_steps=10, base_momentum=0.6, max_momentum=0.8)
    assert adam.param_groups[0]["betas"] == (0.8, 0.99)
    assert adam.param_groups[0]["max_momentum"] == 0.8
    assert adam.param_groups[0]["base_momentum"] == 0.6
    plain = _opt(momentum=0.9)
    sched.OneCycleLR(plain, max_lr=1.0, total_steps=10, cycle_momentum=False).step()
    assert plain.param_groups[0]["momentum"] == 0.9


def test_one_cycle_lr_three_phase_linear():
    scheduler = sched.OneCycleLR(
        _opt(),
        max_lr=1.0,
        epochs=2,
        steps_per_epoch=5,
        anneal_strategy="linear",
        three_phase=True,
    )
    # up to 1 by step 2, back to 0.04 by step 2 * 3 - 2 = 4, then down to 4e-6 at step 9
    tail = [0.04 + (4e-6 - 0.04) * (s - 4) / 5 for s in range(5, 10)]
    assert _lrs(scheduler, 9) == pytest.approx([0.04, 0.52, 1.0, 0.52, 0.04] + tail, rel=1e-12)


def test_one_cycle_lr_takes_a_max_lr_per_group():
    opt = _opt(groups=2)
    scheduler = sched.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=4, pct_start=0.5)
    scheduler.step()  # step 1 = 0.5 * 4 - 1: the peak
    assert scheduler.get_last_lr() == [1.0, 0.5]


def test_reduce_lr_on_plateau_min_rel():
    scheduler = sched.ReduceLROnPlateau(_opt(), patience=1, factor=0.5, threshold=0.1)
    # best 10; 9.5 is not below 10 * 0.9 (1 bad), 9.5 (2 > patience: halve); best 8;
    # 7.5 and 7.3 are not below 8 * 0.9 = 7.2: halve again
    lrs = _lrs(scheduler, 6, [10.0, 9.5, 9.5, 8.0, 7.5, mg.tensor(7.3)])
    assert lrs[1:] == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    assert (scheduler.best, scheduler.num_bad_epochs, scheduler.last_epoch) == (8.0, 0, 6)


def test_reduce_lr_on_plateau_max_abs_with_cooldown_min_lr_and_eps():
    scheduler = sched.ReduceLROnPlateau(
        _opt(),
        mode="max",
        factor=0.1,
        patience=0,
        threshold=1.0,
        threshold_mode="abs",
        cooldown=2,
        min_lr=0.005,
    )
    # 1.5 is not above 1 + 1: cut to 0.1, then 2 epochs of cooldown (3 improves the best);
    # the next bad epoch cuts to 0.01, 2 more of cooldown, then max(0.001, min_lr) = 0.005;
    # then 0.0005 < min_lr: 0.005 stays (the cut would be 0 < eps)
    metrics = [1.0, 1.5, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    lrs = _lrs(scheduler, 10, metrics)
    assert lrs[1:] == pytest.approx([1.0, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005])
    tiny = sched.ReduceLROnPlateau(_opt(lr=1e-8), patience=0)
    assert _lrs(tiny, 2, [1.0, 2.0])[-1] == 1e-8  # 1e-8 - 1e-9 is not more than eps = 1e-8


def test_reduce_lr_on_plateau_min_lr_per_group():
    scheduler = sched.ReduceLROnPlateau(_opt(groups=2), patience=0, min_lr=[0.5, 0.0])
    for metric in [1.0, 1.0, 1.0]:
        scheduler.step(metric)
    assert scheduler.get_last_lr() == pytest.approx([0.5, 0.01])


def test_sequential_lr():
    opt = _opt()
    warmup = sched.LinearLR(opt, start_factor=0.5, total_iters=2)
    decay = sched.ExponentialLR(opt, gamma=0.5)
    scheduler = sched.SequentialLR(opt, [warmup, decay], milestones=[2])
    assert _lrs(scheduler, 4) == [0.5, 0.75, 1.0, 0.5, 0.25]
    assert (warmup.last_epoch, decay.last_epoch, scheduler.last_epoch) == (1, 2, 4)


def test_sequential_lr_starts_each_schedule_at_its_epoch_0():
    opt = _opt()
    first = sched.ConstantLR(opt, factor=0.1, total_iters=10)
    second = sched.LambdaLR(opt, lambda epoch: 0.5 + epoch)  # (no closed form)
    third = sched.StepLR(opt, step_size=1, gamma=0.5)
    scheduler = sched.SequentialLR(opt, [first, second, third], milestones=[2, 4])
    # 0.1 (ConstantLR) twice; initial_lr * (0.5 + 0), * (0.5 + 1); StepLR from initial_lr
    assert _lrs(scheduler, 6) == pytest.approx([0.1, 0.1, 0.5, 1.5, 1.0, 0.5, 0.25])


def test_chained_scheduler():
    opt = _opt()
    scheduler = sched.ChainedScheduler(
        [sched.ConstantLR(opt, factor=0.5, total_iters=2), sched.ExponentialLR(opt, gamma=0.9)]
    )
    # 0.5 * 0.9 ** epoch, and 0.9 ** epoch once the ConstantLR is over
    assert _lrs(scheduler, 3) == pytest.approx([0.5, 0.45, 0.81, 0.729], rel=1e-15)


def test_step_with_an_epoch_warns_and_uses_the_closed_form():
    scheduler = sched.StepLR(_opt(), step_size=2, gamma=0.5)
    with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
        scheduler.step(5)
    assert (scheduler.last_epoch, scheduler.get_last_lr()) == (5, [0.25])  # 0.5 ** (5 // 2)
    milestones = sched.MultiStepLR(_opt(), milestones=[1, 3])
    with pytest.warns(UserWarning):
        milestones.step(3)
    assert milestones.get_last_lr() == pytest.approx([0.01])


# ----- nanoGPT's warm-up + cosine -----------------------------------------------------------
LEARNING_RATE, MIN_LR, WARMUP_ITERS, LR_DECAY_ITERS = 6e-4, 6e-5, 20, 150


def get_lr(it):
    """nanoGPT's train.py, as written there: linear warm-up, cosine decay, then min_lr."""
    if it < WARMUP_ITERS:
        return LEARNING_RATE * (it + 1) / (WARMUP_ITERS + 1)
    if it > LR_DECAY_ITERS:
        return MIN_LR
    decay_ratio = (it - WARMUP_ITERS) / (LR_DECAY_ITERS - WARMUP_ITERS)
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return MIN_LR + coeff * (LEARNING_RATE - MIN_LR)


def test_nanogpt_warmup_cosine_by_hand_equals_lambda_lr():
    iters = 200
    # nanoGPT sets param_group["lr"] by hand before each optimizer step
    by_hand = optim.AdamW([Parameter(mg.ones(2))], lr=LEARNING_RATE)
    hand_lrs = []
    for it in range(iters):
        for param_group in by_hand.param_groups:
            param_group["lr"] = get_lr(it)
        hand_lrs.append(by_hand.param_groups[0]["lr"])
        by_hand.step()
    # the same schedule as a LambdaLR, stepped after each optimizer step
    opt = optim.AdamW([Parameter(mg.ones(2))], lr=LEARNING_RATE)
    scheduler = sched.LambdaLR(opt, lambda it: get_lr(it) / LEARNING_RATE)
    lambda_lrs = []
    for _ in range(iters):
        lambda_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    assert lambda_lrs == pytest.approx(hand_lrs, rel=1e-14)
    assert hand_lrs[0] == pytest.approx(6e-4 / 21) and hand_lrs[19] == pytest.approx(6e-4 * 20 / 21)
    assert hand_lrs[20] == LEARNING_RATE and hand_lrs[-1] == MIN_LR
    assert hand_lrs[85] == pytest.approx((LEARNING_RATE + MIN_LR) / 2)  # halfway down


# ----- state_dict round trips ---------------------------------------------------------------
class Halving:
    """A callable object: LambdaLR saves its attributes (a function is saved as None)."""

    def __init__(self, base):
        self.base = base

    def __call__(self, epoch):
        return self.base**epoch


MAKERS = {
    "step": lambda o: sched.StepLR(o, step_size=3),
    "multistep": lambda o: sched.MultiStepLR(o, milestones=[2, 6], gamma=0.5),
    "exponential": lambda o: sched.ExponentialLR(o, gamma=0.8),
    "lambda": lambda o: sched.LambdaLR(o, lambda e: 1 / (1 + e)),
    "multiplicative": lambda o: sched.MultiplicativeLR(o, lambda e: 0.9),
    "constant": lambda o: sched.ConstantLR(o, factor=0.5, total_iters=6),
    "linear": lambda o: sched.LinearLR(o, start_factor=0.2, total_iters=8),
    "polynomial": lambda o: sched.PolynomialLR(o, total_iters=9, power=2.0),
    "cosine": lambda o: sched.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    "warm-restarts": lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    "one-cycle": lambda o: sched.OneCycleLR(o, max_lr=2.0, total_steps=12, three_phase=True),
    "sequential": lambda o: sched.SequentialLR(
        o, [sched.LinearLR(o, 0.1, total_iters=3), sched.ExponentialLR(o, 0.7)], milestones=[3]
    ),
    "chained": lambda o: sched.ChainedScheduler(
        [sched.ConstantLR(o, 0.5, 4), sched.CosineAnnealingLR(o, T_max=10)]
    ),
    "plateau": lambda o: sched.ReduceLROnPlateau(o, patience=1, factor=0.5, cooldown=1),
}
METRICS = [5.0, 4.0, 4.0, 4.0, 3.0, 3.5, 3.5, 3.5, 3.5, 2.0, 2.5, 2.5]


@pytest.mark.parametrize("case", MAKERS)
def test_state_dict_round_trip_continues_identically(case):
    make = MAKERS[case]
    metrics = METRICS if case == "plateau" else None
    straight = _lrs(make(_opt(momentum=0.9)), 11, metrics)

    opt = _opt(momentum=0.9)
    first = make(opt)
    head = _lrs(first, 5, metrics)
    saved_opt, saved = opt.state_dict(), first.state_dict()
    counter = saved["_schedulers"][0] if case == "chained" else saved  # (it has no epoch)
    assert "optimizer" not in saved and counter["last_epoch"] == 5
    resumed_opt = _opt(momentum=0.9)
    resumed = make(resumed_opt)
    resumed_opt.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    tail = _lrs(resumed, 6, metrics[5:] if metrics else None)
    assert head + tail[1:] == pytest.approx(straight, rel=1e-15)


def test_lambda_lr_saves_callable_objects_but_not_functions():
    opt = _opt(groups=2)
    scheduler = sched.LambdaLR(opt, [lambda e: 1.0, Halving(0.5)])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [None, {"base": 0.5}]
    fresh = sched.LambdaLR(_opt(groups=2), [lambda e: 1.0, Halving(0.9)])
    fresh.load_state_dict(state)
    assert fresh.lr_lambdas[1].base == 0.5
    assert state["lr_lambdas"] == [None, {"base": 0.5}]  # the dict given is left as it was


def test_state_dict_keys_are_pytorchs():
    step = sched.StepLR(_opt(), step_size=2).state_dict()
    assert set(step) == {
        "step_size",
        "gamma",
        "base_lrs",
        "last_epoch",
        "_step_count",
        "_is_initial",
        "_last_lr",
    }
    plateau = sched.ReduceLROnPlateau(_opt()).state_dict()
    assert set(plateau) >= {"best", "num_bad_epochs", "cooldown_counter", "min_lrs", "mode"}
    opt = _opt()
    chained = sched.ChainedScheduler([sched.ExponentialLR(opt, 0.5)]).state_dict()
    assert set(chained) == {"_schedulers", "_last_lr"} and chained["_schedulers"][0]["gamma"] == 0.5


# ----- bad input --------------------------------------------------------------------------------
BAD = [
    (
        lambda o: sched.MultiStepLR(o, milestones=[1, 2.5]),
        TypeError,
        "milestones\\[1\\] must be an int",
    ),
    (lambda o: sched.MultiStepLR(o, milestones=3), TypeError, "milestones must be a list"),
    (lambda o: sched.ExponentialLR(o, gamma="0.5"), TypeError, "gamma must be a real number"),
    (
        lambda o: sched.ConstantLR(o, factor=1.5),
        ValueError,
        "factor expected to be between 0 and 1",
    ),
    (lambda o: sched.ConstantLR(o, total_iters=-1), ValueError, "total_iters must be non-negative"),
    (lambda o: sched.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor"),
    (lambda o: sched.LinearLR(o, end_factor=1.5), ValueError, "Ending multiplicative factor"),
    (lambda o: sched.LinearLR(o, total_iters=0), ValueError, "total_iters must be a positive int"),
    (lambda o: sched.PolynomialLR(o, total_iters=0), ValueError, "total_iters must be a positive"),
    (
        lambda o: sched.LambdaLR(o, [lambda e: 1.0] * 2),
        ValueError,
        "Expected 1 lr_lambdas, but got 2",
    ),
    (lambda o: sched.LambdaLR(o, 0.5), TypeError, "lr_lambda must be callable"),
    (lambda o: sched.MultiplicativeLR(o, [None]), TypeError, "lr_lambda must be callable"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "positive integer T_0"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2.0), ValueError, "positive integer T_0"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, 2, T_mult=0), ValueError, "T_mult >= 1"),
    (
        lambda o: sched.CosineAnnealingWarmRestarts(o, 2, eta_min="0"),
        ValueError,
        "float or int eta_min",
    ),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0), ValueError, "either total_steps OR"),
    (lambda o: sched.OneCycleLR(o, 1.0, total_steps=0), ValueError, "positive integer total_steps"),
    (lambda o: sched.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=2), ValueError, "integer epochs"),
    (
        lambda o: sched.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=1.5),
        ValueError,
        "steps_per_epoch",
    ),
    (lambda o: sched.OneCycleLR(o, 1.0, 10, pct_start=1), ValueError, "float between 0 and 1"),
    (lambda o: sched.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "float between 0 and 1"),
    (
        lambda o: sched.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"),
        ValueError,
        "'cos' or 'linear'",
    ),
    (lambda o: sched.OneCycleLR(o, [1.0, 2.0], 10), ValueError, "max_lr must have the same length"),
    (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda o: sched.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown!"),
    (lambda o: sched.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode x is"),
    (lambda o: sched.ReduceLROnPlateau(o, min_lr=[0, 0]), ValueError, "expected 1 min_lrs, got 2"),
    (lambda o: sched.ReduceLROnPlateau(o, patience=1.5), TypeError, "patience must be an int"),
    (lambda o: sched.StepLR("sgd", 2), TypeError, "str is not an Optimizer"),
    (lambda o: sched.StepLR(o, 2, last_epoch=3), KeyError, "'initial_lr' is not specified"),
    (
        lambda o: sched.SequentialLR(o, [], milestones=[]),
        ValueError,
        "expects at least one scheduler",
    ),
    (
        lambda o: sched.SequentialLR(o, [sched.ExponentialLR(o, 0.5)] * 2, milestones=[1, 2]),
        ValueError,
        "one more than the number of milestone points",
    ),
    (
        lambda o: sched.SequentialLR(o, [sched.ReduceLROnPlateau(o)], milestones=[]),
        ValueError,
        "does not support `ReduceLROnPlateau`",
    ),
    (
        lambda o: sched.SequentialLR(o, [sched.ExponentialLR(_opt(), 0.5)], milestones=[]),
        ValueError,
        "expects all schedulers to belong to the same optimizer",
    ),
    (lambda o: sched.SequentialLR(o, [o], milestones=[]), TypeError, "should have `optimizer`"),
    (lambda o: sched.ChainedScheduler([]), ValueError, "at least one scheduler to be chained"),
]


@pytest.mark.parametrize("make, error, message", BAD)
def test_bad_arguments_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make(_opt())


def test_one_cycle_lr_needs_an_optimizer_with_momentum():
    adagrad = optim.Adagrad([Parameter(mg.ones(1))])
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        sched.OneCycleLR(adagrad, max_lr=1.0, total_steps=10)
    sched.OneCycleLR(adagrad, max_lr=1.0, total_steps=10, cycle_momentum=False).step()


def test_reduce_lr_on_plateau_notices_a_group_added_later():
    opt = _opt()
    per_group = sched.ReduceLROnPlateau(opt, patience=0, min_lr=[0.0])
    shared = sched.ReduceLROnPlateau(opt, patience=0, min_lr=0.1)
    opt.add_param_group({"params": [Parameter(mg.ones(1))], "lr": 0.5})
    for scheduler in (per_group, shared):
        scheduler.step(1.0)
    shared.step(1.0)  # the added group gets the shared min_lr
    assert shared.min_lrs == [0.1, 0.1]
    with pytest.raises(RuntimeError, match="differs from when `ReduceLROnPlateau` was initialized"):
        per_group.step(1.0)
    with pytest.raises(TypeError, match="metrics must be a real number"):
        shared.step("low")


def test_load_state_dict_needs_a_dict():
    for scheduler in (
        sched.ExponentialLR(_opt(), 0.5),
        sched.LambdaLR(_opt(), lambda e: 1.0),
        sched.ReduceLROnPlateau(_opt()),
    ):
        with pytest.raises(TypeError, match="state_dict must be a dict, got list"):
            scheduler.load_state_dict([1])


def test_reduce_lr_on_plateau_step_with_an_epoch_warns():
    scheduler = sched.ReduceLROnPlateau(_opt())
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(1.0, epoch=7)
    assert scheduler.last_epoch == 7
