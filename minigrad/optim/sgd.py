"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable

from .. import backend
from ..errors import as_number, truth
from ..tensor import Tensor
from .optimizer import Optimizer, check_hyperparameter

__all__ = ["SGD"]


class SGD(Optimizer):
    """PyTorch's SGD. Per parameter p with gradient g, each step:

        g = g + weight_decay * p                        (if weight_decay)
        buf = g on the first step, else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf     (if momentum)
        p = p - lr * g

    p and buf are updated in place; p.grad is left as it is.

    >>> p = nn.Parameter(mg.tensor([1.0, 2.0]))
    >>> opt = mg.optim.SGD([p], lr=0.5, momentum=0.9)
    >>> p.grad = mg.tensor([1.0, -1.0])
    >>> opt.step()
    >>> p.tolist()
    [0.5, 2.5]
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
    ) -> None:
        lr = check_hyperparameter(lr, "lr", "learning rate", "SGD")
        momentum = check_hyperparameter(momentum, "momentum", "momentum value", "SGD")
        dampening = as_number(dampening, "dampening", "SGD")
        weight_decay = check_hyperparameter(
            weight_decay, "weight_decay", "weight_decay value", "SGD"
        )
        nesterov = truth(nesterov, "nesterov", "SGD")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]

        def update(p, g, buf, first: bool) -> None:  # the docstring's formulas, in place
            if weight_decay != 0:
                g = g + weight_decay * p
            if momentum != 0:
                if first:
                    buf[...] = g
                else:
                    buf *= momentum
                    buf += (1 - dampening) * g
                g = g + momentum * buf if nesterov else buf
            p -= lr * g

        for param in group["params"]:
            if param.grad is None:
                continue
            buf, first = None, False
            if momentum != 0:
                state = self.state.setdefault(param, {})
                first = "momentum_buffer" not in state
                if first:  # update fills it with the first g
                    empty = backend.xp_of(param.array).empty_like(param.array)
                    state["momentum_buffer"] = Tensor._make(empty, False)
                buf = state["momentum_buffer"].array
            self._in_blocks(update, param.array, param.grad.array, buf, first=first)
