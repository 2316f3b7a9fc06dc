"""`mg.cuda.is_available()` and friends: the CUDA devices cupy sees, and their generators."""

from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when cupy is installed and a CUDA device is present."""
    return backend.cuda_available()


def device_count() -> int:
    """How many CUDA devices cupy sees (0 without cupy or a device)."""
    return backend.cuda_device_count()


def current_device() -> int:
    """The index of cupy's current CUDA device (a RuntimeError without one)."""
    if not backend.cuda_available():
        raise RuntimeError("current_device: no CUDA device is available")
    return backend.cuda_current_device()


def manual_seed(seed: int) -> None:
    """Seed the generator of the current CUDA device (device 0 unless cupy's current device
    is another); fine without CUDA, as in PyTorch: it applies once a device is used."""
    index = backend.cuda_current_device() if backend.cuda_available() else 0
    backend.seed_devices(seed, backend.Device("cuda", index), "cuda.manual_seed")


def manual_seed_all(seed: int) -> None:
    """Seed the generators of every CUDA device, including those first used later."""
    backend.seed_devices(seed, "cuda", "cuda.manual_seed_all")


def synchronize(device=None) -> None:
    """Wait for the work queued on a CUDA device (`device`, or the current one) to finish;
    nothing to wait for without CUDA."""
    if backend.cuda_available():
        if isinstance(device, int):  # (torch.cuda.synchronize(0))
            device = backend.Device("cuda", device)
        backend.cuda_synchronize(None if device is None else backend.as_device(device))
