"""Layers: modules that hold parameters (or a mode) and call `nn.functional` to compute."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator

from .. import creation, functions
from ..errors import OptionError, as_int, as_size
from ..tensor import Tensor
from . import functional as F
from . import init
from .containers import position, renumber, without_positions
from .functional._activations import dropout_probability
from .module import Module, Parameter

__all__ = ["Dropout", "Flatten", "Identity", "Linear", "ReLU", "Sequential"]


class Linear(Module):
    """y = x @ weight.T + bias, for x of shape (*, in_features) -> (*, out_features).

    weight (out_features, in_features) is Kaiming-uniform with a=sqrt(5) and bias is
    U(-1/sqrt(in_features), 1/sqrt(in_features)), as in PyTorch.

    >>> Linear(784, 128)(mg.zeros(64, 784)).shape
    Size([64, 128])
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ):
        super().__init__()
        self.in_features = in_features = as_size(in_features, "in_features", "Linear")
        self.out_features = out_features = as_size(out_features, "out_features", "Linear")
        try:
            weight = creation.empty(out_features, in_features, dtype=dtype, device=device)
        except OptionError as error:  # too large to allocate
            raise OptionError(
                f"Linear: in_features={in_features}, out_features={out_features}: {error}"
            ) from None
        self.weight = Parameter(weight)
        if bias:
            self.bias = Parameter(creation.empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new weights and bias, as at construction."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        """(*, in_features) -> (*, out_features), one tape entry (`F.linear`)."""
        params = self._parameters  # direct: attribute lookup of parameters is the slow path
        return F.linear(x, params["weight"], params["bias"])

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class ReLU(Module):
    """max(x, 0), elementwise. (`inplace` is accepted for PyTorch compatibility and ignored:
    minigrad never overwrites a tensor that autograd may need.)"""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        """max(x, 0), same shape."""
        return F.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1/(1-p);
    in eval mode, the identity. (`inplace` is accepted and ignored, as in ReLU.)"""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        self.p = dropout_probability(p, "Dropout")
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        """Dropped and rescaled in training mode, `x` itself in eval mode."""
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Flatten(Module):
    """Flatten dims start_dim..end_dim into one: (N, 1, 28, 28) -> (N, 784) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Tensor) -> Tensor:
        """`x` with dims start_dim..end_dim merged (a reshape)."""
        return functions.public.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Identity(Module):
    """Returns its input; takes (and ignores) any constructor arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        """`x`, unchanged."""
        return x


class Sequential(Module):
    """Modules called one after another; children are named '0', '1', ... (or by an OrderedDict).

    >>> model = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
    >>> list(model.state_dict())
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *args: Module):
        super().__init__()
        modules = (
            args[0].items()
            if len(args) == 1 and isinstance(args[0], OrderedDict)
            else ((str(i), module) for i, module in enumerate(args))
        )
        for name, module in modules:
            if not isinstance(module, Module):  # (add_module takes None: forward would not)
                raise TypeError(
                    f"Sequential: module {name} must be a Module, got {type(module).__name__}"
                )
            self.add_module(name, module)

    def forward(self, x: Tensor) -> Tensor:
        """Each module applied to the previous one's output, in order."""
        for module in self._modules.values():
            x = module(x)
        return x

    def _key(self, index: int) -> str:
        return list(self._modules)[position(index, len(self), "Sequential")]

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return type(self)(OrderedDict(list(self._modules.items())[index]))
        return self._modules[self._key(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, self._key(index), module)

    def __delitem__(self, index: int | slice) -> None:
        keys = list(self._modules)
        for key in keys[index] if isinstance(index, slice) else [self._key(index)]:
            delattr(self, key)
        renumber(self, list(self._modules.values()))  # names stay '0', '1', ... as in PyTorch

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add `module` at the end, named by its position."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, sequential) -> Sequential:
        """Append each module of the iterable `sequential` (a Sequential, a list, ...)."""
        if not isinstance(sequential, Iterable) or isinstance(sequential, Tensor):
            raise TypeError(
                f"Sequential.extend: sequential must be an iterable of modules, got "
                f"{type(sequential).__name__}"
            )
        for module in sequential:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert `module` before position `index` (-len(self) <= index <= len(self))."""
        op = "Sequential.insert"
        if not isinstance(module, Module):
            raise TypeError(f"{op}: module must be a Module, got {type(module).__name__}")
        n = len(self)
        index = as_int(index, "index", op)
        if not -n <= index <= n:
            raise IndexError(f"{op}: index {index} is out of range for {n} modules")
        if list(self._modules) != [str(i) for i in range(n)]:  # PyTorch fails here too
            raise KeyError(
                f"{op}: the modules must be named by their positions '0', '1', ... to insert "
                f"(they are named {list(self._modules)})"
            )
        children = list(self._modules.values())
        children.insert(index, module)
        renumber(self, children)
        return self

    def pop(self, key: int | slice) -> Module | Sequential:
        """Remove the module (or the slice of modules) at `key` and return it."""
        value = self[key]
        del self[key]
        return value

    def __add__(self, other: Sequential) -> Sequential:
        """A new Sequential of this one's modules, then other's."""
        return Sequential().extend(self).extend(self._sequential(other))

    def __iadd__(self, other: Sequential) -> Sequential:
        return self.extend(self._sequential(other))

    @staticmethod
    def _sequential(other) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(
                "add operator supports only objects of Sequential class, but "
                f"{type(other).__name__} is given."
            )
        return other

    def __mul__(self, other: int) -> Sequential:
        """A new Sequential of this one's modules `other` times over (the same objects)."""
        return Sequential().extend(self._repeated(other))

    __rmul__ = __mul__

    def __imul__(self, other: int) -> Sequential:
        return self.extend(self._repeated(other)[len(self) :])

    def _repeated(self, other) -> list[Module]:
        """This Sequential's modules, `other` times over (a positive int)."""
        if not isinstance(other, int):
            raise TypeError(
                f"unsupported operand type(s) for *: 'Sequential' and '{type(other).__name__}'"
            )
        if other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for Sequential")
        try:
            return list(self) * other
        except (OverflowError, MemoryError):
            raise OptionError(f"multiplication factor {other} is too large") from None

    def __dir__(self):
        return without_positions(super().__dir__())
