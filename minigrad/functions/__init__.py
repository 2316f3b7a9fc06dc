"""The functions users call (`mg.add`, `mg.sum`, `mg.reshape`, ...) and that Tensor's methods
and operators call, with PyTorch's names, arguments, dtype promotion and checks.

Each applies an op of minigrad.ops, where the op's forward and backward sit side by side:
the modules here are the Tensor-aware half, and ops never see a Tensor's type. `public`
holds the names `minigrad` exports, which also check that their tensor argument is a Tensor.
"""

from . import arithmetic, convert, elementwise, indexing, inplace, reduction, shape
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
from .inplace import copy_, fill_, normal_, setitem, uniform_, zero_
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
