"""RMSprop (Hinton's lecture 6e; centered as in Graves, 2013), with PyTorch's update."""

from __future__ import annotations

from collections.abc import Iterable

from .. import backend, dtypes
from ..errors import truth
from ..tensor import Tensor
from .adam import lerp_
from .optimizer import Optimizer, check_hyperparameter

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """PyTorch's RMSprop. Per parameter p with gradient g, each step:

        g = g + weight_decay * p                    (if weight_decay)
        v = alpha * v + (1 - alpha) * g * g
        m = alpha * m + (1 - alpha) * g             (if centered, as PyTorch's lerp)
        avg = sqrt(v - m * m) if centered else sqrt(v)
        buf = momentum * buf + g / (avg + eps)      (if momentum > 0; buf starts at 0)
        p = p - lr * buf if momentum > 0 else p - lr * g / (avg + eps)

    v (state "square_avg"), m ("grad_avg"), buf ("momentum_buffer") and p are updated in
    place; p.grad is left as it is. The state also counts the steps taken ("step", a float32
    scalar on the host, as in PyTorch), which the update itself does not use.

    >>> p = nn.Parameter(mg.tensor([1.0, 2.0]))
    >>> opt = mg.optim.RMSprop([p], lr=0.01, alpha=0.75, eps=0.0)
    >>> p.grad = mg.tensor([3.0, -0.5])
    >>> opt.step()
    >>> p.tolist()  # v = 0.25 * g * g, so each element moves by lr / sqrt(0.25) = 0.02
    [0.9800000190734863, 2.0199999809265137]
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
    ) -> None:
        defaults = {
            "lr": check_hyperparameter(lr, "lr", "learning rate", "RMSprop"),
            "momentum": check_hyperparameter(momentum, "momentum", "momentum value", "RMSprop"),
            "alpha": check_hyperparameter(alpha, "alpha", "alpha value", "RMSprop"),
            "eps": check_hyperparameter(eps, "eps", "epsilon value", "RMSprop"),
            "centered": truth(centered, "centered", "RMSprop"),
            "weight_decay": check_hyperparameter(
                weight_decay, "weight_decay", "weight_decay value", "RMSprop"
            ),
        }
        super().__init__(params, defaults)

    def _update(self, group: dict) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]

        def update(p, g, v, m, buf) -> None:  # the docstring's formulas, in place
            xp = backend.xp_of(p)  # numpy or cupy
            if decay != 0:
                g = g + decay * p
            v *= alpha
            v += (1 - alpha) * g * g
            if centered:
                lerp_(m, g, 1 - alpha)
                avg = xp.sqrt(v - m * m) + eps
            else:
                avg = xp.sqrt(v) + eps
            if momentum > 0:
                buf *= momentum
                buf += g / avg
                p -= lr * buf
            else:
                p -= lr * g / avg

        for param in group["params"]:
            if param.grad is None:
                continue
            state = self._state(param, group)
            state["step"].array[...] += 1  # on the host: counting never waits for a GPU
            arrays = [state.get(name) for name in ("square_avg", "grad_avg", "momentum_buffer")]
            arrays = [None if a is None else a.array for a in arrays]
            self._in_blocks(update, param.array, param.grad.array, *arrays)

    def _state(self, param: Tensor, group: dict) -> dict:
        """The parameter's state, with zeros shaped like it for what the group's settings
        need: v, and m (if centered) and buf (if momentum > 0), made when first needed (a
        schedule such as OneCycleLR may turn the momentum on after the first step)."""
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = Tensor.wrap(backend.host_array(0.0, dtypes.float32))
        names = ["square_avg"]
        names += ["momentum_buffer"] * (group["momentum"] > 0) + ["grad_avg"] * group["centered"]
        xp = backend.xp_of(param.array)
        for name in names:
            if name not in state:
                state[name] = Tensor.wrap(xp.zeros_like(param.array))
        return state
