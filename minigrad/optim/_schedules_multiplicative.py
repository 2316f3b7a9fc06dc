"""Schedules that multiply the lr by a factor at chosen epochs: StepLR, MultiStepLR,
ExponentialLR, LambdaLR, MultiplicativeLR, ConstantLR, LinearLR and PolynomialLR."""

from __future__ import annotations

import types
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable

from ..errors import as_int, as_number, as_size
from ._schedules_base import LRScheduler, check_state_dict, lr_lambdas, positive
from .optimizer import Optimizer

__all__ = [
    "ConstantLR",
    "ExponentialLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "PolynomialLR",
    "StepLR",
]


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
        self.step_size = positive(step_size, "step_size", "StepLR")
        self.gamma = as_number(gamma, "gamma", "StepLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply each group's lr by `gamma` at each of the `milestones` (epochs; one listed
    twice multiplies by gamma**2): lr = initial_lr * gamma ** (milestones passed).

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(4):
    ...     opt.step()
    ...     scheduler.step()
    ...     lrs += scheduler.get_last_lr()
    >>> lrs  # epochs 1, 2, 3, 4
    [0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(milestones, Iterable):
            raise TypeError(f"MultiStepLR: milestones must be a list of ints, got {milestones!r}")
        self.milestones = Counter(
            as_int(m, f"milestones[{i}]", "MultiStepLR") for i, m in enumerate(milestones)
        )
        self.gamma = as_number(gamma, "gamma", "MultiStepLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base * self.gamma**passed for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by `gamma` every epoch: lr = initial_lr * gamma ** epoch.

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> for epoch in range(3):
    ...     opt.step()
    ...     scheduler.step()
    >>> scheduler.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = as_number(gamma, "gamma", "ExponentialLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:  # (resuming, step 0 must not move the lr on)
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class _LambdaSchedule(LRScheduler):
    """Holds `lr_lambdas`; saves the attributes of those that are callable objects (a
    function or lambda cannot be saved, and is left out as None), as PyTorch does."""

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int) -> None:
        self.optimizer = optimizer  # (read by lr_lambdas, before the base checks it)
        self.lr_lambdas = lr_lambdas(lr_lambda, optimizer, type(self).__name__)
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(check_state_dict(state_dict))
        saved = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                fn.__dict__.update(attributes)


class LambdaLR(_LambdaSchedule):
    """lr = initial_lr * lr_lambda(epoch), with one function for all groups or a list of one
    per group. The usual way to write a warm-up, or any schedule by hand:

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=0.1)
    >>> warmup = mg.optim.lr_scheduler.LambdaLR(opt, lambda epoch: min(1.0, (epoch + 1) / 4))
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for epoch in range(4):
    ...     opt.step()
    ...     warmup.step()
    ...     lrs.append(round(opt.param_groups[0]["lr"], 12))
    >>> lrs
    [0.025, 0.05, 0.075, 0.1, 0.1]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self) -> list[float]:
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaSchedule):
    """Multiply each group's lr by lr_lambda(epoch) every epoch after the first:
    lr = lr * lr_lambda(epoch).

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.MultiplicativeLR(opt, lambda epoch: 0.5)
    >>> for epoch in range(2):
    ...     opt.step()
    ...     scheduler.step()
    >>> scheduler.get_last_lr()
    [0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        epoch = self.last_epoch
        return [lr * fn(epoch) for fn, lr in zip(self.lr_lambdas, self._current_lrs())]


class ConstantLR(LRScheduler):
    """lr = initial_lr * factor for the first `total_iters` epochs, then initial_lr.

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for epoch in range(3):
    ...     opt.step()
    ...     scheduler.step()
    ...     lrs += scheduler.get_last_lr()
    >>> lrs
    [0.5, 0.5, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        factor = as_number(factor, "factor", "ConstantLR")
        if not 0 <= factor <= 1.0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = as_size(total_iters, "total_iters", "ConstantLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        if self.factor == 0:  # lr / factor cannot undo it (PyTorch divides by zero here)
            return list(self.base_lrs)
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        done = self.last_epoch >= self.total_iters
        return [base * (self.factor + done * (1 - self.factor)) for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale each group's lr linearly from `start_factor` to `end_factor` times initial_lr
    over `total_iters` epochs, then keep it:

        lr = initial_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters)
                           / total_iters)

    (computed recursively, as in PyTorch). A linear warm-up:

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for epoch in range(4):
    ...     opt.step()
    ...     scheduler.step()
    ...     lrs.append(round(opt.param_groups[0]["lr"], 12))
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        start_factor = as_number(start_factor, "start_factor", "LinearLR")
        end_factor = as_number(end_factor, "end_factor", "LinearLR")
        if not 0 < start_factor <= 1.0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                "equal to 1."
            )
        if not 0 <= end_factor <= 1.0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = positive(total_iters, "total_iters", "LinearLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        start, end, total, epoch = (
            self.start_factor,
            self.end_factor,
            self.total_iters,
            self.last_epoch,
        )
        if epoch == 0:
            return [lr * start for lr in self._current_lrs()]
        if self._is_initial or epoch > total:
            return self._current_lrs()
        factor = 1.0 + (end - start) / (total * start + (epoch - 1) * (end - start))
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        done = min(total, self.last_epoch)
        return [base * (start + (end - start) * done / total) for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay each group's lr to 0 over `total_iters` epochs along a polynomial, then keep it:
    lr = initial_lr * (1 - min(epoch, total_iters) / total_iters) ** power.

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0)
    >>> for epoch in range(2):
    ...     opt.step()
    ...     scheduler.step()
    >>> scheduler.get_last_lr()  # (1 - 2 / 4) ** 2
    [0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        self.total_iters = positive(total_iters, "total_iters", "PolynomialLR")
        self.power = as_number(power, "power", "PolynomialLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        epoch, total = self.last_epoch, self.total_iters
        if self._is_initial or epoch > total:
            return self._current_lrs()
        factor = ((1.0 - epoch / total) / (1.0 - (epoch - 1) / total)) ** self.power
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        remaining = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * remaining**self.power for base in self.base_lrs]
