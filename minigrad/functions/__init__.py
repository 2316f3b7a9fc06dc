"""The functions users call (`mg.add`, `mg.sum`, `mg.reshape`, ...) and that Tensor's methods
and operators call, with PyTorch's names, arguments, dtype promotion and checks.

Each applies an op of minigrad.ops, where the op's forward and backward sit side by side:
the modules here are the Tensor-aware half, and ops never see a Tensor's type. `public`
holds the names `minigrad` exports, which also check that their tensor argument is a Tensor.
"""

from . import (
    arithmetic,
    contraction,
    convert,
    elementwise,
    indexing,
    inplace,
    layout,
    movement,
    products,
    reduction,
    selection,
    shape,
)
from .arithmetic import (
    add,
    binary,
    check_operand,
    div,
    matmul,
    mul,
    neg,
    pow,
    promote,
    python_number,
    refuse_bool,
    refused,
    require_float,
    require_tensor,
    sub,
)
from .contraction import einsum
from .elementwise import (
    abs,
    bitwise_not,
    cast,
    clamp,
    compare,
    eq,
    exp,
    ge,
    gt,
    le,
    log,
    lt,
    ne,
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
from .inplace import copy_, fill_, normal_, setitem, uniform_, zero_
from .layout import (
    clone,
    contiguous,
    diag,
    diag_embed,
    diagonal,
    expand_as,
    is_contiguous,
    matrix_transpose,
    reshape_as,
    reversed_dims,
    sum_to_size,
    t,
    tril,
    triu,
    type_as,
    view_as,
)
from .layout import tensor_type as type  # (Tensor.type; the name is PyTorch's)
from .movement import (
    chunk,
    flip,
    moveaxis,
    movedim,
    narrow,
    repeat,
    repeat_interleave,
    roll,
    split,
    tile,
    unbind,
)
from .products import bmm, dot, ger, mm, mv, outer, tensordot
from .reduction import (
    MaxResult,
    amax,
    amin,
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    sum,
    var,
)
from .selection import (
    argwhere,
    index_add,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    take_along_dim,
)
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
# elementwise and reductions (more)
from . import division, norms, reduction_more, sorting, unary  # noqa: E402
from .division import allclose, atan2, equal, floor_divide, fmod, isclose, lerp, remainder
from .norms import norm
from .reduction_more import all, any, count_nonzero, cumprod, cumsum, prod, std
from .sorting import (
    KthvalueResult,
    MedianResult,
    SortResult,
    TopkResult,
    argsort,
    bincount,
    histc,
    kthvalue,
    median,
    sort,
    topk,
    unique,
)
from .unary import (
    acos,
    asin,
    atan,
    ceil,
    cos,
    cosh,
    erf,
    erfc,
    exp2,
    expm1,
    floor,
    frac,
    isfinite,
    isinf,
    isnan,
    log1p,
    log2,
    log10,
    nan_to_num,
    reciprocal,
    round,
    rsqrt,
    sin,
    sinh,
    square,
    tan,
    trunc,
)
# factories, printing, sampling and in-place forms (more)
from . import factories, inplace_ops, printing, sampling  # noqa: E402
from .convert import is_pinned, pin_memory, to
from .factories import new_empty, new_full, new_ones, new_tensor, new_zeros
from .inplace import bernoulli_
from .inplace_ops import (
    abs_,
    add_,
    clamp_,
    clamp_max_,
    clamp_min_,
    div_,
    exp_,
    index_add_,
    lerp_,
    log_,
    masked_fill_,
    mul_,
    neg_,
    pow_,
    relu_,
    scatter_,
    scatter_add_,
    sigmoid_,
    sqrt_,
    sub_,
    tanh_,
)
from .printing import tensor_format, tensor_repr
from .sampling import Generator, bernoulli, multinomial
