"""mg.save / mg.load: exact round trips, no pickle, atomic writes, clear errors on bad files."""

import os
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import serialization

DTYPES = [mg.float16, mg.float32, mg.float64, mg.int32, mg.int64, mg.bool]


def _bits(t):
    """The raw bytes of a tensor's values, so NaN payloads and -0.0 count too."""
    return t.numpy().tobytes()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_round_trip_is_bit_exact(dtype, device, tmp_path):
    host = np.random.default_rng(0).standard_normal((3, 4)) * 1e3
    if dtype.kind == "f":
        host[0, :3] = [np.nan, -0.0, np.inf]
    t = mg.tensor(host.astype(dtype), device=device)
    mg.save({"w": t}, tmp_path / "t.npz")
    back = mg.load(tmp_path / "t.npz")["w"]
    assert back.device == "cpu"  # GPU tensors come back on the host by default
    assert back.dtype == dtype and back.shape == (3, 4)
    assert _bits(back) == _bits(t)


def test_state_dict_round_trip(tmp_path):
    model = mg.nn.Sequential(mg.nn.Linear(4, 3), mg.nn.ReLU(), mg.nn.Linear(3, 2))
    path = tmp_path / "model.npz"
    mg.save(model.state_dict(), path)
    loaded = mg.load(path)
    assert list(loaded) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    mg.manual_seed(1)
    other = mg.nn.Sequential(mg.nn.Linear(4, 3), mg.nn.ReLU(), mg.nn.Linear(3, 2))
    other.load_state_dict(loaded)
    for a, b in zip(model.parameters(), other.parameters()):
        assert _bits(a.detach()) == _bits(b.detach())


def test_the_file_is_a_plain_npz_named_by_keys(tmp_path):
    mg.save({"0.weight": mg.ones(2, 3), "file": mg.zeros(1)}, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert set(npz.files) == {"0.weight", "file", "__minigrad__"}
        np.testing.assert_array_equal(npz["0.weight"], np.ones((2, 3), np.float32))


def test_nested_checkpoints_keep_structure_and_plain_values(tmp_path):
    checkpoint = {
        "model": {"w": mg.arange(3)},
        "optimizer": {"state": {0: {"step": mg.tensor(2.0)}}, "param_groups": [{"lr": 0.1}]},
        "epoch": 3,
        "betas": (0.9, 0.999),
        "note": "best so far",
        "extra": None,
        "inf": float("inf"),
        "raw": np.arange(4, dtype=np.int32),
    }
    mg.save(checkpoint, tmp_path / "ckpt.npz")
    back = mg.load(tmp_path / "ckpt.npz")
    assert back["model"]["w"].tolist() == [0, 1, 2]
    assert back["optimizer"]["state"][0]["step"].item() == 2.0  # int keys stay ints
    assert back["optimizer"]["param_groups"] == [{"lr": 0.1}]
    assert (back["epoch"], back["betas"], back["note"], back["extra"], back["inf"]) == (
        3, (0.9, 0.999), "best so far", None, float("inf")
    )  # fmt: skip
    assert isinstance(back["raw"], np.ndarray) and back["raw"].dtype == np.int32


def test_load_onto_a_device(device, tmp_path):
    mg.save({"w": mg.ones(2)}, tmp_path / "w.npz")
    assert mg.load(tmp_path / "w.npz", device=device)["w"].device == device
    assert mg.load(tmp_path / "w.npz", map_location=device)["w"].device == device


def test_objects_that_would_need_pickle_are_refused(tmp_path):
    with pytest.raises(TypeError, match="cannot store a object at key bad"):
        mg.save({"bad": object()}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="dtype"):
        mg.save({"s": np.array(["a"])}, tmp_path / "x.npz")
    assert not os.listdir(tmp_path)


def test_a_crash_while_writing_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    mg.save({"w": mg.zeros(3)}, path)
    before = path.read_bytes()
    real_write = np.lib.format.write_array
    calls = []

    def crash_on_second_array(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # e.g. the user pressed Ctrl-C mid-save
        return real_write(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", crash_on_second_array)
    with pytest.raises(KeyboardInterrupt):
        mg.save({"w": mg.ones(3), "b": mg.ones(2)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]  # and no temporary file is left behind


def test_saved_files_get_ordinary_permissions(tmp_path):
    mg.save({"w": mg.zeros(1)}, tmp_path / "m.npz")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "good.npz"
    mg.save({"w": mg.randn(64, 64), "b": mg.randn(64)}, path)
    return path


def test_a_truncated_file_is_a_clear_error(saved, tmp_path):
    data = saved.read_bytes()
    for keep in (10, len(data) // 2, len(data) - 10):
        bad = tmp_path / f"cut{keep}.npz"
        bad.write_bytes(data[:keep])
        with pytest.raises(ValueError, match=f"{bad}: corrupted or truncated"):
            mg.load(bad)


def test_a_corrupted_value_is_caught(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    data[len(data) // 3] ^= 0x10  # inside the stored values of "w"
    bad = tmp_path / "flipped.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"{bad}: corrupted"):
        mg.load(bad)


def test_every_single_byte_flip_errors_or_changes_nothing(tmp_path):
    """CRC-32 guards each entry; a flip in zip bookkeeping (e.g. a timestamp) is harmless."""
    path = tmp_path / "small.npz"
    mg.save({"w": mg.tensor([1.0, 2.0]), "n": {"k": mg.tensor([3])}}, path)
    data = path.read_bytes()
    flipped = tmp_path / "flipped.npz"
    for i in range(len(data)):
        damaged = bytearray(data)
        damaged[i] ^= 0x01
        flipped.write_bytes(bytes(damaged))
        try:
            back = mg.load(flipped)
        except ValueError:
            continue
        assert back["w"].tolist() == [1.0, 2.0] and back["n"]["k"].tolist() == [3]


def test_foreign_files_are_a_clear_error(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a minigrad checkpoint"):
        mg.load(text)
    plain = tmp_path / "plain.npz"
    np.savez(plain, w=np.zeros(3))
    with pytest.raises(ValueError, match="not written by mg.save"):
        mg.load(plain)
    npy = tmp_path / "array.npy"
    np.save(npy, np.zeros(3))
    with pytest.raises(ValueError, match="not a minigrad checkpoint"):
        mg.load(npy)
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(ValueError, match="not written by mg.save"):
        mg.load(other_zip)
    with pytest.raises(FileNotFoundError):
        mg.load(tmp_path / "missing.npz")


def test_pickled_entries_are_never_loaded(tmp_path):
    """A file claiming to be ours but holding a pickled object array is refused."""
    path = tmp_path / "evil.npz"
    meta = serialization._META + ".npy"
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open("w.npy", "w") as f:
            np.lib.format.write_array(f, np.array([object()]), allow_pickle=True)
        with zf.open(meta, "w") as f:
            text = '{"format": "minigrad.save", "version": 1, "tree": {"kind": "dict", "items": ' \
                '[["w", {"kind": "tensor", "key": "w", "dtype": "|O", "shape": [1]}]]}}'
            np.lib.format.write_array(f, np.frombuffer(text.encode(), np.uint8))
    with pytest.raises(ValueError, match="evil.npz"):
        mg.load(path)


def test_a_newer_format_version_is_named(tmp_path):
    path = tmp_path / "future.npz"
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open(serialization._META + ".npy", "w") as f:
            text = '{"format": "minigrad.save", "version": 99, "tree": null}'
            np.lib.format.write_array(f, np.frombuffer(text.encode(), np.uint8))
    with pytest.raises(ValueError, match="version 99 is not supported"):
        mg.load(path)
