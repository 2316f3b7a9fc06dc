"""The default process group: this process's rank among the world's, the MPI communicators,
and how a failure on one rank reaches the others instead of leaving them waiting forever.

MPI (through mpi4py) starts the processes (`mpiexec -n 4 python train.py`) and says each one's
rank; `init_process_group` only looks it up. Without `mpiexec` the world is this one process
and every collective is the identity, so one script runs either way.

Faults. A collective that one rank never joins would block the others forever (MPI has no
timeout), so every wait here is a non-blocking operation polled with a deadline (the group's
`timeout`). A rank whose program dies of an uncaught exception first tells the others, on a
communicator of its own: a rank waiting in a collective then raises `DistBackendError` naming
the failed rank and its error. When each has printed its error (or the timeout has passed),
the failed rank aborts the MPI job, which ends every process.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
import traceback

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)  # PyTorch's default for the CPU backends
_FAILED, _PRINTED = 1, 2  # message tags on the control communicator
# A wait polls without pause this long first. A large all-reduce takes many steps, each one
# needing both ranks inside MPI: with sleeps between polls, 2.7 MB took 5-6 ms, not 2-3 ms.
_SPIN_SECONDS = 0.01


class DistBackendError(RuntimeError):
    """A collective failed: another rank died, or not every rank joined within the timeout."""


class _Group:
    """The world: `rank` of `size`; `comm` carries the data, `control` the failure notices
    (None for a world of one process, where nothing is sent)."""

    def __init__(self, mpi, timeout: float):
        self.mpi, self.timeout = mpi, timeout
        if mpi is None:
            self.rank, self.size, self.comm, self.control = 0, 1, None, None
        else:
            world = mpi.COMM_WORLD
            self.rank, self.size = world.Get_rank(), world.Get_size()
            self.comm, self.control = world.Dup(), world.Dup()

    def wait(self, request, what: str) -> None:
        """Poll `request` until it completes; raise if a rank failed or the timeout passes."""
        start = checked = time.monotonic()
        pause = 0.0
        while not request.Test():  # MPI moves a collective on only inside calls like this
            now = time.monotonic()
            if now - checked > 1e-3:
                self.check_peers(what)
                checked = now
                if now - start > self.timeout:
                    raise DistBackendError(
                        f"{what} on rank {self.rank} timed out after {self.timeout:g} s: not "
                        f"every rank of {self.size} joined it (is one stuck, or running other "
                        "code?)"
                    )
            if now - start > _SPIN_SECONDS:  # a long wait: back off to 1 ms between polls
                time.sleep(pause)
                pause = min(2 * pause + 1e-5, 1e-3)

    def check_peers(self, what: str) -> None:
        """Raise if a rank has said that it failed."""
        status = self.mpi.Status()
        if self.control.iprobe(source=self.mpi.ANY_SOURCE, tag=_FAILED, status=status):
            failed, error = self.control.recv(source=status.Get_source(), tag=_FAILED)
            raise PeerFailed(failed, f"{what} on rank {self.rank}: rank {failed} failed: {error}")

    def free(self) -> None:
        if self.comm is not None:
            self.comm.Free()
            self.control.Free()


class PeerFailed(DistBackendError):
    """Another rank failed (its rank is `failed_rank`)."""

    def __init__(self, failed_rank: int, message: str):
        super().__init__(message)
        self.failed_rank = failed_rank


_group: _Group | None = None
_previous_hook = None


def current() -> _Group:
    """The default group; PyTorch's ValueError if init_process_group has not run."""
    if _group is None:
        raise ValueError(
            "Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )
    return _group


def is_initialized() -> bool:
    """Whether `init_process_group` has run (and `destroy_process_group` not since)."""
    return _group is not None


def is_mpi_available() -> bool:
    """Whether mpi4py can be imported (`pip install 'minigrad[mpi]'`)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: datetime.timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
) -> None:
    """Join the default process group; rank and world size come from MPI.

    `backend` is "mpi" (or None, the same). `world_size` and `rank`, if given, must be what
    `mpiexec` started (MPI decides them; they are checked, not chosen). `timeout` bounds every
    collective's wait (default 30 minutes). Without mpi4py or `mpiexec` the world is this one
    process.

    >>> import minigrad.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.get_rank(), dist.get_world_size()
    (0, 1)
    >>> dist.destroy_process_group()
    """
    global _group, _previous_hook
    if _group is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend not in (None, "mpi"):
        raise ValueError(
            f"init_process_group: minigrad's only backend is 'mpi' (NCCL and Gloo are "
            f"PyTorch's), got backend={backend!r}"
        )
    if init_method not in (None, "env://"):
        raise ValueError(
            f"init_process_group: MPI's launcher (mpiexec) connects the processes; "
            f"init_method must be None, got {init_method!r}"
        )
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(
            f"init_process_group: timeout must be a datetime.timedelta, got "
            f"{type(timeout).__name__}"
        )
    group = _Group(_mpi(), timeout.total_seconds())
    for name, given, actual in (("world_size", world_size, group.size), ("rank", rank, group.rank)):
        if given != -1 and given != actual:
            group.free()
            raise ValueError(
                f"init_process_group: {name}={given}, but this process has {name} {actual} "
                f"(leave {name} out: mpiexec decides it)"
            )
    _group = group
    if group.size > 1:
        _previous_hook, sys.excepthook = sys.excepthook, _excepthook


def destroy_process_group(group=None) -> None:
    """Leave the default process group (`group` must be None: there is only that one)."""
    global _group
    _check_group(group, "destroy_process_group")
    current().free()
    _group = None
    if sys.excepthook is _excepthook:
        sys.excepthook = _previous_hook


def _check_group(group, op: str) -> None:
    if group is not None:
        raise ValueError(f"{op}: only the default process group exists; pass group=None")


_LAUNCHER_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK")  # MPICH, Open MPI, PMIx


def _mpi():
    """mpi4py's MPI (which initialises MPI) when an MPI launcher started this process; else
    None, a world of one process (MPI is not brought up: a plain `python train.py` stays
    one ordinary process, free to fork data-loading workers)."""
    launched = next((os.environ[v] for v in _LAUNCHER_VARIABLES if v in os.environ), None)
    if launched is None:
        return None
    try:
        from mpi4py import MPI
    except ImportError:
        raise RuntimeError(
            "init_process_group: started by an MPI launcher (mpiexec), but mpi4py is not "
            "installed: pip install 'minigrad[mpi]'"
        ) from None
    return MPI


def _excepthook(kind, error, tb) -> None:
    """A rank's uncaught exception: print it, tell the other ranks, then end the MPI job."""
    group = _group
    print(f"minigrad.distributed: rank {group.rank} of {group.size} failed:", file=sys.stderr)
    traceback.print_exception(kind, error, tb)
    sys.stderr.flush()
    others = [r for r in range(group.size) if r != group.rank]
    if isinstance(error, PeerFailed):  # not the first failure: say it is printed, then wait
        group.control.send(None, dest=error.failed_rank, tag=_PRINTED)
        time.sleep(min(group.timeout, 60.0))  # the failed rank aborts the job meanwhile
    else:
        text = f"{kind.__name__}: {error}"
        for r in others:
            group.control.isend((group.rank, text), dest=r, tag=_FAILED)
        _await_others(group, len(others))
    group.mpi.COMM_WORLD.Abort(1)


def _await_others(group: _Group, expected: int) -> None:
    """Wait (at most the timeout) until `expected` ranks have printed their error or failed
    too, so that aborting does not cut their messages off."""
    deadline, status = time.monotonic() + min(group.timeout, 60.0), group.mpi.Status()
    while expected and time.monotonic() < deadline:
        if group.control.iprobe(source=group.mpi.ANY_SOURCE, tag=group.mpi.ANY_TAG, status=status):
            group.control.recv(source=status.Get_source(), tag=status.Get_tag())
            expected -= 1
        else:
            time.sleep(1e-3)
