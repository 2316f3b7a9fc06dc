"""Random factories: rand, randn, randint, randperm, normal, their *_like forms, and the seeds
of the global generators (manual_seed, seed, initial_seed).

Each takes `generator=`, a `mg.Generator` to draw from instead of the device's global
generator (which `mg.manual_seed` seeds), so that a stream of its own is reproducible
whatever else draws numbers meanwhile. On the CPU the numbers are PyTorch's: after
`mg.manual_seed(s)` the same calls in the same order give what torch gives after
`torch.manual_seed(s)` (float32 normals of 16 or more elements to within a few ulp).
"""

from __future__ import annotations

from . import backend, dtypes
from .autograd import no_grad
from .errors import (
    DTypeError,
    OptionError,
    ShapeError,
    _described,
    as_int,
    as_number,
    as_size,
    check_std,
)
from .functions import add, mul, require_float, require_tensor
from .functions.factories import allocated, finish, place, size_arg
from .functions.sampling import Generator, restore_state, rng_of, sampled, state_of
from .tensor import Tensor

manual_seed = backend.manual_seed
initial_seed = backend.initial_seed


def seed() -> int:
    """Seed every device's generator with a seed drawn from the OS (PyTorch's torch.seed),
    and return it."""
    drawn = backend.entropy_seed()
    backend.manual_seed(drawn)
    return drawn


def get_rng_state() -> Tensor:
    """The global CPU generator's state, a uint8 tensor for `set_rng_state` (PyTorch's
    torch.get_rng_state; not its 5056-byte layout).

    >>> state = mg.get_rng_state()
    >>> a = mg.rand(3)
    >>> mg.set_rng_state(state)
    >>> bool((mg.rand(3) == a).all())
    True
    """
    return state_of(backend.generator(backend.as_device("cpu")))


def set_rng_state(new_state: Tensor) -> None:
    """Continue the global CPU generator from a state `get_rng_state` returned."""
    restore_state(backend.generator(backend.as_device("cpu")), new_state, "set_rng_state")


__all__ = [
    "Generator",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]  # (and the factories below)


def _random(op: str, size, dtype, device, requires_grad, draw, generator, *params) -> Tensor:
    """Floats drawn by `draw` (backend.uniform or backend.normal, with `params`: low and high,
    or mean and std) on `device`, from `generator` or the device's."""
    dtype, device, _ = place(dtype, device)
    if not dtypes.is_floating(dtype):
        raise DTypeError(f"{op}: dtype must be a floating point dtype, got {dtype}")
    rng = rng_of(generator, device, op)
    array = allocated(op, size, lambda s: draw(device, s, dtype, *params, rng=rng))
    return finish(array, requires_grad, op)


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1).

    >>> g = mg.Generator().manual_seed(0)
    >>> rand(2, generator=g).shape
    Size([2])
    """
    size = size_arg(size, "rand")
    return _random("rand", size, dtype, device, requires_grad, backend.uniform, generator)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    size = size_arg(size, "randn")
    return _random("randn", size, dtype, device, requires_grad, backend.normal, generator)


def rand_like(
    input: Tensor, *, generator=None, dtype=None, device=None, requires_grad=False
) -> Tensor:
    """rand of input's shape (and dtype and device, unless given)."""
    dtype, device = _like(input, dtype, device, "rand_like", floats=True)
    op = "rand_like"
    return _random(op, input.shape, dtype, device, requires_grad, backend.uniform, generator)


def randn_like(
    input: Tensor, *, generator=None, dtype=None, device=None, requires_grad=False
) -> Tensor:
    """randn of input's shape (and dtype and device, unless given)."""
    dtype, device = _like(input, dtype, device, "randn_like", floats=True)
    op = "randn_like"
    return _random(op, input.shape, dtype, device, requires_grad, backend.normal, generator)


def _like(input: Tensor, dtype, device, op: str, floats: bool = False) -> tuple:
    """input's dtype and device where none is given (for rand_like and randn_like, `floats`:
    a float dtype, which an integer input does not give)."""
    require_tensor(input, "input", op)
    if floats and dtype is None and not dtypes.is_floating(input.dtype):
        raise DTypeError(
            f"{op}: input must have a floating point dtype (or give dtype=), got {input.dtype}"
        )
    return (input.dtype if dtype is None else dtype), (input.device if device is None else device)


def _integers(op: str, low, high, size, dtype, device, requires_grad, generator) -> Tensor:
    """Integers drawn uniformly from [low, high) by `generator` (or device's), as `dtype`."""
    low, high = as_int(low, "low", op), as_int(high, "high", op)
    if high <= low:
        raise OptionError(f"{op}: high ({high}) must be greater than low ({low})")
    if low < -(2**63) or high > 2**63:
        raise OptionError(f"{op}: low and high must lie in int64's range, got {low}, {high}")
    dtype, device, _ = place(dtype, device, dtypes.DEFAULT_INT)
    if dtype == dtypes.bool:
        raise DTypeError(f"{op}: dtype bool is not supported (a number dtype is)")
    draw = rng_of(generator, device, op).integers
    array = allocated(op, size, lambda s: draw(low, high, s))
    return finish(array.astype(dtype), requires_grad, op)


def randint(
    *args,
    size=None,
    low=None,
    high=None,
    generator=None,
    dtype=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """randint(high, size) or randint(low, high, size): integers in [low, high), int64
    unless `dtype` says otherwise.

    >>> randint(5, (3,), generator=mg.Generator().manual_seed(0)).dtype
    dtype('int64')
    """
    given = [*args, *(v for v in (low, high, size) if v is not None)]
    if len(given) == 2 and low is None:
        low, (high, size) = 0, given
    elif len(given) == 3:
        low, high, size = given
    else:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint: size must be a tuple of ints, got {_described(size)}")
    size = size_arg(size, "randint")
    return _integers("randint", low, high, size, dtype, device, requires_grad, generator)


def randint_like(
    input: Tensor,
    *args,
    low=None,
    high=None,
    generator=None,
    dtype=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """randint_like(input, high) or (input, low, high): integers in [low, high) in input's
    shape, of input's dtype and device unless given (floats for a float input, as PyTorch's)."""
    given = [*args, *(v for v in (low, high) if v is not None)]
    if len(given) == 1 and low is None:
        low, high = 0, given[0]
    elif len(given) == 2:
        low, high = given
    else:
        raise TypeError("randint_like: expected randint_like(input, high) or (input, low, high)")
    dtype, device = _like(input, dtype, device, "randint_like")
    op = "randint_like"
    return _integers(op, low, high, input.shape, dtype, device, requires_grad, generator)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0, ..., n - 1 (int64 unless `dtype` says otherwise).

    >>> sorted(randperm(4).tolist())
    [0, 1, 2, 3]
    """
    n = as_size(n, "n", "randperm")
    dtype, device, xp = place(dtype, device, dtypes.DEFAULT_INT)
    if dtype == dtypes.bool:
        raise DTypeError("randperm: dtype bool is not supported (a number dtype is)")
    if dtype.kind in "iu" and n - 1 > backend.numpy.iinfo(dtype).max:
        raise OptionError(f"randperm: n={n} values do not fit dtype {dtype}")
    rng = rng_of(generator, device, "randperm")
    if device.type == "cpu":  # PyTorch's CPU shuffle, number for number
        return finish(rng.permutation(n).astype(dtype), requires_grad, "randperm")
    keys = backend.uniform(device, (n,), dtypes.float64, rng=rng)
    return finish(xp.argsort(keys).astype(dtype), requires_grad, "randperm")


def normal(
    mean, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False
) -> Tensor:
    """Samples of N(mean, std^2): normal(mean_tensor, std_tensor) (broadcast together),
    normal(mean_tensor, std=1.0), normal(mean, std_tensor), or normal(mean, std, size) with
    numbers. Its gradient is 0, as in PyTorch (for a reparameterised sample write
    mean + std * mg.randn_like(std)).

    >>> normal(0.0, 1.0, (2, 3)).shape
    Size([2, 3])
    """
    op = "normal"
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal: with a number mean and std, size must be given")
        mean, std = as_number(mean, "mean", op), check_std(std, op)
        size = size_arg(size if isinstance(size, (tuple, list)) else (size,), op)
        draw = backend.normal
        return _random(op, size, dtype, device, requires_grad, draw, generator, mean, std)
    if size is not None or dtype is not None or device is not None or requires_grad:
        raise TypeError(
            "normal: with a tensor mean or std, size, dtype, device and requires_grad cannot "
            "be given (they follow the tensors)"
        )
    for name, x in (("mean", mean), ("std", std)):
        if isinstance(x, Tensor):
            require_float(x, name, op)
        elif name == "std":
            check_std(x, op)
        else:
            as_number(x, name, op)
    if isinstance(std, Tensor) and std.numel() and not bool((std.array >= 0).all()):
        raise OptionError("normal: expected all elements of std >= 0.0")
    shapes = [tuple(x.shape) for x in tensors]
    try:
        shape = backend.numpy.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(f"normal: the shapes of mean and std {shapes} do not broadcast") from None
    rng = rng_of(generator, tensors[0].device, op)
    scale = 1.0 if isinstance(std, Tensor) else std  # (as PyTorch: a number std scales the draw)
    eps = Tensor.wrap(
        backend.normal(tensors[0].device, shape, dtypes.result_type(*tensors), 0.0, scale, rng=rng)
    )
    with no_grad():
        value = add(mean, mul(std, eps) if isinstance(std, Tensor) else eps)
    return sampled(value.array, mean, std)
