"""`ParameterList` and `ParameterDict` (PyTorch's): parameters in a list or by key.

A Tensor added to either becomes a Parameter (sharing its data), as in PyTorch, and is
registered under its index or key, so `parameters()`, `state_dict()` and `to()` see it:
`ParameterList([mg.zeros(2)])` has the parameter `"0"`. Values that are not tensors are kept
as plain attributes (modules as children). Neither can be called.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping

from ..tensor import Tensor
from .containers import key_value_pairs, position, without_positions
from .module import Module, Parameter

__all__ = ["ParameterDict", "ParameterList"]


class ParameterList(Module):
    """Parameters in a list, registered as '0', '1', ...; a Tensor that is not a Parameter
    becomes one when added (anything else is kept as a plain attribute), as in PyTorch.

    >>> params = nn.ParameterList([mg.zeros(2), mg.ones(3)])
    >>> [type(p).__name__ for p in params], [n for n, _ in params.named_parameters()]
    (['Parameter', 'Parameter'], ['0', '1'])
    """

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx: int | slice):
        if isinstance(idx, slice):
            return type(self)(self[i] for i in range(*idx.indices(len(self))))
        return getattr(self, str(position(idx, len(self), "ParameterList")))

    def __setitem__(self, idx: int, param) -> None:
        idx = position(idx, len(self), "ParameterList")
        setattr(self, str(idx), as_parameter(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator:
        return (self[i] for i in range(len(self)))

    def __iadd__(self, parameters: Iterable) -> ParameterList:
        return self.extend(parameters)

    def __dir__(self):
        return without_positions(super().__dir__())

    def append(self, value) -> ParameterList:
        """Add `value` at the end (a Tensor as a Parameter)."""
        value = as_parameter(value)
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable) -> ParameterList:
        """Append each value of the iterable `values` (not a Tensor: that would be unpacked)."""
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError(
                "ParameterList.extend should be called with an iterable, but got "
                f"{type(values).__name__}"
            )
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): {describe(value)}" for i, value in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


def as_parameter(value):
    """A Tensor that is not a Parameter becomes one (sharing its data); the rest as given."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def describe(value) -> str:
    """One line of a ParameterList's or ParameterDict's repr."""
    if not isinstance(value, Tensor):
        return f"Object of type: {type(value).__name__}"
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    size = "x".join(str(n) for n in value.shape)
    device = "" if value.device.type == "cpu" else f" ({value.device})"
    return f"{kind} containing: [{value.dtype} of size {size}{device}]"


class ParameterDict(Module):
    """Parameters by (string) key, in insertion order; Tensors become Parameters, as in
    PyTorch. A plain dict given to the constructor or to `update` is taken in sorted key
    order (PyTorch's rule; an OrderedDict or a list of pairs keeps its order).

    >>> params = nn.ParameterDict({"scale": mg.ones(3), "bias": mg.zeros(3)})
    >>> list(params), type(params["scale"]).__name__
    (['bias', 'scale'], 'Parameter')
    """

    def __init__(self, parameters: Mapping | Iterable | None = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _check_key(key) -> str:
        if not isinstance(key, str):
            raise TypeError(
                "Index given to ParameterDict cannot be used as a key as it is not a string "
                f"(type is '{type(key).__name__}')"
            )
        return key

    def __getitem__(self, key: str):
        if self._check_key(key) not in self._keys:
            raise KeyError(f"ParameterDict: no parameter named {key!r}")
        return getattr(self, key)

    def __setitem__(self, key: str, value) -> None:
        value = as_parameter(value)
        self._check_key(key)
        if isinstance(value, Parameter):
            if key in self._keys and key not in self._parameters:
                delattr(self, key)  # a plain value or a module held before, as PyTorch does
            self.register_parameter(key, value)
        else:
            setattr(self, key, value)
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        if self._check_key(key) not in self._keys:
            raise KeyError(f"ParameterDict: no parameter named {key!r}")
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key) -> bool:
        return key in self._keys

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same Parameter objects."""
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default=None) -> object:
        """self[key], first set to `default` if `key` is missing."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for key in list(self._keys):
            del self[key]

    def pop(self, key: str) -> object:
        """Remove the entry `key` and return its value."""
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple:
        """Remove the last entry and return (key, value)."""
        if not self._keys:
            raise KeyError("popitem(): ParameterDict is empty")
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def get(self, key: str, default=None) -> object:
        return self[key] if key in self._keys else default

    def fromkeys(self, keys: Iterable[str], default=None) -> ParameterDict:
        """A new ParameterDict with each of `keys` set to `default`."""
        return ParameterDict((k, default) for k in keys)

    def keys(self) -> Iterable[str]:
        return self._keys.keys()

    def items(self) -> Iterator[tuple]:
        return ((k, self[k]) for k in self._keys)

    def values(self) -> Iterator:
        return (self[k] for k in self._keys)

    def update(self, parameters: Mapping | Iterable) -> None:
        """Add (or replace) entries from a mapping or an iterable of (key, value) pairs."""
        for key, value in key_value_pairs(
            parameters, "ParameterDict.update", (OrderedDict, ParameterDict), True
        ):
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {describe(v)}" for k, v in self.items())

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterDict should not be called.")

    def __or__(self, other: ParameterDict) -> ParameterDict:
        copy = self.copy()
        copy.update(other)
        return copy

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        copy = other.copy()
        copy.update(self)
        return copy

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self
