"""Optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) and learning-rate schedules
(`optim.lr_scheduler`)."""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
