"""PyTorch's CPU random stream: a Mersenne Twister (mt19937) and the transformations that
torch's CPU generator applies to its 32-bit outputs, so that after `mg.manual_seed(s)` the
CPU draws of rand, randn, randint, randperm and the in-place fills give torch's numbers.

The raw outputs come from numpy's `MT19937` bit generator, given the state that the standard
`init_genrand(seed & 0xffffffff)` seeding makes (numpy's legacy `RandomState` seeding is that
algorithm), which is how torch's CPUGeneratorImpl seeds its engine. What torch does with the
outputs (checked against torch 2.13 CPU, call by call):

- random(): one output; random64(): two, the first as the high 32 bits;
- a float32 uniform: (random() & (2**24 - 1)) * 2**-24, then x * (to - from) + from in
  float32, rounded once (a fused multiply-add); float64: the low 53 bits of random64() times
  2**-53, then the same in float64; float16: drawn as float32 and rounded, a value that rounds
  up to `to` replaced by `from`;
- normal_ of 16 or more elements: every element a uniform first, then Box-Muller in blocks of
  16 (u1 = 1 - x[j], u2 = x[j + 8] for j < 8: cos in the first half, sin in the second); when
  16 does not divide the size, the last 16 elements are drawn again and transformed as a block
  (float16: uniforms for whole blocks are drawn at once, and the last block lands at the end);
- fewer than 16: one double normal per element (u1, u2 two float64 uniforms, radius
  sqrt(-2 log(1 - u2)), angle 2 pi u1), whose sin half the generator keeps for the next one;
- randint: random() % range + low, random64() where range >= 2**32;
- randperm(n): a Fisher-Yates loop, swapping r[i] with r[i + random() % (n - i)].

torch computes log, sin and cos of float32 with Sleef's vectorised functions; numpy's differ
from them in the last bit now and then, so float32 normals of 16 or more elements match torch's
to within a few ulp rather than bit for bit.
"""

from __future__ import annotations

import functools
import threading

import numpy

__all__ = ["MT19937Stream", "check_seed", "entropy_seed"]

_DEFAULT_SEED = 67280421310721  # what a new torch.Generator starts from
_BLOCK = 16  # normal_'s Box-Muller block, and the size from which normal_ uses it
_SMALL_PERM = 2**32 // 20  # randperm's loop with random(): n below this (torch's bound)
_U64 = numpy.uint64


def check_seed(seed, op: str) -> int:
    """A seed as PyTorch takes it: an int in [-2**63, 2**64); a negative one wraps around."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"{op}: seed must be an int, got {type(seed).__name__}")
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"{op}: seed must be in [-2**63, 2**64), got {seed}")
    return seed % 2**64


def entropy_seed() -> int:
    """A fresh, unpredictable 64-bit seed from the OS (what `seed()` methods pick)."""
    return int(numpy.random.SeedSequence().generate_state(1, numpy.uint64)[0])


def _locked(method):
    """One draw at a time per stream, as torch's generator mutex makes it: threads sharing the
    global generator get whole draws (and a normal kept for the next call is taken once)."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


watch = threading.local()  # .note(name): called at each move of any stream by this thread


def moved(name: str) -> None:
    """A stream moves (a draw, a reseed: `name`): told to `watch.note` where this thread set
    one (mg.compile's recording, which lets only dropout draw)."""
    note = getattr(watch, "note", None)
    if note is not None:
        note(name)


def _moves(method):
    """_locked, for a call that moves the stream: `moved` first."""
    locked = _locked(method)

    @functools.wraps(method)
    def moving(self, *args, **kwargs):
        moved(method.__name__)
        return locked(self, *args, **kwargs)

    return moving


class MT19937Stream:
    """PyTorch's CPU generator: mt19937 outputs, transformed as torch's CPU kernels do.

    It answers the calls of a numpy `Generator` that minigrad makes (`random`,
    `standard_normal`, `integers`, `permutation`) with torch's numbers.

    >>> s = MT19937Stream(0)
    >>> s.random(3, dtype=np.float32)  # torch.manual_seed(0); torch.rand(3)
    array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
    >>> s.integers(0, 10, 3)  # torch.randint(10, (3,)) next
    array([0, 3, 9])
    """

    def __init__(self, seed: int = _DEFAULT_SEED):
        self._lock = threading.RLock()
        self._bits = numpy.random.MT19937()
        self._draws = numpy.random.Generator(self._bits)  # (its fast 64-bit draws)
        self._seed(seed)  # (a new stream: nothing moved)

    @_moves
    def manual_seed(self, seed: int) -> MT19937Stream:
        """Restart from `seed` (its low 32 bits seed the twister, as in torch); forget the
        kept normal sample."""
        self._seed(seed)
        return self

    def _seed(self, seed: int) -> None:
        _, key, pos = numpy.random.RandomState(seed & 0xFFFFFFFF).get_state()[:3]
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._normal: float | None = None

    @property
    def bit_generator(self) -> MT19937Stream:
        """The stream itself: its `state` holds everything (a numpy Generator's spelling)."""
        return self

    @property
    @_locked
    def state(self) -> tuple:
        """(twister key as bytes, position, kept normal sample or None): comparable with ==,
        and assignable back to continue from it."""
        inner = self._bits.state["state"]
        return inner["key"].astype(numpy.uint32).tobytes(), int(inner["pos"]), self._normal

    @state.setter
    @_moves
    def state(self, value: tuple) -> None:
        key, pos, kept = value
        key = numpy.frombuffer(key, dtype=numpy.uint32).copy()
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._normal = kept

    def random64(self, n: int) -> numpy.ndarray:
        """n outputs of torch's random64(), as uint64: two twister outputs each, the first the
        high half (numpy's 64-bit MT19937 draw, which a full-range `integers` returns as is)."""
        return self._draws.integers(0, 2**64, size=n, dtype=_U64)

    def random32(self, n: int) -> numpy.ndarray:
        """n outputs of torch's random(), as uint32."""
        return self._bits.random_raw(n).astype(numpy.uint32)

    def _unit(self, n: int, dtype) -> numpy.ndarray:
        """n uniforms in [0, 1) of float32 (24 bits) or float64 (53 bits), as torch draws."""
        if dtype == numpy.float64:
            return (self.random64(n) & _U64(2**53 - 1)).astype(numpy.float64) * 2.0**-53
        bits = self.random32(n)
        bits &= numpy.uint32(2**24 - 1)
        x = bits.view(numpy.int32).astype(numpy.float32)  # (faster than from uint32)
        x *= numpy.float32(2.0**-24)
        return x

    @_moves
    def uniform(self, shape, dtype, low: float = 0.0, high: float = 1.0) -> numpy.ndarray:
        """An array of `shape` and float `dtype` from U(low, high), torch's uniform_."""
        work = numpy.float64 if dtype == numpy.float64 else numpy.float32
        low, high = work(low), work(high)
        x = self._unit(_numel(shape), work)
        if (low, high) != (0.0, 1.0):
            x = _fma(x, high - low, low)
        out = x.reshape(shape).astype(dtype, copy=False)
        if dtype == numpy.float16:  # torch turns a draw that rounds up to `high` into `low`
            out[out >= numpy.float16(high)] = numpy.float16(low)
        return out

    @_moves
    def normal(self, shape, dtype, mean: float = 0.0, std: float = 1.0) -> numpy.ndarray:
        """An array of `shape` and float `dtype` from N(mean, std^2), torch's normal_."""
        n = _numel(shape)
        if n < _BLOCK:
            out = self._small_normal(n, mean, std)
        else:
            work = numpy.float64 if dtype == numpy.float64 else numpy.float32
            if dtype == numpy.float16:  # torch draws whole blocks, the last one put at the end
                whole = -(-n // _BLOCK) * _BLOCK
                out = self._unit(whole, work)
                _box_muller(out, work(mean), work(std))
                out[n - _BLOCK : n] = out[whole - _BLOCK :]
                return out[:n].reshape(shape).astype(dtype)
            out = self._unit(n, work)
            blocks = n // _BLOCK * _BLOCK
            _box_muller(out[:blocks], work(mean), work(std))
            if blocks < n:  # the last 16 drawn again, overlapping the last whole block
                tail = self._unit(_BLOCK, work)
                _box_muller(tail, work(mean), work(std))
                out[n - _BLOCK :] = tail
        return out.reshape(shape).astype(dtype, copy=False)

    def _small_normal(self, n: int, mean: float, std: float) -> numpy.ndarray:
        """n samples of torch's double normal_distribution, one after another."""
        out = numpy.empty(n, dtype=numpy.float64)
        first = 0
        if n and self._normal is not None:
            out[0] = _fma(numpy.array([self._normal]), std, mean)[0]
            first, self._normal = 1, None
        pairs = (n - first + 1) // 2
        u = self._unit(2 * pairs, numpy.float64).reshape(pairs, 2)
        radius = numpy.sqrt(-2.0 * numpy.log1p(-u[:, 1]))
        theta = 2.0 * numpy.pi * u[:, 0]
        both = numpy.stack([radius * numpy.cos(theta), radius * numpy.sin(theta)], axis=1)
        samples = both.reshape(-1)
        if (n - first) % 2:  # the last sin half waits for the next draw
            self._normal = float(samples[-1])
        out[first:] = _fma(samples[: n - first], std, mean)
        return out

    @_moves
    def integers(
        self, low: int, high: int | None = None, size=None, dtype=numpy.int64
    ) -> numpy.ndarray | int:
        """Integers in [low, high) (or [0, low) with one bound), torch's randint: an int
        when `size` is None, else an array of `dtype`."""
        low, high = (0, low) if high is None else (low, high)
        count = 1 if size is None else _numel(size)
        span = high - low
        if span >= 2**64:  # the full 64-bit range: the bits themselves
            values = self.random64(count)
        else:
            raw = self.random32(count) if span < 2**32 else self.random64(count)
            values = raw % _U64(span) + _U64(low % 2**64)
        values = values.view(numpy.int64)
        if size is None:
            return int(values[0])
        return values.reshape(size).astype(dtype, copy=False)

    @_moves
    def permutation(self, n: int) -> numpy.ndarray:
        """A permutation of 0, ..., n - 1 (int64), torch's randperm."""
        out = numpy.arange(n, dtype=numpy.int64)
        if n < _SMALL_PERM:
            hops = (self.random32(max(n - 1, 0)) % numpy.arange(n, 1, -1, dtype=_U64)).tolist()
            perm = out.tolist()
            for i, hop in enumerate(hops):
                j = i + hop
                perm[i], perm[j] = perm[j], perm[i]
            return numpy.array(perm, dtype=numpy.int64)
        # torch's "inside-out" loop with random64() where random() % (n - i) would be skewed
        picks = (self.random64(n) % numpy.arange(1, n + 1, dtype=_U64)).tolist()
        for i, z in enumerate(picks):
            out[i], out[z] = out[z], i
        return out

    def random(self, size=None, dtype=numpy.float64) -> numpy.ndarray | float:
        """Uniforms in [0, 1) (numpy's Generator.random's call, torch's numbers)."""
        if size is None:
            return float(self.uniform((1,), dtype)[0])
        return self.uniform(size if isinstance(size, tuple) else (size,), dtype)

    def standard_normal(self, size, dtype=numpy.float64) -> numpy.ndarray:
        """Standard normals (numpy's Generator.standard_normal's call, torch's numbers)."""
        return self.normal(size if isinstance(size, tuple) else (size,), dtype)

    def __repr__(self) -> str:
        return f"<MT19937Stream at position {self.state[1]}>"


def _numel(shape) -> int:
    shape = shape if isinstance(shape, tuple | list) else (shape,)
    return int(numpy.prod(shape, dtype=numpy.int64))


def _box_muller(x: numpy.ndarray, mean, std) -> None:
    """In place: blocks of 16 uniforms to normals, as torch's normal_fill_16, in x's float
    dtype (for float32 numpy's log, cos and sin, which differ from torch's Sleef ones in the
    last bit now and then)."""
    work = x.dtype.type
    blocks = x.reshape(-1, 2, _BLOCK // 2)
    radius = numpy.sqrt(work(-2) * numpy.log(work(1) - blocks[:, 0]))
    theta = work(2.0 * numpy.pi) * blocks[:, 1]
    blocks[:, 0] = _fma(radius * numpy.cos(theta), std, mean)
    blocks[:, 1] = _fma(radius * numpy.sin(theta), std, mean)


def _fma(x: numpy.ndarray, std, mean) -> numpy.ndarray:
    """x * std + mean rounded once, as torch's compiled kernels fuse it (uniform's scaling
    too): a float32 product is exact in float64; a float64 one is split into its rounded value
    and its error, Dekker's way."""
    if (std, mean) == (1, 0):
        return x
    if x.dtype == numpy.float32:
        return (x.astype(numpy.float64) * numpy.float64(std) + numpy.float64(mean)).astype(x.dtype)
    product = x * std
    error = _product_error(x, numpy.float64(std), product)
    total = product + mean
    rest = (product - (total - (total - product))) + (mean - (total - product))
    return total + (rest + error)


def _product_error(a: numpy.ndarray, b, product: numpy.ndarray) -> numpy.ndarray:
    """a * b - product exactly, for float64 a and b (Veltkamp's split into 26-bit halves)."""
    split = 134217729.0  # 2**27 + 1
    a_hi = a * split - (a * split - a)
    b_hi = b * split - (b * split - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
