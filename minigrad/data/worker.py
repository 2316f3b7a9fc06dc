"""What runs inside a `DataLoader` worker process, and what crosses between processes.

A worker reads tasks `(task number, indices)` from its own queue, fetches and collates the
batch, and puts `(task number, batch)` on the queue all workers share, pickled here (so a
batch that cannot be pickled is an error the main process hears of, not a silent hang), with
every Tensor sent as its numpy array. `get_worker_info()` tells dataset code which worker it
runs in. Fetching (`make_fetcher`) is the same code in the main process and in workers.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import traceback
from dataclasses import dataclass

from .. import backend
from ..tensor import Tensor

__all__ = ["WorkerInfo", "get_worker_info"]

# How often a waiting process checks that the other side is still alive (seconds).
STATUS_INTERVAL = 0.2


@dataclass(frozen=True)
class WorkerInfo:
    """The worker a piece of dataset code runs in: `id` (0 to num_workers - 1),
    `num_workers`, `seed` (base seed + id: what `mg.manual_seed` and `random.seed` were given
    in this worker) and `dataset` (this worker's copy of the dataset)."""

    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a `DataLoader` worker process, its `WorkerInfo`; in the main process, None.

    An `IterableDataset` uses it to give each worker its own share of the stream, a
    `worker_init_fn` to set up each worker differently.

    >>> mg.data.get_worker_info() is None
    True
    """
    return _worker_info


# ----- fetching a batch: the same in the main process and in workers -------------------------
class MapFetcher:
    """A batch of a map-style dataset: its `__getitems__(indices)` (a list of samples) when
    it has one, else one `dataset[i]` per index; then `collate_fn`. Without auto-collation,
    `index` is one index and `collate_fn` converts that one sample."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        try:
            index = list(index)  # (the list PyTorch's __getitems__ contract promises)
        except TypeError:
            raise TypeError(
                f"DataLoader: the batch sampler must give lists of indices, got {index!r}"
            ) from None
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(index) if callable(getitems) else [self.dataset[i] for i in index]
        return self.collate_fn(samples)


class IterableFetcher:
    """The next batch of `size` samples (or, for size None, the next sample) of an iterable
    dataset's iterator; StopIteration when it has ended (or, with drop_last, when only a
    shorter batch is left)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.iterator, self.ended = iter(dataset), False
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last

    def fetch(self, size):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        samples = []
        for sample in self.iterator:
            samples.append(sample)
            if len(samples) == size:
                break
        else:
            self.ended = True
        if not samples or (self.drop_last and len(samples) < size):
            raise StopIteration
        return self.collate_fn(samples)


def make_fetcher(iterable: bool, dataset, auto_collation: bool, collate_fn, drop_last: bool):
    kind = IterableFetcher if iterable else MapFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


# ----- what crosses the process boundary ----------------------------------------------------
class HostArray:
    """A Tensor of a batch on its way from a worker: its numpy array, pickled as numpy
    pickles arrays; a Tensor again in the main process (`to_tensors`)."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __reduce__(self):
        return HostArray, (self.array,)


def to_arrays(data):
    """`data` with every Tensor (in tuples, lists, namedtuples, dicts) a HostArray."""
    if isinstance(data, Tensor):
        return HostArray(backend.to_host(data.array))
    return _map_fields(to_arrays, data)


def to_tensors(data):
    """The inverse of `to_arrays`, in the main process."""
    if isinstance(data, HostArray):
        return Tensor.wrap(data.array)
    return _map_fields(to_tensors, data)


def _map_fields(fn, data):
    """fn applied to each field of a dict, namedtuple, tuple or list; else data itself."""
    if isinstance(data, dict):
        return {key: fn(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(fn(d) for d in data))
    if isinstance(data, tuple):
        return tuple(fn(d) for d in data)
    if isinstance(data, list):
        return [fn(d) for d in data]
    return data


@dataclass(frozen=True)
class Resume:
    """Sent to persistent workers at the start of a new epoch; they answer it back."""


@dataclass(frozen=True)
class Ended:
    """A worker's copy of an iterable dataset has no more batches."""

    worker_id: int


class _KeyErrorMessage(str):
    """A KeyError shows its message with repr(): this keeps the traceback readable."""

    def __repr__(self) -> str:
        return self


class WorkerError:
    """An exception raised in a worker, as its type and formatted traceback."""

    def __init__(self, worker_id: int, error: BaseException):
        kind = type(error)
        try:
            pickle.loads(pickle.dumps(kind))
        except Exception:  # a type the main process cannot rebuild
            kind = RuntimeError
        self.kind = kind
        self.message = (
            f"Caught {type(error).__name__} in DataLoader worker process {worker_id}.\n"
            f"Original {traceback.format_exc()}"
        )

    def reraise(self):
        """Raise the worker's exception in this process, with the worker's traceback."""
        message = _KeyErrorMessage(self.message) if self.kind is KeyError else self.message
        try:
            error = self.kind(message)
        except Exception:  # a type whose constructor wants other arguments
            error = RuntimeError(message)
        raise error


def _pickled(task: int, data, worker_id: int) -> bytes:
    try:
        return pickle.dumps((task, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # reported in the main process
        return pickle.dumps((task, WorkerError(worker_id, error)))


def _fetcher(fetch_args: tuple, worker_id: int, init_fn=None) -> tuple:
    """(fetcher, None), after `init_fn(worker_id)`; or, if either raised, (None, the error),
    which the worker then sends in answer to every task."""
    try:
        if init_fn is not None:
            init_fn(worker_id)
        return make_fetcher(*fetch_args), None
    except Exception as error:
        return None, WorkerError(worker_id, error)


def worker_loop(setup: dict, index_queue, result_queue, done_event, worker_id: int) -> None:
    """A worker process: seed, set up, then fetch what `index_queue` asks until it says None.

    `setup` holds what every worker gets: iterable, dataset, auto_collation, collate_fn,
    drop_last, base_seed, init_fn, num_workers, parent_pid.

    Each worker's generators are seeded with base_seed + worker_id (PyTorch's scheme), so
    random augmentations differ between workers and repeat given the loader's generator.
    """
    global _worker_info
    iterable, dataset = setup["iterable"], setup["dataset"]
    fetch_args = (iterable, dataset, setup["auto_collation"], setup["collate_fn"])
    fetch_args += (setup["drop_last"],)
    try:
        seed = setup["base_seed"] + worker_id
        random.seed(seed)
        backend.manual_seed(seed)
        _worker_info = WorkerInfo(worker_id, setup["num_workers"], seed, dataset)
        fetcher, failed = _fetcher(fetch_args, worker_id, setup["init_fn"])
        ended = False
        while True:
            try:
                task = index_queue.get(timeout=STATUS_INTERVAL)
            except queue.Empty:
                if os.getppid() != setup["parent_pid"]:  # the main process is gone
                    break
                continue
            if task is None:
                break
            if isinstance(task, Resume):
                result_queue.put(_pickled(task, None, worker_id))
                ended = False
                if failed is None:
                    fetcher, failed = _fetcher(fetch_args, worker_id)
                continue
            if done_event.is_set() or ended:
                continue
            number, index = task
            if failed is not None:  # every task gets the set-up's error: there is no fetcher
                data = failed
            else:
                try:
                    data = to_arrays(fetcher.fetch(index))
                except StopIteration as stop:  # an iterable dataset's end; else an error
                    data = Ended(worker_id) if iterable else WorkerError(worker_id, stop)
                    ended = iterable
                except Exception as error:  # re-raised in the main process
                    data = WorkerError(worker_id, error)
            result_queue.put(_pickled(number, data, worker_id))
            del data, index, task
    except KeyboardInterrupt:  # Ctrl-C reaches every process; the main one reports it
        pass
    if done_event.is_set():  # nobody reads the results any more: do not wait to flush them
        result_queue.cancel_join_thread()
        result_queue.close()
