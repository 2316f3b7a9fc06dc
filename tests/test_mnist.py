"""Tests for the MNIST loader. None of them touches the internet: downloads come from a
local HTTP server on 127.0.0.1 or from a stand-in for `mnist._fetch`."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import os
import socket
import threading
import tracemalloc
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from minigrad.datasets import MNIST, IDXError, MNISTError, load_mnist, mnist

TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
ALL_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """IDX encoding of a uint8 array: big-endian int32 magic and dims, then the payload."""
    if magic is None:
        magic = 2051 if array.ndim == 3 else 2049
    header = np.array([magic, *array.shape], dtype=">i4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def make_split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n, np.uint8)


def write_set(directory: Path, seed: int = 0, gz: bool = True) -> dict[str, bytes]:
    """Write a tiny synthetic four-file MNIST set (3 train, 2 test) and return its IDX bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    train, test = make_split(3, seed), make_split(2, seed + 1)
    contents = {
        TRAIN_IMAGES: idx_bytes(train[0]),
        TRAIN_LABELS: idx_bytes(train[1]),
        TEST_IMAGES: idx_bytes(test[0]),
        TEST_LABELS: idx_bytes(test[1]),
    }
    for name, data in contents.items():
        write_file(directory, name, data, gz)
    return contents


def write_file(directory: Path, name: str, data: bytes, gz: bool = True) -> Path:
    path = directory / (f"{name}.gz" if gz else name)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def trust(monkeypatch: pytest.MonkeyPatch, contents: dict[str, bytes]) -> None:
    """Make the loader expect the digests of synthetic files (its test hook)."""
    for name, data in contents.items():
        monkeypatch.setitem(MNIST.sha256, name, hashlib.sha256(data).hexdigest())


def package_dir() -> Path:
    return MNIST.installed_dirs[0]


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No MINIGRAD_DATA, and empty tmp dirs as the package copy and the cache."""
    monkeypatch.delenv(mnist.ENV_VAR, raising=False)
    monkeypatch.setattr(MNIST, "installed_dirs", (tmp_path / "package",))
    monkeypatch.setattr(MNIST, "cache_dir", tmp_path / "cache")
    return tmp_path


# --- the real files the package carries -----------------------------------------------------


@pytest.fixture(scope="module")
def real_train() -> MNIST:
    return MNIST(root=mnist.PACKAGE_DIR, train=True, download=False)


@pytest.fixture(scope="module")
def real_test() -> MNIST:
    return MNIST(root=mnist.PACKAGE_DIR, train=False, download=False)


def test_real_files_shapes_and_known_facts(real_train: MNIST, real_test: MNIST) -> None:
    assert real_train.data.shape == (60000, 28, 28) and real_train.data.dtype == np.uint8
    assert real_train.targets.shape == (60000,) and real_train.targets.dtype == np.int64
    assert real_test.data.shape == (10000, 28, 28) and real_test.targets.shape == (10000,)
    assert len(real_train) == 60000 and len(real_test) == 10000
    assert real_train.targets[0] == 5 and real_test.targets[0] == 7
    counts = np.bincount(real_train.targets, minlength=10)
    assert counts.sum() == 60000
    assert counts.tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert real_test.targets.min() == 0 and real_test.targets.max() == 9


def test_getitem_and_arrays(real_train: MNIST) -> None:
    image, label = real_train[0]
    assert image.shape == (784,) and image.dtype == np.float32
    assert isinstance(label, int) and label == 5
    assert image.min() >= 0.0 and image.max() <= 1.0
    np.testing.assert_array_equal(image * 255, real_train.data[0].reshape(-1))

    x, y = real_train.arrays(normalize=False)
    assert x.shape == (60000, 784) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(x[0], image)
    np.testing.assert_array_equal(y, real_train.targets)
    # MEAN and STD are the training-set statistics, so standardising centres the data.
    assert x.mean() == pytest.approx(MNIST.MEAN, abs=1e-4)
    assert x.std() == pytest.approx(MNIST.STD, abs=1e-4)

    z, _ = real_train.arrays()
    assert z.dtype == np.float32
    assert z.mean() == pytest.approx(0.0, abs=1e-3) and z.std() == pytest.approx(1.0, abs=1e-3)
    np.testing.assert_allclose(z[0], (image - MNIST.MEAN) / MNIST.STD, rtol=1e-5, atol=1e-6)


# --- the IDX reader on tiny synthetic files -------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "raw"])
def test_synthetic_files_load(isolated: Path, monkeypatch: pytest.MonkeyPatch, gz: bool) -> None:
    root = isolated / "data"
    trust(monkeypatch, write_set(root, seed=3, gz=gz))
    images, labels = load_mnist(root, train=True, download=False)
    want_images, want_labels = make_split(3, 3)
    assert images.dtype == np.uint8 and labels.dtype == np.int64
    np.testing.assert_array_equal(images, want_images)
    np.testing.assert_array_equal(labels, want_labels)

    test_set = MNIST(root, train=False, download=False)
    assert len(test_set) == 2 and test_set.data.shape == (2, 28, 28)
    np.testing.assert_array_equal(test_set.data, make_split(2, 4)[0])


def corrupt_case(case: str, contents: dict[str, bytes]) -> tuple[str, bytes]:
    """Return (file name, replacement IDX bytes) for one kind of damage."""
    images, labels = contents[TRAIN_IMAGES], contents[TRAIN_LABELS]
    if case == "truncated":
        return TRAIN_IMAGES, images[:-100]
    if case == "trailing":
        return TRAIN_IMAGES, images + b"\0"
    if case == "short_header":
        return TRAIN_LABELS, labels[:6]
    if case == "magic":
        return TRAIN_LABELS, idx_bytes(make_split(3, 0)[1], magic=2051)
    if case == "shape":
        return TRAIN_IMAGES, idx_bytes(np.zeros((3, 28, 27), np.uint8))
    if case == "count":
        return TRAIN_LABELS, idx_bytes(np.zeros(4, np.uint8))
    if case == "label_range":
        return TRAIN_LABELS, idx_bytes(np.array([1, 10, 2], np.uint8))
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("truncated", ["train-images-idx3-ubyte", "truncated", "2352", "found 2252"]),
        ("trailing", ["train-images-idx3-ubyte", "trailing", "2352", "found 2353"]),
        ("short_header", ["train-labels-idx1-ubyte", "header", "expected at least 8", "found 6"]),
        ("magic", ["train-labels-idx1-ubyte", "magic", "expected 2049", "found 2051"]),
        ("shape", ["train-images-idx3-ubyte", "(28, 28)", "(28, 27)"]),
        ("count", ["3 images", "4 labels", "train-labels-idx1-ubyte"]),
        ("label_range", ["train-labels-idx1-ubyte", "0..9", "found 10", "index 1"]),
    ],
)
@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "raw"])
def test_malformed_files_raise(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, case: str, words: list[str], gz: bool
) -> None:
    root = isolated / "data"
    contents = write_set(root, gz=gz)
    name, damaged = corrupt_case(case, contents)
    write_file(root, name, damaged, gz)
    trust(monkeypatch, {**contents, name: damaged})  # so only the damage itself can fail
    with pytest.raises(ValueError) as info:
        load_mnist(root, train=True, download=False)
    assert isinstance(info.value, MNISTError)
    for word in words:
        assert word in str(info.value)


def test_checksum_mismatch_raises(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = isolated / "data"
    contents = write_set(root)
    trust(monkeypatch, contents)
    monkeypatch.setitem(MNIST.sha256, TEST_LABELS, "0" * 64)
    with pytest.raises(ValueError, match="SHA-256") as info:
        load_mnist(root, train=False, download=False)
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte.gz" in message and "0" * 64 in message
    assert hashlib.sha256(contents[TEST_LABELS]).hexdigest() in message


def test_real_checksums_reject_synthetic_files(isolated: Path) -> None:
    root = isolated / "data"
    write_set(root)  # the real digests stay in place, so these must not pass as MNIST
    with pytest.raises(MNISTError, match="does not match the original release"):
        load_mnist(root, download=False)


def test_bad_gzip_raises(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = isolated / "data"
    trust(monkeypatch, write_set(root))
    (root / f"{TRAIN_IMAGES}.gz").write_bytes(b"not gzip at all")
    with pytest.raises(MNISTError, match="train-images-idx3-ubyte.gz.*gzip"):
        load_mnist(root, download=False)


# --- where the files are looked up ---------------------------------------------------------


def first_label(seed: int) -> int:
    return int(make_split(3, seed)[1][0])


def distinct_seeds() -> list[int]:
    """Seeds whose first training labels all differ, so a load shows which dir it used."""
    seeds: list[int] = []
    for seed in range(100):
        if first_label(seed) not in {first_label(s) for s in seeds}:
            seeds.append(seed)
    return seeds[:4]


@pytest.fixture
def four_places(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[Path, int]]:
    """A different synthetic set in root, $MINIGRAD_DATA, the package dir and the cache."""
    for name in ALL_NAMES:  # the dirs hold different files, so no single digest can match
        monkeypatch.setitem(MNIST.sha256, name, None)
    places = {
        "root": isolated / "root",
        "env": isolated / "env",
        "package": package_dir(),
        "cache": MNIST.cache_dir,
    }
    monkeypatch.setenv(mnist.ENV_VAR, str(places["env"]))
    result = {}
    for (place, directory), seed in zip(places.items(), distinct_seeds()):
        write_set(directory, seed=seed)
        result[place] = (directory, first_label(seed))
    return result


def loaded_label(root: Path | None) -> int:
    return int(load_mnist(root, download=False)[1][0])


def test_search_order(four_places: dict[str, tuple[Path, int]]) -> None:
    root, root_label = four_places["root"]
    assert loaded_label(root) == root_label
    assert loaded_label(None) == four_places["env"][1]


def test_package_copy_beats_cache(
    four_places: dict[str, tuple[Path, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(mnist.ENV_VAR)
    assert loaded_label(None) == four_places["package"][1]
    for path in four_places["package"][0].iterdir():
        path.unlink()
    assert loaded_label(None) == four_places["cache"][1]


def test_incomplete_default_dir_is_skipped(four_places: dict[str, tuple[Path, int]]) -> None:
    env, _ = four_places["env"]
    (env / f"{TEST_LABELS}.gz").unlink()  # a split needs all four files in one place
    assert loaded_label(None) == four_places["package"][1]


@pytest.mark.parametrize("subdir", ["mnist", "MNIST/raw"])
def test_env_subdirectory(isolated: Path, monkeypatch: pytest.MonkeyPatch, subdir: str) -> None:
    trust(monkeypatch, write_set(isolated / "data" / subdir))
    monkeypatch.setenv(mnist.ENV_VAR, str(isolated / "data"))
    images, labels = load_mnist(download=False)
    assert images.shape == (3, 28, 28) and labels.shape == (3,)


def test_nothing_found_without_download(isolated: Path) -> None:
    with pytest.raises(FileNotFoundError, match="MINIGRAD_DATA") as info:
        load_mnist(download=False)
    message = str(info.value)
    assert str(package_dir()) in message and str(MNIST.cache_dir) in message
    assert "train-images-idx3-ubyte.gz" in message


# --- an explicit root is the only place looked at ------------------------------------------


@pytest.mark.parametrize("load", [load_mnist, MNIST], ids=["load_mnist", "MNIST"])
def test_missing_root_is_an_error_not_the_package_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, load: Callable
) -> None:
    monkeypatch.delenv(mnist.ENV_VAR, raising=False)
    root = tmp_path / "nowhere"  # the real copy in the package must not stand in for it
    with pytest.raises(FileNotFoundError) as info:
        load(root, download=False)
    message = str(info.value)
    assert str(root) in message and "does not exist" in message
    assert all(name in message for name in ALL_NAMES)
    assert str(package_dir()) not in message


def test_partial_root_names_exactly_the_missing_files(
    four_places: dict[str, tuple[Path, int]],
) -> None:
    root, _ = four_places["root"]  # $MINIGRAD_DATA, the package dir and the cache are complete
    (root / f"{TEST_LABELS}.gz").unlink()
    (root / f"{TRAIN_IMAGES}.gz").unlink()
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(root, train=False, download=False)
    message = str(info.value)
    assert message.split("missing: ")[1].split(" (each")[0] == f"{TRAIN_IMAGES}, {TEST_LABELS}"
    assert str(root) in message and "download=True" in message


def test_root_is_searched_in_its_subdirectories_then_itself(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = isolated / "root"
    for name in ALL_NAMES:
        monkeypatch.setitem(MNIST.sha256, name, None)
    write_set(root / "MNIST" / "raw", seed=1, gz=False)  # torchvision's layout, unpacked
    assert loaded_label(root) == first_label(1)
    write_set(root / "mnist", seed=2)  # minigrad's own subdirectory comes first
    assert loaded_label(root) == first_label(2)


def test_root_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(NotADirectoryError, match="file"):
        load_mnist(tmp_path / "file")


# --- downloading from a local HTTP server ---------------------------------------------------


class Server:
    """An http.server on 127.0.0.1 serving ``directory``, counting the requests it gets."""

    def __init__(self, directory: Path) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

        handler = functools.partial(Handler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        # A short poll interval keeps shutdown() (and so each test's teardown) quick.
        serve = functools.partial(self.httpd.serve_forever, poll_interval=0.05)
        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def serve(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[dict[str, bytes]], Server]]:
    """Start a server over a dir of synthetic .gz files and make it the only mirror."""
    monkeypatch.setenv("no_proxy", "*")  # urllib must not send 127.0.0.1 through a proxy
    servers: list[Server] = []

    def start(contents: dict[str, bytes]) -> Server:
        directory = isolated / f"served{len(servers)}"
        directory.mkdir()
        for name, data in contents.items():
            write_file(directory, name, data)
        server = Server(directory)
        servers.append(server)
        monkeypatch.setattr(MNIST, "mirrors", [server.url])
        return server

    yield start
    for server in servers:
        server.close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_download_verifies_and_caches(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, serve
) -> None:
    contents = write_set(isolated / "source", seed=5)
    trust(monkeypatch, contents)
    server = serve(contents)
    images, labels = load_mnist(train=True)
    np.testing.assert_array_equal(labels, make_split(3, 5)[1])
    assert images.shape == (3, 28, 28)
    assert sorted(server.requests) == sorted(f"/{name}.gz" for name in ALL_NAMES)
    cached = sorted(p.name for p in MNIST.cache_dir.iterdir())
    assert cached == sorted(f"{name}.gz" for name in ALL_NAMES)  # no temp files left behind

    test_set = MNIST(train=False)  # served from the cache now
    assert len(test_set) == 2
    assert len(server.requests) == 4


def test_download_into_root(isolated: Path, monkeypatch: pytest.MonkeyPatch, serve) -> None:
    contents = write_set(isolated / "source")
    trust(monkeypatch, contents)
    serve(contents)
    root = isolated / "root"
    load_mnist(root)
    assert sorted(p.name for p in root.iterdir()) == sorted(f"{n}.gz" for n in ALL_NAMES)
    assert not MNIST.cache_dir.exists()


def test_corrupt_download_is_rejected(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, serve
) -> None:
    contents = write_set(isolated / "source")
    trust(monkeypatch, contents)
    tampered = bytearray(contents[TRAIN_IMAGES])
    tampered[-1] ^= 0xFF
    serve({**contents, TRAIN_IMAGES: bytes(tampered)})
    with pytest.raises(ValueError, match="SHA-256") as info:
        load_mnist()
    assert "train-images-idx3-ubyte.gz" in str(info.value)
    assert "not saved" in str(info.value)
    assert not (MNIST.cache_dir / f"{TRAIN_IMAGES}.gz").exists()
    assert not list(MNIST.cache_dir.glob(f"*{TRAIN_IMAGES}*"))  # no temp file either


def test_bad_mirror_falls_through_to_good_one(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, serve
) -> None:
    contents = write_set(isolated / "source")
    trust(monkeypatch, contents)
    server = serve(contents)
    monkeypatch.setattr(MNIST, "mirrors", [closed_port_url(), server.url])
    assert load_mnist()[0].shape == (3, 28, 28)


def test_unreachable_mirror_says_where_to_put_files(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = closed_port_url()
    monkeypatch.setattr(MNIST, "mirrors", [url])
    monkeypatch.setenv("no_proxy", "*")
    with pytest.raises(RuntimeError) as info:
        load_mnist()
    message = str(info.value)
    assert url in message and "Looked in" in message and "$MINIGRAD_DATA is not set" in message
    assert str(package_dir()) in message and str(MNIST.cache_dir) in message
    assert "Put the four files" in message and "MINIGRAD_DATA" in message
    assert not list(MNIST.cache_dir.iterdir())


def test_interrupted_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        mnist._atomic_write(tmp_path / "file.gz", b"payload")
    assert not list(tmp_path.iterdir())


# --- damaged gzip files, on disk and from mirrors -------------------------------------------


def damage_gzip(data: bytes, how: str) -> bytes:
    """gzip-compress ``data``, then damage the result in one of three ways."""
    packed = gzip.compress(data)
    if how == "deflate":  # the first deflate block has the reserved type 3: zlib.error
        return packed[:10] + b"\x07" + packed[11:]
    if how == "crc":  # the CRC-32 in the trailer no longer matches: BadGzipFile
        return packed[:-8] + bytes([packed[-8] ^ 1]) + packed[-7:]
    if how == "cut":  # the stream stops before its end marker: EOFError
        return packed[: len(packed) // 2]
    raise AssertionError(how)


DAMAGE = ["deflate", "crc", "cut"]


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_gzip_file_is_an_idx_error(isolated: Path, how: str) -> None:
    root = isolated / "data"
    contents = write_set(root)
    path = root / f"{TRAIN_IMAGES}.gz"
    path.write_bytes(damage_gzip(contents[TRAIN_IMAGES], how))
    with pytest.raises(MNISTError, match="gzip") as info:
        load_mnist(root, download=False)
    assert str(path) in str(info.value)
    assert isinstance(info.value, IDXError) and isinstance(info.value, ValueError)


class FakeMirrors:
    """Stands in for `mnist._fetch`: each base URL serves a dict of name -> .gz bytes."""

    def __init__(self, served: dict[str, dict[str, bytes]]) -> None:
        self.served = served
        self.fetched: list[str] = []

    def __call__(self, url: str, name: str) -> bytes:
        self.fetched.append(url)
        base, file_name = url.rsplit("/", 1)
        files = self.served[base + "/"]
        if file_name not in files:
            raise urllib.error.HTTPError(url, 404, "Not Found", None, None)  # type: ignore[arg-type]
        return files[file_name]


@pytest.fixture
def fake_mirrors(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[dict[str, dict[str, bytes]]], FakeMirrors]:
    def install(served: dict[str, dict[str, bytes]]) -> FakeMirrors:
        fake = FakeMirrors(served)
        monkeypatch.setattr(mnist, "_fetch", fake)
        monkeypatch.setattr(MNIST, "mirrors", list(served))
        return fake

    return install


def gz_files(contents: dict[str, bytes]) -> dict[str, bytes]:
    return {f"{name}.gz": gzip.compress(data) for name, data in contents.items()}


@pytest.mark.parametrize("how", DAMAGE)
def test_download_goes_on_to_the_next_mirror_after_a_damaged_gzip(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, fake_mirrors, how: str
) -> None:
    contents = write_set(isolated / "source", seed=5)
    trust(monkeypatch, contents)
    good = gz_files(contents)
    bad = {**good, f"{TRAIN_IMAGES}.gz": damage_gzip(contents[TRAIN_IMAGES], how)}
    fake = fake_mirrors({"https://bad.example/": bad, "https://good.example/": good})
    _, labels = load_mnist(train=True)
    np.testing.assert_array_equal(labels, make_split(3, 5)[1])
    assert f"https://good.example/{TRAIN_IMAGES}.gz" in fake.fetched
    saved = MNIST.cache_dir / f"{TRAIN_IMAGES}.gz"
    assert saved.read_bytes() == good[f"{TRAIN_IMAGES}.gz"]  # the damaged copy never landed


def test_damaged_gzip_on_every_mirror_is_not_saved(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, fake_mirrors
) -> None:
    contents = write_set(isolated / "source")
    trust(monkeypatch, contents)
    bad = {**gz_files(contents), f"{TEST_LABELS}.gz": damage_gzip(contents[TEST_LABELS], "deflate")}
    fake_mirrors({"https://a.example/": bad, "https://b.example/": bad})
    with pytest.raises(IDXError, match="not saved") as info:
        load_mnist(train=False)
    message = str(info.value)
    assert f"https://a.example/{TEST_LABELS}.gz" in message
    assert f"https://b.example/{TEST_LABELS}.gz" in message
    assert not list(MNIST.cache_dir.glob(f"*{TEST_LABELS}*"))


def test_partial_root_downloads_only_the_missing_files_into_root(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, fake_mirrors
) -> None:
    root = isolated / "root"
    contents = write_set(root, seed=7)
    trust(monkeypatch, contents)
    (root / f"{TEST_IMAGES}.gz").unlink()
    write_set(package_dir(), seed=7)  # complete, but a root given is the only place looked at
    fake = fake_mirrors({"https://m.example/": gz_files(contents)})
    test_set = MNIST(root, train=False)
    assert len(test_set) == 2
    assert fake.fetched == [f"https://m.example/{TEST_IMAGES}.gz"]
    assert (root / f"{TEST_IMAGES}.gz").is_file() and not MNIST.cache_dir.exists()


def test_missing_root_is_created_and_filled(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, fake_mirrors
) -> None:
    contents = write_set(isolated / "source")
    trust(monkeypatch, contents)
    fake_mirrors({"https://m.example/": gz_files(contents)})
    root = isolated / "new" / "data"
    assert load_mnist(root)[0].shape == (3, 28, 28)
    assert sorted(p.name for p in root.iterdir()) == sorted(f"{n}.gz" for n in ALL_NAMES)


# --- bounded decompression -------------------------------------------------------------------


def gzip_bomb(header: bytes, zeros_mib: int) -> bytes:
    """``header`` then ``zeros_mib`` MiB of zeros, gzipped to about 1 KB per MiB.

    A multi-member gzip (what ``cat a.gz b.gz`` gives; every gzip reader accepts it): one
    compressed MiB of zeros repeated, so building a 256 MiB bomb takes milliseconds.
    """
    return gzip.compress(header) + gzip.compress(bytes(1 << 20)) * zeros_mib


def peak_traced_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_gzip_bomb_is_refused_without_decompressing_it(isolated: Path) -> None:
    root = isolated / "data"
    write_set(root)
    header = np.array([2051, 3, 28, 28], dtype=">i4").tobytes()  # 2352 payload bytes
    bomb = gzip_bomb(header, 256)
    assert len(bomb) < 400_000
    (root / f"{TRAIN_IMAGES}.gz").write_bytes(bomb)

    def load() -> None:
        with pytest.raises(MNISTError, match="trailing bytes") as info:
            load_mnist(root, download=False)
        messages.append(str(info.value))

    messages: list[str] = []
    peak = peak_traced_bytes(load)
    assert peak < 8 << 20, f"peak traced memory {peak} bytes for a 256 MiB bomb"
    assert "need 2352 payload bytes, found 2353 or more" in messages[0]


def test_header_claiming_more_images_than_the_release_is_refused(isolated: Path) -> None:
    root = isolated / "data"
    write_set(root)
    header = np.array([2051, 10**6, 28, 28], dtype=">i4").tobytes()
    write_file(root, TRAIN_IMAGES, header + bytes(100))
    with pytest.raises(MNISTError) as info:
        load_mnist(root, download=False)
    message = str(info.value)
    assert "1000000 items" in message and "60000" in message and TRAIN_IMAGES in message


def test_classes_are_torchvisions() -> None:
    assert MNIST.classes == [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]
    assert MNIST.__new__(MNIST).class_to_idx["3 - three"] == 3
