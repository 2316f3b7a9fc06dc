"""Datasets as host-side numpy arrays: MNIST, Fashion-MNIST, and a reader for any IDX file."""

from minigrad.datasets.fashion_mnist import FashionMNIST
from minigrad.datasets.idx import IDXError, MNISTError, read_idx
from minigrad.datasets.mnist import MNIST, IDXDataset, load_mnist

__all__ = [
    "MNIST",
    "FashionMNIST",
    "IDXDataset",
    "IDXError",
    "MNISTError",
    "load_mnist",
    "read_idx",
]
