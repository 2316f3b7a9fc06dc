"""Schedules made of schedules (SequentialLR, ChainedScheduler), and ReduceLROnPlateau,
which follows a metric instead of the epoch count."""

from __future__ import annotations

import math
import warnings
from bisect import bisect_right
from collections.abc import Sequence

from ..errors import as_int, as_number, as_size
from ._schedules_base import (
    EPOCH_DEPRECATION_WARNING,
    LRScheduler,
    check_optimizer,
    check_state_dict,
    per_group,
)
from .optimizer import Optimizer

__all__ = ["ChainedScheduler", "ReduceLROnPlateau", "SequentialLR"]


class ReduceLROnPlateau(LRScheduler):
    """Multiply each group's lr by `factor` (down to `min_lr`) when the metric passed to
    `step(metric)` has not improved for more than `patience` epochs, then wait `cooldown`
    epochs before counting again. Improving means, for `mode` "min" ("max" mirrors it):
    metric < best * (1 - threshold) (`threshold_mode` "rel") or metric < best - threshold
    ("abs"). A reduction smaller than `eps` is skipped.

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    >>> lrs = []
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 2.0, 1.0]:
    ...     scheduler.step(loss)
    ...     lrs += scheduler.get_last_lr()
    >>> lrs  # the second epoch without improvement halves the lr
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
    ) -> None:
        op = "ReduceLROnPlateau"
        factor = as_number(factor, "factor", op)
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        self.optimizer = check_optimizer(optimizer)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}"
                )
            self.default_min_lr = None
            self.min_lrs = per_group(min_lr, "min_lr", optimizer, op)
        else:
            self.default_min_lr = as_number(min_lr, "min_lr", op)
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.patience = as_size(patience, "patience", op)
        self.cooldown = as_size(cooldown, "cooldown", op)
        self.eps = as_number(eps, "eps", op)
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode, as_number(threshold, "threshold", op), threshold_mode)
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: float, epoch: int | None = None) -> None:
        """Count one epoch with this value of the metric (a number or a 0-d tensor)."""
        current = float(as_number(metrics, "metrics", "ReduceLROnPlateau.step"))
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = self.last_epoch + 1 if epoch is None else as_int(epoch, "epoch", "step")
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):  # a group was added since
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), "
                    "usually due to a new param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length of the `optimizer` param "
                    "groups."
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what `state_dict()` returned, checking its mode and threshold."""
        self.__dict__.update(check_state_dict(state_dict))
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


def _check_schedulers(schedulers, optimizer, kind: str) -> list:
    """`schedulers`: one or more schedules (not ReduceLROnPlateau) of `optimizer`."""
    if not isinstance(schedulers, Sequence) or len(schedulers) < 1:
        chained = " to be chained" if kind == "ChainedScheduler" else ""
        raise ValueError(f"{kind} expects at least one scheduler{chained}, but got no scheduler.")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{kind} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{kind} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at index "
                f"{i} in the given schedulers sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{kind} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(scheduler).__name__} at index {i} with a different optimizer"
            )
    return list(schedulers)


class _Composite(LRScheduler):
    """Saves and loads the state of each of its `_schedulers` with its own."""

    def state_dict(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(check_state_dict(state_dict))
        saved = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, s in zip(self._schedulers, saved, strict=True):
            scheduler.load_state_dict(s)


class SequentialLR(_Composite):
    """Run `schedulers` one after the other: the first until epoch milestones[0], where the
    second starts from its epoch 0, and so on. The usual warm-up, then a decay:

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> warmup = mg.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = mg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> scheduler = mg.optim.lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[2])
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for epoch in range(4):
    ...     opt.step()
    ...     scheduler.step()
    ...     lrs += scheduler.get_last_lr()
    >>> lrs
    [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        self._schedulers = _check_schedulers(schedulers, optimizer, "SequentialLR")
        if not isinstance(milestones, Sequence):
            raise TypeError(f"SequentialLR: milestones must be a list of ints, got {milestones!r}")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to {len(milestones)}"
            )
        self._milestones = [
            as_int(m, f"milestones[{i}]", "SequentialLR") for i, m in enumerate(milestones)
        ]
        self.last_epoch = as_int(last_epoch, "last_epoch", "SequentialLR") + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo the step 0 each scheduler took
            group["lr"] = group["initial_lr"]
        self._undo_step(self)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_step(self, scheduler) -> None:
        """Take one epoch off `scheduler`, or off each of the schedulers it is made of."""
        if hasattr(scheduler, "_schedulers"):
            for s in scheduler._schedulers:
                self._undo_step(s)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self) -> None:
        """Advance one epoch: step the scheduler whose turn it is (from its epoch 0, at its
        milestone)."""
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step all of `schedulers` at every step, each changing the lr the one before it left
    (their factors multiply).

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=1.0)
    >>> scheduler = mg.optim.lr_scheduler.ChainedScheduler([
    ...     mg.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
    ...     mg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
    ... ])
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for epoch in range(3):
    ...     opt.step()
    ...     scheduler.step()
    ...     lrs.append(round(opt.param_groups[0]["lr"], 12))
    >>> lrs  # 0.5 * 0.9 ** epoch, then 0.9 ** epoch from epoch 2
    [0.5, 0.45, 0.81, 0.729]
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        if optimizer is None and isinstance(schedulers, Sequence) and schedulers:
            optimizer = getattr(schedulers[0], "optimizer", None)
        self._schedulers = _check_schedulers(schedulers, optimizer, "ChainedScheduler")
        self.optimizer = optimizer
        self._last_lr = self._current_lrs()

    def step(self) -> None:
        """Step each scheduler in turn."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()
