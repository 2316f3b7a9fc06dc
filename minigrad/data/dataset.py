"""Datasets, as PyTorch's: `Dataset` (map-style), `IterableDataset`, `TensorDataset`,
`Subset`, `ConcatDataset`, `ChainDataset`, and `random_split`."""

from __future__ import annotations

import bisect
import itertools
import math
import numbers
import warnings
from collections.abc import Iterable, Iterator, Sequence

from .. import backend, dtypes
from ..errors import as_int
from ..tensor import Tensor
from .sampler import as_generator, source

__all__ = [
    "ChainDataset",
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "Subset",
    "TensorDataset",
    "random_split",
]


class Dataset:
    """A map-style dataset: `dataset[i]` is sample i, `len(dataset)` the number of samples.

    Subclasses implement `__getitem__` and (for the default samplers) `__len__`. One that
    fetches many samples at once more cheaply may also implement `__getitems__(indices)`:
    a list of indices in, a list of samples out, which `DataLoader` then collates.
    `a + b` is `ConcatDataset([a, b])`.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses implement `__iter__`.

    With `DataLoader(num_workers=n)` every worker iterates its own copy of the dataset, so
    each sample comes n times unless `__iter__` shards by `mg.data.get_worker_info()`:

    >>> class Range(mg.data.IterableDataset):
    ...     def __iter__(self):
    ...         info = mg.data.get_worker_info()  # None in the main process
    ...         step, first = (1, 0) if info is None else (info.num_workers, info.id)
    ...         return iter(range(first, 6, step))
    >>> [b.tolist() for b in mg.data.DataLoader(Range(), batch_size=4)]
    [[0, 1, 2, 3], [4, 5]]
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are rows of tensors that share their first dimension: `ds[i] = (x[i], y[i])`.

    It also takes a whole batch of indices at once (an index tensor or array, a list, a
    slice), which gives the batch tensors in one indexing per tensor. `DataLoader` does
    that itself for a TensorDataset: it skips the per-sample reads and the collation.

    >>> ds = TensorDataset(mg.randn(100, 784), mg.randint(10, (100,)))
    >>> x, y = ds[mg.tensor([3, 1, 4])]
    >>> tuple(x.shape), tuple(y.shape)
    ((3, 784), (3,))
    """

    def __init__(self, *tensors: Tensor):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: expected Tensors, got {type(t).__name__}")
            if t.ndim == 0:
                raise ValueError("TensorDataset: tensors need a first (sample) dimension")
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            sizes = [t.shape[0] for t in tensors]
            raise ValueError(f"Size mismatch between tensors: first dimensions are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        if isinstance(index, Tensor):
            index = index.array
        elif isinstance(index, list):
            try:
                index = backend.host_array(index, dtype=dtypes.int64)
            except (ValueError, TypeError, OverflowError):
                raise TypeError(
                    f"TensorDataset: index must be a list of ints, got {index!r}"
                ) from None
        return tuple(rows(t, index) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def rows(t: Tensor, index) -> Tensor:
    """t[index] without recording: a view for ints and slices, one gather for index arrays."""
    if backend.is_array(index) and type(index) is not type(t.array):
        index = backend.move(index, t.device)  # e.g. a host index array for a GPU tensor
    picked = t.array[index]
    if not backend.is_array(picked):  # a 0-d index array picks a numpy scalar from a 1-d tensor
        picked = backend.xp_of(t.array).asarray(picked)
    return Tensor.wrap(picked)


class Subset(Dataset):
    """The samples of `dataset` at `indices`: `subset[i] = dataset[indices[i]]`.

    A subclass that overrides `__getitem__` must override `__getitems__` too (PyTorch's rule:
    the loader reads batches through `__getitems__`).
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]):
        cls = type(self)
        if cls.__getitem__ is not Subset.__getitem__ and cls.__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{cls.__name__} overrides __getitem__ but not __getitems__. When subclassing "
                "Subset and overriding __getitem__, you must also override __getitems__, e.g. "
                "def __getitems__(self, indices): return [self[i] for i in indices]"
            )
        sequence = isinstance(indices, Sequence) and not isinstance(indices, (str, bytes))
        if not (sequence or (isinstance(indices, Tensor) or backend.is_array(indices))):
            raise TypeError(f"Subset: indices must be a sequence of ints, got {indices!r}")
        if not sequence and indices.ndim != 1:
            raise TypeError(f"Subset: indices must be 1-d, got shape {tuple(indices.shape)}")
        self.dataset = dataset
        self.indices = indices

    def _chosen(self, i):
        try:
            return self.indices[i]
        except IndexError:
            raise IndexError(
                f"Subset: index {i} is out of range for a subset of length {len(self)}"
            ) from None

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self._chosen(i) for i in idx]]
        return self.dataset[self._chosen(idx)]

    def __getitems__(self, indices: list[int]) -> list:
        """The samples at `indices` (a list), as a list."""
        chosen = [self._chosen(i) for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(chosen)
        return [self.dataset[i] for i in chosen]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Map-style datasets one after another; `cumulative_sizes[k]` is the total length of the
    first k + 1. Negative indices count from the end.

    >>> ds = mg.data.ConcatDataset([[1, 2], [3, 4, 5]])
    >>> ds.cumulative_sizes, ds[2], ds[-1]
    ([2, 5], 3, 5)
    """

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        try:
            sizes = [len(d) for d in self.datasets if hasattr(d, "__getitem__")]
        except TypeError:
            sizes = []
        if len(sizes) != len(self.datasets):
            raise TypeError(
                "ConcatDataset: datasets must be map-style datasets (with __getitem__ and "
                f"__len__), got {[type(d).__name__ for d in self.datasets]}"
            )
        self.cumulative_sizes = list(itertools.accumulate(sizes))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        idx = as_int(idx, "index", "ConcatDataset")
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        if idx >= len(self):
            raise IndexError(
                f"ConcatDataset: index {idx} is out of range for a dataset of length {len(self)}"
            )
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        return self.datasets[k][idx - (self.cumulative_sizes[k - 1] if k else 0)]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another."""

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = datasets

    def __iter__(self) -> Iterator:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def random_split(dataset: Dataset, lengths: Sequence[int | float], generator=None) -> list:
    """Split `dataset` at random into non-overlapping `Subset`s of the given lengths.

    `lengths` are sizes that add up to len(dataset), or fractions that add up to 1: each
    split gets floor(fraction * len(dataset)), and what is left is handed out one by one
    from the first split on (PyTorch's rule). The order is one permutation drawn from
    `generator` (see `DataLoader`; default: the global generator).

    >>> [len(s) for s in mg.data.random_split(range(10), [0.5, 0.3, 0.2], generator=0)]
    [5, 3, 2]
    """
    op = "random_split"
    generator = as_generator(generator, op)
    try:
        n = len(dataset)
    except TypeError:
        raise TypeError(f"{op}: dataset must have a length, got {type(dataset).__name__}") from None
    lengths = _lengths(lengths, op)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        sizes = [math.floor(n * frac) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
        lengths = sizes
    if any(not isinstance(k, int) or k < 0 for k in lengths):
        raise ValueError(
            f"{op}: lengths must be non-negative ints or fractions that sum to 1, got {lengths}"
        )
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = source(generator).permutation(n).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, order[end - k : end]) for end, k in zip(ends, lengths)]


def _lengths(lengths, op: str) -> list:
    """`lengths` as a list of Python ints and floats."""
    try:
        values = list(lengths)
    except TypeError:
        values = None
    numeric = values is not None and all(
        isinstance(k, numbers.Real) and not isinstance(k, bool) for k in values
    )
    if not numeric:
        raise TypeError(f"{op}: lengths must be a sequence of ints or floats, got {lengths!r}")
    values = [int(k) if isinstance(k, numbers.Integral) else float(k) for k in values]
    if any(not math.isfinite(k) for k in values):
        raise ValueError(f"{op}: lengths must be finite, got {values}")
    return values
