"""Tensor: an array (numpy or cupy) plus what autograd needs to know about it.

A Tensor holds `array` (numpy or cupy), `requires_grad`, `grad` (a Tensor, filled by backward)
and `grad_fn`, the tape entry that produced it (None for leaves: tensors made by the user).
Its operators and most of its methods are one-line calls into minigrad.functions (the tables
at the end of the class: `t.sum(1)` is `mg.sum(t, 1)`), which apply the ops of minigrad.ops,
where each op's forward and backward sit side by side.

Where minigrad differs from PyTorch: `.numpy()` copies a GPU tensor to the host instead of
raising, and writing into a tensor that is part of a recorded graph (`t[i] = v`) is refused
rather than recorded. `t.array`, the raw numpy/cupy array, is minigrad's window into its
internals; `t.data` is PyTorch's (a Tensor sharing t's memory that does not require grad).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable

from . import backend, dtypes
from .errors import ShapeError, _described, check_bool
from .size import Size

_size = functools.partial(tuple.__new__, Size)  # a shape, already ints: Size without checks


def _calls(name: str, doc: str | None = None):
    """A method that is `minigrad.functions.<name>` with the tensor first."""

    def method(self, *args, **kwargs):
        return getattr(functions, name)(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc or f"`t.{name}(...)` is `mg.{name}(t, ...)`."
    return method


def _methods(*names: str) -> tuple:
    return tuple(_calls(name) for name in names)


def _operator(name: str, reflected: bool = False, arrays_only: bool = False):
    """A binary operator calling `minigrad.functions.<name>`; NotImplemented for an operand it
    does not take, so that Python tries the other operand's method, then raises its own
    "unsupported operand type(s)" TypeError, as it does for torch.Tensor."""

    def method(self, other):
        if not isinstance(other, _ARRAY_OPERANDS if arrays_only else _OPERANDS):
            return NotImplemented
        fn = getattr(functions, name)
        return fn(other, self) if reflected else fn(self, other)

    return method


def _in_place(name: str, op: str):
    """`t += x` and friends: the same tensor, its array overwritten (functions.inplace)."""

    def method(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return functions.inplace.assign(self, name, getattr(functions, op), other)

    return method


def _cast(dtype):
    """t.float(), t.long() and the like: t as `dtype` (itself if it has it)."""
    return lambda self: functions.cast(self, dtype)


def _ordering(op: Callable, symbol: str):
    """<, <=, >, >=: a TypeError for what is not a tensor or a number, as Python's own.
    (NotImplemented would let a numpy dtype answer `mg.float32 > t` with False.)"""

    def method(self, other):
        if isinstance(other, _OPERANDS):
            return functions.compare(op, self, other)
        raise TypeError(
            f"'{symbol}' not supported between instances of 'Tensor' and '{type(other).__name__}'"
        )

    return method


def _comparison(op: Callable):
    def method(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented  # (t == None is then False, as for torch.Tensor)
        return functions.compare(op, self, other)

    return method


class Tensor:
    __slots__ = ("__weakref__", "_grad", "_hooks", "array", "grad_fn", "requires_grad")
    __array_ufunc__ = None  # numpy must hand `array * tensor` to Tensor.__rmul__
    __hash__ = object.__hash__  # == is elementwise, so hash by identity

    def __init__(self, *args, device=None):
        """torch.Tensor's: `Tensor([1, 2])` holds floats (of the default dtype) even from ints,
        `Tensor(2, 3)` is uninitialised, `Tensor()` empty, `Tensor(t)` shares t's data."""
        self.array = functions.factories.legacy(args, None, device, "Tensor")
        self._grad = None
        self.requires_grad = False
        self.grad_fn = None
        self._hooks = None

    @classmethod
    def wrap(cls, array, requires_grad: bool = False) -> Tensor:
        """A Tensor holding `array` itself (a numpy or cupy array of a minigrad dtype): no
        copy, as `.array` unwraps it; for code that makes arrays and hands out Tensors."""
        if not isinstance(array, backend.ARRAY_TYPES):
            raise TypeError(
                f"Tensor.wrap: array must be a numpy or cupy array, got {_described(array)}"
            )
        dtypes.check_supported(array.dtype, "array", "Tensor.wrap")
        t = cls._make(array, False)
        return t.requires_grad_(True) if check_bool(requires_grad, "requires_grad", "wrap") else t

    @classmethod
    def _make(cls, array, requires_grad: bool) -> Tensor:
        """Wrap an array without checks or copies: the engine's and functions' fast path."""
        t = object.__new__(Tensor)
        t.array = array
        t._grad = None
        t.requires_grad = requires_grad
        t.grad_fn = None
        t._hooks = None
        return t

    # ----- what it is -------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return _size(self.array.shape)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> object:
        return self.array.dtype

    @property
    def device(self) -> backend.Device:
        return backend.device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def data(self) -> Tensor:
        """This tensor's values as a Tensor that shares its memory and never requires grad,
        as in PyTorch: writes through it (`p.data -= lr * p.grad`) are not recorded. The raw
        numpy/cupy array is `.array`."""
        return Tensor._make(self.array, False)

    @data.setter
    def data(self, value: Tensor) -> None:
        """`t.data = other`: t holds other's array from now on (PyTorch swaps the storage)."""
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {_described(value)}")
        if value.device != self.device:
            raise RuntimeError(
                f"data: the new data is on {value.device} but this tensor is on {self.device}"
            )
        self.array = value.array

    @property
    def grad(self) -> Tensor | None:
        """The gradient backward accumulated here: None, or a Tensor of this one's shape."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        calls.set_grad(self, value)

    def size(self, dim: int | None = None):  # noqa: ANN201 - a Size, or an int
        """The shape (a Size), or with `dim` the size of that dim (an int)."""
        if dim is None:
            return _size(self.array.shape)
        axis = ops.normalize_dim(dim, self.ndim, "size")
        if self.ndim == 0:
            raise IndexError(f"size: dim {dim} is out of range: this tensor is 0-d (no dims)")
        return self.shape[axis]

    def numel(self) -> int:
        return int(self.array.size)

    nelement = numel

    def dim(self) -> int:
        return self.ndim

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # ----- conversions --------------------------------------------------------------------
    def numpy(self) -> object:
        """The values as a numpy array: the same memory on the CPU, a host copy from a GPU."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return backend.to_host(self.array)

    def __array__(self, dtype=None, copy=None):
        array = backend.to_host(self.array)
        return array if dtype is None else array.astype(dtype)

    def item(self) -> int | float | bool:
        """The value of a one-element tensor as a Python number."""
        if self.array.size != 1:
            raise ShapeError(
                f"item: a Tensor with {self.array.size} elements cannot be converted to a scalar"
            )
        return self.array.item()

    def tolist(self) -> object:
        return backend.to_host(self.array).tolist()

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of a Tensor with {self.array.size} values is ambiguous"
            )
        return bool(self.array.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "biu" or self.array.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index; this "
                f"tensor has dtype {self.dtype} and shape {self.shape}"
            )
        return int(self.item())

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: int | None = None) -> Tensor:
        return self.to("cuda" if device is None else f"cuda:{device}")

    float, double, half = _cast(dtypes.float32), _cast(dtypes.float64), _cast(dtypes.float16)
    long, int, bool = _cast(dtypes.int64), _cast(dtypes.int32), _cast(dtypes.bool)

    # ----- autograd -----------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if check_bool(requires_grad, "requires_grad", "requires_grad_") and not (
            dtypes.is_floating(self.dtype)
        ):
            raise RuntimeError(
                "requires_grad_: only Tensors of floating point dtype can require gradients "
                f"(requires_grad=True), got {self.dtype}"
            )
        if not requires_grad and not self.is_leaf:
            raise RuntimeError("requires_grad_(False) only works on leaf tensors; use detach()")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> Tensor:
        """The same data, cut off from the tape (no copy)."""
        return Tensor._make(self.array, False)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in `.grad` during backward."""
        hooks.retain_grad(self)

    def register_hook(self, hook: Callable) -> hooks.RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is computed; it may return a new one.

        Returns a handle whose `remove()` unregisters the hook.
        """
        return hooks.register_hook(self, hook)

    def backward(
        self, gradient=None, retain_graph: bool | None = None, create_graph=False, inputs=None
    ) -> None:
        """Accumulate the gradient of this tensor into the `.grad` of the leaves it depends on
        (only `inputs`, if given). `gradient` (this tensor's shape) is needed unless it holds
        one element. See mg.autograd.backward for `retain_graph` and `create_graph`."""
        calls.backward(self, gradient, retain_graph, create_graph, inputs)

    __repr__ = _calls("tensor_repr", "As PyTorch prints it (mg.set_printoptions).")
    __format__ = _calls("tensor_format", "f'{loss:.4f}': a 0-d tensor formats as its number.")

    # ----- operators: minigrad.functions, NotImplemented for what they do not take ---------
    __add__, __radd__ = _operator("add"), _operator("add", reflected=True)
    __sub__, __rsub__ = _operator("sub"), _operator("sub", reflected=True)
    __mul__, __rmul__ = _operator("mul"), _operator("mul", reflected=True)
    __truediv__, __rtruediv__ = _operator("div"), _operator("div", reflected=True)
    __pow__, __rpow__ = _operator("pow"), _operator("pow", reflected=True)
    __matmul__ = _operator("matmul", arrays_only=True)
    __rmatmul__ = _operator("matmul", reflected=True, arrays_only=True)
    __iadd__, __isub__ = _in_place("__iadd__", "add"), _in_place("__isub__", "sub")
    __imul__, __itruediv__ = _in_place("__imul__", "mul"), _in_place("__itruediv__", "div")
    __lt__, __le__ = _ordering(operator.lt, "<"), _ordering(operator.le, "<=")
    __gt__, __ge__ = _ordering(operator.gt, ">"), _ordering(operator.ge, ">=")
    __eq__, __ne__ = _comparison(operator.eq), _comparison(operator.ne)
    __and__, __or__ = _comparison(operator.and_), _comparison(operator.or_)
    __neg__, __abs__, __invert__ = _calls("neg"), _calls("abs"), _calls("bitwise_not")
    __xor__, __getitem__ = _comparison(operator.xor), _calls("getitem")
    __setitem__ = _calls("setitem", "t[key] = value, never recorded (functions.inplace).")

    # ----- methods that are minigrad's functions with the tensor first ---------------------
    add, sub, mul, div, pow, matmul = _methods("add", "sub", "mul", "div", "pow", "matmul")
    exp, log, sqrt, tanh, sigmoid = _methods("exp", "log", "sqrt", "tanh", "sigmoid")
    relu, abs, sign, clamp, expand_as = _methods("relu", "abs", "sign", "clamp", "expand_as")
    maximum, minimum, argmax, argmin = _methods("maximum", "minimum", "argmax", "argmin")
    sum, mean, var, logsumexp = _methods("sum", "mean", "var", "logsumexp")
    max, min, amax, amin, sum_to_size = _methods("max", "min", "amax", "amin", "sum_to_size")
    reshape, flatten, transpose, permute = _methods("reshape", "flatten", "transpose", "permute")
    unsqueeze, squeeze, expand, gather = _methods("unsqueeze", "squeeze", "expand", "gather")
    view = _calls("reshape", "Same as reshape (numpy decides whether memory is shared).")
    to = _calls("to", "t.to('cuda'), t.to(mg.float64), t.to('cpu', mg.float16), t.to(other).")
    new_zeros, new_ones, new_full = _methods("new_zeros", "new_ones", "new_full")
    new_empty, new_tensor, pin_memory = _methods("new_empty", "new_tensor", "pin_memory")
    is_pinned, multinomial, bernoulli = _methods("is_pinned", "multinomial", "bernoulli")
    # in-place (more): t = f(t, ...) written into t's array, never recorded (functions.inplace)
    zero_, fill_, copy_, uniform_ = _methods("zero_", "fill_", "copy_", "uniform_")
    normal_, bernoulli_, sigmoid_, tanh_ = _methods("normal_", "bernoulli_", "sigmoid_", "tanh_")
    add_, sub_, mul_, div_, pow_, neg_ = _methods("add_", "sub_", "mul_", "div_", "pow_", "neg_")
    clamp_, clamp_min_, clamp_max_ = _methods("clamp_", "clamp_min_", "clamp_max_")
    exp_, log_, sqrt_, abs_, relu_ = _methods("exp_", "log_", "sqrt_", "abs_", "relu_")
    masked_fill_, index_add_ = _methods("masked_fill_", "index_add_")
    scatter_, scatter_add_, lerp_ = _methods("scatter_", "scatter_add_", "lerp_")
    # shape, indexing and products (more)
    mm, bmm, mv, dot, outer, ger = _methods("mm", "bmm", "mv", "dot", "outer", "ger")
    chunk, split, unbind, narrow = _methods("chunk", "split", "unbind", "narrow")
    movedim, moveaxis, repeat, tile = _methods("movedim", "moveaxis", "repeat", "tile")
    repeat_interleave, flip, roll, clone = _methods("repeat_interleave", "flip", "roll", "clone")
    contiguous, is_contiguous, tril, triu = _methods("contiguous", "is_contiguous", "tril", "triu")
    diag, diagonal, diag_embed, view_as = _methods("diag", "diagonal", "diag_embed", "view_as")
    reshape_as, type_as, masked_fill = _methods("reshape_as", "type_as", "masked_fill")
    masked_select, index_select, scatter = _methods("masked_select", "index_select", "scatter")
    scatter_add, index_add, take_along_dim = _methods("scatter_add", "index_add", "take_along_dim")
    nonzero, argwhere, count_nonzero = _methods("nonzero", "argwhere", "count_nonzero")
    type = _calls("type", "t.type() names t's type ('minigrad.FloatTensor'); t.type(dtype) casts.")
    # elementwise and reductions (more)
    sin, cos, tan, asin, acos, atan = _methods("sin", "cos", "tan", "asin", "acos", "atan")
    atan2, sinh, cosh, exp2, expm1 = _methods("atan2", "sinh", "cosh", "exp2", "expm1")
    log2, log10, log1p, rsqrt = _methods("log2", "log10", "log1p", "rsqrt")
    erf, erfc, reciprocal, square = _methods("erf", "erfc", "reciprocal", "square")
    floor, ceil, round, trunc, frac = _methods("floor", "ceil", "round", "trunc", "frac")
    lerp, fmod, floor_divide, remainder = _methods("lerp", "fmod", "floor_divide", "remainder")
    isnan, isinf, isfinite, nan_to_num = _methods("isnan", "isinf", "isfinite", "nan_to_num")
    allclose, isclose, equal, std, prod = _methods("allclose", "isclose", "equal", "std", "prod")
    cumsum, cumprod, all, any, norm = _methods("cumsum", "cumprod", "all", "any", "norm")
    topk, sort, argsort, kthvalue = _methods("topk", "sort", "argsort", "kthvalue")
    median, unique, bincount, histc = _methods("median", "unique", "bincount", "histc")
    __floordiv__, __rfloordiv__ = _operator("floor_divide"), _operator("floor_divide", True)
    __mod__, __rmod__ = _operator("remainder"), _operator("remainder", reflected=True)
    eq, ne, lt, le, gt, ge, neg = _methods("eq", "ne", "lt", "le", "gt", "ge", "neg")
    negative, clip, clip_, unflatten = _methods("negative", "clip", "clip_", "unflatten")
    bitwise_not, is_floating_point, t = _methods("bitwise_not", "is_floating_point", "t")
    stride, element_size, true_divide = _methods("stride", "element_size", "true_divide")
    logical_and, logical_or, logical_not = _methods("logical_and", "logical_or", "logical_not")
    logical_xor, xlogy, kron, rot90 = _methods("logical_xor", "xlogy", "kron", "rot90")
    bitwise_and, bitwise_or, bitwise_xor = _methods("bitwise_and", "bitwise_or", "bitwise_xor")
    nanmean, nansum, trace, diff, cross = _methods("nanmean", "nansum", "trace", "diff", "cross")
    addmm, baddbmm, addcmul, addcdiv = _methods("addmm", "baddbmm", "addcmul", "addcdiv")
    addcmul_, addcdiv_, cummax, cummin = _methods("addcmul_", "addcdiv_", "cummax", "cummin")
    aminmax, logaddexp, hypot, logit = _methods("aminmax", "logaddexp", "hypot", "logit")
    softmax, log_softmax = _methods("softmax", "log_softmax")
    where = _calls("where_method", "t.where(condition, y) is mg.where(condition, t, y).")
    T = property(_calls("reversed_dims", "Every dim in reverse order (PyTorch's t.T)."))
    mT = property(_calls("matrix_transpose", "The last two dims swapped (PyTorch's t.mT)."))


# What operators take besides a Tensor, as torch.Tensor's do: numbers, numpy scalars and
# arrays. (matmul: arrays only.)
_ARRAY_OPERANDS = (Tensor, *backend.ARRAY_TYPES)
_OPERANDS = (int, float, backend.numpy.generic, *_ARRAY_OPERANDS)


# At the end, because these build on Tensor (functions are what its methods call, calls and
# hooks its autograd methods'), and the engine, which they import, wraps op outputs in it:
# the one cycle, engine <-> tensor. (So `minigrad/__init__.py` imports this module first.)
from . import functions, ops  # noqa: E402
from .autograd import calls, hooks  # noqa: E402
