"""Neural-network building blocks: `Module`, `Parameter`, layers, initialisers, losses.

Layers hold parameters and call the stateless functions in `nn.functional`.
"""

from . import functional, init
from .layers import Dropout, Flatten, Identity, Linear, ReLU, Sequential
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, LogSoftmax, MSELoss, NLLLoss, Softmax
from .module import Module, Parameter

__all__ = [
    "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "Flatten", "Identity", "Linear",
    "LogSoftmax", "MSELoss", "Module", "NLLLoss", "Parameter", "ReLU", "Sequential", "Softmax",
    "functional", "init",
]  # fmt: skip
