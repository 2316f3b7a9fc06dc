"""The IDX file format, read into numpy arrays: `read_idx`.

IDX is the format of LeCun's MNIST release: a big-endian int32 magic number (two zero bytes,
a type code for the elements, the number of dimensions), one big-endian int32 per dimension,
then the elements in C order. The header is read and checked first; then exactly the payload
it describes is read: decompression stops one byte past it, so a small ``.gz`` cannot expand
into gigabytes in memory (a gzip bomb). Host-side numpy I/O, as in serialization.py.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

__all__ = ["IDXError", "MNISTError", "read_idx"]

PathArg = str | os.PathLike[str]
_READ_CHUNK = 1 << 20  # bytes asked for per read call


class IDXError(ValueError):
    """An IDX file (MNIST, Fashion-MNIST, ...) is malformed, truncated, damaged, larger than
    allowed, or not the published release. The message names the file."""


MNISTError = IDXError  # the name from before there were other IDX datasets; the same class


# ----- the IDX format ---------------------------------------------------------------------
# Type code (the magic number's third byte) -> element dtype as stored: big-endian.
_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


@dataclass(frozen=True)
class _Header:
    raw: bytes  # the header's own bytes: a file's SHA-256 covers them too
    dtype: np.dtype  # as stored, big-endian
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        """The payload size this header promises."""
        return math.prod(self.shape) * self.dtype.itemsize


def read_idx(path: PathArg, *, max_bytes: int | None = None) -> np.ndarray:
    """Read an IDX file, gzip-compressed (name ending in ``.gz``) or raw, into a numpy array.

    The array has the shape given in the file's header and its element type: uint8, int8,
    int16, int32, float32 or float64 (type codes 0x08, 0x09, 0x0B to 0x0E), in native byte
    order. At most the payload size the header gives, plus one byte, is decompressed; with
    ``max_bytes``, a header promising a larger payload is refused before any of it is read.
    Raises IDXError, naming the file, for a bad magic number, a truncated header or payload,
    trailing bytes, damaged gzip data, or a payload over ``max_bytes``.
    """
    source = str(path)

    def check(header: _Header) -> None:
        if max_bytes is not None and header.nbytes > max_bytes:
            raise IDXError(
                f"{source}: header dims {header.shape} need {header.nbytes} payload bytes, "
                f"more than max_bytes={max_bytes}"
            )

    with _open_idx(source) as stream:
        header, payload = _read_idx(stream, source, check=check)
    return _to_array(header, payload)


@contextmanager
def _open_idx(source: str | Path, data: bytes | None = None) -> Iterator[BinaryIO]:
    """The decompressed bytes of an IDX file, as a stream to read from.

    ``source`` is the file's path, or the URL that ``data`` was fetched from; a name ending in
    ``.gz`` means gzip-compressed.
    """
    with io.BytesIO(data) if data is not None else open(source, "rb") as raw:
        if not str(source).endswith(".gz"):
            yield raw
            return
        with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
            yield stream


def _read_idx(
    stream: BinaryIO,
    source: str,
    *,
    magic: int | None = None,
    check: Callable[[_Header], None] | None = None,
) -> tuple[_Header, bytearray]:
    """Read one IDX stream: its header, then exactly the payload that header describes.

    ``check`` sees the header before the payload is read (raising IDXError to refuse it), so a
    header it rejects costs no decompression.
    """
    header = _read_header(stream, source, magic)
    if check is not None:
        check(header)
    return header, _read_payload(stream, header, source)


def _read_header(stream: BinaryIO, source: str, magic: int | None) -> _Header:
    head = _read_up_to(stream, 4, source)
    if len(head) < 4:
        raise _truncated_header(source, 4, len(head))
    found = int.from_bytes(head, "big")
    if magic is not None and found != magic:
        raise IDXError(f"{source}: bad magic number: expected {magic}, found {found}")
    if head[:2] != b"\0\0" or head[2] not in _IDX_DTYPES:
        codes = " ".join(f"{code:02X}" for code in _IDX_DTYPES)
        hint = " (it looks gzip-compressed: name it .gz)" if head[:2] == b"\x1f\x8b" else ""
        raise IDXError(
            f"{source}: bad magic number {found:#010x}: not an IDX file, whose first bytes are "
            f"00 00, a type code ({codes}) and the number of dimensions{hint}"
        )
    ndim = head[3]
    dims = _read_up_to(stream, 4 * ndim, source)
    if len(dims) < 4 * ndim:
        raise _truncated_header(source, 4 + 4 * ndim, 4 + len(dims))
    shape = tuple(int.from_bytes(dims[i : i + 4], "big") for i in range(0, 4 * ndim, 4))
    return _Header(bytes(head + dims), _IDX_DTYPES[head[2]], shape)


def _truncated_header(source: str, expected: int, found: int) -> IDXError:
    return IDXError(
        f"{source}: truncated header: expected at least {expected} bytes, found {found}"
    )


def _read_payload(stream: BinaryIO, header: _Header, source: str) -> bytearray:
    need = header.nbytes
    # One byte more than needed: getting it proves trailing data without decompressing the
    # rest. Getting exactly `need` means the stream ended, so gzip has checked its CRC.
    payload = _read_up_to(stream, need + 1, source)
    if len(payload) != need:
        what, found = "truncated", str(len(payload))
        if len(payload) > need:
            what, found = "has trailing bytes", f"{len(payload)} or more"
        raise IDXError(
            f"{source}: file {what}: header dims {header.shape} need {need} payload bytes, "
            f"found {found}"
        )
    return payload


def _read_up_to(stream: BinaryIO, n: int, source: str) -> bytearray:
    """Read ``n`` bytes, or fewer if the stream ends first.

    Decompresses no more than that, plus the 8 KiB that gzip's reader buffers ahead. Damaged
    gzip data (bad header or CRC, a cut or corrupt deflate stream) is an IDXError.
    """
    data = bytearray()
    try:
        while len(data) < n and (chunk := stream.read(min(_READ_CHUNK, n - len(data)))):
            data += chunk
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise IDXError(f"{source}: expected a valid gzip file, found: {exc}") from exc
    return data


def _to_array(header: _Header, payload: bytearray) -> np.ndarray:
    """The payload as an array of the header's shape, in native byte order."""
    # Viewing the bytearray costs no copy and gives writable memory; only multi-byte types
    # are copied, to swap from big-endian to what numpy and minigrad compute with.
    array = np.frombuffer(payload, dtype=header.dtype).reshape(header.shape)
    return array.astype(header.dtype.newbyteorder("="), copy=False)
