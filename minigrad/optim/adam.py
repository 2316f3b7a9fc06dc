"""Adam and AdamW (Kingma & Ba, 2015; Loshchilov & Hutter, 2019), with PyTorch's update."""

from __future__ import annotations

from collections.abc import Iterable

from .. import backend, dtypes
from ..errors import truth
from ..tensor import Tensor
from .optimizer import Optimizer, check_hyperparameter

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """PyTorch's Adam. Per parameter p with gradient g, at step t = 1, 2, ...:

        p = p * (1 - lr * weight_decay)       (AdamW, or decoupled_weight_decay=True)
        g = g + weight_decay * p              (Adam's L2 penalty, otherwise)
        m = beta1 * m + (1 - beta1) * g       (as m + (1 - beta1) * (g - m), PyTorch's lerp)
        v = beta2 * v + (1 - beta2) * g * g
        v = v_max = max(v_max, v)             (if amsgrad)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    m, v, v_max and p are updated in place; p.grad is left as it is. The step count t is
    kept on the host (a float32 scalar, as in PyTorch), so a step never waits for a GPU.

    >>> p = nn.Parameter(mg.tensor([1.0, 2.0]))
    >>> opt = mg.optim.Adam([p], lr=0.5)
    >>> p.grad = mg.tensor([3.0, -0.5])
    >>> opt.step()
    >>> p.tolist()  # the first step moves each element by lr, against its gradient's sign
    [0.5, 2.5]
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        decoupled_weight_decay: bool = False,
    ) -> None:
        op = type(self).__name__
        lr = check_hyperparameter(lr, "lr", "learning rate", op)
        eps = check_hyperparameter(eps, "eps", "epsilon value", op)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{op}: betas must be a pair of numbers, got {betas!r}")
        betas = tuple(
            check_hyperparameter(beta, f"betas[{i}]", f"beta parameter at index {i}", op, 1.0)
            for i, beta in enumerate(betas)
        )
        weight_decay = check_hyperparameter(weight_decay, "weight_decay", "weight_decay value", op)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": truth(amsgrad, "amsgrad", op),
            "decoupled_weight_decay": truth(decoupled_weight_decay, "decoupled_weight_decay", op),
        }
        super().__init__(params, defaults)

    def _update(self, group: dict) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        decoupled = group["decoupled_weight_decay"]

        def update(p, g, m, v, v_max, t: float) -> None:  # the docstring's formulas, in place
            xp = backend.xp_of(p)  # numpy or cupy
            if weight_decay != 0 and decoupled:
                p *= 1 - lr * weight_decay
            elif weight_decay != 0:
                g = g + weight_decay * p
            lerp_(m, g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g
            if amsgrad:
                v = xp.maximum(v_max, v, out=v_max)
            denom = xp.sqrt(v) / (1 - beta2**t) ** 0.5 + eps
            p -= lr / (1 - beta1**t) * m / denom

        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state.get(param) or self._init_state(param, amsgrad)
            step = state["step"].array
            step += 1  # on the host, in place: reading t never waits for a GPU
            m, v = state["exp_avg"].array, state["exp_avg_sq"].array
            v_max = state["max_exp_avg_sq"].array if amsgrad else None
            self._in_blocks(update, param.array, param.grad.array, m, v, v_max, t=float(step))

    def _init_state(self, param: Tensor, amsgrad: bool) -> dict:
        """m, v (and v_max) of zeros shaped like the parameter, and the step count 0."""
        names = ["exp_avg", "exp_avg_sq"] + ["max_exp_avg_sq"] * amsgrad
        xp = backend.xp_of(param.array)
        state = {"step": Tensor._make(backend.host_array(0.0, dtypes.float32), False)}
        state.update({name: Tensor._make(xp.zeros_like(param.array), False) for name in names})
        self.state[param] = state
        return state


def lerp_(start, end, weight: float) -> None:
    """start += weight * (end - start), in place, as torch.lerp_ computes it: from the nearer
    end, so that weight 1 gives `end` exactly (Adam with beta1=0 keeps m = g, to the bit)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (1 - weight) * (end - start)


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first shrinks p by (1 - lr * weight_decay),
    instead of adding weight_decay * p to the gradient. Note the default weight_decay=1e-2.

    >>> opt = mg.optim.AdamW([nn.Parameter(mg.ones(2))], lr=1e-3)
    >>> opt.defaults["weight_decay"]
    0.01
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)
