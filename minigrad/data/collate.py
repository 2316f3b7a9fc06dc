"""Joining samples into batches: `default_collate` (with batching) and `default_convert`
(`batch_size=None`), PyTorch's rules."""

from __future__ import annotations

from collections.abc import Mapping

from .. import backend, creation, dtypes, functions
from ..tensor import Tensor

__all__ = ["default_collate", "default_convert"]


def default_collate(samples: list) -> object:
    """Join samples into a batch: tensors and arrays are stacked along a new first dim (a
    copy), numbers become a 1-d tensor (Python floats float64, ints int64, bools bool, numpy
    numbers their own dtype), strings a list, and dicts, namedtuples, tuples and lists are
    joined field by field (tuples into lists, as in PyTorch).

    >>> mg.data.default_collate([(mg.zeros(2), 1), (mg.ones(2), 2)])
    [tensor([[0., 0.],
            [1., 1.]]), tensor([1, 2])]
    """
    if not isinstance(samples, (list, tuple)):
        raise TypeError(
            f"default_collate: samples must be a list of samples, got {type(samples).__name__}"
        )
    if not samples:
        raise ValueError("default_collate: samples is empty; there is no batch to make")
    first = samples[0]
    if isinstance(first, Tensor):
        return functions.stack(list(samples))
    if backend.is_array(first) or isinstance(first, backend.numpy.generic):
        dtypes.check_supported(first.dtype, "samples", "default_collate")
        if backend.is_array(first):
            return Tensor.wrap(backend.xp_of(first).stack(samples))
        return creation.tensor(backend.host_array(samples))  # their own dtype
    if isinstance(first, float):  # as PyTorch: Python floats are float64 here, not float32
        return creation.tensor(samples, dtype=dtypes.float64)
    if isinstance(first, (bool, int)):
        return creation.tensor(samples)
    if isinstance(first, (str, bytes)):
        return list(samples)
    if isinstance(first, Mapping):
        if any(not isinstance(s, Mapping) or s.keys() != first.keys() for s in samples):
            raise KeyError(
                f"default_collate: samples must be dicts with the same keys {list(first)}"
            )
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(not isinstance(s, (tuple, list)) or len(s) != len(first) for s in samples):
            raise RuntimeError(
                "default_collate: each of the samples should have the same number of fields"
            )
        fields = [default_collate(list(column)) for column in zip(*samples)]
        return type(first)(*fields) if _is_namedtuple(first) else fields
    raise TypeError(
        f"default_collate: samples must hold tensors, arrays, numbers, or tuples/lists/dicts "
        f"of them; got {type(first).__name__}"
    )


def default_convert(data) -> object:
    """One sample as `DataLoader(batch_size=None)` yields it: numeric arrays and numpy
    numbers become tensors (arrays without a copy), dicts, namedtuples, tuples and lists are
    converted field by field (tuples into lists), and anything else is left as it is."""
    if backend.is_array(data) or isinstance(data, backend.numpy.generic):
        try:
            dtypes.check_supported(data.dtype, "data", "default_convert")
        except TypeError:  # (strings, objects: left as they are, as PyTorch leaves them)
            return data
        return Tensor.wrap(data) if backend.is_array(data) else creation.tensor(data)
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data


def _is_namedtuple(obj) -> bool:
    return isinstance(obj, tuple) and hasattr(obj, "_fields")
