"""`minigrad.utils`, as `torch.utils`: `data` is `minigrad.data` (so PyTorch code's
`from torch.utils.data import DataLoader` reads `from minigrad.utils.data import ...`)."""

from . import data

__all__ = ["data"]
