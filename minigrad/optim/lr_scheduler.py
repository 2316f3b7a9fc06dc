"""Learning-rate schedules: call `scheduler.step()` once per epoch, after `optimizer.step()`
(OneCycleLR: once per batch; ReduceLROnPlateau: `scheduler.step(val_loss)`).

They follow PyTorch's (recursive) formulas: each step derives the new lr from the group's
current lr, so a schedule composes with changes made to `group["lr"]` from outside, and
with other schedules (`ChainedScheduler`, `SequentialLR`). Where each lives:
`_schedules_base` (LRScheduler), `_schedules_multiplicative` (StepLR, MultiStepLR,
ExponentialLR, LambdaLR, MultiplicativeLR, ConstantLR, LinearLR, PolynomialLR),
`_schedules_cyclic` (CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR) and
`_schedules_compose` (ReduceLROnPlateau, SequentialLR, ChainedScheduler).
"""

from ._schedules_base import LRScheduler
from ._schedules_compose import ChainedScheduler, ReduceLROnPlateau, SequentialLR
from ._schedules_cyclic import CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR
from ._schedules_multiplicative import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
