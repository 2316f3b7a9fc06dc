"""The collectives, as torch.distributed names them: each rank calls the same one in the same
order, and each works in place on the tensors' arrays (no autograd: gradients are data here).

Every collective is MPI's non-blocking form (`Iallreduce`, `Ibcast`, ...), waited on with the
group's deadline (group.py); `async_op=True` hands back the `Work` instead of waiting, so that
computation can go on meanwhile. MPI reads host memory: a CUDA tensor is staged through a host
copy (correct but slow; on GPUs the same calls would go to NCCL, see docs/distributed.md).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable

from .. import backend, dtypes
from ..errors import _described
from ..tensor import Tensor
from . import group as _groups

_HOST = backend.namespace(backend.as_device("cpu"))  # where MPI's buffers live


class ReduceOp(enum.Enum):
    """How `all_reduce` and `reduce` combine the ranks' tensors, elementwise."""

    SUM = "sum"
    AVG = "avg"  # SUM, then divided by the world size (floating-point tensors)
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class Work:
    """A collective started with `async_op=True`; `wait()` returns once its result is in place.

    >>> import minigrad.distributed as dist
    >>> dist.init_process_group()
    >>> work = dist.all_reduce(mg.ones(2), async_op=True)
    >>> work.wait(), work.is_completed()
    (True, True)
    >>> dist.destroy_process_group()
    """

    def __init__(self, group, request, what: str, finish: Callable | None = None):
        self._group, self._request, self._what, self._finish = group, request, what, finish

    def is_completed(self) -> bool:
        """Whether the collective has finished (its result then in place), without waiting."""
        if self._request is not None and self._request.Test():
            self._complete()
        return self._request is None

    def wait(self, timeout: datetime.timedelta | None = None) -> bool:
        """Block until the collective has finished and its result is in place; True.

        Raises `DistBackendError` if another rank failed, or after `timeout` (by default the
        group's) if not every rank joined.
        """
        if self._request is not None:
            saved = self._group.timeout
            if timeout is not None:
                self._group.timeout = timeout.total_seconds()
            try:
                self._group.wait(self._request, self._what)
            finally:
                self._group.timeout = saved
            self._complete()
        return True

    def _complete(self) -> None:
        self._request = None
        if self._finish is not None:
            self._finish()
            self._finish = None


def is_available() -> bool:
    """True: the package works everywhere (a world of one process without MPI)."""
    return True


def get_rank(group=None) -> int:
    """This process's rank in the default group, 0 to world size - 1."""
    _groups._check_group(group, "get_rank")
    return _groups.current().rank


def get_world_size(group=None) -> int:
    """The number of processes in the default group."""
    _groups._check_group(group, "get_world_size")
    return _groups.current().size


def all_reduce(
    tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group=None, async_op: bool = False
) -> Work | None:
    """Combine `tensor` elementwise across the ranks with `op`; every rank gets the result,
    in place. Returns a `Work` if `async_op`, else None.

    >>> import minigrad.distributed as dist
    >>> dist.init_process_group()
    >>> t = mg.tensor([1.0, 2.0])
    >>> dist.all_reduce(t, op=dist.ReduceOp.AVG)  # one process: the identity
    >>> t
    tensor([1., 2.])
    >>> dist.destroy_process_group()
    """
    g = _start(tensor, group, "all_reduce")
    op = _reduce_op(op, tensor, "all_reduce")
    if g.size == 1:
        return _finished(g, async_op)
    buf, back = _buffer(tensor.array)
    request = g.comm.Iallreduce(g.mpi.IN_PLACE, buf, op=_mpi_op(g, op))

    def finish() -> None:
        if op is ReduceOp.AVG:
            _HOST.divide(buf, g.size, out=buf)
        if back is not None:
            back()

    return _run(g, request, "all_reduce", finish, async_op)


def reduce(
    tensor: Tensor,
    dst: int | None = None,
    op: ReduceOp = ReduceOp.SUM,
    group=None,
    async_op: bool = False,
    group_dst: int | None = None,
) -> Work | None:
    """Combine `tensor` across the ranks with `op` into rank `dst`'s `tensor` (the others' are
    left as they were). Returns a `Work` if `async_op`, else None."""
    g = _start(tensor, group, "reduce")
    dst = _rank_argument(g, dst, group_dst, "dst", "reduce")
    op = _reduce_op(op, tensor, "reduce")
    if g.size == 1:
        return _finished(g, async_op)
    buf, back = _buffer(tensor.array)
    root = g.rank == dst
    send, receive = (g.mpi.IN_PLACE, buf) if root else (buf, None)
    request = g.comm.Ireduce(send, receive, op=_mpi_op(g, op), root=dst)

    def finish() -> None:
        if root and op is ReduceOp.AVG:
            _HOST.divide(buf, g.size, out=buf)
        if root and back is not None:
            back()

    return _run(g, request, "reduce", finish, async_op)


def broadcast(
    tensor: Tensor,
    src: int | None = None,
    group=None,
    async_op: bool = False,
    group_src: int | None = None,
) -> Work | None:
    """Copy rank `src`'s `tensor` into every rank's `tensor` (same shape and dtype on all).
    Returns a `Work` if `async_op`, else None."""
    g = _start(tensor, group, "broadcast")
    src = _rank_argument(g, src, group_src, "src", "broadcast")
    if g.size == 1:
        return _finished(g, async_op)
    buf, back = _buffer(tensor.array)
    request = g.comm.Ibcast(buf, root=src)
    return _run(g, request, "broadcast", back, async_op)


def all_gather(
    tensor_list: list, tensor: Tensor, group=None, async_op: bool = False
) -> Work | None:
    """Every rank's `tensor` into `tensor_list` (world size tensors of its shape and dtype):
    rank i's goes to tensor_list[i], on every rank. Returns a `Work` if `async_op`, else None.

    >>> import minigrad.distributed as dist
    >>> dist.init_process_group()
    >>> out = [mg.zeros(2)]
    >>> dist.all_gather(out, mg.tensor([3.0, 4.0]))
    >>> out
    [tensor([3., 4.])]
    >>> dist.destroy_process_group()
    """
    g = _start(tensor, group, "all_gather")
    if not isinstance(tensor_list, list) or len(tensor_list) != g.size:
        raise ValueError(
            f"all_gather: tensor_list must be a list of world size ({g.size}) tensors, got "
            f"{_described(tensor_list)}"
            + (f" of length {len(tensor_list)}" if isinstance(tensor_list, list) else "")
        )
    for i, t in enumerate(tensor_list):
        if not isinstance(t, Tensor) or t.shape != tensor.shape or t.dtype != tensor.dtype:
            raise ValueError(
                f"all_gather: tensor_list[{i}] must be a Tensor of shape {tuple(tensor.shape)} "
                f"and dtype {tensor.dtype} (as `tensor`), got {_described(t)}"
                + (f" {tuple(t.shape)} {t.dtype}" if isinstance(t, Tensor) else "")
            )
    array = tensor.array
    if g.size == 1:
        tensor_list[0].array[...] = array
        return _finished(g, async_op)
    send = _HOST.ascontiguousarray(backend.to_host(array))
    gathered = _HOST.empty((g.size, *array.shape), dtype=array.dtype)
    request = g.comm.Iallgather(send, gathered)

    def finish() -> None:
        for t, part in zip(tensor_list, gathered):
            t.array[...] = backend.move(part, backend.device_of(t.array))

    return _run(g, request, "all_gather", finish, async_op)


def barrier(group=None, async_op: bool = False, device_ids=None, timeout=None) -> Work | None:
    """Wait until every rank has reached its barrier() (at most `timeout`, a timedelta, or
    the group's). Returns a `Work` if `async_op`, else None."""
    _groups._check_group(group, "barrier")
    g = _groups.current()
    if g.size == 1:
        return _finished(g, async_op)
    work = Work(g, g.comm.Ibarrier(), "barrier")
    return work if async_op else work.wait(timeout) and None


def _start(tensor, group, op: str) -> _groups._Group:
    _groups._check_group(group, op)
    g = _groups.current()
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"{op}: expected parameter `tensor` of type Tensor, but got {_described(tensor)}"
        )
    return g


def _reduce_op(op, tensor: Tensor, name: str) -> ReduceOp:
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{name}: op must be a ReduceOp (SUM, AVG, ...), got {_described(op)}")
    if op is ReduceOp.AVG and not dtypes.is_floating(tensor.array.dtype):
        raise TypeError(f"{name}: ReduceOp.AVG needs a floating-point tensor, got {tensor.dtype}")
    return op


def _rank_argument(g, rank, group_rank, name: str, op: str) -> int:
    """`src`/`dst`, or its `group_` twin (the same in the one, default group)."""
    if (rank is None) == (group_rank is None):
        raise ValueError(f"{op}: give exactly one of {name} and group_{name}")
    rank = rank if group_rank is None else group_rank
    if type(rank) is not int or not 0 <= rank < g.size:
        raise ValueError(f"{op}: {name} must be a rank in [0, {g.size - 1}], got {rank!r}")
    return rank


def _mpi_op(g, op: ReduceOp):
    mpi = g.mpi
    return {"sum": mpi.SUM, "avg": mpi.SUM, "product": mpi.PROD, "min": mpi.MIN, "max": mpi.MAX}[
        op.value
    ]


def _buffer(array) -> tuple:
    """A contiguous host array MPI can work on in place, and what copies it back into `array`
    afterwards (None when it is `array` itself)."""
    if backend.device_of(array).type == "cpu" and array.flags.c_contiguous:
        return array, None
    staged = _HOST.ascontiguousarray(backend.to_host(array))

    def back() -> None:
        array[...] = backend.move(staged, backend.device_of(array))

    return staged, back


def _run(g, request, what: str, finish, async_op: bool) -> Work | None:
    work = Work(g, request, what, finish)
    return work if async_op else work.wait() and None


def _finished(g, async_op: bool) -> Work | None:
    return Work(g, None, "") if async_op else None
