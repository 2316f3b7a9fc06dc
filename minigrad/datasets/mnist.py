"""MNIST and other datasets in the IDX format, read into numpy arrays.

IDX is the format of LeCun's MNIST release: a big-endian int32 magic number (two zero bytes,
a type code for the elements, the number of dimensions), one big-endian int32 per dimension,
then the elements in C order. `read_idx` reads any such file. `IDXDataset` is one split of an
image-classification dataset published, like MNIST, as four IDX files (train/test images and
labels); `MNIST` here and `FashionMNIST` (fashion_mnist.py) are configurations of it. As in
torchvision, the reader and the datasets share this module; it is, with serialization.py,
where host-side numpy I/O lives.

Where a dataset's four files are looked up:

- With ``root``: only there, in the dataset's subdirectory of it (``root/mnist`` or
  torchvision's ``root/MNIST/raw`` for MNIST, ``root/fashion-mnist`` or
  ``root/FashionMNIST/raw`` for Fashion-MNIST), else in ``root`` itself. If no such directory
  holds all four, the missing ones are downloaded (``download=True``) into the one that holds
  some, or into ``root``; with ``download=False`` a FileNotFoundError names them.
- Without ``root``, in this order: ``$MINIGRAD_DATA`` (the same subdirectories; for MNIST also
  the files directly in it), the installed copies (the one in this package for MNIST, Debian's
  /usr/share/datasets/fashion-mnist for Fashion-MNIST), the cache
  (``~/.cache/minigrad/<dataset>``). The first directory holding all four files is used; if
  none does, the missing files are downloaded from the dataset's mirrors into the cache.

Each file may be gzip-compressed (``<name>.gz``) or raw (``<name>``). Its header is read first
and checked before the payload; then exactly the payload the header describes is read:
decompression stops one byte past it, so a small ``.gz`` cannot expand into gigabytes in memory
(a gzip bomb), and a dataset refuses a header that claims more images than its published
release has. Finally the file is checked against the SHA-256 of the decompressed bytes of the
original release, so a truncated or altered copy is never used silently. A download that fails
any of these checks is never saved, and the next mirror is tried.

Everything here is host-side numpy; nothing depends on the tensor core.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import io
import math
import os
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

import numpy as np
from tqdm import tqdm

from .._atomic import atomic_write

__all__ = [
    "CACHE_ROOT", "ENV_VAR", "MNIST", "PACKAGE_DIR", "IDXDataset", "IDXError", "MNISTError",
    "load_mnist", "read_idx",
]  # fmt: skip

ENV_VAR = "MINIGRAD_DATA"
# Each dataset caches its downloads in a subdirectory of this.
CACHE_ROOT: Path = Path.home() / ".cache" / "minigrad"
PACKAGE_DIR: Path = Path(__file__).parent / "mnist_files"  # the MNIST copy shipped with minigrad
PathArg = str | os.PathLike[str]

_IMAGES_MAGIC = 0x0803  # 2051: uint8 elements, 3 dimensions (count, rows, columns)
_LABELS_MAGIC = 0x0801  # 2049: uint8 elements, 1 dimension (count)
_READ_CHUNK = 1 << 20  # bytes asked for per read call
_FETCH_CHUNK = 1 << 16
_DOWNLOAD_TIMEOUT_S = 30


class IDXError(ValueError):
    """An IDX file (MNIST, Fashion-MNIST, ...) is malformed, truncated, damaged, larger than
    allowed, or not the published release. The message names the file."""


MNISTError = IDXError  # the name from before there were other IDX datasets; the same class


# ----- the IDX format ---------------------------------------------------------------------
# Type code (the magic number's third byte) -> element dtype as stored: big-endian.
_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}  # fmt: skip


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


# ----- datasets of four IDX files -----------------------------------------------------------
class IDXDataset:
    """One split of an image-classification dataset published as four IDX files, in memory.

    ``data`` is uint8 of shape (N, H, W), ``targets`` int64 of shape (N,), with values in
    ``range(len(classes))``. ``dataset[i]`` is one sample as (float32 array of shape (H*W,) in
    [0, 1], int label); ``arrays()`` converts the whole split at once, which is what training
    loops should use. Subclasses (MNIST, FashionMNIST) are configurations: they set the class
    attributes below. See the module docstring for where the files are looked up.
    """

    # ----- configuration, set by each subclass --------------------------------------------
    # File names (without ".gz") of each split: (images, labels).
    files: ClassVar[dict[str, tuple[str, str]]] = {
        "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    }
    # Images per split in the published release: a header claiming more is refused unread.
    sizes: ClassVar[dict[str, int]] = {"train": 60000, "test": 10000}
    image_shape: ClassVar[tuple[int, int]] = (28, 28)
    classes: ClassVar[list[str]] = []
    # SHA-256 of each file's *decompressed* bytes: gzip output differs between mirrors and
    # gzip versions, the payload does not. Tests replace entries with the digests of tiny
    # synthetic files, or with None to skip the check for that file.
    sha256: ClassVar[dict[str, str | None]] = {}
    mirrors: ClassVar[list[str]] = []  # base URLs, tried in order; each serves "<name>.gz"
    # Where the files may be under root or $MINIGRAD_DATA, in order; "" is the directory itself
    # (always tried last for a root, which the user named).
    subdirs: ClassVar[tuple[str, ...]] = ()
    installed_dirs: ClassVar[tuple[Path, ...]] = ()  # read-only copies: the package's, the OS's
    cache_dir: ClassVar[Path]  # downloads go here when no root is given
    MEAN: ClassVar[float]  # mean pixel value of the training set, after scaling to [0, 1]
    STD: ClassVar[float]  # its standard deviation

    def __init__(
        self, root: PathArg | None = None, train: bool = True, download: bool = True
    ) -> None:
        self.train = train
        self.data, self.targets = self._load(root, train, download)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        image = self.data[index].reshape(-1).astype(np.float32) / np.float32(255)
        return image, int(self.targets[index])

    def arrays(self, normalize: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(x, y)``: x float32 of shape (N, H*W), y int64 of shape (N,).

        x is scaled to [0, 1]; with ``normalize=True`` it is then standardised with the
        training-set statistics ``(x - MEAN) / STD``. y is a copy of ``targets``.
        """
        x = self.data.reshape(len(self), -1).astype(np.float32)
        # In place, so the (N, H*W) float32 buffer is the only large temporary.
        x /= np.float32(255)
        if normalize:
            x -= np.float32(self.MEAN)
            x /= np.float32(self.STD)
        return x, self.targets.copy()

    @property
    def class_to_idx(self) -> dict[str, int]:
        """Each class name's label, as in torchvision."""
        return {name: i for i, name in enumerate(self.classes)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(split={'train' if self.train else 'test'!r}, n={len(self)})"

    # ----- loading ------------------------------------------------------------------------
    @classmethod
    def _load(
        cls, root: PathArg | None, train: bool, download: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """(images uint8 (N, H, W), labels int64 (N,)) of one split: found, read, verified."""
        if cls is IDXDataset:
            raise TypeError("IDXDataset is a base class: use MNIST, FashionMNIST or a subclass")
        paths = cls._locate(None if root is None else Path(root).expanduser(), download)
        images_name, labels_name = cls.files["train" if train else "test"]
        images_path, labels_path = paths[images_name], paths[labels_name]
        images = cls._read_file(images_name, images_path)
        labels = cls._read_file(labels_name, labels_path)
        if len(images) != len(labels):
            raise IDXError(
                f"{images_path} holds {len(images)} images but {labels_path} holds "
                f"{len(labels)} labels; expected the same count in both"
            )
        top = len(cls.classes) - 1
        if labels.size and labels.max() > top:
            bad = int(np.argmax(labels > top))
            raise IDXError(
                f"{labels_path}: labels must be in 0..{top}, found {labels[bad]} at index {bad}"
            )
        return images, labels.astype(np.int64)

    @classmethod
    def _read_file(cls, name: str, source: str | Path, data: bytes | None = None) -> np.ndarray:
        """Read one of the four files (from ``data`` if given, fetched from ``source``), checked:
        its header before the payload is read, its SHA-256 after."""
        split, is_images = cls._role(name)
        item_shape = cls.image_shape if is_images else ()
        limit = cls.sizes[split]

        def check(header: _Header) -> None:
            if header.shape[1:] != item_shape:
                raise IDXError(
                    f"{source}: expected items of shape {item_shape}, header says "
                    f"{header.shape[1:]}"
                )
            if header.shape[0] > limit:
                raise IDXError(
                    f"{source}: header claims {header.shape[0]} items, but the {split} split of "
                    f"{cls.__name__} has {limit}; refusing to read it"
                )

        magic = _IMAGES_MAGIC if is_images else _LABELS_MAGIC
        with _open_idx(source, data) as stream:
            header, payload = _read_idx(stream, str(source), magic=magic, check=check)
        cls._check_sha256(name, header, payload, source)
        return _to_array(header, payload)

    @classmethod
    def _check_sha256(
        cls, name: str, header: _Header, payload: bytearray, source: str | Path
    ) -> None:
        expected = cls.sha256.get(name)
        if expected is None:
            return
        digest = hashlib.sha256(header.raw)
        digest.update(payload)
        found = digest.hexdigest()
        if found != expected:
            raise IDXError(
                f"{source}: SHA-256 of the decompressed IDX bytes does not match the original "
                f"release: expected {expected}, found {found}. The file is corrupt or altered; "
                "delete it and load again."
            )

    @classmethod
    def _role(cls, name: str) -> tuple[str, bool]:
        """(split, whether it holds the images) of the file called ``name``."""
        for split, (images, labels) in cls.files.items():
            if name in (images, labels):
                return split, name == images
        raise KeyError(name)

    @classmethod
    def _names(cls) -> list[str]:
        return [name for pair in cls.files.values() for name in pair]

    # ----- finding the files --------------------------------------------------------------
    @classmethod
    def _locate(cls, root: Path | None, download: bool) -> dict[str, Path]:
        """The path of each of the four files: the first complete directory, else downloaded."""
        if root is not None and root.exists() and not root.is_dir():
            raise NotADirectoryError(f"{cls.__name__}: root {root} is not a directory")
        places = cls._places(root)
        for directory in places:
            found = cls._present(directory)
            if len(found) == len(cls._names()):
                return found
        if root is None:
            target = cls.cache_dir
        else:  # complete a partial set where it is, rather than start a second copy
            target = next((d for d in places if cls._present(d)), root)
        if not download:
            raise FileNotFoundError(cls._not_found(places, target, root))
        return cls._download_missing(target, places)

    @classmethod
    def _places(cls, root: Path | None) -> list[Path]:
        """The directories searched, in order; with a root, nothing outside it."""
        if root is not None:
            return [root / sub for sub in cls.subdirs if sub] + [root]
        env = os.environ.get(ENV_VAR)
        dirs = [Path(env).expanduser() / sub for sub in cls.subdirs] if env else []
        return dirs + list(cls.installed_dirs) + [cls.cache_dir]

    @classmethod
    def _present(cls, directory: Path) -> dict[str, Path]:
        """Each of the four files found in ``directory``, by name."""
        found = {}
        for name in cls._names():
            # Raw first: it skips decompression and is what a user who unpacked the files has.
            for path in (directory / name, directory / f"{name}.gz"):
                if path.is_file():
                    found[name] = path
                    break
        return found

    @classmethod
    def _not_found(cls, places: list[Path], target: Path, root: Path | None) -> str:
        if root is None:
            return f"{cls.__name__} files not found and download=False.\n" + cls._where_to_put(
                places, target
            )
        present = cls._present(target)
        missing = ", ".join(name for name in cls._names() if name not in present)
        state = "does not exist" if not target.exists() else "lacks some files"
        others = ", ".join(str(d) for d in places if d != target)
        return (
            f"{cls.__name__}: {target} {state} (download=False); missing: {missing} "
            f"(each raw or .gz). Also looked in: {others}; when a root is given, nothing "
            f"outside it is searched. Put the files in {target}, or pass download=True to "
            "fetch the missing ones into it."
        )

    @classmethod
    def _where_to_put(cls, places: list[Path], target: Path) -> str:
        looked = "\n".join(f"  {d}" for d in places)
        if not os.environ.get(ENV_VAR):
            looked += f"\n  (${ENV_VAR} is not set)"
        names = ", ".join(f"{n}.gz" for n in cls._names())
        env_dirs = " or ".join(f"${ENV_VAR}/{sub}" if sub else f"${ENV_VAR}" for sub in cls.subdirs)
        return (
            f"Looked in:\n{looked}\n"
            f"Put the four files ({names}; gzip-compressed or not) in {target}, "
            f"or in a directory named by the {ENV_VAR} environment variable "
            f"(e.g. export {ENV_VAR}=/path/to/data, with the files in {env_dirs})."
        )

    @classmethod
    def _download_missing(cls, target: Path, places: list[Path]) -> dict[str, Path]:
        """Fetch into ``target`` each of the four files it lacks; return all four paths."""
        target.mkdir(parents=True, exist_ok=True)
        files = cls._present(target)
        hint = cls._where_to_put(places, target)
        for name in cls._names():
            if name not in files:
                verify = functools.partial(cls._read_file, name)  # verify(url, payload)
                files[name] = _download(name, target, cls.mirrors, verify, hint)
        return files


# ----- downloading ------------------------------------------------------------------------
def _download(
    name: str,
    target: Path,
    mirrors: list[str],
    verify: Callable[[str, bytes], object],
    hint: str,
) -> Path:
    """Fetch ``name``.gz from the first mirror whose copy passes ``verify`` (which raises
    IDXError otherwise); save it in ``target`` and return its path."""
    failures: list[str] = []
    corrupt = False
    for mirror in mirrors:
        url = f"{mirror.rstrip('/')}/{name}.gz"
        try:
            payload = _fetch(url, name)
        # URLError, HTTPError and timeouts are OSErrors; a cut-off body is an HTTPException.
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"  {url}: {exc}")
            continue
        try:
            verify(url, payload)
        except IDXError as exc:
            # Another mirror may still hold a good copy; the bad bytes are never written.
            failures.append(f"  {exc}")
            corrupt = True
            continue
        path = target / f"{name}.gz"
        _atomic_write(path, payload)
        return path
    tried = "\n".join(failures)
    if corrupt:
        raise IDXError(f"downloaded {name}.gz failed verification and was not saved:\n{tried}")
    raise RuntimeError(f"could not download {name}.gz from any mirror:\n{tried}\n{hint}")


def _fetch(url: str, name: str) -> bytes:
    with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        chunks = []
        with tqdm(total=total, unit="B", unit_scale=True, desc=name, leave=False) as bar:
            while chunk := response.read(_FETCH_CHUNK):
                chunks.append(chunk)
                bar.update(len(chunk))
    return b"".join(chunks)


def _atomic_write(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that ``path`` is either absent or complete."""
    with atomic_write(path) as f:
        f.write(payload)


# ----- MNIST --------------------------------------------------------------------------------
class MNIST(IDXDataset):
    """MNIST handwritten digits (LeCun, Cortes, Burges), one split held in host memory.

    60,000 train or 10,000 test images: ``data`` uint8 of shape (N, 28, 28), ``targets`` int64
    of shape (N,), digits 0..9 (``classes`` are torchvision's names). The four files ship in
    this package, so no download is needed. See IDXDataset for ``arrays()`` and indexing.
    """

    classes: ClassVar[list[str]] = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]  # fmt: skip
    sha256: ClassVar[dict[str, str | None]] = {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    }
    mirrors: ClassVar[list[str]] = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ]
    # "" last: MNIST's files sat directly in $MINIGRAD_DATA before other datasets existed.
    subdirs = ("mnist", "MNIST/raw", "")
    installed_dirs = (PACKAGE_DIR,)
    cache_dir = CACHE_ROOT / "mnist"
    MEAN = 0.1307  # mean pixel value of the training set, after scaling to [0, 1]
    STD = 0.3081  # its standard deviation


def load_mnist(
    root: PathArg | None = None, train: bool = True, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load one split of MNIST.

    Returns ``(images, labels)``: images uint8 of shape (N, 28, 28), pixel values 0..255;
    labels int64 of shape (N,), values 0..9. N is 60000 for ``train=True``, else 10000.

    Raises IDXError (a ValueError; also called MNISTError) for a malformed or corrupt file,
    FileNotFoundError if files are missing and ``download=False`` (only ``root`` is searched
    when given), RuntimeError if no mirror can be reached.
    """
    return MNIST._load(root, train, download)
