"""Learning-rate schedules: call `scheduler.step()` once per epoch, after `optimizer.step()`.

They follow PyTorch's (recursive) formulas: each step derives the new lr from the group's
current lr, so a schedule composes with changes made to `group["lr"]` from outside.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..errors import as_int, as_number
from .optimizer import Optimizer

__all__ = ["CosineAnnealingLR", "LRScheduler", "StepLR"]


class LRScheduler:
    """Base class: keeps `last_epoch`, `base_lrs` (each group's `initial_lr`) and the lrs last set.

    Construction performs step 0, which leaves the lrs unchanged.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        last_epoch = as_int(last_epoch, "last_epoch", type(self).__name__)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming an optimizer"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lrs for epoch `last_epoch`, from the current ones."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The lrs the last `step()` set, one per parameter group."""
        return self._last_lr

    def step(self) -> None:
        """Advance one epoch and set each group's lr."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """Everything but the optimizer (which saves its own state)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
        self.__dict__.update(state_dict)


def _positive(value, name: str, op: str) -> int:
    """A period in epochs: an int >= 1 (0 would divide by zero at the first step)."""
    value = as_int(value, name, op)
    if value < 1:
        raise ValueError(f"{op}: {name} must be a positive int, got {value}")
    return value


class StepLR(LRScheduler):
    """Multiply each group's lr by `gamma` every `step_size` epochs:
    lr = initial_lr * gamma ** (epoch // step_size).

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    >>> for epoch in range(4):
    ...     opt.step()
    ...     scheduler.step()
    >>> scheduler.get_last_lr()  # 1.0 * 0.1 ** (4 // 2)
    [0.010000000000000002]
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _positive(step_size, "step_size", "StepLR")
        self.gamma = as_number(gamma, "gamma", "StepLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]


class CosineAnnealingLR(LRScheduler):
    """Anneal each group's lr from its initial value to `eta_min` along half a cosine:

        lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2

    computed recursively as in PyTorch (and rising again after T_max, as PyTorch's does).

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    >>> for epoch in range(2):
    ...     opt.step()
    ...     scheduler.step()
    >>> round(scheduler.get_last_lr()[0], 12)  # (1 + cos(pi * 2 / 4)) / 2
    0.5
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = _positive(T_max, "T_max", "CosineAnnealingLR")
        self.eta_min = as_number(eta_min, "eta_min", "CosineAnnealingLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        epoch, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and epoch > 0:  # resumed: use the closed form
            return [
                eta_min + (base - eta_min) * (1 + math.cos(epoch * math.pi / t_max)) / 2
                for base in self.base_lrs
            ]
        if (epoch - 1 - t_max) % (2 * t_max) == 0:
            return [
                group["lr"] + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for base, group in zip(self.base_lrs, groups)
            ]
        return [
            (1 + math.cos(math.pi * epoch / t_max))
            / (1 + math.cos(math.pi * (epoch - 1) / t_max))
            * (group["lr"] - eta_min)
            + eta_min
            for group in groups
        ]
