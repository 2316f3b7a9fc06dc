"""Fashion-MNIST (Zalando Research, Xiao, Rasul and Vollgraf 2017): 28x28 grayscale images of
clothing in 10 classes, published in MNIST's IDX format under MNIST's file names.

Not shipped with minigrad. Looked up, without a root, in ``$MINIGRAD_DATA/fashion-mnist`` (or
torchvision's ``$MINIGRAD_DATA/FashionMNIST/raw``), then Debian's copy
(``apt install dataset-fashion-mnist``), then the cache ``~/.cache/minigrad/fashion-mnist``,
and downloaded into the cache if absent. Never in ``$MINIGRAD_DATA`` itself: that is where
MNIST's files, which have the same names, may be.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from .mnist import CACHE_ROOT, IDXDataset

__all__ = ["FashionMNIST"]


class FashionMNIST(IDXDataset):
    """Fashion-MNIST, one split held in host memory; used exactly like MNIST.

    60,000 train or 10,000 test images: ``data`` uint8 of shape (N, 28, 28), ``targets`` int64
    of shape (N,), 0..9 indexing ``classes`` (torchvision's names). See IDXDataset for
    ``arrays()`` and indexing.
    """

    classes: ClassVar[list[str]] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
    # Computed from the files of Debian's dataset-fashion-mnist, whose .gz files hold the same
    # deflate streams as the ones published upstream (only the gzip header's file name field is
    # dropped); other loaders publish the same digests.
    sha256: ClassVar[dict[str, str | None]] = {
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",  # noqa: E501
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",  # noqa: E501
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",  # noqa: E501
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",  # noqa: E501
    }
    mirrors: ClassVar[list[str]] = [
        # torchvision's. Plain HTTP, but every download is checked against sha256 above.
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ]
    subdirs = ("fashion-mnist", "FashionMNIST/raw")
    installed_dirs = (Path("/usr/share/datasets/fashion-mnist"),)  # Debian's package
    cache_dir = CACHE_ROOT / "fashion-mnist"
    MEAN = 0.2860  # mean pixel value of the training set, after scaling to [0, 1]
    STD = 0.3530  # its standard deviation
