"""One recurrent layer in one direction, over a whole sequence, as one op (RNN, LSTM, GRU).

PyTorch's equations and gate order. With a_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh:

    RNN   h_t = tanh(a_t) (or relu)
    LSTM  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of a_t's four blocks of H
          c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
    GRU   r, z = sigmoid of the first two blocks of a_t; with the third blocks gi_n of
          x_t W_ih^T + b_ih and gh_n of h_{t-1} W_hh^T + b_hh,
          n = tanh(gi_n + r * gh_n),   h_t = (1 - z) * n + z * h_{t-1}

The input's product x W_ih^T is one matrix product for all steps; the loop does the rest.
Backward runs the loop in reverse (backpropagation through time) with the gates' closed-form
derivatives, collecting d a_t for every step, and then forms the weight gradients as two
more matrix products over all steps. One tape entry for the whole sequence: what it keeps is
linear in the length (the gates of each step), and nothing recurses, so a 1,000-step
sequence backpropagates like a 10-step one. The per-step math is written with ops that take
arrays or Tensors: under create_graph, backward recomputes the gates from the input Tensors
and the engine differentiates the result again.
"""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function
from .elementwise import relu, sigmoid, tanh
from .reduction import sum
from .shape import Stack, reshape, transpose

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}  # blocks of H in a_t


class Recurrence(Function):
    """x (T, B, I), h0 (B, H), c0 (B, H) for LSTM (else None), w_ih (G H, I), w_hh (G H, H),
    biases (G H,) or None -> every step's h (T, B, H); for LSTM h and c side by side,
    (T, B, 2 H). `reverse` runs from the last step to the first (a bidirectional layer's
    second direction), each step's output still at its own time."""

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, mode, reverse):
        self.mode, self.reverse = mode, reverse
        out, self.saved = _run(mode, reverse, x, h0, c0, w_ih, w_hh, b_ih, b_hh)
        return out

    def backward(self, g, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        saved = self.saved
        if not backend.is_array(g):  # create_graph: the gates as functions of the inputs
            saved = _run(self.mode, self.reverse, x, h0, c0, w_ih, w_hh, b_ih, b_hh)[1]
        return _through_time(self, g, saved, x, w_ih, w_hh, b_ih, b_hh)


def _run(mode, reverse, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """(the outputs, stacked by time; per step, what backward needs), with ops that take
    arrays or Tensors."""
    steps, batch = x.shape[0], x.shape[1]
    size = w_hh.shape[1]
    xw = reshape(x, (steps * batch, x.shape[2])) @ transpose(w_ih, 0, 1)
    xw = reshape(xw if b_ih is None else xw + b_ih, (steps, batch, w_ih.shape[0]))
    w_hh_t = transpose(w_hh, 0, 1)
    outs, saved = [None] * steps, [None] * steps
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        hw = h @ w_hh_t
        if b_hh is not None:
            hw = hw + b_hh
        if mode == "LSTM":
            a = xw[t] + hw
            ifo = sigmoid(a[:, : 2 * size]), sigmoid(a[:, 3 * size :])
            i, f, o, g = ifo[0][:, :size], ifo[0][:, size:], ifo[1], tanh(a[:, 2 * size : 3 * size])
            c_prev, c = c, f * c + i * g
            tc = tanh(c)
            saved[t] = (h, c_prev, i, f, g, o, tc)
            h = o * tc
            outs[t] = Stack.apply(h, c, dim=1)  # (B, 2, H): h and c side by side
        elif mode == "GRU":
            rz = sigmoid(xw[t][:, : 2 * size] + hw[:, : 2 * size])
            r, z, gh_n = rz[:, :size], rz[:, size:], hw[:, 2 * size :]
            n = tanh(xw[t][:, 2 * size :] + r * gh_n)
            saved[t] = (h, r, z, n, gh_n)
            h = n + z * (h - n)
            outs[t] = h
        else:
            h_prev, h = h, (tanh if mode == "RNN_TANH" else relu)(xw[t] + hw)
            saved[t] = (h_prev, h)
            outs[t] = h
    out = Stack.apply(*outs, dim=0)
    return (reshape(out, (steps, batch, 2 * size)) if mode == "LSTM" else out), saved


def _through_time(fn, g, saved, x, w_ih, w_hh, b_ih, b_hh):
    """The gradients of every input, from the outputs' gradient g, by running the steps in
    reverse: d a_t for each step, then the weight gradients as products over all steps."""
    mode, steps, batch = fn.mode, x.shape[0], x.shape[1]
    size = w_hh.shape[1]
    if mode == "LSTM":
        g = reshape(g, (steps, batch, 2, size))
    dh = dc = None  # the gradient reaching h_t (and c_t) from step t + 1
    d_xw, d_hw = [None] * steps, [None] * steps
    for t in range(steps) if fn.reverse else range(steps - 1, -1, -1):
        gh = g[t][:, 0] if mode == "LSTM" else g[t]
        dh = gh if dh is None else gh + dh
        if mode == "LSTM":
            _, c_prev, i, f, gg, o, tc = saved[t]
            dc_t = g[t][:, 1] + dh * o * (1 - tc * tc)
            dc = dc_t if dc is None else dc_t + dc
            di, df, dg, do = dc * gg, dc * c_prev, dc * i, dh * tc
            d_a = _cat(di * i * (1 - i), df * f * (1 - f), dg * (1 - gg * gg), do * o * (1 - o))
            d_xw[t] = d_hw[t] = d_a
            dc = dc * f
            dh = d_a @ w_hh
        elif mode == "GRU":
            h_prev, r, z, n, gh_n = saved[t]
            d_n = dh * (1 - z) * (1 - n * n)
            d_r = d_n * gh_n * r * (1 - r)
            d_z = dh * (h_prev - n) * z * (1 - z)
            d_xw[t], d_hw[t] = _cat(d_r, d_z, d_n), _cat(d_r, d_z, d_n * r)
            dh = dh * z + d_hw[t] @ w_hh
        else:
            h = saved[t][1]
            d_a = dh * (1 - h * h) if mode == "RNN_TANH" else dh * (h > 0)
            d_xw[t] = d_hw[t] = d_a
            dh = d_a @ w_hh
    d_xw = reshape(Stack.apply(*d_xw, dim=0), (steps * batch, w_ih.shape[0]))
    d_hw = reshape(Stack.apply(*d_hw, dim=0), (steps * batch, w_ih.shape[0]))
    h_prev = reshape(Stack.apply(*(s[0] for s in saved), dim=0), (steps * batch, size))
    need = fn.needs_input_grad
    x_rows = reshape(x, (steps * batch, x.shape[2]))
    return (
        reshape(d_xw @ w_ih, tuple(x.shape)) if need[0] else None,
        dh if need[1] else None,
        dc if need[2] else None,
        transpose(d_xw, 0, 1) @ x_rows if need[3] else None,
        transpose(d_hw, 0, 1) @ h_prev if need[4] else None,
        sum(d_xw, 0) if b_ih is not None and need[5] else None,
        sum(d_hw, 0) if b_hh is not None and need[6] else None,
    )


def _cat(*blocks):
    """Blocks (B, H) side by side: (B, k H)."""
    stacked = Stack.apply(*blocks, dim=1)
    return reshape(stacked, (stacked.shape[0], stacked.shape[1] * stacked.shape[2]))
