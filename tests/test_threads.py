"""Mode state is per thread, as in PyTorch: one thread's no_grad, backward or detect_anomaly
never changes what another thread records. Every test here runs real threads, with a tiny
switch interval so that they interleave inside ops and backward passes."""

import sys
import threading

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


@pytest.fixture(autouse=True)
def _switch_often():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def _run_in_threads(*targets):
    """Run each target in its own thread, all started together; re-raise the first error."""
    errors = []
    start = threading.Barrier(len(targets))

    def run(target):
        try:
            start.wait()
            target()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    if errors:
        raise errors[0]


def _train(seed: int, steps: int = 40) -> list:
    """A small MLP trained with SGD from fixed data; returns its final weights as arrays."""
    rng = np.random.default_rng(seed)
    x = mg.tensor(rng.standard_normal((32, 8)).astype(np.float32))
    y = mg.tensor(rng.integers(0, 3, 32))
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    with mg.no_grad():
        for p in model.parameters():
            p.copy_(rng.standard_normal(p.shape).astype(np.float32) * 0.3)
    optimizer = mg.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(x), y)
        assert loss.grad_fn is not None, "a training step lost its graph"
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_two_threads_training_two_models_get_what_each_gets_alone():
    alone = [_train(1), _train(2)]
    together = [None, None]

    def job(i):
        together[i] = _train(i + 1)

    _run_in_threads(lambda: job(0), lambda: job(1))
    for mine, reference in zip(together, alone):
        for a, b in zip(mine, reference):
            np.testing.assert_array_equal(a, b)


def test_an_eval_loop_under_no_grad_in_one_thread_leaves_training_in_another_alone():
    stop = threading.Event()
    model = nn.Linear(8, 3)
    x = mg.randn(16, 8)

    def evaluate():
        while not stop.is_set():
            with mg.no_grad():
                out = model(x)
                assert out.grad_fn is None and not mg.is_grad_enabled()

    def train():
        try:
            _train(3, steps=60)
            assert mg.is_grad_enabled()
        finally:
            stop.set()

    _run_in_threads(evaluate, train)
    assert mg.is_grad_enabled()


def test_a_backward_in_one_thread_never_switches_recording_off_in_another():
    stop = threading.Event()
    seen_off = []

    def backward_loop():
        try:
            w = mg.randn(64, 64, requires_grad=True)
            for _ in range(200):
                ((w @ w).tanh() ** 2).sum().backward()
        finally:
            stop.set()

    def watch():
        while not stop.is_set():
            if not mg.is_grad_enabled():
                seen_off.append(True)
            w = mg.ones(3, requires_grad=True)
            if (w * 2).grad_fn is None:
                seen_off.append(True)

    _run_in_threads(backward_loop, watch)
    assert not seen_off


def test_a_new_thread_starts_with_recording_on_even_inside_no_grad():
    seen = []
    with mg.no_grad():
        thread = threading.Thread(target=lambda: seen.append(mg.is_grad_enabled()))
        thread.start()
        thread.join()
        assert not mg.is_grad_enabled()
    assert seen == [True]


def test_set_grad_enabled_in_a_thread_stays_in_that_thread():
    switched, release = threading.Event(), threading.Event()
    seen = []

    def switch_off():
        mg.set_grad_enabled(False)
        switched.set()
        release.wait(10)
        seen.append(mg.is_grad_enabled())

    thread = threading.Thread(target=switch_off)
    thread.start()
    switched.wait(10)
    assert mg.is_grad_enabled()
    assert (mg.ones(2, requires_grad=True) * 2).grad_fn is not None
    release.set()
    thread.join()
    assert seen == [False]


def test_detect_anomaly_watches_only_its_own_thread():
    entered, release = threading.Event(), threading.Event()

    def watch():
        with mg.autograd.detect_anomaly():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=watch)
    thread.start()
    entered.wait(10)
    try:
        out = mg.tensor([0.0]).log()  # -inf, fine outside anomaly mode
        assert out.item() == -np.inf
    finally:
        release.set()
        thread.join()


def test_trace_backward_records_only_its_own_threads_backward():
    traced, release = threading.Event(), threading.Event()

    def other_backward():
        traced.wait(10)
        w = mg.ones(3, requires_grad=True)
        (w * 2).sum().backward()
        release.set()

    thread = threading.Thread(target=other_backward)
    thread.start()
    x = mg.ones(2, requires_grad=True)
    with mg.autograd.trace_backward() as trace:
        traced.set()
        release.wait(10)
        (x * x).sum().backward()
    thread.join()
    assert [step.op for step in trace] == ["sum", "mul"]
