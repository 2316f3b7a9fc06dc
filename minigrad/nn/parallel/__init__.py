"""Data parallelism, as torch.nn.parallel: `DistributedDataParallel` (over minigrad.distributed)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
