"""minigrad.distributed, nn.parallel.DistributedDataParallel and data.DistributedSampler.

On one process (no mpiexec) every collective is the identity: tested here directly. The
multi-process behaviour runs the scripts in tests/distributed_scripts/ under `mpiexec -n 2`
and `-n 3` on this machine (shared memory, no network), each bounded by a timeout; those
tests skip where the `mpi` extra (mpi4py, mpich) is not installed.
"""

import datetime
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import minigrad as mg
import minigrad.distributed as dist
from minigrad import nn
from minigrad.data import DistributedSampler

SCRIPTS = Path(__file__).parent / "distributed_scripts"
NOT_INITIALIZED = "Default process group has not been initialized"


@pytest.fixture(autouse=True)
def _no_group_left_behind():
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


@pytest.fixture
def group():
    dist.init_process_group("mpi")
    return dist


# ----- one process, no MPI: the identity ---------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        dist.get_rank,
        dist.get_world_size,
        dist.barrier,
        dist.destroy_process_group,
        lambda: dist.all_reduce(mg.ones(2)),
        lambda: dist.broadcast(mg.ones(2), src=0),
        lambda: DistributedSampler(range(4)),
        lambda: nn.parallel.DistributedDataParallel(nn.Linear(2, 1)),
    ],
)
def test_everything_needs_init_process_group_first(call):
    with pytest.raises(ValueError, match=NOT_INITIALIZED):
        call()


def test_availability():
    assert dist.is_available()  # a world of one process needs nothing
    assert dist.is_mpi_available() == (importlib.util.find_spec("mpi4py") is not None)


def test_init_and_destroy(group):
    assert dist.is_initialized()
    assert (dist.get_rank(), dist.get_world_size()) == (0, 1)
    with pytest.raises(ValueError, match="initialize the default process group twice"):
        dist.init_process_group("mpi")
    dist.destroy_process_group()
    assert not dist.is_initialized()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"backend": "nccl"}, ValueError, "only backend is 'mpi'.*'nccl'"),
        ({"init_method": "tcp://10.0.0.1:23456"}, ValueError, "init_method must be None"),
        ({"timeout": 30}, TypeError, "timeout must be a datetime.timedelta, got int"),
        ({"world_size": 2}, ValueError, "world_size=2, but this process has world_size 1"),
        ({"rank": 1}, ValueError, "rank=1, but this process has rank 0"),
    ],
)
def test_init_process_group_refuses(kwargs, error, match):
    with pytest.raises(error, match=match):
        dist.init_process_group(**kwargs)
    assert not dist.is_initialized()


def test_an_mpi_launch_without_mpi4py_is_an_error(monkeypatch):
    monkeypatch.setenv("PMI_SIZE", "2")  # what mpiexec (MPICH) sets
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py fails
    with pytest.raises(
        RuntimeError, match=r"mpi4py is not installed: pip install 'minigrad\[mpi\]"
    ):
        dist.init_process_group()


@pytest.mark.parametrize("op", list(dist.ReduceOp))
def test_all_reduce_and_reduce_are_the_identity_on_one_process(group, op):
    t = mg.tensor([[1.0, -2.0], [3.0, 4.0]]).T  # not contiguous
    dist.all_reduce(t, op=op)
    dist.reduce(t, dst=0, op=op)
    assert t.tolist() == [[1.0, 3.0], [-2.0, 4.0]]


def test_broadcast_all_gather_barrier_and_work_on_one_process(group):
    t = mg.tensor([5, 6])
    assert dist.broadcast(t, src=0) is None
    out = [mg.zeros(2, dtype=mg.int64)]
    work = dist.all_gather(out, t, async_op=True)
    assert work.wait() and work.is_completed()
    assert out[0].tolist() == [5, 6]
    assert dist.barrier() is None
    assert dist.barrier(async_op=True).wait(datetime.timedelta(seconds=1))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: dist.all_reduce([1.0]), TypeError, "parameter `tensor` of type Tensor.*list"),
        (lambda: dist.all_reduce(mg.ones(2), op="sum"), TypeError, "op must be a ReduceOp"),
        (
            lambda: dist.all_reduce(mg.ones(2, dtype=mg.int64), op=dist.ReduceOp.AVG),
            TypeError,
            "AVG needs a floating-point tensor, got int64",
        ),
        (lambda: dist.all_reduce(mg.ones(2), group=object()), ValueError, "pass group=None"),
        (lambda: dist.broadcast(mg.ones(2), src=1), ValueError, r"src must be a rank in \[0, 0\]"),
        (lambda: dist.broadcast(mg.ones(2)), ValueError, "exactly one of src and group_src"),
        (
            lambda: dist.reduce(mg.ones(2), dst=-1),
            ValueError,
            r"dst must be a rank in \[0, 0\], got -1",
        ),
        (
            lambda: dist.all_gather([], mg.ones(2)),
            ValueError,
            r"world size \(1\) tensors.*length 0",
        ),
        (
            lambda: dist.all_gather([mg.ones(3)], mg.ones(2)),
            ValueError,
            r"tensor_list\[0\] must be a Tensor of shape \(2,\)",
        ),
    ],
)
def test_collectives_refuse_bad_arguments(group, call, error, match):
    with pytest.raises(error, match=match):
        call()


def _mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def test_ddp_on_one_process_is_the_plain_model(group):
    mg.manual_seed(0)
    ddp = nn.parallel.DistributedDataParallel(_mlp())
    plain = _mlp()
    plain.load_state_dict(ddp.module.state_dict())  # .module's keys have no "module." prefix
    assert list(ddp.state_dict()) == ["module." + k for k in plain.state_dict()]
    x = mg.randn(5, 4)
    for model in (ddp, plain):
        model(x).sum().backward()
    for p, q in zip(ddp.parameters(), plain.parameters()):
        assert (p.grad == q.grad).all()
    with ddp.no_sync():  # accumulates, as without DDP
        ddp(x).sum().backward()
    assert (ddp.module[0].bias.grad == 2 * plain[0].bias.grad).all()


def test_buckets_take_the_parameters_in_reverse_order(group):
    # float32 sizes: 2.bias 8 B, 2.weight 64 B, 0.bias 32 B, 0.weight 128 B. A bucket closes
    # once it holds bucket_cap_mb (the first at most 1 MiB).
    ddp = nn.parallel.DistributedDataParallel(_mlp(), bucket_cap_mb=70 / 2**20)
    assert [b.indices for b in ddp._buckets] == [[3, 2], [1, 0]]
    assert [b.offsets for b in ddp._buckets] == [[0, 2, 18], [0, 8, 40]]
    ddp = nn.parallel.DistributedDataParallel(_mlp())  # all 232 bytes under the first 1 MiB
    assert [b.indices for b in ddp._buckets] == [[3, 2, 1, 0]]


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: nn.parallel.DistributedDataParallel("model"), TypeError, "must be a Module, got"),
        (
            lambda: nn.parallel.DistributedDataParallel(nn.ReLU()),
            RuntimeError,
            "doesn't have any parameter",
        ),
        (
            lambda: nn.parallel.DistributedDataParallel(_mlp(), bucket_cap_mb=0),
            ValueError,
            "bucket_cap_mb must be > 0, got 0",
        ),
        (
            lambda: nn.parallel.DistributedDataParallel(_mlp(), device_ids=[0]),
            ValueError,
            "device_ids must be None for a CPU module",
        ),
    ],
)
def test_ddp_refuses(group, build, error, match):
    with pytest.raises(error, match=match):
        build()


# ----- DistributedSampler ---------------------------------------------------------------------


def _shards(n, replicas, **kwargs):
    return [list(DistributedSampler(range(n), replicas, r, **kwargs)) for r in range(replicas)]


def test_distributed_sampler_deals_as_pytorch():
    # every replicas-th index from the rank on, padded with the first indices
    assert _shards(7, 3, shuffle=False) == [[0, 3, 6], [1, 4, 0], [2, 5, 1]]
    assert _shards(7, 3, shuffle=False, drop_last=True) == [[0, 3], [1, 4], [2, 5]]
    assert _shards(2, 5, shuffle=False) == [[0], [1], [0], [1], [0]]  # padded past a repeat
    assert _shards(6, 3, shuffle=False, drop_last=True) == [[0, 3], [1, 4], [2, 5]]
    assert _shards(0, 2, shuffle=False) == [[], []]
    assert len(DistributedSampler(range(7), 3, 0, drop_last=True)) == 2


def test_distributed_sampler_shuffles_one_permutation_for_all_ranks():
    def epoch(e, seed=0):
        samplers = [DistributedSampler(range(10), 3, r, seed=seed) for r in range(3)]
        for s in samplers:
            s.set_epoch(e)
        return [list(s) for s in samplers]

    shards = epoch(1)
    every = [i for shard in shards for i in shard]
    assert sorted(set(every)) == list(range(10)) and len(every) == 12  # 2 of padding
    assert epoch(1) == shards  # the same seed and epoch: the same order
    assert epoch(2) != shards and epoch(1, seed=1) != shards


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"num_replicas": 2, "rank": 2},
            r"Invalid rank 2, rank should be in the interval \[0, 1\]",
        ),
        ({"num_replicas": 0, "rank": 0}, "num_replicas must be a positive int, got 0"),
    ],
)
def test_distributed_sampler_refuses(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DistributedSampler(range(4), **kwargs)


def test_distributed_sampler_takes_rank_and_world_from_the_group(group):
    assert list(DistributedSampler(range(3), shuffle=False)) == [0, 1, 2]


# ----- several processes: mpiexec ------------------------------------------------------------


def _mpiexec() -> str:
    pytest.importorskip(
        "mpi4py", reason="multi-process tests need the mpi extra: pip install -e '.[mpi]'"
    )
    beside = Path(sys.executable).parent / "mpiexec"  # pip's mpich installs it in the venv
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("mpi4py is installed but no mpiexec was found: pip install mpich")
    return found


def _launch(n: int, script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`mpiexec -n n python script args` on this machine; fails the test past `timeout` s."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    command = [_mpiexec(), "-n", str(n), "-hosts", "localhost"]
    command += [sys.executable, str(SCRIPTS / script), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def _all_ok(result, n: int) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # (the ranks' lines can interleave: mpiexec merges their output as it comes)
    assert sorted(re.findall(r"rank (\d+): ok", result.stdout)) == [str(r) for r in range(n)], (
        output
    )


@pytest.mark.parametrize("n", [2, 3])
def test_ddp_gradients_and_steps_equal_one_process_on_the_combined_batch(n):
    _all_ok(_launch(n, "ddp_train.py"), n)


@pytest.mark.parametrize("case", ["unused", "shapes"])
def test_ddp_errors_across_ranks(case):
    _all_ok(_launch(2, "ddp_errors.py", case), 2)


@pytest.mark.parametrize("n", [2, 3])
def test_distributed_sampler_shards_across_ranks(n):
    _all_ok(_launch(n, "sampler.py"), n)


def test_a_rank_that_raises_fails_the_others_naming_it():
    result = _launch(3, "fault.py", "raise", timeout=60)  # the group's timeout is 3 s
    assert result.returncode != 0
    for rank in (0, 2):  # (a rank still in the barrier when rank 1 raises names the barrier)
        expected = rf"(all_reduce|barrier) on rank {rank}: rank 1 failed: ValueError: rank one's"
        assert re.search(expected, result.stderr), result.stderr
    assert "the all-reduce returned" not in result.stdout


def test_a_rank_that_never_joins_times_the_others_out():
    result = _launch(2, "fault.py", "hang", timeout=60)
    assert result.returncode != 0
    assert "all_reduce on rank 0 timed out after 3 s: not every rank of 2" in result.stderr


def test_the_mlp_example_trains_on_two_processes_and_logs_once(tmp_path):
    example = Path(__file__).parents[1] / "examples" / "mnist_mlp.py"
    flags = ["--distributed", "--epochs", "1", "--train-size", "512", "--test-size", "200"]
    flags += ["--batch-size", "64", "--save", str(tmp_path / "w.npz")]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    command = [_mpiexec(), "-n", "2", "-hosts", "localhost", sys.executable, str(example), *flags]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("epoch 1: train loss") == 1, result.stdout  # rank 0 only
    assert "2 processes of batch 32" in result.stdout
    assert (tmp_path / "w.npz").exists()
