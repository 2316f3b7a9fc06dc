"""Writing a file so that a crash never leaves a half-written file under its final name."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

# A temp file nobody holds a lock on, older than this, is garbage even if the pid in its name
# is running again (pids are reused; and in another pid namespace the number means nothing).
_STALE_AFTER_S = 3600.0


@contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces `path` in one rename, on error it vanishes.

    The temp file sits next to the file `path` names, symlinks followed (so the rename stays on
    one filesystem and a symlink keeps pointing at the new contents), and is fsynced before
    the rename, and the directory after it, so a crash leaves either the old file or the
    complete new one. An existing file's permission bits (and owner, where allowed) carry
    over; a new file gets the usual umask permissions.

    Two exceptions to the rename: a file with several hard links gets the new bytes copied
    into it once they are complete, so every link sees them, but a crash during that copy can
    leave it half written; and `path` must be a regular file (or absent): directories, FIFOs
    and devices are refused before anything is written.

    Temp files are named `.<name>.minigrad-tmp-<pid>-<random>.part` and locked while being
    written; ones left behind by a killed process are deleted by the next write to `path`.
    """
    path = os.fspath(path)
    if path.endswith(("/", os.sep)):  # as open() would: "x/" names a directory
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    target = os.path.realpath(path)  # a symlink, even a dangling one, is written through
    old = _existing(target, path)
    in_place = old is not None and old.st_nlink > 1
    directory, prefix = os.path.dirname(target), _tmp_prefix(target)
    _remove_stale(directory, prefix)
    tmp = os.path.join(directory, f"{prefix}{os.getpid()}-{secrets.token_hex(6)}.part")
    try:
        # os.open with mode 0o666 (not mkstemp's 0o600): the file gets the usual umask
        # permissions.
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise _naming(exc, path, directory) from None
    try:
        with os.fdopen(fd, "w+b") as f:
            _lock(fd)  # tells _remove_stale that this file is in use
            if old is not None:
                _copy_owner_and_mode(old, tmp)
            yield f
            f.flush()
            os.fsync(f.fileno())
            if in_place:
                f.seek(0)
                _copy_into(f, target)
        if in_place:
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable; not possible everywhere (e.g. Windows)
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for error messages."""
    for test, name in [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]:
        if test(mode):
            return name
    return "a special file"


def _existing(target: str, path: str) -> os.stat_result | None:
    """The stat of the file about to be replaced (None if there is none); refuse non-files."""
    try:
        st = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        return None  # creating the temp file will say what is missing
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if not stat.S_ISREG(st.st_mode):  # and never open it: opening a FIFO would block
        raise ValueError(
            f"cannot write {path!r}: it is {file_kind(st.st_mode)}, not a regular file"
        )
    # A rename would replace a read-only file without complaint; open(path, "wb") refuses.
    if not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    return st


def _naming(exc: OSError, path: str, directory: str) -> OSError:
    """`exc` (raised for the temp file) again, naming the path the caller gave instead."""
    if exc.errno == errno.ENOENT:
        why = f"the directory {directory!r} does not exist"
    elif exc.errno == errno.ENOTDIR:
        why = f"{directory!r} is not a directory"
    else:
        why = f"{exc.strerror} (creating a temporary file in {directory!r})"
    return OSError(exc.errno, f"cannot write {path!r}: {why}")  # OSError picks the subclass


def _tmp_prefix(target: str) -> str:
    """`.<name>.minigrad-tmp-`, with a long name shortened to keep within 255 bytes."""
    name = os.path.basename(target)
    if len(os.fsencode(name)) > 120:
        name = name[:30] + "~" + hashlib.sha1(os.fsencode(name)).hexdigest()[:16]
    return f".{name}.minigrad-tmp-"


def _remove_stale(directory: str, prefix: str) -> None:
    """Delete this target's temp files whose writer was killed before it could clean up."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)-[0-9a-f]{12}\.part")
    try:
        names = os.listdir(directory)
    except OSError:
        return  # the write itself will report what is wrong
    for name in names:
        match = pattern.fullmatch(name)
        if match and _abandoned(os.path.join(directory, name), int(match[1])):
            # (OSError: already gone, or in use: Windows refuses to delete open files)
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))


def _abandoned(tmp: str, pid: int) -> bool:
    """True if no process is writing `tmp`: its writer's lock is gone (it was killed), and
    the file is old or its pid is not running. The pid covers the instants a live writer's
    file is unlocked: just after creating it, and between closing and renaming it."""
    if fcntl is None:
        return True  # Windows: the unlink fails while the writer has the file open
    try:
        fd = os.open(tmp, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return False
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # fails while a writer holds LOCK_EX
    except OSError:
        return False
    finally:
        os.close(fd)
    return time.time() - st.st_mtime > _STALE_AFTER_S or not _running(pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists but belongs to another user
        return True
    return True


def _lock(fd: int) -> None:
    """An exclusive flock, held until `fd` is closed, where the filesystem supports one."""
    if fcntl is not None:
        with contextlib.suppress(OSError):  # e.g. ENOLCK on network filesystems: do without
            fcntl.flock(fd, fcntl.LOCK_EX)


def _copy_owner_and_mode(old: os.stat_result, tmp: str) -> None:
    if hasattr(os, "chown") and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        for uid in (old.st_uid, -1):  # the owner needs privileges; the group may still work
            try:
                os.chown(tmp, uid, old.st_gid)
                break
            except OSError:
                pass
    os.chmod(tmp, stat.S_IMODE(old.st_mode))  # after chown, which may clear setuid bits


def _copy_into(src: BinaryIO, target: str) -> None:
    """Overwrite the existing file in place, so all its hard links see the new bytes."""
    with open(target, "r+b") as dst:
        _lock(dst.fileno())  # two writers copying at once would interleave their bytes
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.truncate()
        dst.flush()
        os.fsync(dst.fileno())
