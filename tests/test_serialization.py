"""mg.save / mg.load: exact round trips, no pickle, atomic writes, clear errors on bad files."""

import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import _atomic, serialization

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
        3,
        (0.9, 0.999),
        "best so far",
        None,
        float("inf"),
    )
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
            text = (
                '{"format": "minigrad.save", "version": 1, "tree": {"kind": "dict", "items": '
                '[["w", {"kind": "tensor", "key": "w", "dtype": "|O", "shape": [1]}]]}}'
            )
            np.lib.format.write_array(f, np.frombuffer(text.encode(), np.uint8))
    with pytest.raises(ValueError, match="evil.npz"):
        mg.load(path)


def test_a_newer_format_version_is_named(tmp_path):
    path = tmp_path / "future.npz"
    with zipfile.ZipFile(path, "w") as zf, zf.open(serialization._META + ".npy", "w") as f:
        text = '{"format": "minigrad.save", "version": 99, "tree": null}'
        np.lib.format.write_array(f, np.frombuffer(text.encode(), np.uint8))
    with pytest.raises(ValueError, match="version 99 is not supported"):
        mg.load(path)


# ----- whatever save accepts, load gives back exactly -------------------------------------
ARRAYS = {
    "uint16": np.arange(5, dtype=np.uint16) * 9000,
    "uint32": np.array([0, 1, 2**32 - 1], np.uint32),
    "uint64": np.array([0, 2**63, 2**64 - 1], np.uint64),
    "int8": np.array([-128, 127], np.int8),
    "big-endian float": np.array([1.5, np.nan, -0.0], ">f4"),
    "big-endian int": np.arange(3, dtype=">i8"),
    "complex": np.array([1 + 2j, np.nan * 1j], np.complex64),
    "complex128": np.array([1e300 - 1j], np.complex128),
    "float16": np.array([np.inf, 6e-8], np.float16),
    "bool": np.array([[True, False]]),
    "non-contiguous": np.arange(24.0).reshape(4, 6)[::2, 1::3],
    "fortran order": np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),
    "0-size": np.zeros((0, 3), np.float32),
    "0-d": np.array(7, np.uint32),
}


@pytest.mark.parametrize("array", ARRAYS.values(), ids=ARRAYS.keys())
def test_every_array_save_takes_comes_back_bit_exact(array, tmp_path):
    mg.save({"a": array, "in": [array]}, tmp_path / "a.npz")
    back = mg.load(tmp_path / "a.npz")
    for got in (back["a"], back["in"][0]):
        assert type(got) is np.ndarray and got.dtype == array.dtype and got.shape == array.shape
        assert got.tobytes() == array.tobytes()


def test_random_number_generator_states_round_trip(tmp_path):
    """Bit generator states hold uint32/uint64 arrays and 128-bit Python ints."""
    generators = [np.random.default_rng(1), np.random.Generator(np.random.MT19937(2))]
    legacy = np.random.RandomState(3)
    checkpoint = {"gens": [g.bit_generator.state for g in generators], "legacy": legacy.get_state()}
    mg.save(checkpoint, tmp_path / "rng.npz")
    back = mg.load(tmp_path / "rng.npz")
    expected = [g.random(4) for g in generators] + [legacy.random_sample(4)]
    restored = [np.random.default_rng(), np.random.Generator(np.random.MT19937())]
    for g, state in zip(restored, back["gens"]):
        g.bit_generator.state = state
    again = np.random.RandomState()
    again.set_state(back["legacy"])
    got = [g.random(4) for g in restored] + [again.random_sample(4)]
    assert all(np.array_equal(a, b) for a, b in zip(got, expected))


def test_plain_values_and_keys_round_trip_exactly(tmp_path):
    values = [float("nan"), float("inf"), -float("inf"), -0.0, 5e-324, 2**200, -(2**70)]
    scalars = [np.float32(0.1), np.uint64(2**64 - 1), np.bool_(True), np.float16(1e-7)]
    checkpoint = {"values": values, "numpy scalars": scalars, 7: "int key", -2.5: "float key"}
    checkpoint.update({True: "bool key", None: "None key", float("inf"): "inf key"})
    mg.save(checkpoint, tmp_path / "v.npz")
    back = mg.load(tmp_path / "v.npz")
    assert list(back) == list(checkpoint)
    assert [type(k) for k in back] == [type(k) for k in checkpoint]  # 7 is no "7", True no 1
    got = back["values"]
    assert np.isnan(got[0]) and got[1:] == values[1:] and str(got[3]) == "-0.0"
    assert back["numpy scalars"] == [s.item() for s in scalars]  # exact Python numbers
    assert [type(v) for v in back["numpy scalars"]] == [float, int, bool, float]


def test_what_load_could_not_give_back_is_refused_before_the_file_is_touched(tmp_path):
    path = tmp_path / "m.npz"
    mg.save({"w": mg.ones(2)}, path)
    before = path.read_bytes()
    refused = {
        "arrays of dtype datetime64[D]": np.array(["2020-01-01"], "datetime64[D]"),
        "arrays of dtype <U1": np.array(["a"]),
        "a masked array": np.ma.masked_array([1.0, 2.0], mask=[True, False]),
        "a complex64": np.complex64(1j),  # scalars come back as Python numbers: no complex
    }
    if np.dtype(np.longdouble).itemsize > 8:  # float128: platform-dependent, not portable
        refused[f"arrays of dtype {np.dtype(np.longdouble)}"] = np.ones(2, np.longdouble)
        refused["a longdouble"] = np.longdouble(1.5)
    for what, value in refused.items():
        with pytest.raises(TypeError, match=re.escape(f"cannot store {what} at key deep.0.x")):
            mg.save({"w": mg.ones(2), "deep": [{"x": value}]}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.npz"]


KEYS = {
    "slash": "a/b",
    "empty": "",
    "unicode": "gewichte·ünï·权重",
    "dots": "../../x",
    "backslash": "a\\b",  # becomes "a/b" in zip names on Windows
    "NUL": "a\x00b",  # zipfile cuts entry names at a NUL
    "lone surrogate": "\udcff",  # what os.fsdecode gives for undecodable bytes; not UTF-8
    "70,000 characters": "k" * 70_000,  # zip entry names have at most 65535 bytes
    "our own entry": "__minigrad__",
}


@pytest.mark.parametrize("key", KEYS.values(), ids=KEYS.keys())
def test_any_string_key_round_trips(key, tmp_path):
    tree = {key: mg.tensor([1.0]), "other": mg.tensor([2.0]), "in": {key: mg.tensor([3])}}
    mg.save(tree, tmp_path / "k.npz")
    back = mg.load(tmp_path / "k.npz")
    assert list(back) == list(tree) and list(back["in"]) == [key]
    assert back[key].tolist() == [1.0] and back["other"].tolist() == [2.0]
    assert back["in"][key].tolist() == [3]


def test_keys_whose_names_collide_stay_apart(tmp_path):
    tree = {"a.b": mg.tensor([1]), "a": {"b": mg.tensor([2])}, "": mg.tensor([3])}
    tree["tensor"] = mg.tensor([4])
    mg.save(tree, tmp_path / "c.npz")
    back = mg.load(tmp_path / "c.npz")
    assert back["a.b"].tolist() == [1] and back["a"]["b"].tolist() == [2]
    assert back[""].tolist() == [3] and back["tensor"].tolist() == [4]


# ----- the file on disk -------------------------------------------------------------------
def _temp_files(directory):
    return [name for name in os.listdir(directory) if name.endswith(".part")]


def test_saving_through_a_symlink_updates_its_target(tmp_path):
    (tmp_path / "runs").mkdir()
    real = tmp_path / "runs" / "real.npz"
    mg.save({"w": mg.zeros(2)}, real)
    link = tmp_path / "latest.npz"
    link.symlink_to(os.path.join("runs", "real.npz"))
    mg.save({"w": mg.ones(2)}, link)
    assert link.is_symlink() and mg.load(real)["w"].tolist() == [1.0, 1.0]
    assert sorted(os.listdir(tmp_path)) == ["latest.npz", "runs"]  # the temp file was in runs/
    assert os.listdir(tmp_path / "runs") == ["real.npz"]


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path):
    """As open(link, "wb") would: the file appears where the link points."""
    link = tmp_path / "link.npz"
    link.symlink_to("new.npz")
    mg.save({"w": mg.ones(1)}, link)
    assert link.is_symlink() and mg.load(tmp_path / "new.npz")["w"].tolist() == [1.0]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604], ids=oct)
def test_an_existing_file_keeps_its_permissions(mode, tmp_path):
    path = tmp_path / "m.npz"
    mg.save({"w": mg.zeros(1)}, path)
    path.chmod(mode)
    mg.save({"w": mg.ones(1)}, path)
    assert path.stat().st_mode & 0o7777 == mode


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_an_existing_file_keeps_its_owner(tmp_path):
    path = tmp_path / "m.npz"
    mg.save({"w": mg.zeros(1)}, path)
    os.chown(path, 12345, 23456)
    mg.save({"w": mg.ones(1)}, path)
    assert (path.stat().st_uid, path.stat().st_gid) == (12345, 23456)


def test_every_hard_link_sees_the_new_checkpoint(tmp_path, monkeypatch):
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    mg.save({"w": mg.zeros(2)}, first)
    os.link(first, second)
    mg.save({"w": mg.ones(2)}, second)
    assert os.path.samefile(first, second)
    assert mg.load(first)["w"].tolist() == [1.0, 1.0]
    before = first.read_bytes()
    monkeypatch.setattr(np.lib.format, "write_array", _raise_keyboard_interrupt)
    with pytest.raises(KeyboardInterrupt):  # a failed save still changes neither link
        mg.save({"w": mg.full((2,), 7.0)}, first)
    assert first.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["a.npz", "b.npz"]


def _raise_keyboard_interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_targets_that_are_not_regular_files_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short socket path: AF_UNIX allows about 100 bytes
    (tmp_path / "dir.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="dir.npz"):
        mg.save({"w": mg.ones(1)}, tmp_path / "dir.npz")
    with pytest.raises(IsADirectoryError):
        mg.save({"w": mg.ones(1)}, str(tmp_path / "new") + os.sep)
    if hasattr(os, "mkfifo"):  # replacing the FIFO would be wrong; opening it would block
        os.mkfifo(tmp_path / "fifo.npz")
        with pytest.raises(ValueError, match="fifo.npz'.*a FIFO, not a regular file"):
            mg.save({"w": mg.ones(1)}, tmp_path / "fifo.npz")
        assert stat.S_ISFIFO(os.stat(tmp_path / "fifo.npz").st_mode)
    if hasattr(socket, "AF_UNIX"):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("sock.npz")
            with pytest.raises(ValueError, match="a socket, not a regular file"):
                mg.save({"w": mg.ones(1)}, tmp_path / "sock.npz")
    assert not _temp_files(tmp_path) and not os.listdir(tmp_path / "dir.npz")


def test_write_errors_name_the_path_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    given = os.path.join("nodir", "m.npz")
    with pytest.raises(FileNotFoundError, match=rf"{re.escape(repr(given))}.*nodir' does not"):
        mg.save({"w": mg.ones(1)}, given)
    real_open = os.open

    def no_permission(name, *args, **kwargs):
        if str(name).endswith(".part"):
            raise PermissionError(13, "Permission denied", name)
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_permission)  # as in a directory we may not write to
    with pytest.raises(PermissionError, match="cannot write 'm.npz': Permission denied") as err:
        mg.save({"w": mg.ones(1)}, "m.npz")
    assert ".part" not in str(err.value)


def test_a_file_the_process_may_not_write_is_refused_and_kept(tmp_path, monkeypatch):
    """What the test below checks on a real read-only file, run where root may write any
    file (CI): os.access saying no is what save heeds, before anything is written."""
    path = tmp_path / "m.npz"
    mg.save({"w": mg.zeros(1)}, path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK and real_access(p, mode))
    with pytest.raises(PermissionError, match="m.npz"):
        mg.save({"w": mg.ones(1)}, path)
    monkeypatch.undo()
    assert mg.load(path)["w"].tolist() == [0.0] and os.listdir(tmp_path) == ["m.npz"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write")
def test_read_only_files_and_directories_are_not_written(tmp_path):
    path = tmp_path / "m.npz"
    mg.save({"w": mg.zeros(1)}, path)
    path.chmod(0o444)  # open(path, "wb") would refuse; a rename would not
    with pytest.raises(PermissionError, match="m.npz"):
        mg.save({"w": mg.ones(1)}, path)
    path.chmod(0o644)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match=f"cannot write '{path}'"):
            mg.save({"w": mg.ones(1)}, path)
    finally:
        tmp_path.chmod(0o755)
    assert mg.load(path)["w"].tolist() == [0.0]


def test_a_long_file_name_leaves_room_for_the_temp_file(tmp_path):
    path = tmp_path / ("m" * 250 + ".npz")  # 254 bytes: the most most filesystems allow
    mg.save({"w": mg.ones(1)}, path)
    assert mg.load(path)["w"].tolist() == [1.0] and os.listdir(tmp_path) == [path.name]


_SAVE_FOREVER = """
import sys, numpy as np, minigrad as mg
big = np.zeros(4 << 20)  # 32 MiB
while True:
    mg.save({"w": big}, sys.argv[1])
"""


def test_temp_files_of_a_killed_save_are_removed_by_the_next(tmp_path):
    path = tmp_path / "m.npz"
    other = tmp_path / "other.npz"
    for _ in range(3):
        before = set(_temp_files(tmp_path))
        proc = subprocess.Popen([sys.executable, "-c", _SAVE_FOREVER, str(path)])
        deadline = time.monotonic() + 60
        while set(_temp_files(tmp_path)) <= before and time.monotonic() < deadline:
            time.sleep(0.001)
        proc.kill()  # SIGKILL: no except or finally clause runs
        proc.wait()
    assert _temp_files(tmp_path), "the killed processes left no temp file to clean up"
    mg.save({"w": mg.ones(1)}, other)  # a save to another file leaves them alone
    assert _temp_files(tmp_path)
    mg.save({"w": mg.ones(1)}, path)
    assert sorted(os.listdir(tmp_path)) == ["m.npz", "other.npz"]
    assert mg.load(path)["w"].tolist() == [1.0]


_HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX pids and locks")
def test_temp_files_of_live_writers_are_kept(tmp_path):
    path = tmp_path / "m.npz"
    prefix = _atomic._tmp_prefix(os.path.realpath(path))
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    fresh = tmp_path / f"{prefix}{sleeper.pid}-{'a' * 12}.part"  # created, not yet locked
    fresh.write_bytes(b"")
    held = tmp_path / f"{prefix}{os.getpid() + 1}-{'b' * 12}.part"
    held.write_bytes(b"")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(held)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        old = time.time() - 2 * _atomic._STALE_AFTER_S  # age alone is no reason while locked
        os.utime(held, (old, old))
        mg.save({"w": mg.ones(1)}, path)
        assert fresh.exists() and held.exists()
    finally:
        sleeper.kill()
        holder.kill()
        sleeper.wait()
        holder.wait()
    mg.save({"w": mg.ones(1)}, path)  # now both writers are gone
    assert os.listdir(tmp_path) == ["m.npz"]


def test_a_temp_file_another_thread_is_writing_is_kept(tmp_path):
    path = tmp_path / "m.npz"
    writing, release = threading.Event(), threading.Event()

    def slow_writer():
        with _atomic.atomic_write(path) as f:
            f.write(b"from the thread")
            writing.set()
            release.wait(30)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert writing.wait(30)
    mg.save({"w": mg.ones(1)}, path)
    assert len(_temp_files(tmp_path)) == 1
    release.set()
    thread.join()
    assert path.read_bytes() == b"from the thread" and os.listdir(tmp_path) == ["m.npz"]


def test_concurrent_saves_and_loads_see_whole_checkpoints(tmp_path):
    path = tmp_path / "m.npz"
    mg.save({"w": mg.full((1000,), -1.0)}, path)
    versions = {-1.0}
    errors = []

    def saver(value):
        try:
            for i in range(10):
                versions.add(value + i)
                mg.save({"w": mg.full((1000,), value + i)}, path)
                mg.save({"w": mg.full((10,), value)}, tmp_path / f"own{value}.npz")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=saver, args=(v,)) for v in (100.0, 200.0)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        w = mg.load(path)["w"].numpy()
        assert w.shape == (1000,) and len(set(w.tolist())) == 1 and w[0] in versions
    for t in threads:
        t.join()
    assert not errors
    assert mg.load(path)["w"].numpy()[0] in (109.0, 209.0)
    assert sorted(os.listdir(tmp_path)) == ["m.npz", "own100.0.npz", "own200.0.npz"]


# ----- damaged and odd files on load ------------------------------------------------------
def test_a_flipped_byte_inside_an_array_is_caught(tmp_path):
    path = tmp_path / "m.npz"
    values = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    mg.save({"w": mg.tensor(values)}, path)
    data = bytearray(path.read_bytes())
    start = data.find(values.tobytes())
    assert start > 0
    data[start + values.nbytes // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupted.*CRC"):
        mg.load(path)


def test_empty_files_directories_and_fifos_are_clear_errors(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(ValueError, match="empty.npz: not a minigrad checkpoint.*file is empty"):
        mg.load(tmp_path / "empty.npz")
    with pytest.raises(IsADirectoryError):
        mg.load(tmp_path)
    if not hasattr(os, "mkfifo"):
        return
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    raised = []
    thread = threading.Thread(target=lambda: raised.append(_error_of(mg.load, fifo)), daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # stuck in open(), waiting for a writer: give it one, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("mg.load blocked on a FIFO")
    assert isinstance(raised[0], ValueError) and "fifo.npz: not a minigrad checkpoint" in str(
        raised[0]
    )


def _error_of(function, *args):
    try:
        function(*args)
    except Exception as exc:
        return exc
    return None
