"""`DataLoader(num_workers=n)`: batches loaded by n worker processes, yielded in order.

The main process sends each batch's indices to one worker (round robin), at most
`prefetch_factor * n` batches ahead of the one it yields, and puts the answers back in
order (`in_order=False`: as they come). It waits for answers a little at a time, and
between waits checks that the workers it waits on are alive: a killed worker is an error
naming it, not a hang. Workers are shut down when the epoch ends (unless
`persistent_workers`), when the iterator is dropped, and at interpreter exit (they are
daemons, and stop by themselves when the main process disappears).
"""

from __future__ import annotations

import itertools
import os
import pickle
import queue
import signal
import time

from .sampler import iter_indices
from .worker import STATUS_INTERVAL, Ended, Resume, WorkerError, to_tensors, worker_loop


class WorkerIterator:
    """One pass (or, with persistent workers, every pass) over a loader, with workers."""

    def __init__(self, loader, base_seed: int):
        # What it needs of the loader, copied: holding the loader, which holds a persistent
        # iterator, would make a cycle that only the garbage collector could end.
        self._iterable, self._batch_size = loader._iterable, loader.batch_size
        batched = loader.batch_sampler is not None
        self._indices = (
            (loader.batch_sampler, "batch_sampler") if batched else (loader.sampler, "sampler")
        )
        self._persistent, self._in_order = loader.persistent_workers, loader.in_order
        self._timeout, self._prefetch = loader.timeout, loader.prefetch_factor
        n = self._workers_count = loader.num_workers
        context = loader.multiprocessing_context or _default_context()
        self._results = context.Queue()
        self._done = context.Event()
        self._index_queues, self._workers = [], []
        self._shut = False
        setup = {
            "iterable": loader._iterable,
            "dataset": loader.dataset,
            "auto_collation": loader._auto_collation,
            "collate_fn": loader.collate_fn,
            "drop_last": loader.drop_last,
            "base_seed": base_seed,
            "init_fn": loader.worker_init_fn,
            "num_workers": n,
            "parent_pid": os.getpid(),
        }
        try:
            for worker_id in range(n):
                index_queue = context.Queue()
                index_queue.cancel_join_thread()  # never wait at exit for tasks nobody reads
                process = context.Process(
                    target=worker_loop,
                    args=(setup, index_queue, self._results, self._done, worker_id),
                    daemon=True,
                )
                self._index_queues.append(index_queue)
                self._workers.append(process)
                process.start()
        except (TypeError, AttributeError, pickle.PicklingError) as error:
            self._shutdown()
            raise TypeError(
                f"DataLoader: could not start worker processes with the "
                f"{context.get_start_method()!r} start method, which pickles the dataset, "
                f"collate_fn and worker_init_fn: {error}"
            ) from error
        self._reset(first=True)

    def _reset(self, first: bool = False) -> None:
        """Start a pass: a fresh sampler iterator and task counters; tell workers to resume."""
        if self._iterable:
            self._tasks = itertools.repeat(self._batch_size)  # each task: the next batch
        else:
            self._tasks = iter_indices(*self._indices)
        self._sent = self._received = 0
        self._info = {}  # task number -> (worker,) while pending, (worker, data) when arrived
        self._active = [True] * self._workers_count
        self._cycle = itertools.cycle(range(self._workers_count))
        if not first:  # persistent workers: drain what the last pass left, then go on
            for q in self._index_queues:
                q.put(Resume())
            waiting = self._workers_count
            while waiting:
                task, _ = self._get()
                waiting -= isinstance(task, Resume)
        for _ in range(self._prefetch * self._workers_count):
            self._send()

    def __iter__(self) -> WorkerIterator:
        return self

    def _send(self) -> None:
        """Give the next task to the next active worker, if there is a task and a worker."""
        try:
            index = next(self._tasks)
        except StopIteration:
            return
        for _ in range(self._workers_count):
            worker = next(self._cycle)
            if self._active[worker]:
                break
        else:
            return
        self._index_queues[worker].put((self._sent, index))
        self._info[self._sent] = (worker,)
        self._sent += 1

    def __next__(self):
        if self._shut:
            raise StopIteration
        try:
            return self._next()
        except Exception:
            if not self._persistent:  # the pass is over: do not leave the workers to the gc
                self._shutdown()
            raise

    def _next(self):
        while True:
            while self._received < self._sent:  # skip tasks of workers whose stream ended
                info = self._info.get(self._received)
                if info and (len(info) == 2 or self._active[info[0]]):
                    break
                self._info.pop(self._received, None)
                self._received += 1
            else:
                if not self._persistent:
                    self._shutdown()
                raise StopIteration
            if len(self._info[self._received]) == 2:
                _, data = self._info.pop(self._received)
                self._received += 1
                return self._deliver(data)
            task, data = self._get()
            if isinstance(data, Ended):
                self._retire(data.worker_id)
                self._send()
                continue
            if task == self._received or not self._in_order:
                self._info.pop(task)
                self._received += task == self._received
                return self._deliver(data)
            self._info[task] += (data,)

    def _deliver(self, data):
        self._send()
        if isinstance(data, WorkerError):
            data.reraise()
        return to_tensors(data)

    def _retire(self, worker: int) -> None:
        """A worker whose stream ended gets no more tasks (and, unless persistent, stops)."""
        self._active[worker] = False
        if not self._persistent:
            self._index_queues[worker].put(None)

    def _get(self):
        """The next (task number, data) from any worker; an error if a worker died or,
        with `timeout`, none answered in time."""
        timeout = self._timeout
        deadline = time.monotonic() + timeout if timeout > 0 else None
        while True:
            wait = STATUS_INTERVAL
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
            try:
                return pickle.loads(self._results.get(timeout=max(wait, 0)))
            except queue.Empty:
                pass
            dead = [
                (i, w) for i, w in enumerate(self._workers) if self._active[i] and not w.is_alive()
            ]
            if dead:
                for i, _ in dead:
                    self._active[i] = False
                self._shutdown()  # persistent ones too: the pass cannot go on without it
                pids = ", ".join(str(w.pid) for _, w in dead)
                how = "; ".join(f"worker {i} {_exit_text(w.exitcode)}" for i, w in dead)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly: {how}")
            if deadline is not None and time.monotonic() >= deadline:
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")

    def _shutdown(self) -> None:
        """Stop the workers: ask, wait briefly, then terminate those still running."""
        if self._shut:
            return
        self._shut = True
        try:
            self._done.set()
            for q in self._index_queues:
                q.put(None)
            for w in self._workers:
                if w.pid is not None:
                    w.join(timeout=STATUS_INTERVAL * 10)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
            self._results.cancel_join_thread()
            self._results.close()
        finally:
            for w in self._workers:
                if w.pid is not None and w.is_alive():
                    w.terminate()
                    w.join(timeout=STATUS_INTERVAL * 10)

    def __del__(self) -> None:
        if hasattr(self, "_shut"):  # (not if __init__ failed before making the queues)
            self._shutdown()


def _default_context():
    """fork where the platform has it (cheap: the dataset is not pickled), else spawn."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _exit_text(code) -> str:
    if code is not None and code < 0:
        try:
            return f"was killed by signal {-code} ({signal.Signals(-code).name})"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"
