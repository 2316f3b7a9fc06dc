"""Schedules along cosines and cycles: CosineAnnealingLR, CosineAnnealingWarmRestarts and
OneCycleLR (which cycles the momentum too)."""

from __future__ import annotations

import math

from ..errors import as_int, as_number, truth
from ._schedules_base import LRScheduler, check_optimizer, per_group, positive
from .optimizer import Optimizer

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts", "OneCycleLR"]


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
        self.T_max = positive(T_max, "T_max", "CosineAnnealingLR")
        self.eta_min = as_number(eta_min, "eta_min", "CosineAnnealingLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        epoch, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and epoch > 0:  # resumed: use the closed form
            return self._get_closed_form_lr()
        if (epoch - 1 - t_max) % (2 * t_max) == 0:  # the bottom: the ratio below is 0 / 0
            return [
                lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for base, lr in zip(self.base_lrs, self._current_lrs())
            ]
        ratio = (1 + math.cos(math.pi * epoch / t_max)) / (
            1 + math.cos(math.pi * (epoch - 1) / t_max)
        )
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        cosine = 1 + math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (base - self.eta_min) * cosine / 2 for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter, 2017): anneal along half a cosine over T_i epochs, then
    restart from initial_lr with T_i multiplied by `T_mult` (T_0 first):

        lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    with T_cur the epochs since the last restart. `step(epoch)` takes a fractional epoch
    (`scheduler.step(epoch + i / iters)` inside an epoch), as in PyTorch.

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for epoch in range(4):
    ...     opt.step()
    ...     scheduler.step()
    ...     lrs.append(round(opt.param_groups[0]["lr"], 12))
    >>> lrs  # restarts at epochs 2 and 4
    [1.0, 0.5, 1.0, 0.5, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
            )
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = as_int(last_epoch, "last_epoch", "CosineAnnealingWarmRestarts")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cosine = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (base - self.eta_min) * cosine / 2 for base in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to `epoch` (a float: where in which cycle it falls is
        worked out from T_0 and T_mult)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            epoch = as_number(epoch, "epoch", "CosineAnnealingWarmRestarts.step")
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0 and self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            elif epoch >= self.T_0:  # in cycle n, of T_0 * T_mult**n epochs
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), stepped once per batch for `total_steps`
    (or `epochs * steps_per_epoch`) steps. Each group's lr rises from max_lr / div_factor to
    `max_lr` over the first `pct_start` of the steps, then anneals to
    max_lr / div_factor / final_div_factor; `anneal_strategy` "cos" or "linear":

        cos:    lr = end + (start - end) * (1 + cos(pi * pct)) / 2
        linear: lr = start + (end - start) * pct

    pct running from 0 to 1 along each phase. `three_phase=True` comes back down to the
    initial lr by 2 * pct_start, then anneals to the minimum. With `cycle_momentum`, the
    momentum (SGD's `momentum`, or beta1 of Adam's `betas`) moves the other way, between
    `max_momentum` and `base_momentum`. Each group also holds `initial_lr`, `max_lr`,
    `min_lr` (and `max_momentum`, `base_momentum`), as in PyTorch.

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=0.1, momentum=0.9)
    >>> scheduler = mg.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5,
    ...                                              anneal_strategy="linear", pct_start=0.4)
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for step in range(4):
    ...     opt.step()
    ...     scheduler.step()
    ...     lrs.append(round(opt.param_groups[0]["lr"], 6))
    >>> lrs  # up to max_lr at step 1 (= 0.4 * 5 - 1), then down to 1.0 / 25 / 1e4
    [0.04, 1.0, 0.666668, 0.333336, 4e-06]
    >>> round(opt.param_groups[0]["momentum"], 6)  # max_momentum again at the end
    0.95
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = check_optimizer(optimizer)
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._anneal_func_type = anneal_strategy
        self._schedule_phases = _phases(
            pct_start, self.total_steps, truth(three_phase, "three_phase", "OneCycleLR")
        )
        div_factor = as_number(div_factor, "div_factor", "OneCycleLR")
        final_div_factor = as_number(final_div_factor, "final_div_factor", "OneCycleLR")
        max_lrs = per_group(max_lr, "max_lr", optimizer, "OneCycleLR")
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = truth(cycle_momentum, "cycle_momentum", "OneCycleLR")
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            tops = per_group(max_momentum, "max_momentum", optimizer, "OneCycleLR")
            bases = per_group(base_momentum, "base_momentum", optimizer, "OneCycleLR")
            if last_epoch == -1:
                for group, top, base in zip(optimizer.param_groups, tops, bases):
                    self._set_momentum(group, top)
                    group["max_momentum"], group["base_momentum"] = top, base
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: dict, momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                        self._set_momentum(group, momentum)
                    break
                start_step = end_step
        return lrs


def _total_steps(total_steps, epochs, steps_per_epoch) -> int:
    if total_steps is not None:
        if not isinstance(total_steps, int) or total_steps <= 0:
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
        return total_steps
    if epochs is None or steps_per_epoch is None:
        raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
    if not isinstance(epochs, int) or epochs <= 0:
        raise ValueError(f"Expected positive integer epochs, but got {epochs}")
    if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
        raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
    return epochs * steps_per_epoch


def _phases(pct_start: float, total: int, three_phase: bool) -> list[dict]:
    """Each phase: the step it ends at, and the group keys of its start and end values."""

    def phase(end_step: float, lrs: tuple[str, str], momenta: tuple[str, str]) -> dict:
        return {
            "end_step": end_step,
            "start_lr": lrs[0],
            "end_lr": lrs[1],
            "start_momentum": momenta[0],
            "end_momentum": momenta[1],
        }

    up = ("max_momentum", "base_momentum")
    down = ("base_momentum", "max_momentum")
    warm = phase(float(pct_start * total) - 1, ("initial_lr", "max_lr"), up)
    if not three_phase:
        return [warm, phase(total - 1, ("max_lr", "min_lr"), down)]
    return [
        warm,
        phase(float(2 * pct_start * total) - 2, ("max_lr", "initial_lr"), down),
        phase(total - 1, ("initial_lr", "min_lr"), ("max_momentum", "max_momentum")),
    ]
