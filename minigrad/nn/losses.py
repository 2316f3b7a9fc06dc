"""Loss and softmax modules: thin `Module` wrappers that hold options and call `functional`.

As in PyTorch, class weights are *buffers* (saved in `state_dict`, moved by `to()`, never
trained). A bad `reduction` string is reported when the loss is called. The options after
`weight` are keyword-only: PyTorch's deprecated `size_average`/`reduce`, positional there,
are not taken, and a positional option would land on a different argument than in PyTorch.

>>> loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
>>> loss = loss_fn(mg.randn(4, 3), mg.tensor([0, 2, 1, 0]))
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["BCEWithLogitsLoss", "CrossEntropyLoss", "LogSoftmax", "MSELoss", "NLLLoss", "Softmax"]


class _Loss(Module):
    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.register_buffer("weight", weight)


class CrossEntropyLoss(_WeightedLoss):
    """`F.cross_entropy` as a module: logits (N, C, ...) and class indices or probabilities.

    >>> nn.CrossEntropyLoss()(mg.tensor([[1.0, 0.0, 0.0]]), mg.tensor([0]))
    tensor(0.5514)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, reduction=reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits `input` (N, C, ...) against `target`, reduced as configured."""
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_WeightedLoss):
    """`F.nll_loss` as a module: log-probabilities (N, C, ...) and class indices.

    >>> nn.NLLLoss()(mg.tensor([[-0.5, -1.0]]), mg.tensor([1]))
    tensor(1.)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, reduction=reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of log-probabilities `input` (N, C, ...) against class indices `target`."""
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class BCEWithLogitsLoss(_Loss):
    """`F.binary_cross_entropy_with_logits` as a module; weight and pos_weight are buffers.

    >>> nn.BCEWithLogitsLoss()(mg.tensor([1.0]), mg.tensor([1.0]))
    tensor(0.3133)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(reduction=reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits `input` against `target` in [0, 1], the same shape."""
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )


class MSELoss(_Loss):
    """`F.mse_loss` as a module: the mean (or sum) of squared differences.

    >>> nn.MSELoss(reduction="sum")(mg.tensor([1.0, 3.0]), mg.tensor([0.0, 0.0]))
    tensor(10.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The squared error of `input` against `target`, reduced as configured."""
        return F.mse_loss(input, target, reduction=self.reduction)


class Softmax(Module):
    """`F.softmax` along `dim` as a module.

    >>> nn.Softmax(dim=0)(mg.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """

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
    """`F.log_softmax` along `dim` as a module.

    >>> nn.LogSoftmax(dim=0)(mg.tensor([0.0, 0.0]))
    tensor([-0.6931, -0.6931])
    """

    def forward(self, input: Tensor) -> Tensor:
        """Log-probabilities along `dim`, the input's shape."""
        return F.log_softmax(input, self.dim)
