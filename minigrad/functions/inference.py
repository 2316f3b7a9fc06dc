"""`inference_mode`, PyTorch's faster no_grad, which minigrad runs as no_grad.

Where minigrad differs from PyTorch: there are no inference tensors. A tensor made inside
`inference_mode()` is an ordinary tensor that does not require grad, exactly as one made under
`no_grad()`, so it may later take part in recorded ops (PyTorch refuses to save an inference
tensor for backward) and be written in place; `Tensor.is_inference()` does not exist.
"""

from __future__ import annotations

from ..autograd import grad_mode
from ..errors import check_bool


class inference_mode:
    """Turn recording off (`mode=True`) or back on (`mode=False`) inside it: a context manager
    (`with mg.inference_mode():`), a decorator (`@mg.inference_mode()`) or bare
    (`@mg.inference_mode`). The mode is set on entering and restored on leaving.

    >>> with mg.inference_mode():
    ...     y = mg.ones(2, requires_grad=True) * 2
    >>> y.requires_grad
    False
    """

    def __new__(cls, mode=True):
        switch = super().__new__(cls)
        if callable(mode):  # bare decorator: inference_mode(func)
            switch.mode = True
            return switch(mode)
        switch.mode = check_bool(mode, "mode", "inference_mode")
        return switch

    def __enter__(self) -> None:
        self.prev = grad_mode.state.grad_enabled
        grad_mode.state.grad_enabled = not self.mode

    def __exit__(self, *exc) -> None:
        grad_mode.state.grad_enabled = self.prev

    def __call__(self, func):
        mode = self.mode
        return grad_mode._decorate(func, lambda: inference_mode(mode))
