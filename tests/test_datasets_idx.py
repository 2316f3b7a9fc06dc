"""`datasets.read_idx`, the reader for any IDX file, on small files built here."""

from __future__ import annotations

import gzip
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from minigrad.datasets import IDXError, MNISTError, read_idx

# IDX type code -> the big-endian dtype it stores.
TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """IDX encoding: 00 00, type code, ndim, a big-endian int32 per dim, big-endian elements."""
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">i4").tobytes()
    return header + array.astype(TYPES[code]).tobytes()


def write(tmp_path: Path, data: bytes, gz: bool, name: str = "file-idx") -> Path:
    path = tmp_path / (f"{name}.gz" if gz else name)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def sample(code: int, shape: tuple[int, ...]) -> np.ndarray:
    """Values that use each type's range: negatives, big magnitudes, fractions."""
    values = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    if code == 0x08:
        return (values * 37 % 256).astype(np.uint8)
    if code == 0x09:
        return (values * 37 % 256 - 128).astype(np.int8)
    if code == 0x0B:
        return (values * 3001 % 65536 - 32768).astype(np.int16)
    if code == 0x0C:
        return (values * 123456789 % 2**32 - 2**31).astype(np.int32)
    return (values - 2.5) * np.pi * 1e3  # float32 or float64


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "raw"])
@pytest.mark.parametrize("shape", [(7,), (2, 3, 4), (0, 5)], ids=["1d", "3d", "empty"])
@pytest.mark.parametrize("code", list(TYPES), ids=[f"{c:#04x}" for c in TYPES])
def test_every_type_and_shape_round_trips(
    tmp_path: Path, code: int, shape: tuple[int, ...], gz: bool
) -> None:
    want = sample(code, shape).astype(TYPES[code])
    array = read_idx(write(tmp_path, idx_bytes(want, code), gz))
    assert array.shape == shape
    assert array.dtype == want.dtype.newbyteorder("=") and array.dtype.isnative
    np.testing.assert_array_equal(array, want)
    assert array.flags.writeable


def test_big_endian_is_decoded(tmp_path: Path) -> None:
    data = bytes([0, 0, 0x0B, 1, 0, 0, 0, 2]) + b"\x01\x02\xff\xfe"
    array = read_idx(write(tmp_path, data, gz=False))
    assert array.tolist() == [0x0102, -2] and array.dtype == np.int16
    assert array.dtype.byteorder in ("=", "<" if sys.byteorder == "little" else ">")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x00\x00\x08", ["truncated header", "expected at least 4 bytes", "found 3"]),
        (bytes([0, 0, 8, 2, 0, 0, 0, 1]), ["truncated header", "at least 12", "found 8"]),
        (bytes([1, 0, 8, 1, 0, 0, 0, 1, 5]), ["bad magic number 0x01000801", "not an IDX"]),
        (bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 5]), ["bad magic number 0x00000a01", "0B 0C"]),
        (gzip.compress(b"anything"), ["bad magic", "looks gzip-compressed: name it .gz"]),
        (bytes([0, 0, 0x0C, 1, 0, 0, 0, 2]) + bytes(7), ["truncated", "need 8", "found 7"]),
        (bytes([0, 0, 8, 1, 0, 0, 0, 2]) + bytes(3), ["trailing", "need 2", "found 3 or more"]),
    ],
    ids=["short-magic", "short-dims", "nonzero", "type-code", "gzip-as-raw", "cut", "trailing"],
)
def test_malformed_files_name_the_file_and_the_problem(
    tmp_path: Path, data: bytes, words: list[str]
) -> None:
    path = write(tmp_path, data, gz=False)
    with pytest.raises(IDXError) as info:
        read_idx(path)
    assert str(info.value).startswith(f"{path}: ")
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("how", ["deflate", "crc", "cut", "not-gzip"])
def test_damaged_gzip_is_an_idx_error(tmp_path: Path, how: str) -> None:
    packed = gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8), 0x08))
    damaged = {
        "deflate": packed[:10] + b"\x07" + packed[11:],  # reserved block type: zlib.error
        "crc": packed[:-8] + bytes([packed[-8] ^ 1]) + packed[-7:],
        "cut": packed[:-20],
        "not-gzip": b"plain bytes",
    }[how]
    path = tmp_path / "file-idx.gz"
    path.write_bytes(damaged)
    with pytest.raises(IDXError, match="gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_max_bytes_refuses_before_reading(tmp_path: Path) -> None:
    data = idx_bytes(np.zeros((4, 4)), 0x0E)  # 128 payload bytes
    path = write(tmp_path, data, gz=True)
    assert read_idx(path, max_bytes=128).shape == (4, 4)
    with pytest.raises(IDXError, match=r"need 128 payload bytes, more than max_bytes=127"):
        read_idx(path, max_bytes=127)


def test_idx_error_is_mnist_error_and_value_error() -> None:
    assert MNISTError is IDXError and issubclass(IDXError, ValueError)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent.gz")


# --- memory stays bounded by what the header promises -----------------------------------------


def peak_traced_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


HEADER_10_IMAGES = bytes([0, 0, 8, 3]) + np.array([10, 28, 28], ">i4").tobytes()  # 7840 bytes


def one_member_bomb(mib: int) -> bytes:
    """The header and ``mib`` MiB of zeros in a single gzip member (~1 KB per MiB)."""
    packer = gzip.zlib.compressobj(9, gzip.zlib.DEFLATED, 31)  # 31: gzip framing
    chunks = [packer.compress(HEADER_10_IMAGES)]
    zeros = bytes(1 << 20)
    chunks += [packer.compress(zeros) for _ in range(mib)]
    return b"".join(chunks) + packer.flush()


def many_member_bomb(mib: int) -> bytes:
    """The header, then ``mib`` gzip members of 1 MiB of zeros each: quick to build."""
    return gzip.compress(HEADER_10_IMAGES) + gzip.compress(bytes(1 << 20)) * mib


@pytest.mark.parametrize(
    ("build", "mib"), [(one_member_bomb, 64), (many_member_bomb, 256)], ids=["one", "many"]
)
def test_gzip_bomb_is_refused_with_bounded_memory(
    tmp_path: Path, build: Callable[[int], bytes], mib: int
) -> None:
    path = tmp_path / "bomb-idx.gz"
    path.write_bytes(build(mib))
    assert path.stat().st_size < 1100 * mib  # about 1 KB on disk per MiB decompressed
    messages: list[str] = []

    def read() -> None:
        with pytest.raises(IDXError, match="trailing bytes") as info:
            read_idx(path)
        messages.append(str(info.value))

    peak = peak_traced_bytes(read)
    assert peak < 8 << 20, f"peak traced memory {peak} bytes for a {mib} MiB bomb"
    assert "need 7840 payload bytes, found 7841 or more" in messages[0]


def test_header_promising_gigabytes_allocates_only_what_is_there(tmp_path: Path) -> None:
    header = bytes([0, 0, 0x0E, 2]) + np.array([1 << 15, 1 << 14], ">i4").tobytes()  # 4 GiB
    path = write(tmp_path, header + bytes(1000), gz=True)

    def read_and_fail():
        with pytest.raises(IDXError):
            read_idx(path)

    peak = peak_traced_bytes(read_and_fail)
    assert peak < 8 << 20
    with pytest.raises(IDXError, match=r"truncated: .* need 4294967296 payload bytes, found 1000"):
        read_idx(path)
