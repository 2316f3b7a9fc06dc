"""Tensor: an array (numpy or cupy) plus what autograd needs to know about it.

A Tensor holds `data` (the array), `requires_grad`, `grad` (a Tensor, filled by backward),
and `_fn`, the tape entry that produced it (None for leaves: tensors made by the user).
Its operators and methods are thin calls into `minigrad.ops`, where each op's forward and
backward live side by side.

Where minigrad differs from PyTorch: `t.data` is the raw numpy/cupy array (PyTorch returns a
detached Tensor), `.numpy()` copies a GPU tensor to the host instead of raising, and writing
into a tensor that is part of a recorded graph (`t[i] = v`) is refused rather than recorded.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from . import backend, dtypes
from .autograd import grad_mode
from .errors import DTypeError, OptionError, ShapeError


class Tensor:
    __slots__ = ("data", "grad", "requires_grad", "_fn", "_hooks", "__weakref__")
    __array_ufunc__ = None  # numpy must hand `array * tensor` to Tensor.__rmul__
    __hash__ = object.__hash__  # == is elementwise, so hash by identity

    def __init__(
        self,
        data,
        dtype=None,
        device=None,
        requires_grad: bool = False,
    ):
        self.data = _as_array(data, dtype, device)
        self.grad = None
        self.requires_grad = False
        self._fn = None
        self._hooks = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, array, requires_grad: bool) -> Tensor:
        """Wrap an array without checks or copies (the ops' fast path)."""
        t = object.__new__(Tensor)
        t.data = array
        t.grad = None
        t.requires_grad = requires_grad
        t._fn = None
        t._hooks = None
        return t

    # ----- what it is -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self) -> backend.Device:
        return backend.device_of(self.data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        return self._fn is None

    @property
    def grad_fn(self):
        """The tape entry that produced this tensor (None for leaves)."""
        return self._fn

    def size(self, dim: int | None = None):
        if dim is None:
            return self.shape
        from .ops.shape import normalize_dim

        return self.shape[normalize_dim(dim, self.ndim, "size")]

    def numel(self) -> int:
        return int(self.data.size)

    def dim(self) -> int:
        return self.ndim

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # ----- conversions --------------------------------------------------------------------
    def numpy(self):
        """The values as a numpy array: the same memory on the CPU, a host copy from a GPU."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return backend.to_host(self.data)

    def __array__(self, dtype=None, copy=None):
        array = backend.to_host(self.data)
        return array if dtype is None else array.astype(dtype)

    def item(self):
        if self.data.size != 1:
            raise ShapeError(
                f"item: a Tensor with {self.data.size} elements cannot be converted to a scalar"
            )
        return self.data.item()

    def tolist(self):
        return backend.to_host(self.data).tolist()

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of a Tensor with {self.data.size} values is ambiguous"
            )
        return bool(self.data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, got {self.dtype}")
        return int(self.item())

    def to(self, *args, **kwargs) -> Tensor:
        """t.to('cuda'), t.to(mg.float64), t.to('cpu', mg.float16), t.to(other_tensor)."""
        device, dtype = parse_to_args(args, kwargs)
        out = self
        if dtype is not None:
            out = ops.cast(out, dtype)
        if device is not None:
            out = ops.to_device(out, device)
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: int | None = None) -> Tensor:
        return self.to("cuda" if device is None else f"cuda:{device}")

    def float(self) -> Tensor:
        return ops.cast(self, dtypes.float32)

    def double(self) -> Tensor:
        return ops.cast(self, dtypes.float64)

    def half(self) -> Tensor:
        return ops.cast(self, dtypes.float16)

    def long(self) -> Tensor:
        return ops.cast(self, dtypes.int64)

    def int(self) -> Tensor:
        return ops.cast(self, dtypes.int32)

    def bool(self) -> Tensor:
        return ops.cast(self, dtypes.bool)

    # ----- autograd -----------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not dtypes.is_floating(self.dtype):
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        if not requires_grad and not self.is_leaf:
            raise RuntimeError(
                "requires_grad_(False) only works on leaf tensors; use detach() instead"
            )
        self.requires_grad = requires_grad
        return self

    def detach(self) -> Tensor:
        """The same data, cut off from the tape (no copy)."""
        return Tensor._make(self.data, False)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in `.grad` during backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
        if self._fn is not None:
            import weakref

            self._fn.retained = weakref.ref(self)

    def register_hook(self, hook: Callable) -> _HookHandle:
        """Call `hook(grad)` when this tensor's gradient is computed; it may return a new one.

        Returns a handle whose `remove()` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._fn is not None:
            if self._fn.hooks is None:
                self._fn.hooks = []
            hooks = self._fn.hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph=False):
        """Compute the gradient of this tensor with respect to the leaves it depends on.

        `gradient` (same shape as this tensor) is required unless it holds one element.
        Gradients accumulate into the leaves' `.grad`. The saved arrays are freed unless
        `retain_graph` (default: `create_graph`); `create_graph=True` records the backward
        pass so that the gradients can be differentiated again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn (was it made "
                "from tensors with requires_grad=True, outside no_grad()?)"
            )
        gradient = _initial_gradient(self, gradient, "backward")
        retain = create_graph if retain_graph is None else retain_graph
        engine.backward([self], [gradient], retain, create_graph)

    # ----- in-place writes (never recorded) -----------------------------------------------
    def _check_writable(self, op: str) -> None:
        if grad_mode.state.grad_enabled and (self.requires_grad or self._fn is not None):
            raise RuntimeError(
                f"{op}: a tensor that requires grad cannot be modified in place while grad "
                "mode is on; wrap the update in mg.no_grad() or use .data"
            )

    def __setitem__(self, key, value) -> None:
        self._check_writable("__setitem__")
        from .ops.indexing import _as_index

        value = value.data if isinstance(value, Tensor) else value
        self.data[_as_index(key)] = value

    def zero_(self) -> Tensor:
        self._check_writable("zero_")
        self.data.fill(0)
        return self

    def fill_(self, value) -> Tensor:
        self._check_writable("fill_")
        self.data.fill(value)
        return self

    def copy_(self, src) -> Tensor:
        self._check_writable("copy_")
        src_array = src.data if isinstance(src, Tensor) else src
        self.data[...] = backend.move(src_array, self.device)
        return self

    def uniform_(self, low: float = 0.0, high: float = 1.0) -> Tensor:
        self._check_writable("uniform_")
        rng = backend.generator(self.device)
        self.data[...] = rng.uniform(low, high, self.shape)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        self._check_writable("normal_")
        rng = backend.generator(self.device)
        self.data[...] = rng.normal(mean, std, self.shape)
        return self

    # ----- printing -----------------------------------------------------------------------
    def __repr__(self) -> str:
        host = backend.to_host(self.data)
        float_mode = "fixed"
        if host.dtype.kind != "f" or not host.size or (host == host.round()).all():
            float_mode = "unique"
        body = backend.numpy.array2string(
            host, separator=", ", prefix="tensor(", precision=4, floatmode=float_mode
        )
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool) or not host.size:
            extras.append(f"dtype={self.dtype}")
        if self._fn is not None:
            extras.append(f"grad_fn=<{self._fn.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # ----- operators ----------------------------------------------------------------------
    def __add__(self, other):
        return ops.add(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __radd__(self, other):
        return ops.add(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    def __sub__(self, other):
        return ops.sub(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rsub__(self, other):
        return ops.sub(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    def __mul__(self, other):
        return ops.mul(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rmul__(self, other):
        return ops.mul(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    def __truediv__(self, other):
        return ops.div(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rtruediv__(self, other):
        return ops.div(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    def __neg__(self):
        return ops.neg(self)

    # In place (`w -= lr * w.grad` under no_grad): the same tensor, its array overwritten.
    def __iadd__(self, other):
        return self._assign_in_place("__iadd__", ops.add, other)

    def __isub__(self, other):
        return self._assign_in_place("__isub__", ops.sub, other)

    def __imul__(self, other):
        return self._assign_in_place("__imul__", ops.mul, other)

    def __itruediv__(self, other):
        return self._assign_in_place("__itruediv__", ops.div, other)

    def _assign_in_place(self, name: str, op: Callable, other) -> Tensor:
        """self = op(self, other), written into self's array (views of it see the change).

        As in PyTorch, the result must keep self's shape and fit its dtype's kind (no float
        into an int tensor). Unlike PyTorch, nothing in place is recorded: it raises where
        autograd would have to see it (see _check_writable).
        """
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        self._check_writable(name)
        if grad_mode.state.grad_enabled and isinstance(other, Tensor) and other.requires_grad:
            raise RuntimeError(
                f"{name}: an in-place update by a tensor that requires grad is not recorded; "
                "write `x = x + y` instead, or update under mg.no_grad()"
            )
        result = op(self, other)
        if result.shape != self.shape:
            raise ShapeError(
                f"{name}: the result's shape {result.shape} does not fit this tensor's shape "
                f"{self.shape} (an in-place op cannot change the shape)"
            )
        if dtypes._category(result.dtype) > dtypes._category(self.dtype):
            raise DTypeError(
                f"{name}: the result type {result.dtype} can't be cast to this tensor's dtype "
                f"{self.dtype}"
            )
        self.data[...] = result.data
        return self

    def __pow__(self, exponent):
        return ops.pow(self, exponent) if isinstance(exponent, _OPERANDS) else NotImplemented

    def __rpow__(self, base):
        return ops.pow(base, self) if isinstance(base, _OPERANDS) else NotImplemented

    def __matmul__(self, other):
        return ops.matmul(self, other) if isinstance(other, _ARRAY_OPERANDS) else NotImplemented

    def __rmatmul__(self, other):
        return ops.matmul(other, self) if isinstance(other, _ARRAY_OPERANDS) else NotImplemented

    def __abs__(self):
        return ops.abs(self)

    def __getitem__(self, key):
        return ops.getitem(self, key)

    def _compare(self, op: Callable, other):
        return ops.compare(op, self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __lt__(self, other):
        return self._compare(operator.lt, other)

    def __le__(self, other):
        return self._compare(operator.le, other)

    def __gt__(self, other):
        return self._compare(operator.gt, other)

    def __ge__(self, other):
        return self._compare(operator.ge, other)

    def __eq__(self, other):
        return self._compare(operator.eq, other)

    def __ne__(self, other):
        return self._compare(operator.ne, other)

    def __and__(self, other):
        return self._compare(operator.and_, other)

    def __or__(self, other):
        return self._compare(operator.or_, other)

    def __xor__(self, other):
        return self._compare(operator.xor, other)

    def __invert__(self):
        if self.dtype != dtypes.bool:
            raise TypeError(f"~ (logical not) needs a bool tensor, got {self.dtype}")
        return ops.compare(operator.xor, self, True)

    def eq(self, other):
        return self == other

    # ----- methods that mirror minigrad's functions ----------------------------------------
    def add(self, other):
        return ops.add(self, other)

    def sub(self, other):
        return ops.sub(self, other)

    def mul(self, other):
        return ops.mul(self, other)

    def div(self, other):
        return ops.div(self, other)

    def pow(self, exponent):
        return ops.pow(self, exponent)

    def matmul(self, other):
        return ops.matmul(self, other)

    def exp(self):
        return ops.exp(self)

    def log(self):
        return ops.log(self)

    def sqrt(self):
        return ops.sqrt(self)

    def tanh(self):
        return ops.tanh(self)

    def sigmoid(self):
        return ops.sigmoid(self)

    def relu(self):
        return ops.relu(self)

    def abs(self):
        return ops.abs(self)

    def sign(self):
        return ops.sign(self)

    def maximum(self, other):
        return ops.maximum(self, other)

    def minimum(self, other):
        return ops.minimum(self, other)

    def clamp(self, min=None, max=None):  # noqa: A002
        return ops.clamp(self, min, max)

    def sum(self, dim=None, keepdim: bool = False):
        return ops.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim: bool = False):
        return ops.mean(self, dim, keepdim)

    def var(self, dim=None, *, correction=None, keepdim: bool = False, unbiased=None):
        return ops.var(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)

    def max(self, dim=None, keepdim: bool = False):
        return ops.max(self, dim, keepdim)

    def min(self, dim=None, keepdim: bool = False):
        return ops.min(self, dim, keepdim)

    def amax(self, dim=None, keepdim: bool = False):
        return ops.amax(self, dim, keepdim)

    def amin(self, dim=None, keepdim: bool = False):
        return ops.amin(self, dim, keepdim)

    def logsumexp(self, dim=None, keepdim: bool = False):
        return ops.logsumexp(self, dim, keepdim)

    def argmax(self, dim=None, keepdim: bool = False):
        return ops.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim: bool = False):
        return ops.argmin(self, dim, keepdim)

    def reshape(self, *shape):
        return ops.reshape(self, *shape)

    def view(self, *shape):
        """Same as reshape (numpy decides whether it can share memory)."""
        return ops.reshape(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: int, dim1: int):
        return ops.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return ops.permute(self, *dims)

    def t(self):
        if self.ndim > 2:
            raise ShapeError(f"t: expects a tensor with <= 2 dims, got {self.ndim}")
        return ops.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def T(self):  # noqa: N802 - PyTorch's name
        return ops.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self):  # noqa: N802
        return ops.transpose(self, -2, -1)

    def unsqueeze(self, dim: int):
        return ops.unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return ops.squeeze(self, dim)

    def expand(self, *sizes):
        return ops.expand(self, *sizes)

    def expand_as(self, other):
        return ops.expand(self, other.shape)

    def gather(self, dim: int, index):
        return ops.gather(self, dim, index)


# What operators take besides a Tensor, as torch.Tensor's do: numbers, numpy scalars and
# arrays. For anything else they return NotImplemented, so that Python tries the other
# operand's method and then raises its own "unsupported operand type(s)" TypeError.
_ARRAY_OPERANDS = (Tensor, *backend.ARRAY_TYPES)
_OPERANDS = (int, float, backend.numpy.generic, *_ARRAY_OPERANDS)


class _HookHandle:
    """Returned by register_hook: `handle.remove()` unregisters the hook."""

    def __init__(self, hooks: list, hook: Callable):
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)

    def __enter__(self) -> _HookHandle:  # `with t.register_hook(h):` removes it at the end
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def parse_to_args(args: tuple, kwargs: dict) -> tuple:
    """The (device, dtype) named by the arguments of `.to(...)`; either may be None."""
    kwargs = dict(kwargs)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    if kwargs:
        raise TypeError(f"to: unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, backend.Device)):
            device = arg
        else:
            dtype = arg
    return device, dtype


def _as_array(data, dtype, device):
    """The array a new tensor holds: always a copy, with PyTorch's default dtypes.

    Python floats become float32 and Python ints int64; arrays keep their dtype (as with
    torch.tensor). A cupy array gives a GPU tensor unless `device` says otherwise.
    """
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if backend.is_array(data) or isinstance(data, backend.numpy.generic):
        target = backend.as_device(device) if device is not None else backend.device_of(data)
        array = backend.xp_of(data).array(data, dtype=dtype, copy=True)
    else:
        target = backend.as_device(device)
        array = backend.numpy.asarray(data)
        if array.dtype.kind == "O" or array.dtype.kind not in "biuf":
            raise TypeError(
                f"tensor: could not build a tensor from {type(data).__name__} "
                "(expected numbers, nested lists of numbers, or an array)"
            )
        if dtype is None:
            dtype = {"f": dtypes.DEFAULT_FLOAT, "b": dtypes.bool}.get(array.dtype.kind)
            dtype = dtype or dtypes.DEFAULT_INT
        if dtype.kind in "iu" and array.dtype.kind in "iuf" and array.size:
            _check_fits(array, dtype)
        array = array.astype(dtype, copy=False)
    if array.dtype not in dtypes._SUPPORTED:
        dtypes.as_dtype(array.dtype)  # raises a clear TypeError
    return backend.move(array, target)


def _check_fits(values, dtype) -> None:
    """Refuse numbers an integer dtype cannot hold: numpy's cast would wrap them silently.

    PyTorch's range: the dtype's own, except that an unsigned dtype also takes negative
    numbers down to -max, which wrap around (uint8: -1 is 255).
    """
    info = backend.numpy.iinfo(dtype)
    low = -info.max if dtype.kind == "u" else info.min
    finite = values.dtype.kind != "f" or bool(backend.numpy.isfinite(values).all())
    if not finite or values.min() < low or values.max() > info.max:
        bad = values.reshape(-1)[0] if values.size == 1 else f"in [{values.min()}, {values.max()}]"
        raise OptionError(
            f"tensor: value {bad} cannot be converted to {dtype} without overflow "
            f"(it holds [{low}, {info.max}])"
        )


def _initial_gradient(root: Tensor, gradient, caller: str):
    """The gradient that seeds backward at `root`, checked against it."""
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{caller}: grad can be implicitly created only for scalar outputs; pass "
                f"gradient= for an output of shape {root.shape}"
            )
        one = backend.xp_of(root.data).empty(root.data.shape, root.data.dtype)
        one.fill(1)  # (cheaper than xp.ones, which costs a microsecond for one element)
        return Tensor._make(one, False)
    if not isinstance(gradient, Tensor):
        gradient = Tensor(gradient, dtype=root.dtype, device=root.device)
    if gradient.shape != root.shape:
        raise ShapeError(
            f"{caller}: gradient has shape {gradient.shape}, expected the output's shape "
            f"{root.shape}"
        )
    if gradient.device != root.device:
        raise RuntimeError(
            f"{caller}: gradient is on {gradient.device} but the output is on {root.device}"
        )
    return gradient


from . import ops  # noqa: E402 - ops import Tensor, so they come after it
from .autograd import engine  # noqa: E402
