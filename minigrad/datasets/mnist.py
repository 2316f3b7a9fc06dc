"""MNIST and other datasets published as four IDX files, read into numpy arrays.

`IDXDataset` is one split of an image-classification dataset published, like LeCun's MNIST,
as four IDX files (train/test images and labels; idx.py reads the format); `MNIST` here and
`FashionMNIST` (fashion_mnist.py) are configurations of it.

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
import hashlib
import http.client
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import numpy as np
from tqdm import tqdm

from .._atomic import atomic_write
from .idx import IDXError, MNISTError, _Header, _open_idx, _read_idx, _to_array, read_idx

__all__ = [
    "CACHE_ROOT",
    "ENV_VAR",
    "MNIST",
    "PACKAGE_DIR",
    "IDXDataset",
    "IDXError",
    "MNISTError",
    "load_mnist",
    "read_idx",
]

ENV_VAR = "MINIGRAD_DATA"
# Each dataset caches its downloads in a subdirectory of this.
CACHE_ROOT: Path = Path.home() / ".cache" / "minigrad"
PACKAGE_DIR: Path = Path(__file__).parent / "mnist_files"  # the MNIST copy shipped with minigrad
PathArg = str | os.PathLike[str]
_IMAGES_MAGIC = 0x0803  # 2051: uint8 elements, 3 dimensions (count, rows, columns)
_LABELS_MAGIC = 0x0801  # 2049: uint8 elements, 1 dimension (count)
_FETCH_CHUNK = 1 << 16
_DOWNLOAD_TIMEOUT_S = 30


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

    _digits = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    classes: ClassVar[list[str]] = [f"{d} - {word}" for d, word in enumerate(_digits)]
    sha256: ClassVar[dict[str, str | None]] = {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",  # noqa: E501
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",  # noqa: E501
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",  # noqa: E501
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",  # noqa: E501
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
