"""`minigrad.utils.data` is `minigrad.data`, under PyTorch's name `torch.utils.data`."""

from ..data import *  # noqa: F403 - the same names, by design
from ..data import __all__  # noqa: F401
