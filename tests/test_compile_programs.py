"""Whole training programs written as PyTorch programs are (the import aliased), run eagerly
and compiled: the same losses, predictions, parameters and running statistics, bit for bit."""

import numpy as np
import pytest

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, TensorDataset


def cnn_program(compiled: bool):
    """DataLoader shuffling, batch norm, dropout, AdamW, clipping, label smoothing, a cosine
    schedule stepped per epoch, an evaluation under no_grad in its own compiled function."""
    torch.manual_seed(0)
    X, Y = torch.randn(96, 1, 8, 8), torch.randint(0, 3, (96,))
    loader = DataLoader(TensorDataset(X, Y), batch_size=20, shuffle=True)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(36, 3),
    )  # fmt: skip
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)

    def train_step(x, y):
        model.train()
        out = model(x)
        loss = F.cross_entropy(out, y, label_smoothing=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss, out.argmax(1)

    def evaluate(x):
        model.eval()
        with torch.no_grad():
            return model(x).argmax(1)

    if compiled:
        train_step, evaluate = torch.compile(train_step), torch.compile(evaluate)
    log = []
    for _ in range(3):
        for x, y in loader:
            loss, pred = train_step(x, y)
            log += [loss.item(), pred.tolist()]
        sched.step()
        log.append(evaluate(X).tolist())
    if compiled:  # (replayed: recorded for 20 and the last 16 in training mode, and for the
        # first batch after an evaluation, which starts in eval mode: model.train() is inside)
        assert train_step.recordings == 3 and evaluate.recordings == 1
    return log, [*model.parameters(), model[1].running_mean, model[1].running_var]


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 16)
        self.lstm = nn.LSTM(16, 16, batch_first=True)
        self.ln = nn.LayerNorm(16)
        self.head = nn.Linear(16, 20)

    def forward(self, idx, targets=None):
        h, _ = self.lstm(self.emb(idx))
        logits = self.head(F.gelu(self.ln(h)))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, 20), targets.view(-1))


def lm_program(mode: str):
    """Gradient accumulation over two micro-steps (the update outside the step), a keyword
    argument, an LSTM, layer norm and GELU; the micro-step compiled, or the model in place."""
    torch.manual_seed(0)
    model = TinyLM()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    if mode == "model.compile()":
        model.compile()

    def micro_step(idx, tgt):
        _, loss = model(idx, targets=tgt)
        (loss / 2).backward()
        return loss

    if mode == "compiled step":
        micro_step = torch.compile(micro_step)  # (replayed: one recording, checked below)
    data, losses = torch.randint(0, 20, (12, 4, 9)), []
    for k in range(12):
        losses.append(micro_step(data[k, :, :-1], data[k, :, 1:]).item())
        if k % 2:
            opt.step()
            opt.zero_grad()
    if mode == "compiled step":
        assert micro_step.recordings == 1
    return losses, list(model.parameters())


def assert_same(eager, compiled):
    assert eager[0] == compiled[0]
    assert all(np.array_equal(a.array, b.array) for a, b in zip(eager[1], compiled[1]))


def test_a_cnn_program_compiled_gives_eager_s_bits():
    assert_same(cnn_program(False), cnn_program(True))


@pytest.mark.parametrize("mode", ["compiled step", "model.compile()"])
def test_a_language_model_program_compiled_gives_eager_s_bits(mode):
    assert_same(lm_program("eager"), lm_program(mode))


def rnn_program(compiled: bool):
    """Truncated backpropagation through time: the GRU's hidden state comes out of the step,
    is detached, and goes back in as an argument; SGD with momentum."""
    torch.manual_seed(0)
    rnn, head = nn.GRU(8, 16, batch_first=True), nn.Linear(16, 8)
    params = [*rnn.parameters(), *head.parameters()]
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)

    def step(x, y, h):
        out, h = rnn(x, h)
        loss = F.cross_entropy(head(out).reshape(-1, 8), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss, h

    if compiled:
        step = torch.compile(step)
    data, targets = torch.randn(10, 4, 5, 8), torch.randint(0, 8, (10, 4, 5))
    h, losses = torch.zeros(1, 4, 16), []
    for k in range(10):
        loss, h = step(data[k], targets[k], h)
        h = h.detach()
        losses.append(loss.item())
    if compiled:
        assert step.recordings == 1
    return losses, params


def test_an_rnn_program_carrying_its_hidden_state_compiled_gives_eager_s_bits():
    assert_same(rnn_program(False), rnn_program(True))
