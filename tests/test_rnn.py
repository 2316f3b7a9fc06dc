"""nn.RNN, nn.LSTM, nn.GRU and their cells: values against the equations written in numpy
here, gradients of every argument against finite differences, PyTorch's parameter names,
shapes and initialisation, long sequences, and bad input."""

import math
import tracemalloc

import numpy as np
import pytest
from test_grad_dtypes import _check_grads

import minigrad as mg
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def reference_layer(kind, x, h, c, w_ih, w_hh, b_ih, b_hh, reverse=False):
    """One layer, one direction, by the equations in PyTorch's docs: (outputs, h_n, c_n)."""
    outs = [None] * len(x)
    for t in reversed(range(len(x))) if reverse else range(len(x)):
        gi, gh = x[t] @ w_ih.T + b_ih, h @ w_hh.T + b_hh
        if kind == "LSTM":
            i, f, g, o = np.split(gi + gh, 4, axis=-1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
        elif kind == "GRU":
            (ir, iz, in_), (hr, hz, hn) = np.split(gi, 3, axis=-1), np.split(gh, 3, axis=-1)
            r, z = sigmoid(ir + hr), sigmoid(iz + hz)
            n = np.tanh(in_ + r * hn)
            h = (1 - z) * n + z * h
        else:
            h = np.tanh(gi + gh) if kind == "RNN_TANH" else np.maximum(gi + gh, 0)
        outs[t] = h
    return np.stack(outs), h, c


def reference(module, x, h0, c0=None):
    """The whole module (time-first input) in numpy: (output, h_n, c_n)."""
    directions = 2 if module.bidirectional else 1
    hs, cs = [], []
    for layer in range(module.num_layers):
        outs = []
        for d, suffix in enumerate(["", "_reverse"][:directions]):
            k = layer * directions + d
            names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            params = [getattr(module, f"{n}_l{layer}{suffix}").detach().numpy() for n in names]
            c = None if c0 is None else c0[k]
            out, h, c = reference_layer(module.mode, x, h0[k], c, *params, reverse=d == 1)
            outs.append(out)
            hs.append(h)
            cs.append(c)
        x = np.concatenate(outs, axis=-1)
    return x, np.stack(hs), (None if c0 is None else np.stack(cs))


MODULES = {
    "RNN": lambda *sizes, **kw: nn.RNN(*sizes, **kw),
    "RNN relu": lambda *sizes, **kw: nn.RNN(*sizes, nonlinearity="relu", **kw),
    "LSTM": lambda *sizes, **kw: nn.LSTM(*sizes, **kw),
    "GRU": lambda *sizes, **kw: nn.GRU(*sizes, **kw),
}


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, True)])
def test_values_match_the_equations(name, layers, bidirectional):
    module = MODULES[name](3, 4, num_layers=layers, bidirectional=bidirectional).double()
    rng = np.random.default_rng(0)
    count = layers * (2 if bidirectional else 1)
    x, h0, c0 = rng.standard_normal((5, 2, 3)), rng.standard_normal((count, 2, 4)), None
    hx = mg.tensor(h0)
    if module.mode == "LSTM":
        c0 = rng.standard_normal((count, 2, 4))
        hx = (hx, mg.tensor(c0))
    out, state = module(mg.tensor(x), hx)
    expected, h_n, c_n = reference(module, x, h0, c0)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-14)
    h = state[0] if module.mode == "LSTM" else state
    np.testing.assert_allclose(h.detach().numpy(), h_n, rtol=1e-12, atol=1e-14)
    if module.mode == "LSTM":
        np.testing.assert_allclose(state[1].detach().numpy(), c_n, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", MODULES)
def test_gradients_of_every_argument(name):
    module = MODULES[name](2, 2, num_layers=2, bidirectional=True).double()
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.standard_normal((2, 1, 2)), requires_grad=True)
    states = [mg.tensor(rng.standard_normal((4, 1, 2)), requires_grad=True)]
    if module.mode == "LSTM":
        states.append(mg.tensor(rng.standard_normal((4, 1, 2)), requires_grad=True))
    params = list(module.parameters())

    def run(x, *rest):
        hx = tuple(rest[: len(states)]) if module.mode == "LSTM" else rest[0]
        out, state = module(x, hx)
        finals = state if module.mode == "LSTM" else (state,)
        return mg.cat([out.reshape(-1)] + [f.reshape(-1) for f in finals])

    assert gradcheck(run, (x, *states, *params))


def test_second_derivatives_through_an_lstm():
    module = nn.LSTMCell(2, 3).double()
    x = mg.randn(2, 2, dtype=mg.float64, requires_grad=True)
    h = mg.randn(2, 3, dtype=mg.float64, requires_grad=True)
    c = mg.randn(2, 3, dtype=mg.float64, requires_grad=True)
    assert gradgradcheck(lambda x, h, c: mg.cat(module(x, (h, c)), dim=1), (x, h, c))


def test_batch_first_unbatched_and_default_state():
    module = nn.GRU(3, 4, batch_first=True)
    x = mg.randn(2, 5, 3)
    out, h = module(x)
    assert out.shape == (2, 5, 4) and h.shape == (1, 2, 4)
    module.batch_first = False
    ref, ref_h = module(x.transpose(0, 1), mg.zeros(1, 2, 4))
    np.testing.assert_allclose(h.detach().numpy(), ref_h.detach().numpy())
    np.testing.assert_allclose(out.transpose(0, 1).detach().numpy(), ref.detach().numpy())
    single, single_h = module(x[0].detach())  # unbatched (L, input_size)
    assert single.shape == (5, 4) and single_h.shape == (1, 4)
    np.testing.assert_allclose(single.detach().numpy(), ref[:, 0].detach().numpy(), rtol=1e-6)


def test_parameters_names_order_shapes_and_initialisation():
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    names = [n for n, _ in lstm.named_parameters()]
    assert names[:5] == [
        "weight_ih_l0",
        "weight_hh_l0",
        "bias_ih_l0",
        "bias_hh_l0",
        "weight_ih_l0_reverse",
    ]
    assert len(names) == 16 and names[-1] == "bias_hh_l1_reverse"
    assert lstm.weight_ih_l0.shape == (20, 3) and lstm.weight_ih_l1.shape == (20, 10)
    bound = 1 / math.sqrt(5)
    assert all(float(p.abs().max()) <= bound for p in lstm.parameters())
    assert nn.GRU(3, 5).weight_hh_l0.shape == (15, 5)
    assert [n for n, _ in nn.RNN(3, 5, bias=False).named_parameters()] == [
        "weight_ih_l0",
        "weight_hh_l0",
    ]
    assert repr(nn.LSTM(3, 5, 2, batch_first=True)) == "LSTM(3, 5, num_layers=2, batch_first=True)"


def test_cells_are_one_step_of_the_layers():
    for layer, cell in [
        (nn.RNN(3, 4), nn.RNNCell(3, 4)),
        (nn.GRU(3, 4), nn.GRUCell(3, 4)),
        (nn.LSTM(3, 4), nn.LSTMCell(3, 4)),
    ]:
        cell.load_state_dict({k[: -len("_l0")]: v for k, v in layer.state_dict().items()})
        x, h = mg.randn(1, 2, 3), mg.randn(1, 2, 4)
        if isinstance(cell, nn.LSTMCell):
            c = mg.randn(1, 2, 4)
            _, (h_n, c_n) = layer(x, (h, c))
            h1, c1 = cell(x[0], (h[0], c[0]))
            np.testing.assert_allclose(c1.detach().numpy(), c_n[0].detach().numpy(), rtol=1e-6)
        else:
            _, h_n = layer(x, h)
            h1 = cell(x[0], h[0])
        np.testing.assert_allclose(h1.detach().numpy(), h_n[0].detach().numpy(), rtol=1e-6)
        assert cell(x[0, 0]).shape if not isinstance(cell, nn.LSTMCell) else cell(x[0, 0])[0].shape


def test_dropout_between_layers_in_training_only():
    module = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = mg.randn(5, 2, 3)
    module.eval()
    a, b = module(x)[0], module(x)[0]
    assert (a == b).all()
    module.train()
    mg.manual_seed(1)
    c = module(x)[0]
    mg.manual_seed(1)
    assert (module(x)[0] == c).all() and not (c == a).all()
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)


def test_a_thousand_steps_backpropagate_with_memory_linear_in_length():
    def peak(steps):
        module = nn.LSTM(2, 4)
        x = mg.randn(steps, 1, 2, requires_grad=True)
        tracemalloc.start()
        out, _ = module(x)
        out.sum().backward()
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert x.grad.shape == x.shape and np.isfinite(x.grad.numpy()).all()
        return used

    short, long = peak(100), peak(1000)  # (the 1,000-step sequence the issue names)
    assert long < 12 * short  # 10x the steps: about 10x the memory, not 100x


def test_gradients_have_the_inputs_dtype():
    for module in (nn.RNN(3, 4), nn.LSTM(3, 4, bidirectional=True), nn.GRU(3, 4, num_layers=2)):
        x = mg.randn(4, 2, 3, requires_grad=True)
        out = module(x)[0]
        _check_grads(out, [x, *module.parameters()])


BAD = [
    (lambda: nn.LSTM(3, 4)(mg.randn(5, 2, 2)), "input.size\\(-1\\) must be equal to input_size"),
    (lambda: nn.LSTM(3, 4)(mg.randn(5, 2, 3), mg.zeros(1, 2, 4)), "tuple \\(h_0, c_0\\)"),
    (lambda: nn.GRU(3, 4)(mg.randn(5, 2, 3), mg.zeros(1, 3, 4)), "Expected hidden size"),
    (lambda: nn.GRU(3, 4)(mg.randn(5, 2, 3), mg.zeros(2, 4)), "should also be 3-D"),
    (lambda: nn.RNN(3, 4)(mg.randn(5, 2, 3, 1)), "Expected input to be 2D or 3D"),
    (lambda: nn.RNN(3, 4)(mg.randn(0, 2, 3)), "sequence length"),
    (lambda: nn.RNN(3, 4)(mg.randn(5, 2, 3, dtype=mg.float64)), "must have the type"),
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), "Unknown nonlinearity"),
    (lambda: nn.RNN(3, 0), "hidden_size must be greater than zero"),
    (lambda: nn.RNN(3, 2.5), "hidden_size should be of type int"),
    (lambda: nn.LSTM(3, 4, dropout=1.5), "between 0 and 1"),
    (lambda: nn.LSTMCell(3, 4)(mg.randn(2, 3), mg.zeros(2, 4)), "tuple \\(h, c\\)"),
    (lambda: nn.GRUCell(3, 4)(mg.randn(2, 3), mg.zeros(3, 4)), "hidden must have shape"),
    (lambda: nn.RNNCell(3, 4)(mg.randn(2, 2, 3)), "Expected input to be 1D or 2D"),
]


@pytest.mark.parametrize("call, words", BAD, ids=[w for _, w in BAD])
def test_bad_input_is_refused_clearly(call, words):
    with pytest.raises((TypeError, ValueError, RuntimeError), match=words):
        call()
