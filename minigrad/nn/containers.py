"""Containers of modules: `ModuleList`, `ModuleDict` (PyTorch's), and what the containers
share (parameter_containers.py has ParameterList and ParameterDict, layers.py Sequential).

Each holds its entries as registered children (or parameters) under their index or key, so
everything that walks a model (`parameters()`, `state_dict()`, `to()`, `train()`) finds them
with PyTorch's dotted names: `ModuleList([Linear(2, 3)])` has the parameter `"0.weight"`.
Neither ModuleList nor ModuleDict has a `forward`.

>>> blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
>>> blocks.append(nn.ReLU())
ModuleList(
  (0-1): 2 x Linear(in_features=4, out_features=4, bias=True)
  (2): ReLU()
)
>>> list(blocks.state_dict())
['0.weight', '0.bias', '1.weight', '1.bias']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping

from ..errors import as_int
from ..tensor import Tensor
from .module import Module

__all__ = ["ModuleDict", "ModuleList"]


def position(index, length: int, op: str) -> int:
    """`index` (an int; negative counts from the end) as a position in [0, length)."""
    index = as_int(index, "index", op)
    if not -length <= index < length:
        raise IndexError(f"{op}: index {index} is out of range for {length} entries")
    return index % length


def renumber(module: Module, children: list) -> None:
    """Register `children` as module's children '0', '1', ..., in order (after an insert or
    a deletion: the names stay positions, as in PyTorch)."""
    module._modules.clear()
    for i, child in enumerate(children):
        module._modules[str(i)] = child


def _check_module(module, op: str) -> None:
    if module is not None and not isinstance(module, Module):
        raise TypeError(f"{op}: {type(module).__name__} is not a Module subclass")


def key_value_pairs(
    values, op: str, ordered: tuple[type, ...], sort_plain_dicts: bool = False
) -> Iterable[tuple]:
    """The (key, value) pairs of a mapping or of an iterable of pairs, as `update` takes them.

    Instances of `ordered` keep their order; ParameterDict sorts the keys of other mappings
    (a plain dict), as PyTorch does.
    """
    if not isinstance(values, Iterable) or isinstance(values, Tensor):
        raise TypeError(
            f"{op}: should be called with an iterable of key/value pairs, but got "
            f"{type(values).__name__}"
        )
    if isinstance(values, ordered):
        return list(values.items())
    if isinstance(values, Mapping):
        return sorted(values.items()) if sort_plain_dicts else list(values.items())
    pairs = []
    for j, pair in enumerate(values):
        if not isinstance(pair, Iterable):
            raise TypeError(
                f"{op}: update sequence element #{j} should be a (key, value) pair; is "
                f"{type(pair).__name__}"
            )
        pair = tuple(pair)
        if len(pair) != 2:
            raise ValueError(
                f"{op}: update sequence element #{j} has length {len(pair)}; 2 is required"
            )
        pairs.append(pair)
    return pairs


def without_positions(names: Iterable[str]) -> list[str]:
    """dir() without the positions '0', '1', ... (not attribute names one can type)."""
    return [name for name in names if not name.isdigit()]


class ModuleList(Module):
    """Modules in a list, registered as children '0', '1', ...: index it, iterate it.

    >>> layers = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])
    >>> layers.insert(1, nn.Identity())
    >>> [type(m).__name__ for m in layers[-2:]]
    ['Identity', 'ReLU']
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Module | ModuleList:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(position(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, str(position(idx, len(self), "ModuleList")), module)

    def __delitem__(self, idx: int | slice) -> None:
        children = list(self._modules.values())
        if isinstance(idx, slice):
            del children[idx]
        else:
            del children[position(idx, len(self), "ModuleList")]
        renumber(self, children)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        """A new ModuleList of this one's modules, then other's."""
        combined = ModuleList(self)
        return combined.extend(other)

    def __dir__(self):
        return without_positions(super().__dir__())

    def insert(self, index: int, module: Module) -> None:
        """Insert `module` before position `index`, as list.insert does (negative counts
        from the end; past the end appends)."""
        _check_module(module, "ModuleList.insert")
        children = list(self._modules.values())
        index = as_int(index, "index", "ModuleList.insert")
        children.insert(max(min(index, len(children)), -len(children) - 1), module)
        renumber(self, children)

    def append(self, module: Module) -> ModuleList:
        """Add `module` at the end."""
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key: int | slice) -> Module | ModuleList:
        """Remove the module at `key` and return it."""
        value = self[key]
        del self[key]
        return value

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each module of the iterable `modules`."""
        if not isinstance(modules, Iterable) or isinstance(modules, Tensor):
            raise TypeError(
                "ModuleList.extend should be called with an iterable, but got "
                f"{type(modules).__name__}"
            )
        for module in modules:
            self.append(module)
        return self

    def __repr__(self) -> str:
        """PyTorch's: runs of equal modules are listed once, `(0-1): 2 x Linear(...)`."""
        reprs = [repr(module) for module in self]
        if not reprs:
            return f"{self._get_name()}()"
        runs = []  # [first, last, repr]
        for i, text in enumerate(reprs):
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = [
            (f"({a}): " if a == b else f"({a}-{b}): {b - a + 1} x ") + text.replace("\n", "\n  ")
            for a, b, text in runs
        ]
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """Modules by name, in insertion order: a mapping that registers them as children.

    >>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 4)})
    >>> list(heads), "cls" in heads, [n for n, _ in heads.named_parameters()][:2]
    (['cls', 'box'], True, ['cls.weight', 'cls.bias'])
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[self._known(key)]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[self._known(key)]

    def _known(self, key) -> str:
        try:
            if key in self._modules:
                return key
        except TypeError:  # unhashable
            raise TypeError(
                f"ModuleDict: keys are module names (strings), got {type(key).__name__}"
            ) from None
        raise KeyError(f"ModuleDict: no module named {key!r}")

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove the module named `key` and return it."""
        value = self[key]
        del self[key]
        return value

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable) -> None:
        """Add (or replace) modules from a mapping or an iterable of (name, module) pairs."""
        for key, module in key_value_pairs(modules, "ModuleDict.update", (OrderedDict, ModuleDict)):
            self[key] = module
