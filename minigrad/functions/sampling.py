"""Random streams and sampling from tensors: `mg.Generator`, `multinomial`, `bernoulli`.

Every random function takes `generator=`, as in PyTorch: None draws from the device's global
generator (the one `mg.manual_seed` seeds), a `mg.Generator` from its own stream, which
nothing else touches. On the CPU the streams are PyTorch's (minigrad/_mt19937.py): the same
seed gives torch's numbers, multinomial's with replacement included. bernoulli and
multinomial without replacement draw from them with formulas of their own (torch's CPU
kernels use MKL's streams there), so those numbers are not torch's.
"""

from __future__ import annotations

import struct

from .. import backend, dtypes
from ..errors import DTypeError, OptionError, ShapeError, _described, as_int, as_number, check_bool
from ..tensor import Tensor
from .arithmetic import require_float
from .elementwise import where

_DEFAULT_SEED = 67280421310721  # what a new torch.Generator starts from
# get_state's bytes: the twister's 624 32-bit words, then its position, whether it keeps a
# normal sample and that sample (little-endian).
_KEY_BYTES, _STATE_TAIL = 624 * 4, "<H?d"
_STATE_BYTES = _KEY_BYTES + struct.calcsize(_STATE_TAIL)


class Generator:
    """A random number generator of its own (PyTorch's torch.Generator) on `device`: pass it
    as `generator=` to draw from it instead of the global generator. On the CPU it draws
    torch.Generator's numbers for the same seed (67280421310721 unless seeded).

    >>> g = mg.Generator().manual_seed(0)
    >>> a = mg.rand(3, generator=g)
    >>> bool((a == mg.rand(3, generator=mg.Generator().manual_seed(0))).all())
    True
    """

    def __init__(self, device="cpu"):
        self.device = backend.as_device(device)
        self._seed = _DEFAULT_SEED
        self._rng = backend.new_rng(self.device, self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from `seed` (an int in [-2**63, 2**64)); returns the generator."""
        self._seed = backend.check_seed(seed, "manual_seed")
        self._rng = backend.new_rng(self.device, self._seed)
        return self

    def seed(self) -> int:
        """Restart the stream from a seed drawn from the OS, and return that seed."""
        self.manual_seed(backend.entropy_seed())
        return self._seed

    def initial_seed(self) -> int:
        """The seed the stream started from (manual_seed's, or 67280421310721 as PyTorch's)."""
        return self._seed

    def get_state(self) -> Tensor:
        """The stream's whole state (the twister's key and position, and the normal sample it
        keeps), a uint8 tensor for `set_state` (CPU generators only: cupy keeps its
        generators' state on the GPU, out of reach). Not torch's 5056-byte layout."""
        if self.device.type != "cpu":
            raise NotImplementedError(f"get_state: not supported for a {self.device} generator")
        return state_of(self._rng)

    def set_state(self, new_state: Tensor) -> Generator:
        """Continue the stream from a state `get_state` returned; returns the generator."""
        if self.device.type != "cpu":
            raise NotImplementedError(f"set_state: not supported for a {self.device} generator")
        restore_state(self._rng, new_state, "set_state")
        return self

    def __repr__(self) -> str:
        return f"<minigrad.Generator on {self.device}, initial seed {self._seed}>"


def state_of(rng) -> Tensor:
    """A CPU stream's state as get_state gives it: its key, position and kept normal."""
    key, pos, kept = rng.state
    data = key + struct.pack(_STATE_TAIL, pos, kept is not None, kept or 0.0)
    return Tensor.wrap(backend.host_array(bytearray(data), dtype=dtypes.uint8))


def restore_state(rng, new_state: Tensor, op: str) -> None:
    """Put the state `state_of` gave back into the CPU stream `rng`."""
    if not isinstance(new_state, Tensor) or new_state.dtype != dtypes.uint8:
        raise TypeError(f"{op}: new_state must be a uint8 Tensor, got {_described(new_state)}")
    data = backend.to_host(new_state.array).tobytes()
    if len(data) != _STATE_BYTES:
        raise OptionError(
            f"{op}: new_state must hold {_STATE_BYTES} bytes (from get_state), got {len(data)}"
        )
    pos, has_kept, kept = struct.unpack(_STATE_TAIL, data[_KEY_BYTES:])
    if pos > _KEY_BYTES // 4:
        raise OptionError(f"{op}: new_state holds a position {pos} past the key's end")
    rng.state = (data[:_KEY_BYTES], pos, kept if has_kept else None)


def rng_of(generator, device: backend.Device, op: str):  # noqa: ANN201 - a stream or cupy Generator
    """The stream to draw from (PyTorch's CPU one, or a cupy Generator): `generator`'s, or
    with None `device`'s global one; a generator of another device is refused, as in PyTorch."""
    if generator is None:
        return backend.generator(device)
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{op}: generator must be a mg.Generator or None, got {_described(generator)}"
        )
    if generator.device != device:
        raise RuntimeError(
            f"{op}: expected a generator on {device}, but generator is on {generator.device}"
        )
    return generator._rng


def multinomial(input: Tensor, num_samples, replacement: bool = False, *, generator=None) -> Tensor:
    """`num_samples` category indices (int64) drawn from the non-negative weights of each row
    of `input` ((k,) -> (num_samples,), (n, k) -> (n, num_samples)); without `replacement`
    each index at most once per row (so num_samples <= k).

    >>> mg.multinomial(mg.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
    tensor([1, 1])
    """
    op = "multinomial"
    num_samples = as_int(num_samples, "num_samples", op)
    replacement = check_bool(replacement, "replacement", op)
    if not dtypes.is_floating(input.dtype):
        raise DTypeError(f"{op}: input must have a floating point dtype, got {input.dtype}")
    if input.ndim not in (1, 2):
        raise ShapeError(f"{op}: input (prob_dist) must be 1 or 2 dim, got shape {input.shape}")
    if num_samples <= 0:
        raise OptionError(f"{op}: cannot sample num_samples <= 0 samples (got {num_samples})")
    k = input.shape[-1]
    if not replacement and num_samples > k:
        raise OptionError(
            f"{op}: cannot sample num_samples={num_samples} > input.size(-1)={k} samples "
            "without replacement"
        )
    xp = backend.xp_of(input.array)
    p = input.array.reshape(-1, k).astype(dtypes.float64)
    if p.size and not bool(xp.all(xp.isfinite(p) & (p >= 0))):
        raise OptionError(f"{op}: input (probabilities) contains `inf`, `nan` or an element < 0")
    totals = p.sum(axis=1, keepdims=True)
    if p.size and not bool(xp.all(totals > 0)):
        raise OptionError(f"{op}: invalid multinomial distribution (sum of probabilities <= 0)")
    rng, rows = rng_of(generator, input.device, op), p.shape[0]
    if replacement:  # where each uniform draw falls in its row's cumulative distribution
        cdf = xp.cumsum(p / totals, axis=1) + xp.arange(rows)[:, None]
        u = rng.random((rows, num_samples)) + xp.arange(rows)[:, None]
        picked = xp.searchsorted(cdf.reshape(-1), u.reshape(-1), side="right").reshape(u.shape)
        picked = xp.minimum(picked - xp.arange(rows)[:, None] * k, k - 1)
    else:  # the k largest of u ** (1 / p) (Efraimidis-Spirakis); zero weights come last
        with backend.numpy.errstate(divide="ignore"):
            keys = xp.log(rng.random((rows, k))) / p
        picked = xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor.wrap(picked.astype(dtypes.int64).reshape(input.shape[:-1] + (num_samples,)))


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    """0s and 1s of input's dtype: each 1 with the probability in `input` (in [0, 1]), or
    with `p` for every element when given. Its gradient is 0, as in PyTorch."""
    op = "bernoulli"
    require_float(input, "input", op)
    if p is None:
        probabilities = input.array
        if probabilities.size and not bool(((probabilities >= 0) & (probabilities <= 1)).all()):
            raise OptionError(f"{op}: input (probabilities) must lie in [0, 1]")
    else:
        probabilities = probability(p, "p", op)
    return sampled(draw_bernoulli(input, probabilities, generator, op), input)


def sampled(array, *sources) -> Tensor:
    """The drawn `array` as a Tensor, joined to each source that requires grad with gradient
    0: PyTorch defines the derivatives of normal and bernoulli as zero, so that a loss through
    them backpropagates (for a reparameterised sample, write mean + std * mg.randn_like(std))."""
    out = Tensor.wrap(array)
    for source in sources:
        if isinstance(source, Tensor) and source.requires_grad:
            never = Tensor.wrap(backend.xp_of(array).zeros(array.shape, dtype=dtypes.bool))
            out = where(never, source, out)
    return out


def probability(p, name: str, op: str) -> float:
    """A probability: a number in [0, 1]."""
    value = as_number(p, name, op)
    if not 0 <= value <= 1:
        raise OptionError(f"{op}: {name} must be in [0, 1], got {value}")
    return value


def draw_bernoulli(t: Tensor, probabilities, generator, op: str):  # noqa: ANN201 - an array
    """An array of t's shape and dtype, 1 where a uniform draw falls below `probabilities`
    (a number or an array broadcasting to t's shape)."""
    u = backend.uniform(t.device, t.shape, dtypes.float64, rng=rng_of(generator, t.device, op))
    try:
        return (u < probabilities).astype(t.dtype)
    except ValueError:
        raise ShapeError(
            f"{op}: p of shape {probabilities.shape} does not broadcast to the shape {t.shape}"
        ) from None
