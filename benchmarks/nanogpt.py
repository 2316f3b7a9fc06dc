"""nanoGPT's character-level Shakespeare run, as a PyTorch program, in PyTorch or in minigrad.

    python benchmarks/nanogpt.py --framework minigrad     # import minigrad as torch
    python benchmarks/nanogpt.py --framework torch        # PyTorch itself, where installed
    python benchmarks/nanogpt.py --framework minigrad --max_iters=20 --eval_iters=2   # a smoke run

karpathy/nanoGPT (MIT licence) trains its shakespeare_char model on the CPU with

    python train.py config/train_shakespeare_char.py --device=cpu --compile=False \\
        --eval_iters=20 --log_interval=1 --block_size=64 --batch_size=12 --n_layer=4 \\
        --n_head=4 --n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0

and reports a validation loss of about 1.88. This file is that run in one file: prepare.py's
encoding, model.py's GPT and train.py's loop for that configuration, written from nanoGPT's
published design (its files are not stored here; nothing else of it is used), in PyTorch's
API. The two frameworks differ in the import lines only (below). Every random number comes
from the global generator in train.py's order (the model's initialisation, the first batch
before the loop, the estimates' batches, each next batch after a forward); minigrad's CPU
streams are PyTorch's, so the two print the same run. Measured on the project's 2-core VM
(seed 1337, one thread): step 2000 val 1.8857 in both, whole validation split 1.8982 after
2,000 updates (README.md). `--key=value` overrides a setting, as nanoGPT's configurator does.
"""

import argparse
import ast
import math
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # this checkout's minigrad, installed or not
cli = argparse.ArgumentParser(description=__doc__.split("\n")[0])
cli.add_argument("--framework", choices=("torch", "minigrad"), default="minigrad")
cli.add_argument("--threads", type=int, default=1, help="CPU threads of either")
options, overrides = cli.parse_known_args()
if options.framework == "torch":
    import torch
    import torch.nn as nn
    from torch.nn import functional as F
else:
    import minigrad as torch
    import minigrad.nn as nn
    from minigrad.nn import functional as F
torch.set_num_threads(options.threads)

# ----- train.py's settings, as config/train_shakespeare_char.py and the command line set them
eval_interval, eval_iters = 250, 20
batch_size, block_size = 12, 64
n_layer, n_head, n_embd, dropout, bias = 4, 4, 128, 0.0, False
learning_rate, max_iters, weight_decay, beta1, beta2 = 1e-3, 2000, 1e-1, 0.9, 0.99
grad_clip, warmup_iters, lr_decay_iters, min_lr = 1.0, 100, 2000, 1e-4
seed = 1337
whole_val = True  # (not nanoGPT's) the whole validation split's loss at the end
for override in overrides:  # --key=value, as nanoGPT's configurator.py
    key, _, value = override.removeprefix("--").partition("=")
    if key not in globals() or not value:
        cli.error(f"unknown setting {override!r} (use --key=value with a setting above)")
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        cli.error(f"{key}: {value!r} is not a Python literal")
    if type(value) is not type(globals()[key]):
        cli.error(f"{key}: expected a {type(globals()[key]).__name__}, got {value!r}")
    globals()[key] = value

# ----- data/shakespeare_char/prepare.py: characters to ids, 90% train, 10% val -------------
with open(os.path.join(os.path.dirname(HERE), "minigrad/datasets/tinyshakespeare/input.txt")) as f:
    text = f.read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
n = int(0.9 * len(text))
data_dir = tempfile.mkdtemp(prefix="nanogpt_")
for split, part in (("train", text[:n]), ("val", text[n:])):
    np.array([stoi[c] for c in part], dtype=np.uint16).tofile(
        os.path.join(data_dir, split + ".bin")
    )


# ----- model.py ---------------------------------------------------------------------------
class LayerNorm(nn.Module):
    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, input):
        return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(n_embd, dim=2)
        k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
        q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
        v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
        y = F.scaled_dot_product_attention(
            q, k, v, attn_mask=None, dropout_p=dropout if self.training else 0, is_causal=True
        )
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, bias=bias)
        self.attn = CausalSelfAttention()
        self.ln_2 = LayerNorm(n_embd, bias=bias)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.transformer = nn.ModuleDict(
            {
                "wte": nn.Embedding(vocab_size, n_embd),
                "wpe": nn.Embedding(block_size, n_embd),
                "drop": nn.Dropout(dropout),
                "h": nn.ModuleList([Block() for _ in range(n_layer)]),
                "ln_f": LayerNorm(n_embd, bias=bias),
            }
        )
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets):
        _, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


# ----- train.py -----------------------------------------------------------------------------
torch.manual_seed(seed)


def get_batch(split):
    data = np.memmap(os.path.join(data_dir, f"{split}.bin"), dtype=np.uint16, mode="r")
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([torch.from_numpy((data[i : i + block_size]).astype(np.int64)) for i in ix])
    y = torch.stack(
        [torch.from_numpy((data[i + 1 : i + 1 + block_size]).astype(np.int64)) for i in ix]
    )
    return x, y


model = GPT(len(chars))
params = [p for p in model.parameters() if p.requires_grad]
optimizer = torch.optim.AdamW(
    [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ],
    lr=learning_rate,
    betas=(beta1, beta2),
)


@torch.no_grad()
def estimate_loss():
    out = {}
    model.eval()
    for split in ["train", "val"]:
        losses = torch.zeros(eval_iters)
        for k in range(eval_iters):
            X, Y = get_batch(split)
            _, loss = model(X, Y)
            losses[k] = loss.item()
        out[split] = losses.mean().item()
    model.train()
    return out


def get_lr(it):
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * decay_ratio)) * (learning_rate - min_lr)


@torch.no_grad()
def whole_val_loss():
    """Not nanoGPT's: the loss over the whole validation split, in windows of block_size
    (draws no random number)."""
    model.eval()
    val = np.fromfile(os.path.join(data_dir, "val.bin"), dtype=np.uint16).astype(np.int64)
    windows = (len(val) - 1) // block_size
    xs = torch.from_numpy(val[: windows * block_size]).view(windows, block_size)
    ys = torch.from_numpy(val[1 : windows * block_size + 1]).view(windows, block_size)
    total = sum(
        model(xs[i : i + 64], ys[i : i + 64])[1].item() * len(xs[i : i + 64])
        for i in range(0, windows, 64)
    )
    model.train()
    return total / windows


print(f"{options.framework}: {sum(p.numel() for p in params) / 1e6:.2f}M parameters")
X, Y = get_batch("train")  # the very first batch
iter_num, started = 0, time.time()
while True:
    lr = get_lr(iter_num)
    for param_group in optimizer.param_groups:
        param_group["lr"] = lr
    if iter_num % eval_interval == 0 or iter_num == max_iters:
        losses = estimate_loss()
        print(
            f"step {iter_num}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}",
            flush=True,
        )
        if iter_num == max_iters and whole_val:
            print(f"whole validation split after {iter_num} updates: {whole_val_loss():.4f}")
    _, loss = model(X, Y)
    X, Y = get_batch("train")  # (prefetched while the backward would run, in train.py)
    loss.backward()
    if grad_clip != 0.0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    iter_num += 1
    if iter_num > max_iters:
        break
print(f"{max_iters + 1} updates in {time.time() - started:.1f} s (estimates included)")
