"""Loss and softmax modules: thin `Module` wrappers that hold options and call `functional`.

As in PyTorch, class weights are *buffers* (saved in `state_dict`, moved by `to()`, never
trained), and the deprecated `size_average`/`reduce` pair is turned into `reduction` once,
in the constructor. A bad `reduction` string is reported when the loss is called.

>>> loss_fn = CrossEntropyLoss(label_smoothing=0.1)
>>> loss = loss_fn(model(x), y)
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .functional._common import _legacy_reduction
from .module import Module

__all__ = ["BCEWithLogitsLoss", "CrossEntropyLoss", "LogSoftmax", "MSELoss", "NLLLoss", "Softmax"]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(
        self, weight: Tensor | None = None, size_average=None, reduce=None, reduction="mean"
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class CrossEntropyLoss(_WeightedLoss):
    """`F.cross_entropy` as a module: logits (N, C, ...) and class indices or probabilities.

    >>> CrossEntropyLoss()(mg.tensor([[1.0, 0.0, 0.0]]), mg.tensor([0]))
    tensor(0.5514)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits `input` (N, C, ...) against `target`, reduced as configured."""
        return F.cross_entropy(
            input, target, weight=self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction, label_smoothing=self.label_smoothing,
        )  # fmt: skip


class NLLLoss(_WeightedLoss):
    """`F.nll_loss` as a module: log-probabilities (N, C, ...) and class indices."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of log-probabilities `input` (N, C, ...) against class indices `target`."""
        return F.nll_loss(
            input, target, weight=self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction,
        )  # fmt: skip


class BCEWithLogitsLoss(_Loss):
    """`F.binary_cross_entropy_with_logits` as a module; weight and pos_weight are buffers."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average=None,
        reduce=None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits `input` against `target` in [0, 1], the same shape."""
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )


class MSELoss(_Loss):
    """`F.mse_loss` as a module: the mean (or sum) of squared differences."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The squared error of `input` against `target`, reduced as configured."""
        return F.mse_loss(input, target, reduction=self.reduction)


class Softmax(Module):
    """`F.softmax` along `dim` as a module."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Probabilities along `dim`, the input's shape."""
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        """`dim=...`, as PyTorch prints it."""
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """`F.log_softmax` along `dim` as a module."""

    def forward(self, input: Tensor) -> Tensor:
        """Log-probabilities along `dim`, the input's shape."""
        return F.log_softmax(input, self.dim)
