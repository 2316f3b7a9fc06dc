"""`Dataset` (anything with `__getitem__` and `__len__`) and `TensorDataset`."""

from __future__ import annotations

from .. import backend, dtypes
from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset"]


class Dataset:
    """A map-style dataset: `dataset[i]` is sample i, `len(dataset)` the number of samples.

    Subclasses implement both. One that can fetch many samples at once more cheaply may
    also implement `__getitems__(indices)`, which `DataLoader` then calls once per batch.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")


class TensorDataset(Dataset):
    """Samples are rows of tensors that share their first dimension: `ds[i] = (x[i], y[i])`.

    It also accepts a whole batch of indices at once (an index array or a slice), which
    gives the batch tensors in one indexing per tensor: that is what `DataLoader` uses.

    >>> ds = TensorDataset(mg.randn(100, 784), mg.randint(10, (100,)))
    >>> x, y = ds[mg.tensor([3, 1, 4])]
    >>> x.shape, y.shape
    ((3, 784), (3,))
    """

    def __init__(self, *tensors: Tensor):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: expected Tensors, got {type(t).__name__}")
            if t.ndim == 0:
                raise ValueError("TensorDataset: tensors need a first (sample) dimension")
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            sizes = [t.shape[0] for t in tensors]
            raise ValueError(f"Size mismatch between tensors: first dimensions are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        if isinstance(index, Tensor):
            index = index.array
        elif isinstance(index, list):
            try:
                index = backend.host_array(index, dtype=dtypes.int64)
            except (ValueError, TypeError, OverflowError):
                raise TypeError(
                    f"TensorDataset: index must be a list of ints, got {index!r}"
                ) from None
        return tuple(_rows(t, index) for t in self.tensors)

    def __getitems__(self, indices):
        """The batch of samples `indices` (an index array or a slice), as tensors."""
        return self[indices]

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def _rows(t: Tensor, index) -> Tensor:
    """t[index] without recording: a view for ints and slices, one gather for index arrays."""
    if backend.is_array(index) and type(index) is not type(t.array):
        index = backend.move(index, t.device)  # e.g. a host index array for a GPU tensor
    rows = t.array[index]
    if not backend.is_array(rows):  # a 0-d index array picks a numpy scalar from a 1-d tensor
        rows = backend.xp_of(t.array).asarray(rows)
    return Tensor.wrap(rows)
