"""`DataLoader`: batches from a dataset, in the order its sampler gives, PyTorch's arguments."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterator

from .. import backend
from ..errors import _described, as_int, as_number, as_size, check_callable, truth
from ..tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .multiprocess import WorkerIterator
from .sampler import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    _index_array,
    as_generator,
    draw_seed,
    iter_indices,
)
from .worker import make_fetcher

__all__ = ["DataLoader"]

_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size`, as PyTorch's DataLoader does.

    - Order: `shuffle` (a new random order every epoch), or a `sampler` of indices, or a
      `batch_sampler` of lists of indices; `drop_last` drops a final, smaller batch;
      `batch_size=None` yields single samples (through `default_convert`).
    - Randomness: `generator`, a `mg.Generator` (also: a numpy `Generator`, or an int that
      seeds a new one), is what shuffling draws from, so the same seed gives the same
      sequence of epochs. Without one, each epoch is seeded from the global generator
      (`mg.manual_seed`). `seed=n` (minigrad's) is `generator=n`.
    - Batches: each sample list goes through `collate_fn` (`default_collate`: stacked, so
      copied, never views of the dataset). A dataset with `__getitems__(indices)` is asked
      for a batch's samples at once. A `TensorDataset` (or a `Subset` of one, as from
      `random_split`) with the default collation is read in the main process by one
      indexing per tensor per batch, with no per-sample Python: the same batches, faster.
      It skips worker processes even when `num_workers` asks for them (there is nothing
      for them to do in parallel), and so `worker_init_fn` is not called for it.
    - Workers: `num_workers=n > 0` loads batches in n processes (`multiprocessing_context`:
      default fork where there is fork, else spawn), `prefetch_factor` batches ahead per
      worker, yielded in order (unless `in_order=False`). Each epoch (once, with
      `persistent_workers`, which keeps the workers between epochs) a base seed is drawn
      from `generator` before the order is; worker i seeds `mg.manual_seed` and `random`
      with base_seed + i, runs `worker_init_fn(i)`, and `get_worker_info()` tells dataset
      code which worker it is in. (PyTorch draws the base seed without workers too; minigrad
      does not, so a generator's shuffles are its plain permutations without workers, and
      differ from those with. numpy's legacy `np.random` state is not reseeded in workers.)
      An exception in a worker is raised here, naming the worker, with its traceback; a
      worker that dies is a RuntimeError; `timeout` > 0 bounds each wait. After an error
      the workers are stopped (persistent ones only when one died).
    - `pin_memory` is accepted and does nothing (batches are not staged in page-locked
      memory, on CPU or GPU).

    >>> loader = DataLoader(mg.data.TensorDataset(x, y), batch_size=2, shuffle=True, seed=0)
    >>> [len(labels) for _, labels in loader]
    [2, 2, 1]
    """

    def __init__(
        self,
        dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler=None,
        batch_sampler=None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ):
        op = "DataLoader"
        self._iterable = isinstance(dataset, IterableDataset)
        if not self._iterable and not hasattr(dataset, "__getitem__"):
            raise TypeError(
                "DataLoader: dataset must be a map-style dataset (with __getitem__ and "
                f"__len__) or an IterableDataset, got {type(dataset).__name__}"
            )
        defaults = sampler is None and batch_sampler is None
        if not self._iterable and defaults and not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DataLoader: dataset must have __len__ for the default samplers, got "
                f"{type(dataset).__name__}"
            )
        num_workers = as_int(num_workers, "num_workers", op)
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        timeout = as_number(timeout, "timeout", op)
        if not timeout >= 0:
            raise ValueError("timeout option should be non-negative")
        if timeout and num_workers == 0:
            raise ValueError("timeout option needs num_workers > 0 (it bounds each wait)")
        prefetch_factor = _prefetch_factor(prefetch_factor, num_workers)
        persistent_workers = truth(persistent_workers, "persistent_workers", op)
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if not isinstance(drop_last, bool):  # (PyTorch's check and words)
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        if seed is not None:
            if generator is not None:
                raise ValueError("DataLoader: give generator or seed, not both")
            generator = as_size(seed, "seed", op)
        generator = as_generator(generator, op)
        given = (batch_size, shuffle, sampler, batch_sampler, drop_last)
        sampler, batch_sampler, batch_size = _order(dataset, self._iterable, *given, generator)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.generator = generator
        self.collate_fn = _collate_fn(collate_fn, self._auto_collation)
        self.pin_memory = truth(pin_memory, "pin_memory", op)
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = (
            None if worker_init_fn is None else check_callable(worker_init_fn, "worker_init_fn", op)
        )
        self.multiprocessing_context = _context(multiprocessing_context, num_workers)
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = truth(in_order, "in_order", op)
        self._iterator = None
        _warn_if_too_many_workers(num_workers)
        self.__dict__["_initialized"] = True

    def __setattr__(self, name: str, value) -> None:
        if self.__dict__.get("_initialized") and name in _FROZEN:
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    def _indices(self) -> Iterator:
        """An epoch of the batch sampler (or, with batch_size=None, of the sampler)."""
        if self.batch_sampler is not None:
            return iter_indices(self.batch_sampler, "batch_sampler")
        return iter_indices(self.sampler, "sampler")

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self) -> Iterator:
        in_memory = None
        if self.batch_sampler is not None and self.collate_fn is default_collate:
            in_memory = InMemory.of(self.dataset)
        if in_memory is not None or self.num_workers == 0:
            draw_seed(self.generator)  # (PyTorch draws the workers' base seed even with none)
            if in_memory is not None:
                return in_memory.batches(self.batch_sampler)
            return self._single_process()
        if not self.persistent_workers:
            return WorkerIterator(self, draw_seed(self.generator))
        if self._iterator is None or self._iterator._shut:  # (first, or after a worker died)
            self._iterator = WorkerIterator(self, draw_seed(self.generator))
        else:
            self._iterator._reset()
        return self._iterator

    def _single_process(self) -> Iterator:
        fetcher = make_fetcher(
            self._iterable, self.dataset, self._auto_collation, self.collate_fn, self.drop_last
        )
        if not self._iterable:
            yield from (fetcher.fetch(index) for index in self._indices())
            return
        while True:
            try:
                batch = fetcher.fetch(self.batch_size)
            except StopIteration:
                return
            yield batch


class InMemory:
    """The fast path for a TensorDataset, or a Subset of one (of one ...), with the default
    collation: a batch is one gather per tensor, which is the batch `default_collate` would
    stack from the samples (a copy, as stacking is) without a Python call per sample."""

    def __init__(self, tensors, index_map=None):
        self.tensors, self.index_map = tensors, index_map

    @classmethod
    def of(cls, dataset) -> InMemory | None:
        """The fast path for `dataset`, or None when it is not a stock (Subset of a)
        TensorDataset: a subclass that reads its samples its own way goes the normal way."""
        kind = type(dataset)
        if kind.__getitem__ is TensorDataset.__getitem__ and not hasattr(kind, "__getitems__"):
            return cls(dataset.tensors)
        if kind.__getitem__ is Subset.__getitem__ and kind.__getitems__ is Subset.__getitems__:
            inner = cls.of(dataset.dataset)
            if inner is not None:
                chosen = _index_array(dataset.indices, "indices", "Subset")
                mapped = chosen if inner.index_map is None else inner.index_map[chosen]
                return cls(inner.tensors, mapped)
        return None

    def _place(self, index):
        """Indices (a list or a host array) as dataset rows on the tensors' device."""
        index = _index_array(index, "indices", "DataLoader")
        if self.index_map is not None:
            index = self.index_map[index]
        return backend.move(index, self.tensors[0].device)

    def batches(self, batch_sampler) -> Iterator[list[Tensor]]:
        if type(batch_sampler).__iter__ is BatchSampler.__iter__:
            indices = batch_sampler.index_arrays(self._place)  # the epoch placed at once
        else:
            indices = map(self._place, iter_indices(batch_sampler, "batch_sampler"))
        for index in indices:
            yield [Tensor.wrap(t.array[index]) for t in self.tensors]


def _order(dataset, iterable, batch_size, shuffle, sampler, batch_sampler, drop_last, generator):
    """(sampler, batch_sampler, batch_size) from DataLoader's arguments, PyTorch's rules."""
    if iterable:
        if shuffle not in (False, None):
            raise ValueError(
                "DataLoader with IterableDataset: expected unspecified shuffle option, "
                f"but got shuffle={shuffle!r}"
            )
        for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if value is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified {name} option, "
                    f"but got {name}={value!r}"
                )
    shuffle = truth(shuffle, "shuffle", "DataLoader")
    for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
        if value is not None and not hasattr(value, "__iter__"):
            raise TypeError(f"DataLoader: {name} must be iterable, got {_described(value)}")
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                "sampler, and drop_last"
            )
        return sampler, batch_sampler, None
    if batch_size is None and drop_last:
        raise ValueError(
            "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
        )
    if iterable:
        if batch_size is not None:
            BatchSampler([], batch_size, drop_last)  # (its checks of batch_size)
        return None, None, batch_size
    if sampler is None:
        sampler = (
            RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        )
    if batch_size is None:
        return sampler, None, None
    return sampler, BatchSampler(sampler, batch_size, drop_last), batch_size


def _collate_fn(collate_fn, auto_collation: bool):
    if collate_fn is None:
        return default_collate if auto_collation else default_convert
    return check_callable(collate_fn, "collate_fn", "DataLoader")


def _prefetch_factor(prefetch_factor, num_workers: int):
    if prefetch_factor is None:
        return 2 if num_workers > 0 else None
    if num_workers == 0:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing. Let "
            "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    prefetch_factor = as_int(prefetch_factor, "prefetch_factor", "DataLoader")
    if prefetch_factor <= 0:
        raise ValueError(f"prefetch_factor option should be positive, got {prefetch_factor}")
    return prefetch_factor


def _context(context, num_workers: int):
    """multiprocessing_context as a multiprocessing context object, or None (the default)."""
    import multiprocessing
    from multiprocessing.context import BaseContext

    if context is None:
        return None
    if num_workers == 0:
        raise ValueError(
            "multiprocessing_context can only be used with multi-process loading "
            f"(num_workers > 0), but got num_workers={num_workers}"
        )
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(
                f"multiprocessing_context option should specify a valid start method in "
                f"{methods!r}, but got multiprocessing_context={context!r}"
            )
        context = multiprocessing.get_context(context)
    if not isinstance(context, BaseContext):
        raise TypeError(
            "multiprocessing_context option should be a valid context object or a string "
            f"specifying the start method, but got multiprocessing_context={context!r}"
        )
    return context


def _warn_if_too_many_workers(num_workers: int) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if cores and num_workers > cores:
        warnings.warn(
            f"This DataLoader will create {num_workers} worker processes in total. Our "
            f"suggested max number of worker in current system is {cores}, which is smaller "
            "than what this DataLoader is going to create.",
            stacklevel=3,
        )
