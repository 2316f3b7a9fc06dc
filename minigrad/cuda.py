"""`mg.cuda.is_available()` and friends."""

from . import backend


def is_available() -> bool:
    """True when cupy is installed and a CUDA device is present."""
    return backend.cuda_available()


def device_count() -> int:
    if not backend.cuda_available():
        return 0
    return backend.cupy.cuda.runtime.getDeviceCount()
