"""MNIST handwritten digits, loaded from the original IDX files into numpy arrays.

The four files are looked up, in this order, in:

1. the ``root`` argument;
2. ``$MINIGRAD_DATA`` (the files directly in it, or in ``$MINIGRAD_DATA/mnist``);
3. the copy shipped inside this package (``PACKAGE_DIR``);
4. the download cache (``CACHE_DIR``, ``~/.cache/minigrad/mnist``).

The first directory holding all four files (each gzip-compressed or raw) is used. If none
does, they are downloaded from ``MIRRORS`` into ``root`` (if given) or ``CACHE_DIR``.
Every file is checked against its header and against the SHA-256 of the decompressed
IDX bytes of the original release, so a truncated or altered copy is never used silently.

Everything here is host-side numpy; nothing depends on the tensor core.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import urllib.request
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .._atomic import atomic_write

__all__ = ["MNIST", "MNISTError", "load_mnist", "MIRRORS", "PACKAGE_DIR", "CACHE_DIR"]

# Base URLs tried in order; each serves the four ``<name>.gz`` files.
MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]
# Module-level (rather than computed inside functions) so tests can point them at tmp dirs.
PACKAGE_DIR: Path = Path(__file__).parent / "mnist_files"
CACHE_DIR: Path = Path.home() / ".cache" / "minigrad" / "mnist"
ENV_VAR = "MINIGRAD_DATA"
PathArg = str | os.PathLike[str]

_TRAIN = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
_TEST = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
_ALL_FILES = _TRAIN + _TEST

# SHA-256 of the *decompressed* IDX bytes: gzip output differs between mirrors and gzip
# versions, the payload does not. Private test hook: tests replace entries with the digests
# of tiny synthetic files, or with None to skip the check for that file. Nothing else
# should touch this.
_EXPECTED_SHA256: dict[str, str | None] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

_IMAGES_MAGIC = 2051  # IDX: uint8 data, 3 dimensions
_LABELS_MAGIC = 2049  # IDX: uint8 data, 1 dimension
_ROWS = _COLS = 28
_DOWNLOAD_TIMEOUT_S = 30
_CHUNK = 1 << 16


class MNISTError(ValueError):
    """An MNIST file is malformed, truncated, or not the original release."""


def load_mnist(
    root: PathArg | None = None, train: bool = True, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load one split of MNIST.

    Returns ``(images, labels)``: images uint8 of shape (N, 28, 28), pixel values 0..255;
    labels int64 of shape (N,), values 0..9. N is 60000 for ``train=True``, else 10000.

    Raises MNISTError (a ValueError) for a malformed or corrupt file, FileNotFoundError if
    the files are nowhere and ``download=False``, RuntimeError if no mirror can be reached.
    """
    root_dir = Path(root).expanduser() if root is not None else None
    searched = _candidate_dirs(root_dir)
    for directory in searched:
        files = _find_files(directory)
        if files is not None:
            break
    else:
        target = root_dir if root_dir is not None else CACHE_DIR
        if not download:
            raise FileNotFoundError(
                "MNIST files not found and download=False.\n" + _where_to_put(searched, target)
            )
        files = _download_missing(target, searched)

    images_name, labels_name = _TRAIN if train else _TEST
    images_path, labels_path = files[images_name], files[labels_name]
    images_bytes, labels_bytes = _read(images_path), _read(labels_path)
    images = _parse_idx(images_bytes, images_path, _IMAGES_MAGIC, (_ROWS, _COLS))
    labels = _parse_idx(labels_bytes, labels_path, _LABELS_MAGIC, ())
    _check_sha256(images_bytes, images_name, images_path)
    _check_sha256(labels_bytes, labels_name, labels_path)

    if len(images) != len(labels):
        raise MNISTError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels; expected the same count in both"
        )
    if labels.size and labels.max() > 9:
        bad = int(np.argmax(labels > 9))
        raise MNISTError(
            f"{labels_path}: labels must be in 0..9, found {labels[bad]} at index {bad}"
        )
    return images, labels.astype(np.int64)


class MNIST:
    """One split of MNIST held in host memory.

    ``data`` is uint8 of shape (N, 28, 28), ``targets`` int64 of shape (N,).
    ``dataset[i]`` gives one sample as (float32 array of shape (784,) in [0, 1], int label);
    ``arrays()`` converts the whole split at once, which is what training loops should use.
    """

    MEAN = 0.1307  # mean pixel value of the training set, after scaling to [0, 1]
    STD = 0.3081  # its standard deviation

    def __init__(
        self, root: PathArg | None = None, train: bool = True, download: bool = True
    ) -> None:
        self.train = train
        self.data, self.targets = load_mnist(root, train=train, download=download)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        image = self.data[index].reshape(_ROWS * _COLS).astype(np.float32) / np.float32(255)
        return image, int(self.targets[index])

    def arrays(self, normalize: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(x, y)``: x float32 of shape (N, 784), y int64 of shape (N,).

        x is scaled to [0, 1]; with ``normalize=True`` it is then standardised with the
        training-set statistics ``(x - MEAN) / STD``. y is a copy of ``targets``.
        """
        x = self.data.reshape(len(self), _ROWS * _COLS).astype(np.float32)
        # In place, so the (N, 784) float32 buffer is the only large temporary.
        x /= np.float32(255)
        if normalize:
            x -= np.float32(self.MEAN)
            x /= np.float32(self.STD)
        return x, self.targets.copy()

    def __repr__(self) -> str:
        return f"MNIST(split={'train' if self.train else 'test'!r}, n={len(self)})"


def _candidate_dirs(root: Path | None) -> list[Path]:
    dirs = [root] if root is not None else []
    env = os.environ.get(ENV_VAR)
    if env:
        env_dir = Path(env).expanduser()
        dirs += [env_dir, env_dir / "mnist"]
    return dirs + [PACKAGE_DIR, CACHE_DIR]


def _file_in(directory: Path, name: str) -> Path | None:
    # Raw first: it skips decompression and is what a user who unpacked the files has.
    for path in (directory / name, directory / f"{name}.gz"):
        if path.is_file():
            return path
    return None


def _find_files(directory: Path) -> dict[str, Path] | None:
    """Map each of the four file names to its path in ``directory``; None if any is missing."""
    files = {}
    for name in _ALL_FILES:
        path = _file_in(directory, name)
        if path is None:
            return None
        files[name] = path
    return files


def _read(path: Path) -> bytes:
    """Return the file's IDX bytes, decompressed if it is a ``.gz``."""
    raw = path.read_bytes()
    return _decompress(raw, path) if path.suffix == ".gz" else raw


def _decompress(payload: bytes, source: Path | str) -> bytes:
    try:
        return gzip.decompress(payload)
    except (OSError, EOFError) as exc:  # BadGzipFile is an OSError; a cut stream, EOFError
        raise MNISTError(f"{source}: expected a valid gzip file, found: {exc}") from exc


def _parse_idx(data: bytes, path: Path, magic: int, item_shape: tuple[int, ...]) -> np.ndarray:
    """Parse IDX bytes into a uint8 array of shape (count, *item_shape)."""
    ndim = 1 + len(item_shape)
    header_len = 4 + 4 * ndim  # magic, then one big-endian int32 per dimension
    if len(data) < header_len:
        raise MNISTError(
            f"{path}: truncated header: expected at least {header_len} bytes, "
            f"found {len(data)}"
        )
    found_magic, *dims = np.frombuffer(data, dtype=">i4", count=1 + ndim).tolist()
    if found_magic != magic:
        raise MNISTError(f"{path}: bad magic number: expected {magic}, found {found_magic}")
    if tuple(dims[1:]) != item_shape:
        raise MNISTError(
            f"{path}: expected items of shape {item_shape}, header says {tuple(dims[1:])}"
        )
    expected = int(np.prod(dims))
    found = len(data) - header_len
    if found != expected:
        what = "truncated" if found < expected else "has trailing bytes"
        raise MNISTError(
            f"{path}: file {what}: header dims {tuple(dims)} need {expected} payload bytes, "
            f"found {found}"
        )
    # Copy, so the result owns writable memory instead of viewing the immutable bytes.
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(dims).copy()


def _check_sha256(data: bytes, name: str, source: Path | str) -> None:
    expected = _EXPECTED_SHA256[name]
    if expected is None:
        return
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise MNISTError(
            f"{source}: SHA-256 of the decompressed IDX bytes does not match the original "
            f"release: expected {expected}, found {found}. The file is corrupt or altered; "
            "delete it and load again."
        )


def _download_missing(target: Path, searched: list[Path]) -> dict[str, Path]:
    """Fetch into ``target`` each of the four files it lacks; return all four paths."""
    target.mkdir(parents=True, exist_ok=True)
    return {
        name: _file_in(target, name) or _download(name, target, searched) for name in _ALL_FILES
    }


def _download(name: str, target: Path, searched: list[Path]) -> Path:
    """Fetch ``name``.gz from the first mirror that serves a verified copy; return its path."""
    failures: list[str] = []
    corrupt = False
    for mirror in MIRRORS:
        url = f"{mirror.rstrip('/')}/{name}.gz"
        try:
            payload = _fetch(url, name)
        # URLError, HTTPError and timeouts are OSErrors; a cut-off body is an HTTPException.
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"  {url}: {exc}")
            continue
        try:
            _check_sha256(_decompress(payload, url), name, url)
        except MNISTError as exc:
            # Another mirror may still hold a good copy; the bad bytes are never written.
            failures.append(f"  {exc}")
            corrupt = True
            continue
        path = target / f"{name}.gz"
        _atomic_write(path, payload)
        return path
    tried = "\n".join(failures)
    if corrupt:
        raise MNISTError(f"downloaded {name}.gz failed verification and was not saved:\n{tried}")
    raise RuntimeError(
        f"could not download {name}.gz from any mirror:\n{tried}\n"
        + _where_to_put(searched, target)
    )


def _fetch(url: str, name: str) -> bytes:
    with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        chunks = []
        with tqdm(total=total, unit="B", unit_scale=True, desc=name, leave=False) as bar:
            while chunk := response.read(_CHUNK):
                chunks.append(chunk)
                bar.update(len(chunk))
    return b"".join(chunks)


def _atomic_write(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that ``path`` is either absent or complete."""
    with atomic_write(path) as f:
        f.write(payload)


def _where_to_put(searched: list[Path], target: Path) -> str:
    looked = "\n".join(f"  {d}" for d in searched)
    if not os.environ.get(ENV_VAR):
        looked += f"\n  (${ENV_VAR} is not set)"
    names = ", ".join(f"{n}.gz" for n in _ALL_FILES)
    return (
        f"Looked in:\n{looked}\n"
        f"Put the four files ({names}; gzip-compressed or not) in {target}, "
        f"or in a directory named by the {ENV_VAR} environment variable "
        f"(e.g. export {ENV_VAR}=/path/to/data, with the files in it or in its mnist/ "
        "subdirectory)."
    )
