"""`Parameter`: the tensors a Module trains, and `zero_grads`, which resets their gradients."""

from __future__ import annotations

from collections.abc import Iterable

from .. import backend, dtypes
from ..autograd import grad_mode
from ..errors import check_bool
from ..tensor import Tensor

__all__ = ["Parameter", "zero_grads"]


class Parameter(Tensor):
    """A Tensor that a Module registers as trainable; requires grad by default.

    `Parameter(t)` shares `t`'s data (no copy), as in PyTorch. Results of ops on a Parameter
    are plain Tensors.

    >>> p = Parameter(mg.zeros(2))
    >>> p.requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if grad_mode.state.recorder is not None:  # mg.compile: a new parameter each call
            grad_mode.state.recorder.parameter()
        if data is None:
            array = backend.host_array([], dtype=dtypes.get_default_dtype())
        elif isinstance(data, Tensor):
            array = data.array
        elif backend.is_array(data):
            array = data
        else:
            raise TypeError(f"Parameter: data must be a Tensor, got {type(data).__name__}")
        if check_bool(requires_grad, "requires_grad", "Parameter") and array.dtype.kind != "f":
            raise RuntimeError(
                f"Parameter: data has dtype {array.dtype}; only Tensors of floating point dtype "
                "can require gradients (pass requires_grad=False)"
            )
        self.array = array
        self.grad = None
        self.requires_grad = False
        self.grad_fn = None
        self._hooks = None
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):  # copy/deepcopy/pickle: rebuild a Parameter
        return (Parameter, (self.array, self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        copy = Parameter(self.array.copy(), self.requires_grad)
        if self.grad is not None:
            copy.grad = Tensor.wrap(self.grad.array.copy())
        memo[id(self)] = copy
        return copy


def zero_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Reset each tensor's `.grad`: to None, or to zeros in place (detached from any graph).

    Shared by `Module.zero_grad` and `Optimizer.zero_grad`.
    """
    if grad_mode.state.recorder is not None:  # mg.compile replays this call with the step:
        if iter(params) is params:  # an iterator (Module.parameters()) is read now, once; an
            params = list(params)  # iterable (Optimizer.zero_grad's groups) at each replay
        grad_mode.state.recorder.call(zero_grads, params, set_to_none)
    for p in params:  # (p._grad, not the setter: the recorder has this call as one step)
        if p._grad is None:
            continue
        if set_to_none:
            p._grad = None
        else:
            if p._grad.grad_fn is not None:
                p._grad = p._grad.detach()
            p._grad.array.fill(0)
