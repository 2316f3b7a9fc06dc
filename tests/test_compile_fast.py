"""The fast replay (compile/_fast.py) delivers gradients as the engine does, without its
bookkeeping, where the recording showed it can."""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def test_gradient_accumulation_outside_the_step_is_replayed_as_eager():
    """No zero_grad in the step: the first call makes each .grad, later ones add into it;
    zero_grad every third call, outside."""

    def make():
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))

        def accumulate(x, y):
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            return loss

        return model, accumulate

    (eager, eager_step), (model, step) = make(), make()
    step = mg.compile(step)
    rng = np.random.default_rng(0)
    for k in range(7):
        x = mg.tensor(rng.standard_normal((4, 6)).astype(np.float32))
        y = mg.tensor(rng.integers(0, 3, 4))
        assert eager_step(x, y).item() == step(x, y).item()
        for p, q in zip(eager.parameters(), model.parameters()):
            assert np.array_equal(p.grad.array, q.grad.array)
        if k % 3 == 2:
            eager.zero_grad(), model.zero_grad()
    for program in step.cache.values():
        assert program.fast is not None and "._grad = _make(" in program.fast.text  # inline
