"""Datasets as host-side numpy arrays."""

from minigrad.datasets.mnist import MNIST, MNISTError, load_mnist

__all__ = ["MNIST", "MNISTError", "load_mnist"]
