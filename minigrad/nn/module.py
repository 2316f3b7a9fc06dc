"""`Module`, the base of every layer (the tensors it trains are Parameters, parameter.py).

A module registers what is assigned to it: `self.weight = Parameter(...)` lands in
`_parameters`, `self.block = Linear(...)` in `_modules`, and `register_buffer` adds a tensor
that is saved with the module but not trained (`_buffers`). Everything that walks a model,
`parameters()`, `state_dict()`, `to()`, `train()`, follows those three dicts, so it finds
nested modules without any per-class code. Names nest with dots, as in PyTorch:
`Sequential(Linear(2, 3))` has the parameter `"0.weight"`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.hooks import GradCatcher, RemovableHandle
from ..errors import check_bool, check_callable
from ..functions.convert import parse_to_args
from ..tensor import Tensor
from .parameter import Parameter, zero_grads
from .state import IncompatibleKeys, convert_state, gather_state, load_state
from .store import Store, changed

__all__ = ["Module", "Parameter"]


class Module:
    """Base class of all layers and models: subclass it, assign layers, write `forward`.

    >>> class MLP(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(784, 128)
    ...         self.fc2 = nn.Linear(128, 10)
    ...     def forward(self, x):
    ...         return self.fc2(F.relu(self.fc1(x)))
    >>> [name for name, _ in MLP().named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", Store())
        object.__setattr__(self, "_buffers", Store())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", Store())
        object.__setattr__(self, "_forward_pre_hooks", [])
        object.__setattr__(self, "_forward_hooks", [])
        object.__setattr__(self, "_backward_hooks", [])

    def forward(self, *args, **kwargs) -> object:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # ----- hooks ------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call `hook(module, args)` before each forward; it may return new args."""
        self._forward_pre_hooks.append(hook)
        return RemovableHandle(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """Call `hook(module, args, output)` after each forward; it may return a new output."""
        self._forward_hooks.append(hook)
        return RemovableHandle(self._forward_hooks, hook)

    def register_full_backward_hook(self, hook: Callable) -> RemovableHandle:
        """Call `hook(module, grad_input, grad_output)` once backward reaches the inputs.

        `grad_output` holds the gradients of the outputs, `grad_input` those of the positional
        tensor inputs (None for inputs that need none); the hook may return a new
        `grad_input`. As in PyTorch, inputs and outputs pass through an identity op
        (`backward_hook` on the tape) that catches their gradients.
        """
        self._backward_hooks.append(hook)
        return RemovableHandle(self._backward_hooks, hook)

    def _call_with_hooks(self, args: tuple, kwargs: dict):
        for hook in list(self._forward_pre_hooks):
            new_args = hook(self, args)
            if new_args is not None:
                args = new_args if isinstance(new_args, tuple) else (new_args,)
        catch = GradCatcher(self) if self._backward_hooks and grad_mode.state.grad_enabled else None
        if catch is not None:
            args = catch.inputs(args)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks):
            new_output = hook(self, args, output)
            if new_output is not None:
                output = new_output
        return output if catch is None else catch.outputs(output)

    # ----- registration -----------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        changed()  # (nn/store.py: whatever is assigned, mg.compile's signature looks again)
        if grad_mode.state.recorder is not None:  # (a replay would not assign it again)
            grad_mode.state.recorder.assigned(self, name)
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep=params)
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            modules = self.__dict__.get("_modules")
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep=modules)
            modules[name] = value
        elif name in self.__dict__.get("_modules", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(nn.Module or None expected)"
                )
            self._modules[name] = None
        elif name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(Tensor or None expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        # Only called when normal lookup fails: registered things live in the three dicts.
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(
            set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        )

    def _forget(self, name: str, keep: dict) -> None:
        """Drop `name` from every store but `keep`, before registering it in `keep`: a value
        that replaces one in the same store keeps its place (in state_dict, parameters())."""
        self.__dict__.pop(name, None)
        for store in (self._parameters, self._buffers, self._modules):
            if store is not keep:
                store.pop(name, None)
        if keep is not self._buffers:
            self._non_persistent_buffers.discard(name)

    def _check_name(self, name, what: str, store: str) -> None:
        """A usable name for an entry of `store` ("_parameters", ...): not the name of an
        attribute or of another store's entry."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {what} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{what} name should be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f'{what} name can\'t be empty or contain ".", got {name!r}')
        if hasattr(self, name) and name not in self.__dict__[store]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        self._forget(name, keep=self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that belongs to the module's state (saved, moved by `to`) but isn't trained."""
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(Tensor or None required)"
            )
        self._forget(name, keep=self._buffers)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        self._check_name(name, "module", "_modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._forget(name, keep=self._modules)
        self._modules[name] = module

    register_module = add_module

    # ----- walking the tree -------------------------------------------------------------
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and all below it, depth first, each once, with dotted names."""
        if memo is None:
            memo = set()
        if self in memo:  # (PyTorch's: a module in a given memo is skipped either way)
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = f"{prefix}.{name}" if prefix else name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, store: str, prefix: str, recurse: bool, remove_duplicate: bool):
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        seen = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs; a parameter shared by two modules is listed once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call `fn` on every submodule (children first), then on this module."""
        check_callable(fn, "fn", "apply")
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ----- modes, devices, gradients ----------------------------------------------------
    @grad_mode.recorded_as_call  # (mg.compile replays a mode switched inside a step)
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops) on this module and all below it."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        changed()
        return self

    def eval(self) -> Module:
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        check_bool(requires_grad, "requires_grad", "requires_grad_")
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's `.grad`: to None (default), or to zeros in place."""
        zero_grads(self.parameters(), set_to_none)

    _compiler = None  # mg.compile, set as minigrad.compile loads (nn is a layer below it)

    def compile(self, *args, **kwargs) -> None:
        """Compile this module's forward in place, as torch's `Module.compile`: the arguments
        are mg.compile's; later calls run the forward compiled (hooks stay eager)."""
        self.forward = Module._compiler(type(self).forward.__get__(self), *args, **kwargs)

    def to(self, *args, **kwargs) -> Module:
        """Move (and/or cast) parameters, their gradients, and buffers, in place.

        `model.to('cuda')`, `model.to(mg.float64)`, `model.to('cpu', mg.float16)`. The same
        Parameter objects stay registered (so an optimizer made before still holds them);
        only their arrays change. Only floating point tensors are cast to a new dtype.
        """
        convert_state(self, *parse_to_args(args, kwargs))
        return self

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, device: int | None = None) -> Module:
        return self.to("cuda" if device is None else f"cuda:{device}")

    def float(self) -> Module:
        return self.to(dtypes.float32)

    def double(self) -> Module:
        return self.to(dtypes.float64)

    def half(self) -> Module:
        return self.to(dtypes.float16)

    # ----- state_dict -------------------------------------------------------------------
    def state_dict(
        self, destination=None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by dotted name, e.g. `'0.weight'`.

        The tensors share memory with the module (detached unless `keep_vars`), so save or
        copy them; a later optimizer step changes them.
        """
        if not isinstance(prefix, str):
            raise TypeError(f"state_dict: prefix must be a str, got {type(prefix).__name__}")
        return gather_state(
            self, OrderedDict() if destination is None else destination, prefix, keep_vars
        )

    def load_state_dict(self, state_dict: Mapping, strict: bool = True) -> IncompatibleKeys:
        """Copy values from `state_dict` into this module's parameters and buffers, in place.

        Values may be Tensors or arrays, on any device; they are cast to each parameter's
        dtype. With `strict` (the default), missing or unexpected keys are an error; a shape
        mismatch always is. Unlike PyTorch, nothing is copied when an error is raised.
        Returns `(missing_keys, unexpected_keys)`.
        """
        return load_state(self, state_dict, strict)

    # ----- printing ---------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses; layers override it."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + repr(module).replace("\n", "\n  ")
            for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
