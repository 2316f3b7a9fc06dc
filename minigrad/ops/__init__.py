"""The differentiable primitives, one `Function` per op, and the functions that call them.

Every function here accepts Tensors (and records on the tape) or raw arrays (and just
computes): backward formulas use the same functions, which is what makes them differentiable.
"""

from .arithmetic import add, div, matmul, mul, neg, pow, sub
from .elementwise import (
    abs,
    cast,
    clamp,
    compare,
    exp,
    log,
    maximum,
    minimum,
    relu,
    sigmoid,
    sign,
    sqrt,
    tanh,
    to_device,
    where,
)
from .indexing import gather, getitem
from .reduction import amax, amin, argmax, argmin, logsumexp, max, mean, min, sum, var
from .shape import (
    cat,
    expand,
    flatten,
    permute,
    reshape,
    squeeze,
    stack,
    sum_to,
    transpose,
    unsqueeze,
)

__all__ = [
    "abs", "add", "amax", "amin", "argmax", "argmin", "cast", "cat", "clamp", "compare",
    "div", "exp", "expand", "flatten", "gather", "getitem", "log", "logsumexp", "matmul",
    "max", "maximum", "mean", "min", "minimum", "mul", "neg", "permute", "pow", "relu",
    "reshape", "sigmoid", "sign", "sqrt", "squeeze", "stack", "sub", "sum", "sum_to", "tanh",
    "to_device", "transpose", "unsqueeze", "var", "where",
]  # fmt: skip
