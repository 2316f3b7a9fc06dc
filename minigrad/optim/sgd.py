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

    >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
    ):
        lr = check_hyperparameter(lr, "lr", "learning rate", "SGD")
        momentum = check_hyperparameter(momentum, "momentum", "momentum value", "SGD")
        dampening = as_number(dampening, "dampening", "SGD")
        weight_decay = check_hyperparameter(
            weight_decay, "weight_decay", "weight_decay value", "SGD"
        )
        nesterov = truth(nesterov, "nesterov", "SGD")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, group: dict) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        if momentum == 0 and weight_decay == 0:  # plain SGD, the most common: p -= lr * g
            for p in group["params"]:
                if p.grad is not None:
                    xp = backend.xp_of(p.array)
                    for x, g, tmp in self._blocks(p.array, p.grad.array, scratch=1):
                        x -= xp.multiply(g, lr, out=tmp)
            return
        scratch = 2 if momentum != 0 else 1
        for p in group["params"]:
            if p.grad is None:
                continue
            xp = backend.xp_of(p.array)
            buf = first = None
            if momentum != 0:
                state = self.state.setdefault(p, {})
                first = "momentum_buffer" not in state
                if first:
                    state["momentum_buffer"] = Tensor._make(xp.empty_like(p.array), False)
                buf = state["momentum_buffer"].array
            for x, g, buf, *tmp in self._blocks(p.array, p.grad.array, buf, scratch=scratch):
                if weight_decay != 0:  # g + weight_decay * p, leaving p.grad as it is
                    xp.multiply(x, weight_decay, out=tmp[0])
                    tmp[0] += g
                    g = tmp[0]
                if momentum != 0:
                    if first:  # the buffer starts as the first gradient
                        buf[...] = g
                    else:
                        buf *= momentum
                        if dampening == 0:
                            buf += g
                        else:
                            xp.multiply(g, 1 - dampening, out=tmp[1])
                            buf += tmp[1]
                    if nesterov:
                        xp.multiply(buf, momentum, out=tmp[1])
                        tmp[1] += g
                        g = tmp[1]
                    else:
                        g = buf
                x -= xp.multiply(g, lr, out=tmp[0])
