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

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "GaussianNLLLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "LogSoftmax",
    "MSELoss",
    "MarginRankingLoss",
    "NLLLoss",
    "PoissonNLLLoss",
    "SmoothL1Loss",
    "Softmax",
]


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


class L1Loss(_Loss):
    """`F.l1_loss` as a module: the mean (or sum) of absolute differences.

    >>> nn.L1Loss()(mg.tensor([1.0, -3.0]), mg.tensor([0.0, 0.0]))
    tensor(2.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The absolute error of `input` against `target`, reduced as configured."""
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """`F.smooth_l1_loss` as a module: squared below `beta`, absolute above.

    >>> nn.SmoothL1Loss(beta=0.5)(mg.tensor([0.25, 2.0]), mg.tensor([0.0, 0.0]))
    tensor(0.9062)
    """

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The smooth L1 loss of `input` against `target`, reduced as configured."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """`F.huber_loss` as a module: squared below `delta`, delta-scaled absolute above. Its
    options are positional, as in PyTorch.

    >>> nn.HuberLoss("sum", 2.0)(mg.tensor([0.5, 3.0]), mg.tensor([0.0, 0.0]))
    tensor(4.1250)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The Huber loss of `input` against `target`, reduced as configured."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """`F.binary_cross_entropy` as a module: probabilities against targets in [0, 1];
    `weight` is a buffer.

    >>> nn.BCELoss()(mg.tensor([0.8, 0.1]), mg.tensor([1.0, 0.0]))
    tensor(0.1643)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of probabilities `input` against `target`, the same shape."""
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class KLDivLoss(_Loss):
    """`F.kl_div` as a module: log-probabilities `input`, probabilities (or log-probabilities,
    `log_target`) `target`; use reduction='batchmean' for the KL divergence per sample.

    >>> nn.KLDivLoss(reduction="sum")(mg.tensor([-1.0, -0.5]), mg.tensor([0.0, 1.0]))
    tensor(0.5000)
    """

    def __init__(self, *, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The KL divergence of `target` from `input`, reduced as configured."""
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class _MarginLoss(_Loss):
    def __init__(self, margin: float = 0.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.margin = margin


class CosineEmbeddingLoss(_MarginLoss):
    """`F.cosine_embedding_loss` as a module: pairs of vectors, targets 1 (similar) or -1.

    >>> nn.CosineEmbeddingLoss()(mg.tensor([[1.0, 0.0]]), mg.tensor([[0.0, 1.0]]), mg.tensor([1]))
    tensor(1.)
    """

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """The loss of pairs (input1, input2) against targets 1/-1, reduced as configured."""
        return F.cosine_embedding_loss(
            input1, input2, target, self.margin, reduction=self.reduction
        )


class MarginRankingLoss(_MarginLoss):
    """`F.margin_ranking_loss` as a module: target 1 ranks input1 first, -1 input2.

    >>> nn.MarginRankingLoss(0.1)(mg.tensor([0.2]), mg.tensor([0.5]), mg.tensor([1.0]))
    tensor(0.4000)
    """

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """The ranking loss of (input1, input2) against targets 1/-1, reduced as configured."""
        return F.margin_ranking_loss(input1, input2, target, self.margin, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """`F.poisson_nll_loss` as a module: log-rates (or rates) against counts. `eps` and
    `reduction` are keyword-only (PyTorch's deprecated size_average comes before them).

    >>> nn.PoissonNLLLoss()(mg.tensor([0.0]), mg.tensor([2.0]))
    tensor(1.)
    """

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        *,
        eps: float = 1e-8,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction=reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        """The Poisson negative log-likelihood of `target`, reduced as configured."""
        return F.poisson_nll_loss(
            log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction
        )


class GaussianNLLLoss(_Loss):
    """`F.gaussian_nll_loss` as a module: means `input`, samples `target`, variances `var`.

    >>> nn.GaussianNLLLoss()(mg.tensor([1.0]), mg.tensor([0.0]), mg.tensor([1.0]))
    tensor(0.5000)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        """The Gaussian negative log-likelihood of `target`, reduced as configured."""
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


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
