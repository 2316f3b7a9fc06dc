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

        g = g + weight_decay * p                 (L2; AdamW instead does p *= 1 - lr * wd)
        m = m + (1 - beta1) * (g - m)            (= beta1 * m + (1 - beta1) * g)
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v), used instead of v (if amsgrad)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Every array is updated in place, with a few scratch buffers per parameter reused
    from step to step: a step allocates no arrays.

    >>> opt = Adam(model.parameters(), lr=1e-3)
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
    ):
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
        amsgrad = truth(amsgrad, "amsgrad", op)
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            decoupled_weight_decay=decoupled_weight_decay,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, group: dict) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        decoupled = group["decoupled_weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = self._init_state(p, amsgrad)
            step_array = state["step"].array  # a host scalar: reading it never syncs a GPU
            step_array += 1
            step = float(step_array)
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr / bias_correction1
            v_max = state["max_exp_avg_sq"].array if amsgrad else None
            xp = backend.xp_of(p.array)
            blocks = self._blocks(
                p.array, p.grad.array, state["exp_avg"].array, state["exp_avg_sq"].array, v_max,
                scratch=3 if weight_decay != 0 and not decoupled else 2,
            )  # fmt: skip
            for x, g, m, v, v_max, tmp, denom, *more in blocks:
                if weight_decay != 0:
                    if decoupled:
                        x *= 1 - lr * weight_decay
                    else:
                        decayed = more[0]
                        xp.multiply(x, weight_decay, out=decayed)
                        decayed += g
                        g = decayed
                # m.lerp_(g, 1 - beta1), PyTorch's way of writing beta1 * m + (1 - beta1) * g
                xp.subtract(g, m, out=tmp)
                if 1 - beta1 < 0.5:
                    tmp *= 1 - beta1
                    m += tmp
                else:
                    tmp *= beta1
                    xp.subtract(g, tmp, out=m)
                v *= beta2
                xp.multiply(g, 1 - beta2, out=tmp)
                tmp *= g
                v += tmp
                if amsgrad:
                    xp.maximum(v_max, v, out=v_max)
                    v = v_max
                xp.sqrt(v, out=denom)
                denom /= bias_correction2**0.5
                denom += eps
                xp.multiply(m, -step_size, out=tmp)
                tmp /= denom
                x += tmp

    @staticmethod
    def _init_state(p: Tensor, amsgrad: bool) -> dict:
        xp = backend.xp_of(p.array)
        state = {
            "step": Tensor._make(backend.numpy.zeros((), dtype=dtypes.float32), False),
            "exp_avg": Tensor._make(xp.zeros_like(p.array), False),
            "exp_avg_sq": Tensor._make(xp.zeros_like(p.array), False),
        }
        if amsgrad:
            state["max_exp_avg_sq"] = Tensor._make(xp.zeros_like(p.array), False)
        return state


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first shrinks p by (1 - lr * weight_decay),
    instead of adding weight_decay * p to the gradient. Note the default weight_decay=1e-2."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ):
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True
        )
