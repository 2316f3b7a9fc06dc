"""Stateless neural-network functions: activations, linear, dropout, softmax and the losses.

Everything here is PyTorch's `torch.nn.functional` with the same names, arguments and edge
cases (but for PyTorch's deprecated `size_average`/`reduce`, which the losses do not take). The
hot paths of a training loop are *fused*: `linear` and `cross_entropy` over class indices are
each one tape entry with a closed-form backward, instead of a chain of small ops. The rest is
composed of small ops (label smoothing and class probabilities from `log_softmax` and
`nll_loss`, as PyTorch composes them), so the engine differentiates it to any order.

A fused backward chooses between two formulas. Normally it runs on arrays, reusing what the
forward saved (`cross_entropy` keeps its exponentials, so exp runs once per step). Under
`create_graph=True` (grad mode is on inside the backward) it builds the gradient from
differentiable functions of the input Tensors instead (`softmax` for `cross_entropy`), so the
engine differentiates it again, to any order.

Class weights (`weight`, `pos_weight`) are constants, as in PyTorch: these losses are not
differentiable in them, and refuse one that requires grad. The one exception, as in PyTorch,
is `cross_entropy` with class-probability targets, which also differentiates `weight`.

The functions live in small modules by kind (`_linear`, `_activations`, `_class_losses`,
`_losses`, and `_common` for what they share); import them from here.
"""

from ._activations import dropout, log_softmax, relu, softmax
from ._class_losses import cross_entropy, nll_loss
from ._linear import linear
from ._losses import binary_cross_entropy_with_logits, mse_loss, one_hot

__all__ = [
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "softmax",
]
