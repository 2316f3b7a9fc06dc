"""The public names of minigrad.functions (`mg.add`, `mg.sum`, ...): as in PyTorch, their tensor
argument must be a Tensor, so that a number, a list or an array gets a TypeError that names it
instead of being computed. (Tensor's methods call the plain functions: self is a Tensor.)
"""

from __future__ import annotations

import functools
import inspect

from ..errors import _described
from ..tensor import Tensor
from . import arithmetic, elementwise, indexing, reduction, shape
from .arithmetic import require_tensor


def _tensor_input(fn, name: str = "input"):
    """`fn` for users: its first argument (`name`) must be a Tensor."""
    op, first = fn.__name__, next(iter(inspect.signature(fn).parameters))

    @functools.wraps(fn)
    def public(*args, **kwargs):
        require_tensor(args[0] if args else kwargs.get(first), name, op)
        return fn(*args, **kwargs)

    return public


def _tensor_operand(fn, names: tuple[str, str] = ("input", "other")):
    """`fn(a, b)` for users: a or b must be a Tensor (the other may be a number)."""
    op = fn.__name__

    @functools.wraps(fn)
    def public(a, b):
        if not (isinstance(a, Tensor) or isinstance(b, Tensor)):
            raise TypeError(
                f"{op}: {names[0]} or {names[1]} must be a Tensor, got {_described(a)} and "
                f"{_described(b)}"
            )
        return fn(a, b)

    return public


# Elementwise with two operands, one of which may be a number. (Some names shadow builtins:
# they are PyTorch's.)
add = _tensor_operand(arithmetic.add)
sub = _tensor_operand(arithmetic.sub)
mul = _tensor_operand(arithmetic.mul)
div = _tensor_operand(arithmetic.div)
pow = _tensor_operand(arithmetic.pow, ("input", "exponent"))
maximum = _tensor_operand(elementwise.maximum)
minimum = _tensor_operand(elementwise.minimum)
# Of a tensor `input` (or `condition`).
matmul = _tensor_input(arithmetic.matmul)
neg = _tensor_input(arithmetic.neg)
abs = _tensor_input(elementwise.abs)
clamp = _tensor_input(elementwise.clamp)
exp = _tensor_input(elementwise.exp)
log = _tensor_input(elementwise.log)
relu = _tensor_input(elementwise.relu)
sigmoid = _tensor_input(elementwise.sigmoid)
sign = _tensor_input(elementwise.sign)
sqrt = _tensor_input(elementwise.sqrt)
tanh = _tensor_input(elementwise.tanh)
where = _tensor_input(elementwise.where, "condition")
gather = _tensor_input(indexing.gather)
amax = _tensor_input(reduction.amax)
amin = _tensor_input(reduction.amin)
argmax = _tensor_input(reduction.argmax)
argmin = _tensor_input(reduction.argmin)
logsumexp = _tensor_input(reduction.logsumexp)
max = _tensor_input(reduction.max)
mean = _tensor_input(reduction.mean)
min = _tensor_input(reduction.min)
sum = _tensor_input(reduction.sum)
var = _tensor_input(reduction.var)
expand = _tensor_input(shape.expand)
flatten = _tensor_input(shape.flatten)
permute = _tensor_input(shape.permute)
reshape = _tensor_input(shape.reshape)
squeeze = _tensor_input(shape.squeeze)
transpose = _tensor_input(shape.transpose)
unsqueeze = _tensor_input(shape.unsqueeze)
cat = shape.cat  # (these check their tensors themselves)
stack = shape.stack
