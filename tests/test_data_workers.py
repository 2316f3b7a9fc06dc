"""DataLoader(num_workers=n): worker processes load batches in parallel, in order, seeded
as PyTorch seeds them; errors, killed workers and early exits end cleanly, leaving no process
behind. Every test runs under an alarm, so a hang fails instead of blocking the suite.
(The speedup itself is measured by benchmarks/data_loader.py, not timed here.)"""

import multiprocessing
import os
import random
import signal
import time

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    TensorDataset,
    get_worker_info,
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM (Unix)")


@pytest.fixture(autouse=True)
def _no_hang_and_no_leftover_processes():
    def expire(signum, frame):
        raise TimeoutError("the test took over 20 s: a DataLoader hung")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert _children() == [], "worker processes were left running"


def _children(wait: float = 3.0):
    """The multiprocessing children still running after up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while (alive := multiprocessing.active_children()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return alive


class Described(Dataset):
    """Sample i: (i, a row of 2 floats i, the worker id, mg.rand, random.random, pid)."""

    def __init__(self, n=24, fail_at=None, kill_at=None, sleep=0.0):
        self.n, self.fail_at, self.kill_at, self.sleep = n, fail_at, kill_at, sleep

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise ValueError(f"sample {i} is bad")
        if i == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(self.sleep)
        info = get_worker_info()
        worker = -1 if info is None else info.id
        return {
            "index": i,
            "row": np.full(2, i, dtype=np.float32),
            "worker": worker,
            "mg_rand": mg.rand(1),
            "py_rand": random.random(),
            "pid": os.getpid(),
        }


def _epoch(loader):
    return list(loader)


def test_batches_come_in_order_from_workers_in_turn():
    def sampler():  # with its own generator, the same order in both
        return RandomSampler(range(24), generator=7)

    serial = _epoch(DataLoader(Described(), batch_size=5, sampler=sampler()))
    parallel = _epoch(DataLoader(Described(), batch_size=5, sampler=sampler(), num_workers=2))
    assert [b["index"].tolist() for b in parallel] == [b["index"].tolist() for b in serial]
    assert [b["worker"].tolist() for b in parallel] == [
        [k % 2] * len(b["index"]) for k, b in enumerate(parallel)
    ]
    assert len({b["pid"][0].item() for b in parallel} - {os.getpid()}) == 2
    batch = parallel[0]
    assert type(batch["row"]) is mg.Tensor and type(batch["row"].array) is np.ndarray
    assert batch["row"].dtype == mg.float32 and batch["row"].shape == (5, 2)
    assert batch["row"][:, 0].tolist() == batch["index"].float().tolist()


def test_each_worker_is_seeded_with_base_seed_plus_its_id():
    """PyTorch's scheme: base_seed drawn from the loader's generator, worker i seeds
    mg.manual_seed and random with base_seed + i, so draws differ between workers and
    repeat with the same generator."""

    def draws(seed):
        loader = DataLoader(Described(8), batch_size=4, num_workers=2, generator=seed)
        return [
            (b["worker"][0].item(), b["mg_rand"].tolist(), b["py_rand"].tolist()) for b in loader
        ]

    first = draws(11)
    assert first == draws(11) and first != draws(12)
    base = int(np.random.default_rng(11).integers(2**63))  # what the generator gives first
    for worker, mg_rand, py_rand in first:
        mg.manual_seed(base + worker)
        assert mg_rand == [[v] for v in mg.rand(4).tolist()]
        rng = random.Random(base + worker)
        assert py_rand == [rng.random() for _ in range(4)]


def test_worker_init_fn_and_worker_info():
    class Info(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = get_worker_info()
            return info.id, info.num_workers, info.seed, os.environ["MG_TEST_WORKER"]

    def init(worker_id):
        os.environ["MG_TEST_WORKER"] = f"set up {worker_id}"

    loader = DataLoader(Info(), batch_size=2, num_workers=2, worker_init_fn=init, generator=0)
    (ids, counts, seeds, notes), (ids2, _, seeds2, notes2) = _epoch(loader)
    assert ids.tolist() == [0, 0] and ids2.tolist() == [1, 1] and counts.tolist() == [2, 2]
    assert seeds2[0].item() == seeds[0].item() + 1
    assert notes == ["set up 0"] * 2 and notes2 == ["set up 1"] * 2
    assert get_worker_info() is None  # in the main process


def test_an_exception_in_a_worker_is_raised_here_naming_the_worker():
    loader = DataLoader(Described(fail_at=13), batch_size=4, num_workers=2)
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1") as e:
        _epoch(loader)
    assert "sample 13 is bad" in str(e.value) and "Original Traceback" in str(e.value)
    assert _children(wait=0) == []  # shut down before raising, not left to the gc

    class Missing(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return {}["absent"]

    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        _epoch(DataLoader(Missing(), num_workers=1))


def test_a_failing_worker_init_fn_is_raised_here():
    def init(worker_id):
        raise RuntimeError(f"no set-up for worker {worker_id}")

    loader = DataLoader(Described(4), num_workers=1, worker_init_fn=init)
    with pytest.raises(RuntimeError, match="worker process 0(.|\n)*no set-up for worker 0"):
        _epoch(loader)


class Picky(Exception):
    def __init__(self, code, detail):  # cannot be rebuilt from one message string
        super().__init__(code, detail)


class RaisesPicky(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        raise Picky(3, "detail")


def test_exceptions_that_cannot_be_rebuilt_or_batches_that_cannot_be_pickled():
    with pytest.raises(RuntimeError, match="Caught Picky in DataLoader worker process 0"):
        _epoch(DataLoader(RaisesPicky(), num_workers=1))

    def unpicklable(samples):
        return lambda: samples

    with pytest.raises(Exception, match="in DataLoader worker process 0") as e:
        _epoch(DataLoader(Described(4), num_workers=1, collate_fn=unpicklable))
    assert "pickle" in str(e.value).lower()


def test_a_killed_worker_is_an_error_not_a_hang():
    loader = DataLoader(Described(kill_at=9), batch_size=2, num_workers=2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpect"):
        _epoch(loader)


def test_dropping_the_iterator_early_stops_the_workers():
    it = iter(DataLoader(Described(400, sleep=0.001), batch_size=4, num_workers=2))
    next(it)
    assert len(multiprocessing.active_children()) == 2
    del it
    assert _children() == []


def test_timeout_bounds_each_wait():
    loader = DataLoader(Described(4, sleep=1.0), num_workers=1, timeout=0.2)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        _epoch(loader)


def test_persistent_workers_serve_every_epoch():
    loader = DataLoader(Described(12), batch_size=3, num_workers=2, persistent_workers=True)
    pids = []
    for _ in range(3):
        batches = _epoch(loader)
        assert [i for b in batches for i in b["index"].tolist()] == list(range(12))
        pids.append({b["pid"][0].item() for b in batches})
    assert pids[0] == pids[1] == pids[2] and len(pids[0]) == 2
    it = iter(loader)  # an epoch left half-way: the next one starts from the beginning
    next(it)
    assert [b["index"][0].item() for b in loader] == [0, 3, 6, 9]
    del loader, it


class Shards(IterableDataset):
    """range(n), split between workers by get_worker_info(), as PyTorch documents."""

    def __init__(self, n, shard=True):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_iterable_datasets_with_workers():
    got = [b.tolist() for b in DataLoader(Shards(23), batch_size=5, num_workers=2)]
    # PyTorch's order: batches from the workers in turn, each worker's stream in its order.
    assert got == [
        [0, 2, 4, 6, 8],
        [1, 3, 5, 7, 9],
        [10, 12, 14, 16, 18],
        [11, 13, 15, 17, 19],
        [20, 22],
        [21],
    ]
    dropped = [
        b.tolist() for b in DataLoader(Shards(23), batch_size=5, num_workers=2, drop_last=True)
    ]
    assert dropped == got[:4]
    unsharded = [
        b.tolist() for b in DataLoader(Shards(3, shard=False), batch_size=2, num_workers=2)
    ]
    assert unsharded == [[0, 1], [0, 1], [2], [2]]  # every worker runs the whole iterator


def test_out_of_order_delivery_and_small_prefetch():
    loader = DataLoader(
        Described(20), batch_size=2, num_workers=2, in_order=False, prefetch_factor=1
    )
    assert sorted(i for b in loader for i in b["index"].tolist()) == list(range(20))


def test_an_in_memory_tensor_dataset_skips_the_workers():
    ds = TensorDataset(mg.arange(10).float(), mg.arange(10))
    it = iter(DataLoader(ds, batch_size=4, num_workers=2))
    assert next(it)[1].tolist() == [0, 1, 2, 3]
    assert multiprocessing.active_children() == []  # nothing to do in parallel: no processes


def test_spawned_workers():
    loader = DataLoader(Described(6), batch_size=3, num_workers=1, multiprocessing_context="spawn")
    assert [b["index"].tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]]

    class Local(Dataset):  # spawn pickles the dataset: a local class cannot be
        def __len__(self):
            return 1

        def __getitem__(self, i):
            return i

    with pytest.raises(TypeError, match="could not start worker processes with the 'spawn'"):
        iter(DataLoader(Local(), num_workers=1, multiprocessing_context="spawn"))
