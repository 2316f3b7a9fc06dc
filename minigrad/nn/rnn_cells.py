"""`RNNCell`, `LSTMCell`, `GRUCell`: one step of the recurrent layers (nn/rnn.py), for loops
written by hand. Parameters `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, PyTorch's gate
order and initialisation; a step is the layers' op run over a sequence of one."""

from __future__ import annotations

import math

from .. import creation, functions
from ..errors import DTypeError, OptionError, ShapeError, check_bool
from ..ops.recurrent import GATES, Recurrence
from ..tensor import Tensor
from . import init
from .module import Module, Parameter
from .rnn import _positive

__all__ = ["GRUCell", "LSTMCell", "RNNCell", "RNNCellBase"]


class RNNCellBase(Module):
    """What the cells share: parameters, their initialisation, and the checks of a step."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool, device, dtype):
        super().__init__()
        op = type(self).__name__
        self.mode = mode
        self.input_size = _positive(input_size, "input_size", op, allow_zero=True)
        self.hidden_size = _positive(hidden_size, "hidden_size", op)
        self.bias = check_bool(bias, "bias", op)
        gates = GATES[mode] * self.hidden_size
        if gates * (self.input_size + self.hidden_size + 2) >= 2**63:
            raise OptionError(
                f"{op}: input_size={self.input_size}, hidden_size={self.hidden_size}: too many "
                "parameters to allocate"
            )
        kw = {"dtype": dtype, "device": device}
        self.weight_ih = Parameter(creation.empty(gates, self.input_size, **kw))
        self.weight_hh = Parameter(creation.empty(gates, self.hidden_size, **kw))
        if self.bias:
            self.bias_ih = Parameter(creation.empty(gates, **kw))
            self.bias_hh = Parameter(creation.empty(gates, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _step(self, input, states: list) -> Tensor:
        """One step of input (N, input_size) or (input_size,) from states, each (N, hidden) or
        (hidden,) or None (zeros): the op's output for a sequence of one, (N, k * hidden)."""
        op = type(self).__name__
        functions.require_tensor(input, "input", op)
        if input.ndim not in (1, 2):
            raise ShapeError(f"{op}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{op}: input has inconsistent input_size: got {input.shape[-1]} expected "
                f"{self.input_size}"
            )
        if input.dtype != self.weight_ih.dtype:
            raise DTypeError(
                f"{op}: input must have the type {self.weight_ih.dtype}, got type {input.dtype}"
            )
        x = input if input.ndim == 2 else input.unsqueeze(0)
        for i, h in enumerate(states):
            if h is None:
                states[i] = creation.zeros(
                    x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device
                )
                continue
            functions.require_tensor(h, "hx", op)
            if h.ndim != input.ndim:
                raise ShapeError(
                    f"{op}: hx must have {input.ndim} dims, as input does, got shape {h.shape}"
                )
            h = h if h.ndim == 2 else h.unsqueeze(0)
            if tuple(h.shape) != (x.shape[0], self.hidden_size):
                raise ShapeError(
                    f"{op}: hidden must have shape {(x.shape[0], self.hidden_size)}, got "
                    f"{tuple(h.shape)}"
                )
            states[i] = h
        c0 = states[1] if self.mode == "LSTM" else None
        out = Recurrence.apply(
            x.unsqueeze(0),
            states[0],
            c0,
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            mode=self.mode,
            reverse=False,
        )
        return out[0] if input.ndim == 2 else out[0, 0]

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity=relu"
        return text


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu): input (N, input_size) or
    (input_size,), hx the same batch shape with hidden_size (zeros if None) -> h'.

    >>> nn.RNNCell(10, 20)(mg.randn(3, 10)).shape
    Size([3, 20])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """One step: h'."""
        return self._step(input, [hx])


class LSTMCell(RNNCellBase):
    """One LSTM step: input and hx = (h, c) (zeros if None) -> (h', c').

    >>> h, c = nn.LSTMCell(10, 20)(mg.randn(3, 10))
    >>> h.shape, c.shape
    (Size([3, 20]), Size([3, 20]))
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        """One step: (h', c')."""
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c), got {type(hx).__name__}")
        out = self._step(input, [None, None] if hx is None else list(hx))
        size = self.hidden_size
        return out[..., :size], out[..., size:]


class GRUCell(RNNCellBase):
    """One GRU step: input and hx (zeros if None) -> h'.

    >>> nn.GRUCell(10, 20)(mg.randn(3, 10), mg.zeros(3, 20)).shape
    Size([3, 20])
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """One step: h'."""
        return self._step(input, [hx])
