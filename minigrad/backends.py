"""`mg.backends`: the switches PyTorch scripts set on its backends, `cudnn`, `cuda.matmul`
and `mps`, so that they run as written.

minigrad calls neither cuDNN nor MPS, and cupy's matmul settings are its own: setting
`mg.backends.cudnn.benchmark = True` (or `deterministic`, `enabled`, `allow_tf32`) is kept and
changes nothing. The availability checks answer truthfully: False.
"""

from __future__ import annotations


class _Cudnn:
    """torch.backends.cudnn: `enabled`, `benchmark`, `deterministic`, `allow_tf32` are kept
    and change nothing (minigrad has no cuDNN kernels); `is_available()` is False."""

    enabled = True
    benchmark = False
    deterministic = False
    allow_tf32 = True

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def version() -> None:
        """None: no cuDNN is loaded."""
        return None


class _Matmul:
    """torch.backends.cuda.matmul: `allow_tf32` and `allow_fp16_reduced_precision_reduction`
    are kept and change nothing."""

    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True


class _Cuda:
    matmul = _Matmul()

    @staticmethod
    def is_built() -> bool:
        """True: minigrad runs on CUDA when cupy is installed (mg.cuda.is_available)."""
        return True


class _Mps:
    """torch.backends.mps: Apple's GPUs, which minigrad does not use."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


cudnn = _Cudnn()
cuda = _Cuda()
mps = _Mps()
