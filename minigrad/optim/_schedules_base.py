"""`LRScheduler`, the base of the learning-rate schedules, and the checks they share."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

from ..autograd.grad_mode import recorded_as_call
from ..errors import as_int, as_number, check_callable
from .optimizer import Optimizer

__all__ = ["LRScheduler"]

EPOCH_DEPRECATION_WARNING = (  # PyTorch's words
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
    "epoch is different from None, the closed form is used instead of the new chainable form, "
    "where available."
)


class LRScheduler:
    """Base class: keeps `last_epoch`, `base_lrs` (each group's `initial_lr`) and the lrs last set.

    Subclasses write `get_lr()`, the lrs of epoch `last_epoch` derived from the current ones
    (PyTorch's recursive, "chainable" form: a schedule composes with changes made to
    `group["lr"]` from outside), and where they can `_get_closed_form_lr()`, the same lrs
    from `base_lrs` alone, which `step(epoch)` uses. Construction performs step 0
    (`_initial_step`), which sets the lrs of epoch 0.

    >>> opt = mg.optim.SGD([nn.Parameter(mg.ones(1))], lr=0.5)
    >>> scheduler = mg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> scheduler.last_epoch, scheduler.base_lrs, scheduler.get_last_lr()
    (0, [0.5], [0.5])
    """

    _is_initial: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in vars(cls):  # every schedule's step is replayed by mg.compile
            cls.step = recorded_as_call(vars(cls)["step"])

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self.optimizer = check_optimizer(optimizer)
        last_epoch = as_int(last_epoch, "last_epoch", type(self).__name__)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming scheduler with last_epoch >= 0"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """Reset the step count and take step 0 (SequentialLR takes it again, later)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lrs for epoch `last_epoch`, from the current ones."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The lrs the last `step()` set, one per parameter group."""
        return self._last_lr

    @recorded_as_call
    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set each group's lr. (`epoch`, deprecated as in PyTorch,
        jumps to that epoch instead, using the closed form where there is one.)"""
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = as_number(epoch, "epoch", f"{type(self).__name__}.step")
            closed_form = getattr(self, "_get_closed_form_lr", self.get_lr)
            values = closed_form()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """Everything but the optimizer (which saves its own state)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what `state_dict()` returned (into a scheduler of the same kind)."""
        self.__dict__.update(check_state_dict(state_dict))

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


# ----- the checks the schedules share ----------------------------------------------------------
def check_optimizer(optimizer) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
    return optimizer


def check_state_dict(state_dict) -> Mapping:
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
    return state_dict


def positive(value, name: str, op: str) -> int:
    """A period in epochs: an int >= 1 (0 would divide by zero at the first step)."""
    value = as_int(value, name, op)
    if value < 1:
        raise ValueError(f"{op}: {name} must be a positive int, got {value}")
    return value


def per_group(value, name: str, optimizer: Optimizer, op: str) -> list:
    """One number per parameter group: a list or tuple of as many, or one for all."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. {name} has "
                f"{len(value)} values, param_groups has {groups}."
            )
        return [as_number(v, f"{name}[{i}]", op) for i, v in enumerate(value)]
    return [as_number(value, name, op)] * groups


def lr_lambdas(lr_lambda, optimizer: Optimizer, op: str) -> list:
    """One function of the epoch per parameter group: a list or tuple of as many, or one."""
    if not isinstance(lr_lambda, (list, tuple)):
        lr_lambda = [lr_lambda] * len(optimizer.param_groups)
    elif len(lr_lambda) != len(optimizer.param_groups):
        raise ValueError(
            f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}"
        )
    return [check_callable(fn, "lr_lambda", op) for fn in lr_lambda]
