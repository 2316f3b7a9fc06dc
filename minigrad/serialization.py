"""`save` and `load`: checkpoints as `.npz` files, without pickle.

A checkpoint is an ordinary `.npz` archive: one `.npy` entry per tensor, named after its key
(`numpy.load(path)["0.weight"]` works; a key no zip entry name can hold gets a generic one),
plus one entry, `__minigrad__`, holding a small JSON description of what was saved: the
nesting of dicts, lists and tuples, the plain values in it (numbers, strings, None), and each
tensor's dtype and shape, checked again on load. So a model's `state_dict()` round-trips, and
so does `{"model": ..., "optimizer": ..., "epoch": 3}`.

Nothing is ever unpickled: loading runs no code from the file. Writes go to a temporary file
in the same directory, are flushed to disk, then renamed over the target, so a crash leaves
either the old file or the new one, never half of one (see `_atomic.atomic_write` for
symlinks, permissions and hard links). Here, as in the MNIST reader, host I/O is the point,
so numpy is used directly.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import zipfile
from collections.abc import Mapping

import numpy as np

from . import backend, dtypes
from ._atomic import atomic_write, file_kind
from .tensor import Tensor

__all__ = ["load", "save"]

_META = "__minigrad__"
_FORMAT = "minigrad.save"
_VERSION = 1
_PathArg = str | os.PathLike
# The array dtypes `save` takes, in either byte order: all that .npy stores exactly and every
# platform reads back (not float128, whose size and meaning vary). Tensors have fewer.
_STORABLE = (
    {np.dtype(np.bool_), np.dtype(np.complex64), np.dtype(np.complex128)}
    | {np.dtype(f"{kind}{bits}") for kind in ("int", "uint") for bits in (8, 16, 32, 64)}
    | {np.dtype(f"float{bits}") for bits in (16, 32, 64)}
)
_MAX_NAME = 1000  # bytes; zip allows 65535, but a key that long is no use as an entry name


def save(obj, path: _PathArg) -> None:
    """Write `obj` (a state_dict, or any nesting of dicts/lists/tuples of tensors, arrays,
    numbers, strings and None) to `path` as an `.npz` file, atomically.

    GPU tensors are copied to the host; dtypes and values are stored exactly. numpy arrays of
    any boolean, integer, float or complex dtype, in either byte order, come back as numpy
    arrays with the same dtype and bits; numpy scalars come back as Python numbers. Anything
    else is refused with a TypeError before the file is touched.

    >>> mg.save(model.state_dict(), "model.npz")
    >>> model.load_state_dict(mg.load("model.npz"))
    <All keys matched successfully>
    """
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, (), arrays)
    meta = json.dumps({"format": _FORMAT, "version": _VERSION, "tree": tree})
    arrays[_META] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    _write_npz(os.fspath(path), arrays)


def load(path: _PathArg, device=None, *, map_location=None):  # noqa: ANN201 - what was saved
    """Read a file written by `save`; tensors come back on `device` (default: the CPU).

    `map_location` is accepted as another name for `device`, as in PyTorch. Raises
    ValueError, naming the file, if it is truncated, corrupted, or not written by `save`.
    """
    path = os.fspath(path)
    target = backend.as_device(device if device is not None else map_location)
    mode = os.stat(path).st_mode  # FileNotFoundError, as open() would raise
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if not stat.S_ISREG(mode):  # opening a FIFO would block, and a zip needs seeking anyway
        raise ValueError(f"{path}: not a minigrad checkpoint: it is {file_kind(mode)}")
    # One open for everything: a save renaming a new file into place meanwhile cannot mix
    # two files' bytes.
    with open(path, "rb") as f:
        head = f.read(4)
        if head != b"PK\x03\x04":  # every zip (and so every .npz) starts with this
            found = f"starts with {head!r}" if head else "is empty"
            raise ValueError(
                f"{path}: not a minigrad checkpoint: expected an .npz (zip) file written by "
                f"mg.save, but the file {found}"
            )
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as zf:
                if _META + ".npy" not in zf.NameToInfo:
                    raise ValueError(
                        f"{path}: this .npz file was not written by mg.save (it has no "
                        f"'{_META}' entry); read it with numpy.load instead"
                    )
                meta = _read_meta(_read_array(zf, _META, path), path)
                return _decode(meta["tree"], zf, path, target)
        except ValueError as exc:
            if str(exc).startswith(path):
                raise
            raise ValueError(f"{path}: corrupted or truncated checkpoint ({exc})") from exc
        except MemoryError:
            raise
        except Exception as exc:  # zipfile reports damage as BadZipFile, zlib.error, EOFError,
            # NotImplementedError (a flipped method field), RuntimeError ("encrypted"), ...
            raise ValueError(
                f"{path}: corrupted or truncated checkpoint ({type(exc).__name__}: {exc})"
            ) from exc


# ----- writing --------------------------------------------------------------------------
def _encode(obj, where: tuple, arrays: dict):
    """The JSON description of `obj`; its arrays go into `arrays` under unique names."""
    if isinstance(obj, Tensor) or backend.is_array(obj):
        if isinstance(obj, np.ma.MaskedArray):  # np.asarray would silently drop the mask
            raise TypeError(f"save: cannot store a masked array at {_show(where)}")
        array = backend.to_host(obj.array if isinstance(obj, Tensor) else obj)
        if array.dtype.newbyteorder("=") not in _STORABLE:
            raise TypeError(f"save: cannot store arrays of dtype {array.dtype} at {_show(where)}")
        name = ".".join(str(k) for k in where) or "tensor"
        if not _zip_safe(name):  # the key is in the description; the entry name is a label
            name = "tensor"
        base, n = name, 1
        while name in arrays or name == _META:
            n += 1
            name = f"{base}~{n}"
        arrays[name] = array
        return {
            "kind": "tensor" if isinstance(obj, Tensor) else "ndarray",
            "key": name,
            "dtype": array.dtype.str,
            "shape": list(array.shape),
        }
    if isinstance(obj, Mapping):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(
                    f"save: dict keys must be str, int, float, bool or None, got "
                    f"{type(k).__name__} at {_show(where)}"
                )
            items.append([k, _encode(v, where + (k,), arrays)])
        return {"kind": "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        items = [_encode(v, where + (i,), arrays) for i, v in enumerate(obj)]
        return {"kind": kind, "items": items}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"kind": "value", "value": obj}
    if isinstance(obj, np.generic) and obj.dtype in _STORABLE and obj.dtype.kind != "c":
        return {"kind": "value", "value": obj.item()}  # exact: a Python bool, int or float
    raise TypeError(
        f"save: cannot store a {type(obj).__name__} at {_show(where)}: only tensors, arrays, "
        "numbers, strings, None, and dicts/lists/tuples of them can be saved (no pickle)"
    )


def _show(where: tuple) -> str:
    if not where:
        return "the top level"
    text = ".".join(str(k) for k in where)
    return "key " + (text if len(text) <= 80 else text[:77] + "...")


def _zip_safe(name: str) -> bool:
    """Whether `name` + ".npy" survives as a zip entry name: zipfile cuts names at a NUL,
    reads "\\" as "/" on Windows, and cannot encode lone surrogates."""
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return False
    return size <= _MAX_NAME and "\x00" not in name and "\\" not in name


def _write_npz(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays as an uncompressed .npz, atomically."""
    # zipfile directly rather than np.savez: any key is a valid name here (savez would take a
    # key called "file" as its own argument).
    with atomic_write(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, True) as zf:
        for name, array in arrays.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, array, allow_pickle=False)


# ----- reading --------------------------------------------------------------------------
def _read_array(zf: zipfile.ZipFile, name: str, path: str) -> np.ndarray:
    try:
        entry = zf.open(name + ".npy")
    except KeyError:
        raise ValueError(f"{path}: corrupted checkpoint: the entry '{name}' is missing") from None
    with entry:
        array = np.lib.format.read_array(entry, allow_pickle=False)
        if entry.read(1):  # reading to the end is also what checks the entry's CRC-32
            raise ValueError(f"{path}: corrupted checkpoint: '{name}' has extra bytes")
    return array


def _read_meta(raw: np.ndarray, path: str) -> dict:
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{path}: corrupted checkpoint: unreadable '{_META}' entry ({exc})"
        ) from exc
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT or "tree" not in meta:
        raise ValueError(f"{path}: corrupted checkpoint: unexpected '{_META}' entry")
    if meta.get("version") != _VERSION:
        raise ValueError(
            f"{path}: checkpoint format version {meta.get('version')} is not supported by this "
            f"minigrad (it reads version {_VERSION})"
        )
    return meta


def _decode(node, zf: zipfile.ZipFile, path: str, device):
    kind = node["kind"]
    if kind in ("tensor", "ndarray"):
        name = node["key"]
        array = _read_array(zf, name, path)
        expected = (np.dtype(node["dtype"]), tuple(node["shape"]))
        if (array.dtype, array.shape) != expected:
            raise ValueError(
                f"{path}: corrupted checkpoint: '{name}' holds {array.dtype} {array.shape}, "
                f"the description says {expected[0]} {expected[1]}"
            )
        if kind == "ndarray":
            return array
        if array.dtype not in dtypes._SUPPORTED:  # save never writes such a tensor
            raise ValueError(f"{path}: '{name}' has dtype {array.dtype}, which minigrad lacks")
        return Tensor.wrap(backend.move(array, device))
    if kind == "dict":
        return {k: _decode(v, zf, path, device) for k, v in node["items"]}
    if kind == "list":
        return [_decode(v, zf, path, device) for v in node["items"]]
    if kind == "tuple":
        return tuple(_decode(v, zf, path, device) for v in node["items"])
    if kind == "value":
        return node["value"]
    raise ValueError(f"{path}: corrupted checkpoint: unknown entry kind {kind!r}")
