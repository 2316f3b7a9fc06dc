"""Samplers: the order in which a `DataLoader` visits a map-style dataset (PyTorch's).

A sampler yields indices; `BatchSampler` groups another sampler's indices into lists. The
stock samplers also draw a whole epoch's order as one index array (`_order`), which is what
`BatchSampler` slices and the loader's in-memory fast path indexes with: no Python per index.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Iterator, Sized

from .. import backend, creation, dtypes
from ..errors import OptionError, _described
from ..functions.sampling import Generator, rng_of
from ..tensor import Tensor

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]


def as_generator(generator, op: str):
    """`generator=` as loaders, samplers and `random_split` take it: None (the global CPU
    generator, which `mg.manual_seed` seeds, decides), a CPU `mg.Generator` (drawn from as
    PyTorch draws from a torch.Generator: successive epochs differ, `manual_seed` restarts
    it), or also a numpy `Generator` (the same), or an int (a new numpy generator seeded
    with it)."""
    if isinstance(generator, Generator):
        rng_of(generator, _CPU, op)  # (refuses a CUDA generator, as PyTorch does)
        return generator
    if generator is None or _is_rng(generator):
        return generator
    if type(generator) is int and generator >= 0:
        return backend.host_rng(generator)
    raise TypeError(
        f"{op}: generator must be a mg.Generator (or a numpy Generator, or a non-negative int "
        f"seed), got {_described(generator)}"
    )


_CPU = backend.as_device("cpu")


def _is_rng(obj) -> bool:
    return all(callable(getattr(obj, name, None)) for name in ("permutation", "integers"))


def source(generator):
    """The stream that draws for `generator` (as `as_generator` returned it): a mg.Generator's
    (PyTorch's CPU stream), the global CPU generator's for None, or the numpy one given."""
    if isinstance(generator, Generator):
        return rng_of(generator, _CPU, "generator")
    return backend.generator(_CPU) if generator is None else generator


def draw_seed(generator) -> int:
    """A seed in [0, 2**63) drawn from `generator`, or from the global CPU generator."""
    return int(source(generator).integers(2**63))


def _rng(generator):
    """What a RandomSampler draws an epoch from: its generator, or (as PyTorch does without
    one) a new CPU stream seeded from the global generator, so `mg.manual_seed` decides every
    epoch, number for number as in PyTorch."""
    return source(generator) if generator is not None else backend.new_rng(_CPU, draw_seed(None))


class Sampler:
    """Base class: `__iter__` yields indices (or, for a batch sampler, lists of them);
    `__len__`, when defined, says how many."""

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


def _iter_order(self) -> Iterator[int]:
    """The stock samplers' `__iter__`: the epoch's order, drawn at once, as Python ints."""
    return iter(self._order().tolist())


def _is_stock(sampler) -> bool:
    """Whether `sampler` is a stock sampler (its `__iter__` not overridden): one that can
    draw an epoch's whole order as one int64 index array, `sampler._order()`."""
    return getattr(type(sampler), "__iter__", None) is _iter_order


def _sized(data_source, op: str):
    """data_source, checked to have a length (PyTorch's samplers need only that)."""
    try:
        len(data_source)
    except TypeError:
        raise TypeError(
            f"{op}: data_source must have a length (a dataset or a sequence), got "
            f"{_described(data_source)}"
        ) from None
    return data_source


def iter_indices(source, name: str) -> Iterator:
    """iter(source), a sampler or batch sampler, or a TypeError naming it."""
    try:
        return iter(source)
    except TypeError:
        raise TypeError(
            f"DataLoader: {name} must be an iterable of indices, got {_described(source)}"
        ) from None


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, every epoch.

    >>> list(mg.data.SequentialSampler(range(4)))
    [0, 1, 2, 3]
    """

    def __init__(self, data_source: Sized):
        self.data_source = _sized(data_source, "SequentialSampler")

    def _order(self):
        return creation.arange(len(self.data_source)).array

    __iter__ = _iter_order

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random order of `data_source` each epoch (each `iter()`).

    Without `replacement`, a permutation (several, concatenated, when `num_samples` exceeds
    the dataset); with it, `num_samples` (default: len(data_source)) independent draws.
    `generator`: see `DataLoader`; without one, each epoch is seeded from the global generator.

    >>> sorted(mg.data.RandomSampler(range(5), generator=0))
    [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator=None,
    ):
        if not isinstance(replacement, bool):  # PyTorch's checks and words
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        self.data_source = _sized(data_source, "RandomSampler")
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = as_generator(generator, "RandomSampler")
        _check_num_samples(self.num_samples)

    @property
    def num_samples(self) -> int:
        """How many indices an epoch yields."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _order(self):
        n, count, rng = len(self.data_source), self.num_samples, _rng(self.generator)
        if n == 0:
            raise ValueError(
                f"RandomSampler: cannot draw num_samples={count} from an empty data_source"
            )
        if self.replacement:
            return rng.integers(0, n, size=count, dtype=dtypes.int64)
        if count == n:
            return rng.permutation(n)
        rounds = [rng.permutation(n) for _ in range(count // n + 1)]
        return backend.xp_of(rounds[0]).concatenate(rounds)[:count]

    __iter__ = _iter_order

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given `indices`, in a new random order each epoch."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = as_generator(generator, "SubsetRandomSampler")

    def _order(self):
        chosen = _index_array(self.indices, "indices", "SubsetRandomSampler")
        return chosen[source(self.generator).permutation(len(chosen))]  # (PyTorch's order)

    __iter__ = _iter_order

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices into `weights`, index i drawn with probability proportional to
    weights[i]: with replacement (the default) independently, without it each at most once.

    >>> list(mg.data.WeightedRandomSampler([0.0, 1.0, 0.0], 3))
    [1, 1, 1]
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        op = "WeightedRandomSampler"
        _check_num_samples(num_samples)
        if not isinstance(replacement, bool):  # (PyTorch's ValueError here, TypeError above)
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        try:
            w = weights.array if isinstance(weights, Tensor) else weights
            w = backend.host_array(backend.to_host(w) if backend.is_array(w) else w, dtypes.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{op}: weights must be a sequence of numbers, got {weights!r}"
            ) from None
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}"
            )
        if not (backend.xp_of(w).isfinite(w).all() and (w >= 0).all() and w.sum() > 0):
            raise OptionError(
                f"{op}: weights must be finite, non-negative and not all zero, got {w.tolist()}"
            )
        if not replacement and num_samples > len(w):
            raise OptionError(
                f"{op}: cannot draw num_samples={num_samples} without replacement from "
                f"{len(w)} weights"
            )
        self.weights = Tensor.wrap(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = as_generator(generator, op)

    def _order(self):
        w, rng, count = self.weights.array, source(self.generator), self.num_samples
        xp = backend.xp_of(w)
        if self.replacement:  # where each uniform falls in the cumulative weights
            cdf = xp.cumsum(w)
            picked = xp.searchsorted(cdf, rng.random(count) * cdf[-1], side="right")
            return xp.minimum(picked, xp.flatnonzero(w)[-1])  # (a draw rounded up to the total)
        # Without replacement, PyTorch's multinomial: successive draws, each in proportion to
        # the weights left, zero weights only once the others are used up. Sorting
        # exponential(1) / weight keys draws exactly that; the shuffle orders the zeros.
        shuffled = rng.permutation(len(w))
        ws, exponential = w[shuffled], -xp.log1p(-rng.random(len(w)))
        keys = xp.where(ws > 0, exponential / xp.where(ws > 0, ws, 1), xp.inf)
        return shuffled[xp.argsort(keys, kind="stable")[:count]]

    __iter__ = _iter_order

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of `batch_size` indices from `sampler`; the last one shorter unless `drop_last`.

    >>> list(mg.data.BatchSampler(mg.data.SequentialSampler(range(5)), 2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size!r}"
            )
        if batch_size > sys.maxsize:
            raise ValueError(f"batch_size must be at most sys.maxsize, got {batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        if not hasattr(sampler, "__iter__"):
            raise TypeError(
                f"BatchSampler: sampler must be an iterable of indices, got {_described(sampler)}"
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def index_arrays(self, place: Callable) -> Iterator:
        """The batches as index arrays, `place(indices)` of each: when the sampler is a stock
        one, slices of one order array placed at once (an epoch, one call); otherwise each
        list from `iter(self)` placed on its own."""
        if not _is_stock(self.sampler):
            yield from (place(batch) for batch in self)
            return
        order = place(self.sampler._order())
        n, size = len(order), self.batch_size
        for start in range(0, n - n % size if self.drop_last else n, size):
            yield order[start : start + size]

    def __iter__(self) -> Iterator[list[int]]:
        if _is_stock(self.sampler):
            yield from (batch.tolist() for batch in self.index_arrays(lambda order: order))
            return
        try:
            indices = iter(self.sampler)
        except TypeError:
            raise TypeError(
                f"BatchSampler: sampler must be an iterable of indices, got "
                f"{_described(self.sampler)}"
            ) from None
        while batch := list(itertools.islice(indices, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _check_num_samples(num_samples) -> None:
    if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
        raise ValueError(
            f"num_samples should be a positive integer value, but got num_samples={num_samples!r}"
        )


def _index_array(indices, name: str, op: str):
    """A sequence of ints (a list, a range, an int tensor or array) as a host int64 array."""
    if isinstance(indices, Tensor):
        indices = indices.array
    if backend.is_array(indices):
        indices = backend.to_host(indices)
    try:
        array = backend.host_array(indices)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"{op}: {name} must be a sequence of ints, got {_described(indices)}")
    return array.astype(dtypes.int64, copy=False)
