"""A module's state as a whole: gathering it (`Module.state_dict`), loading it
(`Module.load_state_dict`, checked whole before anything is copied) and moving or casting it
(`Module.to`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from .. import backend, dtypes
from ..autograd import grad_mode
from ..tensor import Tensor


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )


def gather_state(module, destination: dict, prefix: str, keep_vars: bool) -> dict:
    """`Module.state_dict`: parameters and persistent buffers by dotted name, into
    `destination`, detached unless `keep_vars`, the submodules' after the module's own."""
    for name, param in module._parameters.items():
        if param is not None:
            destination[prefix + name] = param if keep_vars else param.detach()
    for name, buf in module._buffers.items():
        if buf is not None and name not in module._non_persistent_buffers:
            destination[prefix + name] = buf if keep_vars else buf.detach()
    for name, child in module._modules.items():
        if child is not None:
            child.state_dict(destination, prefix + name + ".", keep_vars)
    return destination


def load_state(module, state_dict: Mapping, strict: bool) -> IncompatibleKeys:
    """Copy `state_dict`'s values into `module`'s parameters and buffers (see
    Module.load_state_dict): every key and shape is checked first, then all are copied."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}")
    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    errors = []
    if strict:
        if missing:
            errors.append(
                "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". "
            )
        if unexpected:
            errors.append(
                "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". "
            )
    copies = []
    for name, target in own.items():
        if name not in state_dict:
            continue
        value = state_dict[name]
        if isinstance(value, Tensor):
            value = value.array
        if not backend.is_array(value):
            errors.append(
                f'While copying the parameter named "{name}", expected Tensor or array '
                f"from checkpoint but received {type(value).__name__}"
            )
        elif tuple(value.shape) != tuple(target.shape):
            errors.append(
                f"size mismatch for {name}: copying a param with shape "
                f"{tuple(value.shape)} from checkpoint, the shape in current model is "
                f"{tuple(target.shape)}."
            )
        else:
            copies.append((target, value))
    if errors:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {type(module).__name__}:\n\t" + "\n\t".join(errors)
        )
    with grad_mode.no_grad():
        for target, value in copies:
            target.array[...] = backend.move(value, target.device)
    return IncompatibleKeys(missing, unexpected)


def convert_state(module, device, dtype) -> None:
    """Move (`device`) and/or cast (`dtype`, floating point tensors only) every parameter,
    its gradient, and every buffer of `module`, in place: the same Parameter objects stay
    registered (an optimizer made before still holds them), only their arrays change."""
    device = None if device is None else backend.as_device(device)
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    if dtype is not None and not dtypes.is_floating(dtype):
        raise TypeError(f"nn.Module.to only accepts floating point dtypes, got {dtype}")

    def convert(t: Tensor) -> None:
        if device is not None:
            t.array = backend.move(t.array, device)
        if dtype is not None and dtypes.is_floating(t.dtype):
            t.array = t.array.astype(dtype, copy=False)

    for t in list(module.parameters()) + list(module.buffers()):
        convert(t)
        if t.grad is not None:
            convert(t.grad)
