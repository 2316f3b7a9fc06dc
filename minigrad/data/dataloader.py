"""`DataLoader`: batches from a dataset, optionally shuffled by a seeded generator."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

from .. import backend, creation, dtypes, functions
from ..errors import as_size, check_callable, truth
from ..tensor import Tensor

__all__ = ["DataLoader", "default_collate"]


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size`.

    - `shuffle`: a new random order every epoch (every `iter()`), drawn from the loader's own
      generator, seeded by `seed` (or, when `seed` is None, from `mg.manual_seed`'s CPU
      generator): the same seed gives the same sequence of epochs.
    - `drop_last`: drop the final, smaller batch.
    - A dataset with `__getitems__` (as `TensorDataset`) is asked for each batch at once: one
      fancy-indexing per tensor (a slice, so views, when not shuffling), no per-sample Python.
      Others are read sample by sample and joined with `collate_fn` (`default_collate`).

    >>> loader = DataLoader(mg.data.TensorDataset(x, y), batch_size=2, shuffle=True, seed=0)
    >>> [len(labels) for _, labels in loader]
    [2, 2, 1]
    """

    def __init__(
        self,
        dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        collate_fn: Callable | None = None,
    ):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, got {batch_size!r}")
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                "DataLoader: dataset must be a map-style dataset (with __getitem__ and "
                f"__len__), got {type(dataset).__name__}"
            )
        if not isinstance(drop_last, bool):  # (PyTorch's check and words)
            raise ValueError(  # noqa: TRY004 - PyTorch's ValueError
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        self.shuffle = truth(shuffle, "shuffle", "DataLoader")  # any truth value, as in PyTorch
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.seed = None if seed is None else as_size(seed, "seed", "DataLoader")
        self.collate_fn = None if collate_fn is None else check_callable(
            collate_fn, "collate_fn", "DataLoader"
        )
        self._rng = None  # made at the first shuffled epoch, so manual_seed may come later

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _generator(self):
        if self._rng is None:
            if self.seed is not None:
                self._rng = backend.host_rng(self.seed)
            else:  # derive from the global CPU generator, which manual_seed controls
                parent = backend.generator(backend.as_device("cpu"))
                self._rng = backend.host_rng(parent.integers(2**63))
        return self._rng

    def __iter__(self) -> Iterator:
        n, size = len(self.dataset), self.batch_size
        stop = n - n % size if self.drop_last else n
        order = self._generator().permutation(n) if self.shuffle else None
        batched = self.collate_fn is None and hasattr(self.dataset, "__getitems__")
        if batched and order is not None:
            order = _on_dataset_device(order, self.dataset)  # one upload per epoch, not batch
        for start in range(0, stop, size):
            if order is None:
                indices = slice(start, min(start + size, n))
            else:
                indices = order[start : start + size]
            if batched:
                yield self.dataset.__getitems__(indices)
            else:
                if isinstance(indices, slice):
                    indices = range(indices.start, indices.stop)
                samples = [self.dataset[int(i)] for i in indices]
                yield (self.collate_fn or default_collate)(samples)


def _on_dataset_device(order, dataset):
    """The index array on the device of the dataset's tensors, when it has any."""
    tensors = getattr(dataset, "tensors", None)
    if tensors:
        return backend.move(order, tensors[0].device)
    return order


def default_collate(samples: list):
    """Join samples into a batch: tensors and arrays are stacked along a new first dim,
    numbers become a 1-d tensor (Python floats float64, ints int64, as in PyTorch), strings
    a list, and tuples/lists/dicts are joined field by field."""
    if not isinstance(samples, (list, tuple)):
        raise TypeError(
            f"default_collate: samples must be a list of samples, got {type(samples).__name__}"
        )
    if not samples:
        raise ValueError("default_collate: samples is empty; there is no batch to make")
    first = samples[0]
    if isinstance(first, Tensor):
        return functions.stack(list(samples))
    if backend.is_array(first):
        return Tensor.wrap(backend.xp_of(first).stack(samples))
    if isinstance(first, backend.numpy.generic) and first.dtype.kind in "biuf":
        return creation.tensor(backend.host_array(samples))  # their own dtype
    if isinstance(first, float):  # as PyTorch: Python floats are float64 here, not float32
        return creation.tensor(samples, dtype=dtypes.float64)
    if isinstance(first, (bool, int)):
        return creation.tensor(samples)
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, dict):
        if any(not isinstance(s, dict) or s.keys() != first.keys() for s in samples):
            raise KeyError(
                f"default_collate: samples must be dicts with the same keys {list(first)}"
            )
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise RuntimeError(
                "default_collate: each of the samples should have the same number of fields"
            )
        fields = [default_collate(list(column)) for column in zip(*samples)]
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        f"default_collate: samples must hold tensors, arrays, numbers, or tuples/lists/dicts "
        f"of them; got {type(first).__name__}"
    )
