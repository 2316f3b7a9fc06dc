"""The public names of minigrad.functions (`mg.add`, `mg.sum`, ...): as in PyTorch, their tensor
argument must be a Tensor, so that a number, a list or an array gets a TypeError that names it
instead of being computed. (Tensor's methods call the plain functions: self is a Tensor.)
"""

from __future__ import annotations

import functools
import inspect

from ..errors import _described
from ..tensor import Tensor
from . import (
    aliases,
    arithmetic,
    combining,
    contraction,
    convert,
    division,
    elementwise,
    indexing,
    inference,
    layout,
    logical,
    movement,
    norms,
    pointwise_more,
    products,
    reduction,
    reduction_extra,
    reduction_more,
    searching,
    selection,
    shape,
    sorting,
    stacking,
    unary,
)
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
    def public(a, b, **options):  # (options: div's rounding_mode)
        if not (isinstance(a, Tensor) or isinstance(b, Tensor)):
            raise TypeError(
                f"{op}: {names[0]} or {names[1]} must be a Tensor, got {_described(a)} and "
                f"{_described(b)}"
            )
        return fn(a, b, **options)

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
eq, ne = _tensor_input(elementwise.eq), _tensor_input(elementwise.ne)
lt, le = _tensor_input(elementwise.lt), _tensor_input(elementwise.le)
gt, ge = _tensor_input(elementwise.gt), _tensor_input(elementwise.ge)
bitwise_not = _tensor_input(elementwise.bitwise_not)
cat = shape.cat  # (these check their tensors themselves)
stack = shape.stack
# shape, indexing and products (more)
mm = _tensor_input(products.mm)
bmm = _tensor_input(products.bmm)
mv = _tensor_input(products.mv)
dot = _tensor_input(products.dot)
outer = _tensor_input(products.outer)
ger = _tensor_input(products.ger)
tensordot = _tensor_input(products.tensordot, "a")
einsum = contraction.einsum  # (checks its operands itself)
chunk = _tensor_input(movement.chunk)
split = _tensor_input(movement.split, "tensor")
unbind = _tensor_input(movement.unbind)
narrow = _tensor_input(movement.narrow)
movedim = _tensor_input(movement.movedim)
moveaxis = _tensor_input(movement.moveaxis)
tile = _tensor_input(movement.tile)
repeat_interleave = _tensor_input(movement.repeat_interleave)
flip = _tensor_input(movement.flip)
roll = _tensor_input(movement.roll)
clone = _tensor_input(layout.clone)
tril = _tensor_input(layout.tril)
triu = _tensor_input(layout.triu)
diag = _tensor_input(layout.diag)
diagonal = _tensor_input(layout.diagonal)
diag_embed = _tensor_input(layout.diag_embed)
masked_fill = _tensor_input(selection.masked_fill)
masked_select = _tensor_input(selection.masked_select)
index_select = _tensor_input(selection.index_select)
scatter = _tensor_input(selection.scatter)
scatter_add = _tensor_input(selection.scatter_add)
index_add = _tensor_input(selection.index_add)
take_along_dim = _tensor_input(selection.take_along_dim)
nonzero = _tensor_input(selection.nonzero)
argwhere = _tensor_input(selection.argwhere)
# elementwise and reductions (more)
sin = _tensor_input(unary.sin)
cos = _tensor_input(unary.cos)
tan = _tensor_input(unary.tan)
asin = _tensor_input(unary.asin)
acos = _tensor_input(unary.acos)
atan = _tensor_input(unary.atan)
sinh = _tensor_input(unary.sinh)
cosh = _tensor_input(unary.cosh)
exp2 = _tensor_input(unary.exp2)
expm1 = _tensor_input(unary.expm1)
log2 = _tensor_input(unary.log2)
log10 = _tensor_input(unary.log10)
log1p = _tensor_input(unary.log1p)
rsqrt = _tensor_input(unary.rsqrt)
reciprocal = _tensor_input(unary.reciprocal)
square = _tensor_input(unary.square)
floor = _tensor_input(unary.floor)
ceil = _tensor_input(unary.ceil)
round = _tensor_input(unary.round)
trunc = _tensor_input(unary.trunc)
frac = _tensor_input(unary.frac)
erf = _tensor_input(unary.erf)
erfc = _tensor_input(unary.erfc)
isnan = _tensor_input(unary.isnan)
isinf = _tensor_input(unary.isinf)
isfinite = _tensor_input(unary.isfinite)
nan_to_num = _tensor_input(unary.nan_to_num)
floor_divide = _tensor_operand(division.floor_divide)
remainder = _tensor_operand(division.remainder)
fmod = _tensor_input(division.fmod)
atan2 = _tensor_input(division.atan2)
lerp = _tensor_input(division.lerp)
isclose = _tensor_input(division.isclose)
allclose = _tensor_input(division.allclose)
equal = _tensor_input(division.equal)
std = _tensor_input(reduction_more.std)
prod = _tensor_input(reduction_more.prod)
cumsum = _tensor_input(reduction_more.cumsum)
cumprod = _tensor_input(reduction_more.cumprod)
all = _tensor_input(reduction_more.all)
any = _tensor_input(reduction_more.any)
count_nonzero = _tensor_input(reduction_more.count_nonzero)
norm = _tensor_input(norms.norm)
sort = _tensor_input(sorting.sort)
argsort = _tensor_input(sorting.argsort)
topk = _tensor_input(sorting.topk)
kthvalue = _tensor_input(sorting.kthvalue)
median = _tensor_input(sorting.median)
unique = _tensor_input(sorting.unique)
bincount = _tensor_input(sorting.bincount)
histc = _tensor_input(sorting.histc)
# sampling (more)
from . import sampling  # noqa: E402

multinomial = _tensor_input(sampling.multinomial)
bernoulli = _tensor_input(sampling.bernoulli)
# PyTorch's other names, broadcasting by hand, and grad modes (functions.aliases, inference)
clip = _tensor_input(aliases.clip)
negative = _tensor_input(aliases.negative)
positive = _tensor_input(aliases.positive)
true_divide = _tensor_operand(aliases.true_divide)
unflatten = _tensor_input(aliases.unflatten)
broadcast_to = _tensor_input(aliases.broadcast_to)
broadcast_tensors = aliases.broadcast_tensors  # (these check their arguments themselves)
broadcast_shapes = aliases.broadcast_shapes
t = _tensor_input(layout.t)
as_tensor = convert.as_tensor
inference_mode = inference.inference_mode
# logical and bitwise, joining, more reductions, products and elementwise (the modules named)
logical_and = _tensor_input(logical.logical_and)
logical_or = _tensor_input(logical.logical_or)
logical_xor = _tensor_input(logical.logical_xor)
logical_not = _tensor_input(logical.logical_not)
bitwise_and = logical.bitwise_and  # (these check their arguments themselves)
bitwise_or = logical.bitwise_or
bitwise_xor = logical.bitwise_xor
atleast_1d = stacking.atleast_1d
atleast_2d = stacking.atleast_2d
atleast_3d = stacking.atleast_3d
hstack = stacking.hstack
vstack = stacking.vstack
dstack = stacking.dstack
column_stack = stacking.column_stack
meshgrid = stacking.meshgrid
nansum = reduction_extra.nansum
nanmean = reduction_extra.nanmean
trace = reduction_extra.trace
aminmax = reduction_extra.aminmax
cummax = reduction_extra.cummax
cummin = reduction_extra.cummin
addmm = combining.addmm
baddbmm = combining.baddbmm
addcmul = combining.addcmul
addcdiv = combining.addcdiv
cross = combining.cross
kron = combining.kron
diff = combining.diff
rot90 = combining.rot90
logaddexp = pointwise_more.logaddexp
hypot = pointwise_more.hypot
logit = pointwise_more.logit
xlogy = pointwise_more.xlogy
searchsorted = searching.searchsorted
bucketize = searching.bucketize
triu_indices = searching.triu_indices
tril_indices = searching.tril_indices
