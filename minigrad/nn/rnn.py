"""Recurrent layers: `RNN`, `LSTM`, `GRU` over whole sequences, and their one-step cells.

PyTorch's parameters, names and initialisation: for layer k, `weight_ih_l{k}` (G * hidden,
input), `weight_hh_l{k}` (G * hidden, hidden), `bias_ih_l{k}`, `bias_hh_l{k}` (G * hidden),
with `_reverse` for a bidirectional layer's second direction, G the number of gate blocks
(LSTM 4: i, f, g, o; GRU 3: r, z, n; RNN 1), every one drawn from
U(-1/sqrt(hidden), 1/sqrt(hidden)). So a PyTorch state_dict loads as it is. Each layer and
direction is one tape entry (ops/recurrent.py) whose backward runs through time in a loop.
"""

from __future__ import annotations

import math
import warnings

from .. import creation, functions
from ..errors import DTypeError, OptionError, ShapeError, as_int, check_bool
from ..ops.recurrent import GATES, Recurrence
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional._activations import dropout_probability
from .module import Module, Parameter

__all__ = ["GRU", "LSTM", "RNN", "RNNBase"]


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters, their checks, and the layer loop."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        op = type(self).__name__
        self.mode = mode
        self.input_size = _positive(input_size, "input_size", op, allow_zero=True)
        self.hidden_size = _positive(hidden_size, "hidden_size", op)
        self.num_layers = _positive(num_layers, "num_layers", op)
        self.bias = check_bool(bias, "bias", op)
        self.batch_first = check_bool(batch_first, "batch_first", op)
        self.dropout = float(dropout_probability(dropout, op))
        self.bidirectional = check_bool(bidirectional, "bidirectional", op)
        if as_int(proj_size, "proj_size", op) != 0:
            raise NotImplementedError(f"{op}: proj_size > 0 (LSTM projections) is not supported")
        self.proj_size = 0
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={self.dropout} and "
                f"num_layers={self.num_layers}",
                stacklevel=3,
            )
        gate_size = GATES[mode] * self.hidden_size
        directions = 2 if self.bidirectional else 1
        widest = max(self.input_size, self.hidden_size * directions) + self.hidden_size + 2
        if self.num_layers * directions * gate_size * widest >= 2**63:
            raise OptionError(
                f"{op}: input_size={self.input_size}, hidden_size={self.hidden_size}, "
                f"num_layers={self.num_layers}: too many parameters to allocate"
            )
        for layer in range(self.num_layers):
            for suffix in ("", "_reverse")[:directions]:
                width = self.input_size if layer == 0 else self.hidden_size * directions
                shapes = {
                    "weight_ih": (gate_size, width),
                    "weight_hh": (gate_size, self.hidden_size),
                }
                if self.bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                for name, shape in shapes.items():
                    empty = creation.empty(*shape, dtype=dtype, device=device)
                    setattr(self, f"{name}_l{layer}{suffix}", Parameter(empty))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self) -> None:
        """A no-op, for PyTorch code that calls it (cuDNN packs its weights; minigrad has no
        such step)."""

    def _layer_params(self, layer: int, suffix: str) -> tuple:
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return tuple(self._parameters.get(f"{n}_l{layer}{suffix}") for n in names)

    def forward(self, input: Tensor, hx=None) -> tuple:
        """input (L, N, input_size) ((N, L, input_size) with batch_first, or unbatched
        (L, input_size)) and the initial hidden state (zeros by default) -> (output (L, N,
        D * hidden_size): the last layer's h at every step, the final hidden state)."""
        op = type(self).__name__
        functions.require_tensor(input, "input", op)
        if input.ndim not in (2, 3):
            raise ShapeError(
                f"{op}: Expected input to be 2D or 3D, got {input.ndim}D tensor instead"
            )
        batched = input.ndim == 3
        x = input if not batched else (input.transpose(0, 1) if self.batch_first else input)
        if not batched:
            x = x.unsqueeze(1)
        self._check_input(x)
        states = self._initial_states(hx, x, batched)
        out, finals = self._layers(x, states)
        if self.batch_first and batched:
            out = out.transpose(0, 1)
        finals = tuple(functions.stack(f) for f in finals)
        if not batched:
            out = out.squeeze(1)
            finals = tuple(f.squeeze(1) for f in finals)
        return out, (finals if self.mode == "LSTM" else finals[0])

    def _check_input(self, x) -> None:
        op = type(self).__name__
        if x.shape[-1] != self.input_size:
            raise ShapeError(
                f"{op}: input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {x.shape[-1]}"
            )
        if x.shape[0] == 0:
            raise ShapeError(f"{op}: Expected sequence length to be larger than 0 in RNN")
        weight = self.weight_ih_l0
        if x.dtype != weight.dtype:
            raise DTypeError(f"{op}: input must have the type {weight.dtype}, got type {x.dtype}")

    def _initial_states(self, hx, x, batched: bool) -> list:
        """[h0] or [h0, c0], each (num_layers * directions, N, hidden_size)."""
        op = type(self).__name__
        count = self.num_layers * (2 if self.bidirectional else 1)
        expected = (count, x.shape[1], self.hidden_size)
        if hx is None:
            zeros = creation.zeros(*expected, dtype=x.dtype, device=x.device)
            return [zeros] * (2 if self.mode == "LSTM" else 1)
        states = list(hx) if self.mode == "LSTM" and isinstance(hx, (tuple, list)) else [hx]
        if len(states) != (2 if self.mode == "LSTM" else 1):
            raise TypeError(
                f"{op}: hx must be a tuple (h_0, c_0) for LSTM, got {type(hx).__name__}"
            )
        for i, h in enumerate(states):
            name = f"hx[{i}]" if self.mode == "LSTM" else "hx"
            functions.require_tensor(h, name, op)
            if h.ndim != (3 if batched else 2):
                kind = "batched 3-D" if batched else "unbatched 2-D"
                raise ShapeError(
                    f"{op}: For {kind} input, {name} should also be {2 + batched}-D but got "
                    f"{h.ndim}-D tensor"
                )
            h = h if batched else h.unsqueeze(1)
            if tuple(h.shape) != expected:
                which = f"hidden[{i}]" if self.mode == "LSTM" else "hidden"
                raise ShapeError(
                    f"{op}: Expected {which} size {expected}, got {tuple(h.shape)} ({name})"
                )
            if h.dtype != x.dtype:
                raise DTypeError(
                    f"{op}: {name} must have the input's dtype {x.dtype}, got {h.dtype}"
                )
            states[i] = h
        return states

    def _layers(self, x, states: list) -> tuple:
        """Every layer in turn (dropout between them in training): (the last layer's
        output, per state the final value of each layer and direction)."""
        directions, size = (2 if self.bidirectional else 1), self.hidden_size
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(("", "_reverse")[:directions]):
                k = layer * directions + d
                h0 = states[0][k]
                c0 = states[1][k] if self.mode == "LSTM" else None
                w_ih, w_hh, b_ih, b_hh = self._layer_params(layer, suffix)
                out = Recurrence.apply(
                    x, h0, c0, w_ih, w_hh, b_ih, b_hh, mode=self.mode, reverse=d == 1
                )
                last = 0 if d == 1 else out.shape[0] - 1  # where this direction ended
                if self.mode == "LSTM":
                    finals[1].append(out[last, :, size:])
                    out = out[:, :, :size]
                finals[0].append(out[last])
                outs.append(out)
            x = outs[0] if directions == 1 else functions.cat(outs, dim=2)
            if self.training and self.dropout > 0 and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout)
        return x, finals

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        for name, default in (
            ("bias", True),
            ("batch_first", False),
            ("dropout", 0.0),
            ("bidirectional", False),
        ):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


def _positive(value, name: str, op: str, allow_zero: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{op}: {name} should be of type int, got: {type(value).__name__}")
    if value < 0 or (value == 0 and not allow_zero):
        raise OptionError(f"{op}: {name} must be greater than zero, got {value}")
    return value


class RNN(RNNBase):
    """h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (nonlinearity 'tanh' or 'relu'),
    num_layers stacked. Returns (output (L, N, D * hidden_size), h_n (D * num_layers, N,
    hidden_size)), D = 2 if bidirectional else 1.

    >>> out, h_n = nn.RNN(10, 20, num_layers=2)(mg.randn(5, 3, 10))
    >>> out.shape, h_n.shape
    (Size([5, 3, 20]), Size([2, 3, 20]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(
            mode,
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o, cell c_t = f * c_{t-1} + i * g, h_t = o *
    tanh(c_t). hx is (h_0, c_0); returns (output, (h_n, c_n)).

    >>> out, (h_n, c_n) = nn.LSTM(10, 20, batch_first=True)(mg.randn(3, 5, 10))
    >>> out.shape, h_n.shape, c_n.shape
    (Size([3, 5, 20]), Size([1, 3, 20]), Size([1, 3, 20]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ):
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device=device,
            dtype=dtype,
        )


class GRU(RNNBase):
    """Gated recurrent unit: r, z = sigmoid(...), n = tanh(x W_in + b_in + r * (h W_hn +
    b_hn)), h_t = (1 - z) * n + z * h_{t-1}. Returns (output, h_n).

    >>> out, h_n = nn.GRU(10, 20, bidirectional=True)(mg.randn(5, 3, 10))
    >>> out.shape, h_n.shape
    (Size([5, 3, 40]), Size([2, 3, 20]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ):
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
