"""`parameters_to_vector` and `vector_to_parameters`: parameters as one flat vector and back."""

from __future__ import annotations

from collections.abc import Iterable

from ... import dtypes, functions
from ...errors import DTypeError, ShapeError, _described
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def iterate(values, name: str, op: str) -> list:
    """An iterable's items as a list; anything else (a 0-d tensor too) refused, named."""
    try:
        return list(values)
    except TypeError:
        raise TypeError(
            f"{op}: {name} must be an iterable of Tensors, got {_described(values)}"
        ) from None


def _same_device(param, device, op: str):
    """The device every parameter must share (the first one's), checked for `param`."""
    if not isinstance(param, Tensor):
        raise TypeError(f"{op}: parameters must be Tensors, got {_described(param)}")
    if device is not None and param.device != device:
        raise TypeError(
            f"{op}: Found two parameters on different devices ({device} and {param.device}), "
            "this is currently not supported."
        )
    return param.device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All the parameters, flattened and concatenated into one 1-d Tensor (differentiable;
    mixed dtypes promote, as in `cat`).

    >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
    Size([8])
    """
    op = "parameters_to_vector"
    device, flat = None, []
    for param in iterate(parameters, "parameters", op):
        device = _same_device(param, device, op)
        flat.append(param.reshape(-1))
    if not flat:
        raise ValueError(f"{op}: expected a non-empty iterable of parameters")
    return functions.cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give each parameter, in order, the next numel() entries of `vec` as its data.

    As in PyTorch, each parameter's data becomes a view of `vec` (later writes into `vec`
    show in the parameters) in vec's dtype; entries past the last parameter are ignored.
    """
    op = "vector_to_parameters"
    if not isinstance(vec, Tensor):
        raise TypeError(f"{op}: vec must be a Tensor, got {_described(vec)}")
    if vec.ndim == 0:  # (IndexError, as PyTorch's slicing of a 0-d tensor raises)
        raise IndexError(f"{op}: vec must be a vector, got a 0-d tensor")
    device, start, flat = None, 0, vec.detach()
    for param in iterate(parameters, "parameters", op):
        device = _same_device(param, device, op)
        n = param.numel()
        piece = flat[start : start + n]
        if piece.numel() != n:
            raise ShapeError(
                f"{op}: vec of shape {vec.shape} does not hold the next {n} entries for a "
                f"parameter of shape {param.shape} (from entry {start} of dim 0)"
            )
        if param.requires_grad and not dtypes.is_floating(vec.dtype):
            raise DTypeError(
                f"{op}: vec has dtype {vec.dtype}; a parameter that requires grad must be "
                "floating point"
            )
        param.data = piece.reshape(param.shape)
        start += n
