"""Adagrad (Duchi, Hazan & Singer, 2011), with PyTorch's update."""

from __future__ import annotations

from collections.abc import Iterable

from .. import backend, dtypes
from ..tensor import Tensor
from .optimizer import Optimizer, check_hyperparameter

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """PyTorch's Adagrad. Per parameter p with gradient g, at step t = 1, 2, ...:

        g = g + weight_decay * p                    (if weight_decay)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                               (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    s (state "sum") and p are updated in place; p.grad is left as it is. As in PyTorch the
    state ("step", a float32 scalar on the host, and "sum") is made when a parameter joins
    the optimizer, not at its first step; unlike PyTorch, that includes a group added later
    with `add_param_group` (PyTorch's first step then fails on the missing "sum").

    >>> p = nn.Parameter(mg.tensor([1.0, 2.0]))
    >>> opt = mg.optim.Adagrad([p], lr=0.5, eps=0.0)
    >>> p.grad = mg.tensor([3.0, -0.5])
    >>> opt.step()
    >>> p.tolist()  # s = g * g: the first step moves each element by lr
    [0.5, 2.5]
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
    ) -> None:
        def check(value, name: str, words: str) -> float:
            return check_hyperparameter(value, name, words, "Adagrad")

        defaults = {
            "lr": check(lr, "lr", "learning rate"),
            "lr_decay": check(lr_decay, "lr_decay", "lr_decay value"),
            "eps": check(eps, "eps", "epsilon value"),
            "weight_decay": check(weight_decay, "weight_decay", "weight_decay value"),
            "initial_accumulator_value": check(
                initial_accumulator_value,
                "initial_accumulator_value",
                "initial_accumulator_value value",
            ),
        }
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (see `Optimizer.add_param_group`) and make their state:
        step 0 and a sum filled with the group's initial_accumulator_value."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        initial = check_hyperparameter(
            group["initial_accumulator_value"],
            "initial_accumulator_value",
            "initial_accumulator_value value",
            "Adagrad",
        )
        for param in group["params"]:
            xp = backend.xp_of(param.array)
            self.state[param] = {
                "step": Tensor.wrap(backend.host_array(0.0, dtypes.float32)),
                "sum": Tensor.wrap(xp.full_like(param.array, initial)),
            }

    def _update(self, group: dict) -> None:
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        decay = group["weight_decay"]

        def update(p, g, s, clr: float) -> None:  # the docstring's formulas, in place
            if decay != 0:
                g = g + decay * p
            s += g * g
            p -= clr * g / (backend.xp_of(p).sqrt(s) + eps)

        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            step = state["step"].array
            step += 1  # on the host, in place: reading t never waits for a GPU
            clr = lr / (1 + (float(step) - 1) * lr_decay)
            self._in_blocks(update, param.array, param.grad.array, state["sum"].array, clr=clr)
