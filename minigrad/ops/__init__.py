"""The differentiable primitives: one `Function` per op, its forward and backward side by side.

Forward and backward run on arrays, or, when a backward is itself recorded (create_graph), on
Tensors. Each module also holds the few functions that backward formulas use (`where`, `cast`,
`reshape`, `sum`, ...); like the ops, they check nothing. What users call, with PyTorch's
argument forms, dtype promotion and checks, is minigrad.functions. Nothing here imports Tensor.
"""

from . import arithmetic, elementwise, indexing, reduction, shape
from .elementwise import cast, exp, log, sigmoid, sign, to_device, where
from .reduction import mean, sum
from .shape import (
    expand,
    normalize_dim,
    normalize_dims,
    permute,
    reshape,
    shape_arg,
    sum_to,
    transpose,
)

__all__ = [
    "arithmetic",
    "cast",
    "elementwise",
    "exp",
    "expand",
    "indexing",
    "log",
    "mean",
    "normalize_dim",
    "normalize_dims",
    "permute",
    "reduction",
    "reshape",
    "shape",
    "shape_arg",
    "sigmoid",
    "sign",
    "sum",
    "sum_to",
    "to_device",
    "transpose",
    "where",
]
