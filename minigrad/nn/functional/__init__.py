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
from ._attention import scaled_dot_product_attention
from ._class_losses import cross_entropy, nll_loss
from ._conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from ._embedding import embedding
from ._linear import linear
from ._losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse_loss, one_hot
from ._norm import batch_norm, dropout2d, group_norm, instance_norm
from ._normalization import layer_norm, rms_norm
from ._pair_losses import cosine_embedding_loss, margin_ranking_loss
from ._pointwise import (
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    mish,
    prelu,
    relu6,
    selu,
    sigmoid,
    silu,
    softplus,
    tanh,
)
from ._pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
    max_unpool1d,
    max_unpool2d,
)
from ._regression_losses import (
    gaussian_nll_loss,
    huber_loss,
    kl_div,
    l1_loss,
    poisson_nll_loss,
    smooth_l1_loss,
)
from ._resample import interpolate, pad, pixel_shuffle, pixel_unshuffle
from ._shrink import (
    glu,
    hardshrink,
    logsigmoid,
    softmin,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from ._similarity import cosine_similarity, normalize

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy_with_logits",
    "celu",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "dropout2d",
    "elu",
    "embedding",
    "gelu",
    "group_norm",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "instance_norm",
    "interpolate",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool1d",
    "max_pool2d",
    "max_unpool1d",
    "max_unpool2d",
    "mish",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "pixel_shuffle",
    "pixel_unshuffle",
    "prelu",
    "relu",
    "relu6",
    "rms_norm",
    "scaled_dot_product_attention",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]
__all__ += [  # the regression, likelihood and pair losses, and cosine_similarity, normalize
    "binary_cross_entropy",
    "cosine_embedding_loss",
    "cosine_similarity",
    "gaussian_nll_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "normalize",
    "poisson_nll_loss",
    "smooth_l1_loss",
]
__all__ += ["glu", "hardshrink", "logsigmoid", "softmin", "softshrink", "softsign", "tanhshrink"]
__all__ += ["threshold"]
