"""FashionMNIST: the same loader as MNIST with its own files, digests, mirrors and places.

Synthetic files built here stand in for the real ones; one test reads Debian's real copy
where `apt install dataset-fashion-mnist` has put it (CI does not have it, and skips it).
"""

from __future__ import annotations

import gzip
import hashlib
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from minigrad.datasets import MNIST, FashionMNIST, IDXDataset, IDXError, mnist

NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")


def write_set(directory: Path, first_label: int = 0) -> dict[str, bytes]:
    """A tiny four-file set (3 train, 2 test images); the first train label tells sets apart."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(first_label)
    contents = {}
    for (images, labels), n in zip([NAMES[:2], NAMES[2:]], (3, 2)):
        pixels = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        targets = rng.integers(0, 10, n).astype(np.uint8)
        targets[0] = first_label
        contents[images] = np.array([2051, n, 28, 28], ">i4").tobytes() + pixels.tobytes()
        contents[labels] = np.array([2049, n], ">i4").tobytes() + targets.tobytes()
    for name, data in contents.items():
        (directory / f"{name}.gz").write_bytes(gzip.compress(data))
    return contents


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No $MINIGRAD_DATA, empty tmp dirs as the Debian copy and the cache, digests off."""
    monkeypatch.delenv(mnist.ENV_VAR, raising=False)
    monkeypatch.setattr(FashionMNIST, "installed_dirs", (tmp_path / "debian",))
    monkeypatch.setattr(FashionMNIST, "cache_dir", tmp_path / "cache")
    for name in NAMES:  # the places hold different files, so no single digest can match
        monkeypatch.setitem(FashionMNIST.sha256, name, None)
    return tmp_path


def first_label(root: Path | None = None) -> int:
    return int(FashionMNIST(root, download=False).targets[0])


def test_torchvision_names_and_published_constants() -> None:
    assert issubclass(FashionMNIST, IDXDataset) and issubclass(MNIST, IDXDataset)
    assert FashionMNIST.classes == [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
    assert FashionMNIST.mirrors[0] == "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
    assert set(FashionMNIST.sha256) == set(NAMES)
    assert set(FashionMNIST.sha256.values()).isdisjoint(MNIST.sha256.values())
    assert (FashionMNIST.MEAN, FashionMNIST.STD) == (0.2860, 0.3530)
    assert FashionMNIST.cache_dir.name == "fashion-mnist"
    assert DEBIAN_DIR in FashionMNIST.installed_dirs


def test_search_order(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = isolated / "env"
    write_set(env, first_label=1)  # directly in $MINIGRAD_DATA: MNIST's place, not ours
    write_set(env / "FashionMNIST" / "raw", first_label=2)
    write_set(isolated / "debian", first_label=3)
    write_set(isolated / "cache", first_label=4)
    assert first_label() == 3  # $MINIGRAD_DATA unset: the Debian copy beats the cache
    monkeypatch.setenv(mnist.ENV_VAR, str(env))
    assert first_label() == 2
    write_set(env / "fashion-mnist", first_label=5)
    assert first_label() == 5
    for path in (isolated / "debian").iterdir():
        path.unlink()
    monkeypatch.delenv(mnist.ENV_VAR)
    assert first_label() == 4


def test_root_is_the_only_place(isolated: Path) -> None:
    write_set(isolated / "debian", first_label=3)
    root = isolated / "root"
    with pytest.raises(FileNotFoundError, match="FashionMNIST") as info:
        FashionMNIST(root, download=False)
    assert str(root) in str(info.value) and "t10k-labels-idx1-ubyte" in str(info.value)
    write_set(root, first_label=6)
    assert first_label(root) == 6
    write_set(root / "fashion-mnist", first_label=7)
    assert first_label(root) == 7


def test_mnist_files_fail_fashion_mnists_digests(tmp_path: Path) -> None:
    # The real MNIST files have Fashion-MNIST's names and format, so only the digests differ.
    with pytest.raises(IDXError, match="does not match the original release") as info:
        FashionMNIST(mnist.PACKAGE_DIR, train=False, download=False)
    assert "t10k-images-idx3-ubyte" in str(info.value)


def test_download_uses_its_own_mirrors_and_cache(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contents = write_set(isolated / "source", first_label=8)
    for name, data in contents.items():  # the downloaded files must pass the digest check
        monkeypatch.setitem(FashionMNIST.sha256, name, hashlib.sha256(data).hexdigest())
    fetched: list[str] = []

    def fetch(url: str, name: str) -> bytes:
        fetched.append(url)
        if url.startswith(FashionMNIST.mirrors[0]):  # the first mirror is down
            raise urllib.error.URLError("unreachable")
        return gzip.compress(contents[name])

    monkeypatch.setattr(mnist, "_fetch", fetch)
    data = FashionMNIST(train=True)
    assert data.targets[0] == 8 and data.data.shape == (3, 28, 28)
    assert len(fetched) == 8 and all("fashion" in url for url in fetched)
    cached = sorted(p.name for p in FashionMNIST.cache_dir.iterdir())
    assert cached == sorted(f"{name}.gz" for name in NAMES)
    assert repr(data) == "FashionMNIST(split='train', n=3)"
    assert data.class_to_idx["Ankle boot"] == 9


@pytest.mark.skipif(
    not all((DEBIAN_DIR / f"{name}.gz").is_file() for name in NAMES),
    reason=f"the real Fashion-MNIST files are not in {DEBIAN_DIR} "
    "(apt install dataset-fashion-mnist)",
)
def test_real_debian_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(mnist.ENV_VAR, raising=False)
    train = FashionMNIST(train=True, download=False)  # found in the Debian directory
    test = FashionMNIST(DEBIAN_DIR, train=False, download=False)
    assert train.data.shape == (60000, 28, 28) and test.data.shape == (10000, 28, 28)
    assert np.bincount(train.targets).tolist() == [6000] * 10
    assert np.bincount(test.targets).tolist() == [1000] * 10
    assert train.targets[:5].tolist() == [9, 0, 0, 3, 0]
    x, _ = train.arrays(normalize=False)
    assert x.mean() == pytest.approx(FashionMNIST.MEAN, abs=1e-4)
    assert x.std() == pytest.approx(FashionMNIST.STD, abs=1e-4)
