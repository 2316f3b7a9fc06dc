"""The one module that decides between numpy (CPU) and cupy (CUDA).

Every op in minigrad is written once, against the *array namespace* of its inputs
(`xp = xp_of(array)`), so the same code runs on either library. Everything that depends on
which library holds the data lives here: the namespace lookup, devices, moving arrays between
host and GPU, random number generators, and the few calls whose spelling differs between
numpy and cupy (scatter-add), and `kernel`, the registry of the fused CUDA kernels of
`backend_cuda.py`. No other module imports numpy or cupy to touch tensor data;
`tests/test_backend_contract.py` enforces that.
"""

from __future__ import annotations

import threading
import types

import numpy

from ._mt19937 import MT19937Stream, check_seed, entropy_seed, moved

try:  # cupy is an optional extra: `pip install minigrad[cuda12]`.
    import cupy
    import cupyx
except ImportError:  # pragma: no cover - depends on the machine
    cupy = None
    cupyx = None

__all__ = [
    "ARRAY_TYPES",
    "Device",
    "DeviceMismatch",
    "array_text",
    "as_device",
    "check_seed",
    "cuda_available",
    "cuda_current_device",
    "cuda_device_count",
    "cuda_synchronize",
    "device_of",
    "entropy_seed",
    "generator",
    "host_array",
    "host_rng",
    "initial_seed",
    "is_array",
    "kernel",
    "manual_seed",
    "move",
    "namespace",
    "new_rng",
    "normal",
    "numpy",
    "scatter_add",
    "seed_devices",
    "strided",
    "sum_to",
    "to_host",
    "uniform",
    "windows",
    "xp_of",
]


def cuda_available() -> bool:
    """True when cupy is installed and sees at least one CUDA device."""
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # cupy without a driver raises CUDARuntimeError
        return False


def cuda_device_count() -> int:
    """How many CUDA devices cupy sees (0 without cupy or a driver)."""
    return cupy.cuda.runtime.getDeviceCount() if cuda_available() else 0


def cuda_current_device() -> int:
    """cupy's current CUDA device (needs one)."""
    return cupy.cuda.runtime.getDevice()


def cuda_synchronize(device: Device | None = None) -> None:
    """Wait for the work queued on `device` (cupy's current device if None) to finish."""
    with cupy.cuda.Device(None if device is None else device.index) as current:
        current.synchronize()


class Device:
    """Where a tensor's data lives: `Device('cpu')` (numpy) or `Device('cuda', 0)` (cupy);
    `mg.device('cuda:1')` parses the string, as torch.device does.

    Compares equal to its string form, so `t.device == 'cpu'` reads naturally.
    """

    __slots__ = ("index", "type")

    def __init__(self, type: str, index: int | None = None):
        if index is None and isinstance(type, str) and type not in ("cpu", "cuda"):
            parsed = as_device(type)  # 'cuda:1', 'cpu:0'; raises on anything else
            type, index = parsed.type, parsed.index
        elif type not in ("cpu", "cuda"):
            raise ValueError(f"device: expected type 'cpu' or 'cuda', got {type!r}")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(f"device: index must be an int, got {index.__class__.__name__}")
        self.type = type
        self.index = index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = as_device(other)
            except ValueError:
                return False
        if not isinstance(other, Device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = Device("cpu")


def as_device(device: str | Device | None) -> Device:
    """Parse 'cpu', 'cuda', 'cuda:N' (or a Device) into a Device; None means the CPU."""
    if device is None:
        return CPU
    if isinstance(device, Device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"device must be a str like 'cpu' or 'cuda:0', got {type(device).__name__}")
    kind, _, index = device.partition(":")
    if kind == "cpu" and index in ("", "0"):  # (one CPU device: 'cpu:0' is it too)
        return CPU
    if kind == "cuda":
        if index and not index.isdigit():
            raise ValueError(f"device: expected 'cuda' or 'cuda:N', got {device!r}")
        return Device("cuda", int(index) if index else 0)
    raise ValueError(f"device: expected 'cpu', 'cuda' or 'cuda:N', got {device!r}")


# The array types a tensor can hold: for isinstance checks (`isinstance(x, ARRAY_TYPES)`).
ARRAY_TYPES: tuple[type, ...] = (numpy.ndarray,) if cupy is None else (numpy.ndarray, cupy.ndarray)


def is_array(obj: object) -> bool:
    """True for a numpy or cupy ndarray."""
    return isinstance(obj, ARRAY_TYPES)


def xp_of(*arrays) -> types.ModuleType:
    """The array namespace (numpy or cupy) of `arrays`; Python scalars among them are ignored."""
    if cupy is not None:
        for a in arrays:
            if isinstance(a, cupy.ndarray):
                return cupy
    return numpy


def namespace(device: Device) -> types.ModuleType:
    """The array namespace for a device."""
    if device.type == "cpu":
        return numpy
    _require_cuda(device)
    return cupy


def device_of(array) -> Device:
    if type(array) is numpy.ndarray:
        return CPU
    if cupy is not None and isinstance(array, cupy.ndarray):
        return Device("cuda", array.device.id)
    return CPU


class DeviceMismatch(RuntimeError):
    """The inputs of one op live on different devices."""

    def __init__(self, op: str, a, b):
        super().__init__(
            f"{op}: expected all tensors on the same device, got {device_of(a)} and {device_of(b)}"
        )


def _require_cuda(device: Device) -> None:
    if cupy is None:
        raise RuntimeError(
            f"device {device} needs cupy, which is not installed; "
            "install minigrad[cuda12] or minigrad[cuda13]"
        )
    if not cuda_available():
        raise RuntimeError(f"device {device}: cupy is installed but no CUDA device is available")


def move(array, device: Device) -> object:
    """Return `array` on `device`, copying only when it lives elsewhere."""
    if device.type == "cpu":
        return to_host(array)
    _require_cuda(device)
    with cupy.cuda.Device(device.index):
        return cupy.asarray(array)


def to_host(array) -> numpy.ndarray:
    """A numpy array with the same values (a copy from the GPU for cupy arrays)."""
    if cupy is not None and isinstance(array, cupy.ndarray):
        return cupy.asnumpy(array)
    return numpy.asarray(array)


def sum_to(array, shape: tuple[int, ...]) -> object:
    """`array` summed over the dims that broadcasting added or stretched, down to `shape`:
    how a gradient undoes the broadcast of its input (the engine does it for every op)."""
    lead = array.ndim - len(shape)
    if lead:  # dims broadcasting added in front: sum them away (a fresh array, not a view)
        array = array.sum(axis=tuple(range(lead)))
        if array.shape == shape:  # nothing stretched: the usual case of a bias
            return array
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and array.shape[i] != 1)
    if stretched:  # size-1 dims broadcasting stretched: sum, keeping them as size 1
        array = array.sum(axis=stretched, keepdims=True)
    return array


def windows(array, kernel: tuple, stride: tuple, dilation: tuple):  # noqa: ANN201
    """A read-only view of the sliding windows over the last len(kernel) dims of `array`.

    For `array` (..., L1, L2) and a (k1, k2) kernel the view is (..., k1, k2, O1, O2), with
    view[..., i, j, o, p] = array[..., o*s1 + i*d1, p*s2 + j*d2] and Od = (Ld - dd*(kd-1) - 1)
    // sd + 1: every window at once, without copying (numpy's and cupy's as_strided). The
    kernel dims come first so that copying the view gives im2col's columns, a window per column.
    """
    nd = len(kernel)
    spatial, steps = array.shape[-nd:], array.strides[-nd:]
    out = tuple(
        (n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(spatial, kernel, stride, dilation)
    )
    lead = array.ndim - nd
    shape = array.shape[:lead] + tuple(kernel) + out
    strides = (
        array.strides[:lead]
        + tuple(t * d for t, d in zip(steps, dilation))
        + tuple(t * s for t, s in zip(steps, stride))
    )
    return strided(array, shape, tuple(t // array.itemsize for t in strides))


def strided(array, shape: tuple, steps: tuple, writeable: bool = False):  # noqa: ANN201
    """A view of `array`'s memory with `shape`, `steps[i]` elements apart along dim i (numpy's
    and cupy's as_strided, in elements rather than bytes). The caller keeps it inside the
    array's buffer; writeable=True only where no two elements of the view share memory."""
    strides = tuple(s * array.itemsize for s in steps)
    if xp_of(array) is numpy:
        return numpy.lib.stride_tricks.as_strided(array, shape, strides, writeable=writeable)
    return cupy.lib.stride_tricks.as_strided(array, shape, strides)


def host_array(data, dtype=None) -> numpy.ndarray:
    """Numbers, nested lists or an array as a numpy array on the host (no copy if it is one)."""
    return numpy.asarray(data, dtype=dtype)


def host_rng(seed: int | None = None) -> object:
    """A numpy random Generator on the host (shuffling, sampling indices): not a device's."""
    return numpy.random.default_rng(seed)


def array_text(array, **options) -> str:
    """A host copy of `array` as numpy prints it (numpy.array2string's options)."""
    return numpy.array2string(to_host(array), **options)


def scatter_add(target, index, values) -> None:
    """In place: `target[index] += values`, adding repeatedly where `index` repeats.

    Plain `target[index] += values` keeps only one of several updates to the same element;
    numpy spells the unbuffered version `np.add.at`, cupy `cupyx.scatter_add`.
    """
    if xp_of(target) is numpy:
        numpy.add.at(target, index, values)
    else:
        cupyx.scatter_add(target, index, values)


def kernel(name: str, x) -> tuple | None:
    """The fused CUDA kernels registered under `name` in backend_cuda.py (a pair with
    `forward` and `backward`) when they handle the cupy array `x`; None otherwise, numpy
    arrays included, and the op computes with array calls instead. Ops ask by name, so an op
    reads the same on both devices.

    >>> mg.backend.kernel("cross_entropy", mg.zeros(2, 3).array) is None  # numpy
    True
    """
    if cupy is None or not isinstance(x, cupy.ndarray):
        return None
    from . import backend_cuda  # compiles nothing until first used

    return backend_cuda.kernel(name, x)


# One random generator per device, made when first used from the seed given for it, for its
# type ('cuda': every GPU) or for every device (manual_seed), else from initial_seed's.
_generators: dict[Device, object] = {}
_seed: int | None = None
_seeds: dict = {}  # Device or device type -> seed, set since the last manual_seed
_making = threading.Lock()


def generator(device: Device) -> object:
    """The random generator of `device` (as `new_rng` makes), seeded by `manual_seed`."""
    rng = _generators.get(device)
    if rng is None:
        with _making:  # (two threads' first draws after manual_seed: one generator, not two)
            if (rng := _generators.get(device)) is None:
                seed = _seeds.get(device, _seeds.get(device.type))
                rng = _generators[device] = new_rng(
                    device, initial_seed() if seed is None else seed
                )
    return rng


def new_rng(device: Device, seed: int) -> object:
    """A new random generator on `device` seeded by `seed`: PyTorch's CPU stream, or cupy's."""
    if device.type == "cpu":
        return MT19937Stream(seed)
    _require_cuda(device)
    with cupy.cuda.Device(device.index):
        return cupy.random.default_rng(seed)


def uniform(
    device: Device, shape: tuple, dtype, low: float = 0.0, high: float = 1.0, rng=None
) -> object:
    """An array of `shape` and float `dtype` drawn from U(low, high) by `rng`, by default
    `device`'s generator: on the CPU PyTorch's numbers (see _mt19937.py); cupy's generators
    draw float32 or float64, and other float dtypes (float16) are drawn in float32."""
    rng = generator(device) if rng is None else rng
    if isinstance(rng, MT19937Stream):
        return rng.uniform(shape, dtype, low, high)
    drawn = dtype if dtype in (numpy.float32, numpy.float64) else numpy.float32
    sample = rng.random(shape, dtype=drawn)
    if (low, high) != (0.0, 1.0):
        sample *= high - low
        sample += low
    return sample.astype(dtype, copy=False)


def normal(
    device: Device, shape: tuple, dtype, mean: float = 0.0, std: float = 1.0, rng=None
) -> object:
    """An array of `shape` and float `dtype` drawn from N(mean, std^2) (as `uniform` draws)."""
    rng = generator(device) if rng is None else rng
    if isinstance(rng, MT19937Stream):
        return rng.normal(shape, dtype, mean, std)
    drawn = dtype if dtype in (numpy.float32, numpy.float64) else numpy.float32
    sample = rng.standard_normal(shape, dtype=drawn)
    if (mean, std) != (0.0, 1.0):
        sample *= std
        sample += mean
    return sample.astype(dtype, copy=False)


def manual_seed(seed: int) -> None:
    """Seed the random generators of every device, including those first used later."""
    global _seed
    _seed = check_seed(seed, "manual_seed")
    moved("manual_seed")  # (mg.compile refuses it in a step)
    _seeds.clear()
    _generators.clear()


def seed_devices(seed: int, device: Device | str, op: str) -> None:
    """Seed only `device`'s generator, or with a device type ('cuda') every such device's."""
    seed = check_seed(seed, op)
    moved(op)
    every = isinstance(device, str)  # a device type: every device of that type
    for key in [k for k in (*_seeds, *_generators) if isinstance(k, Device)]:
        if (key.type if every else key) == device:
            _seeds.pop(key, None)
            _generators.pop(key, None)
    _seeds[device] = seed


def initial_seed() -> int:
    """The seed the generators start from: manual_seed's, or one drawn from the OS once."""
    global _seed
    if _seed is None:
        _seed = entropy_seed()
    return _seed
