"""Tensor: an array (numpy or cupy) plus what autograd needs to know about it.

A Tensor holds `array` (numpy or cupy), `requires_grad`, `grad` (a Tensor, filled by backward),
and `grad_fn`, the tape entry that produced it (None for leaves: tensors made by the user).
Its operators and methods are thin calls into `minigrad.ops`, where each op's forward and
backward live side by side.

Where minigrad differs from PyTorch: `.numpy()` copies a GPU tensor to the host instead of
raising, and writing into a tensor that is part of a recorded graph (`t[i] = v`) is refused
rather than recorded. `t.array`, the raw numpy/cupy array, is minigrad's window into its
internals; `t.data` is PyTorch's (a Tensor sharing t's memory that does not require grad).
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from . import backend, dtypes
from .errors import (
    DTypeError,
    OptionError,
    ShapeError,
    _described,
    as_number,
    check_bool,
    check_range,
    check_std,
)


class Tensor:
    __slots__ = ("__weakref__", "_grad", "_hooks", "array", "grad_fn", "requires_grad")
    __array_ufunc__ = None  # numpy must hand `array * tensor` to Tensor.__rmul__
    __hash__ = object.__hash__  # == is elementwise, so hash by identity

    def __init__(
        self,
        data,
        dtype=None,
        device=None,
        requires_grad: bool = False,
    ):
        self.array = _as_array(data, dtype, device)
        self._grad = None
        self.requires_grad = False
        self.grad_fn = None
        self._hooks = None
        if check_bool(requires_grad, "requires_grad", "tensor"):
            self.requires_grad_(True)

    @classmethod
    def _make(cls, array, requires_grad: bool) -> Tensor:
        """Wrap an array without checks or copies (the ops' fast path)."""
        t = object.__new__(Tensor)
        t.array = array
        t._grad = None
        t.requires_grad = requires_grad
        t.grad_fn = None
        t._hooks = None
        return t

    # ----- what it is -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self):
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
        if backend.device_of(value.array) != self.device:
            raise RuntimeError(
                f"data: the new data is on {value.device} but this tensor is on {self.device}"
            )
        self.array = value.array

    @property
    def grad(self):
        """The gradient backward accumulated here: None, or a Tensor of this one's shape."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            _check_grad(self, value)
        self._grad = value

    def size(self, dim: int | None = None):
        if dim is None:
            return self.shape
        axis = ops.normalize_dim(dim, self.ndim, "size")
        if self.ndim == 0:
            raise IndexError(f"size: dim {dim} is out of range: this tensor is 0-d (no dims)")
        return self.shape[axis]

    def numel(self) -> int:
        return int(self.array.size)

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
        return backend.to_host(self.array)

    def __array__(self, dtype=None, copy=None):
        array = backend.to_host(self.array)
        return array if dtype is None else array.astype(dtype)

    def item(self):
        if self.array.size != 1:
            raise ShapeError(
                f"item: a Tensor with {self.array.size} elements cannot be converted to a scalar"
            )
        return self.array.item()

    def tolist(self):
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

    def to(self, *args, **kwargs) -> Tensor:
        """t.to('cuda'), t.to(mg.float64), t.to('cpu', mg.float16), t.to(other_tensor)."""
        device, dtype = parse_to_args(args, kwargs)
        out = self
        if dtype is not None:
            out = functions.cast(out, dtype)
        if device is not None:
            out = functions.to_device(out, device)
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: int | None = None) -> Tensor:
        return self.to("cuda" if device is None else f"cuda:{device}")

    def float(self) -> Tensor:
        return functions.cast(self, dtypes.float32)

    def double(self) -> Tensor:
        return functions.cast(self, dtypes.float64)

    def half(self) -> Tensor:
        return functions.cast(self, dtypes.float16)

    def long(self) -> Tensor:
        return functions.cast(self, dtypes.int64)

    def int(self) -> Tensor:
        return functions.cast(self, dtypes.int32)

    def bool(self) -> Tensor:
        return functions.cast(self, dtypes.bool)

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
            raise RuntimeError(
                "requires_grad_(False) only works on leaf tensors; use detach() instead"
            )
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
        """Compute the gradient of this tensor with respect to the leaves it depends on.

        `gradient` (same shape as this tensor) is required unless it holds one element.
        Gradients accumulate into the leaves' `.grad` (only those of `inputs`, if given). The
        saved arrays are freed unless `retain_graph` (default: `create_graph`);
        `create_graph=True` records the backward pass so that the gradients can be
        differentiated again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn (was it made "
                "from tensors with requires_grad=True, outside no_grad()?)"
            )
        check_bool(create_graph, "create_graph", "backward")
        if retain_graph is not None:
            check_bool(retain_graph, "retain_graph", "backward")
        gradient = _initial_gradient(self, gradient, "backward")
        retain = create_graph if retain_graph is None else retain_graph
        engine.backward([self], [gradient], retain, create_graph, inputs=_leaves(inputs))

    # ----- in-place writes (never recorded) -----------------------------------------------
    def _check_writable(self, op: str) -> None:
        if grad_mode.state.grad_enabled and (self.requires_grad or self.grad_fn is not None):
            raise RuntimeError(
                f"{op}: a tensor that requires grad (this tensor) cannot be modified in place "
                "while grad mode is on; wrap the update in mg.no_grad() or use .array"
            )

    def __setitem__(self, key, value) -> None:
        self._check_writable("__setitem__")

        value = value.array if isinstance(value, Tensor) else value
        functions.check_operand("__setitem__", "value", value)
        index = functions.indexing.as_index(key)
        try:
            self.array[index] = value
        except (ValueError, OverflowError) as error:  # numpy's, naming neither argument
            raise OptionError(
                f"__setitem__: value {_described(value)} cannot be written into this tensor "
                f"(shape {self.shape}, dtype {self.dtype}) at index {key!r}: {error}"
            ) from None

    def zero_(self) -> Tensor:
        self._check_writable("zero_")
        self.array.fill(0)
        return self

    def fill_(self, value) -> Tensor:
        self._check_writable("fill_")
        return self._fill(value, "value", "fill_")

    def _fill(self, value, name: str, op: str) -> Tensor:
        """Set every element to the number `value` (fill_, and nn.init.constant_)."""
        value = as_number(value, name, op)
        try:
            self.array.fill(value)
        except OverflowError:
            raise OptionError(
                f"{op}: {name} {value} does not fit this tensor's dtype {self.dtype}"
            ) from None
        return self

    def copy_(self, src) -> Tensor:
        self._check_writable("copy_")

        functions.check_operand("copy_", "src", src)  # a Tensor, an array or a number, as in PyTorch
        src_array = src.array if isinstance(src, Tensor) else src
        if backend.is_array(src_array):
            src_array = backend.move(src_array, self.device)
        try:
            self.array[...] = src_array
        except (ValueError, OverflowError):
            raise ShapeError(
                f"copy_: src {_described(src)} does not broadcast to this tensor's shape "
                f"{self.shape} (or does not fit its dtype {self.dtype})"
            ) from None
        return self

    def uniform_(self, low: float = 0.0, high: float = 1.0) -> Tensor:
        self._check_writable("uniform_")
        low, high = check_range(low, high, ("low", "high"), "uniform_")
        self._require_float("uniform_")
        rng = backend.generator(self.device)
        self.array[...] = rng.uniform(low, high, self.shape)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        self._check_writable("normal_")
        mean, std = as_number(mean, "mean", "normal_"), check_std(std, "normal_")
        self._require_float("normal_")
        rng = backend.generator(self.device)
        self.array[...] = rng.normal(mean, std, self.shape)
        return self

    def _require_float(self, op: str) -> None:
        if not dtypes.is_floating(self.dtype):
            raise DTypeError(f"{op}: fills floating point tensors, but this tensor is {self.dtype}")

    # ----- printing -----------------------------------------------------------------------
    def __repr__(self) -> str:
        host = backend.to_host(self.array)
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
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # ----- operators ----------------------------------------------------------------------
    def __add__(self, other):
        return functions.add(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __radd__(self, other):
        return functions.add(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    def __sub__(self, other):
        return functions.sub(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rsub__(self, other):
        return functions.sub(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    def __mul__(self, other):
        return functions.mul(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rmul__(self, other):
        return functions.mul(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    def __truediv__(self, other):
        return functions.div(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rtruediv__(self, other):
        return functions.div(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    def __neg__(self):
        return functions.neg(self)

    # In place (`w -= lr * w.grad` under no_grad): the same tensor, its array overwritten.
    def __iadd__(self, other):
        return self._assign_in_place("__iadd__", functions.add, other)

    def __isub__(self, other):
        return self._assign_in_place("__isub__", functions.sub, other)

    def __imul__(self, other):
        return self._assign_in_place("__imul__", functions.mul, other)

    def __itruediv__(self, other):
        return self._assign_in_place("__itruediv__", functions.div, other)

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
                f"{name}: other requires grad, and an in-place update by a tensor that requires "
                "grad is not recorded; write `x = x + y` instead, or update under mg.no_grad()"
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
        self.array[...] = result.array
        return self

    def __pow__(self, exponent):
        return functions.pow(self, exponent) if isinstance(exponent, _OPERANDS) else NotImplemented

    def __rpow__(self, base):
        return functions.pow(base, self) if isinstance(base, _OPERANDS) else NotImplemented

    def __matmul__(self, other):
        return functions.matmul(self, other) if isinstance(other, _ARRAY_OPERANDS) else NotImplemented

    def __rmatmul__(self, other):
        return functions.matmul(other, self) if isinstance(other, _ARRAY_OPERANDS) else NotImplemented

    def __abs__(self):
        return functions.abs(self)

    def __getitem__(self, key):
        return functions.getitem(self, key)

    def _compare(self, op: Callable, other):
        return functions.compare(op, self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def _order(self, op: Callable, symbol: str, other):
        """<, <=, >, >=: a TypeError for what is not a tensor or a number, as Python's own.
        (Returning NotImplemented would let a numpy dtype answer `mg.float32 > t` with False.)"""
        if isinstance(other, _OPERANDS):
            return functions.compare(op, self, other)
        raise TypeError(
            f"'{symbol}' not supported between instances of 'Tensor' and '{type(other).__name__}'"
        )

    def __lt__(self, other):
        return self._order(operator.lt, "<", other)

    def __le__(self, other):
        return self._order(operator.le, "<=", other)

    def __gt__(self, other):
        return self._order(operator.gt, ">", other)

    def __ge__(self, other):
        return self._order(operator.ge, ">=", other)

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
        """Logical not of a bool tensor, bitwise not of an integer one (never recorded)."""
        if self.dtype.kind not in "biu":
            raise DTypeError(f"~: input must be a bool or integer tensor, got {self.dtype}")
        xp = backend.xp_of(self.array)
        return Tensor._make(xp.asarray(xp.invert(self.array)), False)  # (0-d: not a scalar)

    def eq(self, other):
        return functions.compare(operator.eq, self, other)  # (other checked: a method, not ==)

    # ----- methods that mirror minigrad's functions ----------------------------------------
    def add(self, other):
        return functions.add(self, other)

    def sub(self, other):
        return functions.sub(self, other)

    def mul(self, other):
        return functions.mul(self, other)

    def div(self, other):
        return functions.div(self, other)

    def pow(self, exponent):
        return functions.pow(self, exponent)

    def matmul(self, other):
        return functions.matmul(self, other)

    def exp(self):
        return functions.exp(self)

    def log(self):
        return functions.log(self)

    def sqrt(self):
        return functions.sqrt(self)

    def tanh(self):
        return functions.tanh(self)

    def sigmoid(self):
        return functions.sigmoid(self)

    def relu(self):
        return functions.relu(self)

    def abs(self):
        return functions.abs(self)

    def sign(self):
        return functions.sign(self)

    def maximum(self, other):
        return functions.maximum(self, other)

    def minimum(self, other):
        return functions.minimum(self, other)

    def clamp(self, min=None, max=None):  # noqa: A002
        return functions.clamp(self, min, max)

    def sum(self, dim=None, keepdim: bool = False):
        return functions.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim: bool = False):
        return functions.mean(self, dim, keepdim)

    def var(self, dim=None, *, correction=None, keepdim: bool = False, unbiased=None):
        return functions.var(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)

    def max(self, dim=None, keepdim: bool = False):
        return functions.max(self, dim, keepdim)

    def min(self, dim=None, keepdim: bool = False):
        return functions.min(self, dim, keepdim)

    def amax(self, dim=None, keepdim: bool = False):
        return functions.amax(self, dim, keepdim)

    def amin(self, dim=None, keepdim: bool = False):
        return functions.amin(self, dim, keepdim)

    def logsumexp(self, dim=None, keepdim: bool = False):
        return functions.logsumexp(self, dim, keepdim)

    def argmax(self, dim=None, keepdim: bool = False):
        return functions.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim: bool = False):
        return functions.argmin(self, dim, keepdim)

    def reshape(self, *shape):
        return functions.reshape(self, *shape)

    def view(self, *shape):
        """Same as reshape (numpy decides whether it can share memory)."""
        return functions.reshape(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return functions.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: int, dim1: int):
        return functions.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return functions.permute(self, *dims)

    def t(self):
        if self.ndim > 2:
            raise ShapeError(f"t: expects a tensor with <= 2 dims, but self is {self.ndim}-d")
        return functions.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def T(self):  # noqa: N802 - PyTorch's name
        return functions.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self):  # noqa: N802
        if self.ndim == 0:  # its own mT, as in PyTorch (a 1-d tensor has none)
            return self
        if self.ndim == 1:
            raise ShapeError("mT: expects a tensor with >= 2 dims, but self is 1-d")
        return functions.transpose(self, -2, -1)

    def unsqueeze(self, dim: int):
        return functions.unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return functions.squeeze(self, dim)

    def expand(self, *sizes):
        return functions.expand(self, *sizes)

    def sum_to_size(self, *size):
        """This tensor summed down to `size`, which it must broadcast from (undoes expand)."""
        return functions.sum_to(self, ops.shape_arg(size, "sum_to_size"))

    def expand_as(self, other):
        functions.require_tensor(other, "other", "expand_as")
        return functions.expand(self, other.shape)

    def gather(self, dim: int, index):
        return functions.gather(self, dim, index)


# What operators take besides a Tensor, as torch.Tensor's do: numbers, numpy scalars and
# arrays. For anything else they return NotImplemented, so that Python tries the other
# operand's method and then raises its own "unsupported operand type(s)" TypeError.
_ARRAY_OPERANDS = (Tensor, *backend.ARRAY_TYPES)
_OPERANDS = (int, float, backend.numpy.generic, *_ARRAY_OPERANDS)


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
        data = data.array
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if backend.is_array(data) or isinstance(data, backend.numpy.generic):
        target = backend.as_device(device) if device is not None else backend.device_of(data)
        if data.dtype.kind not in "biuf":  # strings, complex, objects: no cast makes numbers
            dtypes.check_supported(data.dtype, "data", "tensor")
        array = backend.xp_of(data).array(data, dtype=dtype, copy=True)
    else:
        target = backend.as_device(device)
        try:
            array = backend.numpy.asarray(data)
        except (ValueError, TypeError) as error:  # a ragged list, or one holding odd things
            raise ValueError(
                f"tensor: data must be a number or nested lists of numbers of one shape, got "
                f"{_described(data)}: {error}"
            ) from None
        if array.dtype.kind == "O" and _numbers(array):  # Python ints past int64 among them
            kinds = {type(v) for v in array.flat}
            array = array.astype(dtypes.float64)  # (to be refused as int64 below, or cast)
            dtype = dtype or (dtypes.DEFAULT_FLOAT if float in kinds else dtypes.DEFAULT_INT)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"tensor: data must be numbers, nested lists of numbers, or an array; got "
                f"{_described(data)}" + (f" of {array.dtype} values" if array.ndim else "")
            )
        if dtype is None:
            dtype = {"f": dtypes.DEFAULT_FLOAT, "b": dtypes.bool}.get(array.dtype.kind)
            dtype = dtype or dtypes.DEFAULT_INT
        if dtype.kind in "iu" and array.dtype.kind in "iuf" and array.size:
            _check_fits(array, dtype)
        array = array.astype(dtype, copy=False)
    dtypes.check_supported(array.dtype, "data", "tensor")
    return backend.move(array, target)


def _numbers(objects) -> bool:
    """Whether numpy's array of objects holds only Python ints and floats (some past int64)."""
    return all(type(v) in (int, float) for v in objects.flat)


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
            f"tensor: data value {bad} cannot be converted to {dtype} without overflow "
            f"(it holds [{low}, {info.max}])"
        )


def _check_grad(t: Tensor, grad) -> None:
    """What `t.grad = grad` needs, as in PyTorch: a Tensor of t's shape, dtype and device
    (an optimizer step would otherwise fail, or broadcast, far from the assignment)."""
    data = getattr(grad, "data", None)
    if (
        type(grad) is Tensor and data.shape == t.array.shape and data.dtype == t.array.dtype
        and type(data) is type(t.array)
        and (type(data) is backend.numpy.ndarray or grad.device == t.device)
    ):  # fmt: skip
        return  # the usual assignment (the engine's), checked in one expression
    if not isinstance(grad, Tensor):
        raise TypeError(f"grad: assigned grad must be a Tensor or None, got {_described(grad)}")
    if grad.shape != t.shape:
        raise ShapeError(
            f"grad: assigned grad has shape {grad.shape}, but this tensor has shape {t.shape}"
        )
    if grad.dtype != t.dtype:
        raise DTypeError(
            f"grad: assigned grad has dtype {grad.dtype}, but this tensor has dtype {t.dtype}"
        )
    if grad.device != t.device:
        raise RuntimeError(
            f"grad: assigned grad is on {grad.device}, but this tensor is on {t.device}"
        )


def _leaves(inputs) -> tuple | None:
    """backward's `inputs`: None, or the leaf tensors to accumulate gradients into."""
    if inputs is None:
        return None
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if not inputs:
        raise RuntimeError("backward: inputs must not be empty; pass None for all leaves")
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad or x.grad_fn is not None:
            raise RuntimeError(f"backward: inputs[{i}] must be a leaf Tensor that requires grad")
    return inputs


def _initial_gradient(root: Tensor, gradient, caller: str):
    """The gradient that seeds backward at `root`, checked against it."""
    if gradient is None:
        if root.array.size != 1:
            raise RuntimeError(
                f"{caller}: grad can be implicitly created only for scalar outputs; pass "
                f"gradient= for an output of shape {root.shape}"
            )
        one = backend.xp_of(root.array).empty(root.array.shape, root.array.dtype)
        one.fill(1)  # (cheaper than xp.ones, which costs a microsecond for one element)
        return Tensor._make(one, False)
    if not isinstance(gradient, Tensor):  # a number or an array, in the output's dtype

        functions.check_operand(caller, "gradient" if caller == "backward" else "grad_outputs", gradient)
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


# At the end, because these build on Tensor: the engine wraps op outputs in it (the one
# cycle: engine <-> tensor), functions are what Tensor's methods call, hooks attach to
# tensors. (So `minigrad/__init__.py` imports this module first.)
from .autograd import engine, grad_mode, hooks  # noqa: E402
from . import functions, ops  # noqa: E402
