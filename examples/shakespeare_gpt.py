"""Train a character-level GPT on Tiny Shakespeare with minigrad (nanoGPT's shakespeare_char).

    python examples/shakespeare_gpt.py                       # the defaults below
    python examples/shakespeare_gpt.py --sample shakespeare_gpt.npz   # generate from it
    python examples/shakespeare_gpt.py --model lstm          # char-rnn's LSTM instead
    python examples/shakespeare_gpt.py --plot curves.png     # train, then plot the losses
    python examples/shakespeare_gpt.py --compile             # the training step mg.compile'd

The model is written the way nanoGPT's model.py is: token and position embeddings, pre-norm
blocks of causal self-attention and an MLP, a final LayerNorm and a head that shares the
token embedding's weight; AdamW with weight decay on the matrices only, a linear warm-up
then a cosine decay of the learning rate, gradient clipping at 1.0. The defaults are
nanoGPT's CPU configuration (4 layers, 4 heads, 128 wide, block 64, batch 12, 2,000
iterations, lr 1e-3 decayed to 1e-4, no dropout, no biases), for which nanoGPT reports a
validation loss of about 1.88. The one change: the MLP's GELU is its tanh form (GPT-2's
own), as exact erf costs numpy many times more than tanh. The text ships with minigrad
(minigrad/datasets/tinyshakespeare), so this runs offline; it is split 90/10 in order.

What the defaults achieve, measured on a 2-core AMD EPYC VM shared with other work (one
BLAS thread): see README.md's "What it does today" for the figures and the command.
"""

import argparse
import hashlib
import math
import os
import sys
import time
from pathlib import Path

# One BLAS thread unless you ask for more (OPENBLAS_NUM_THREADS=2 python ...); set before numpy
# loads. These matrix products are small, and on a busy 2-core machine a second thread waits.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from tqdm import tqdm

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import datasets, nn, optim

# ----- settings (each one is also a command-line flag) ---------------------------------------
N_LAYER, N_HEAD, N_EMBD = 4, 4, 128
BLOCK_SIZE = 64  # characters of context
BATCH_SIZE = 12
MAX_ITERS = 2000
LR, MIN_LR = 1e-3, 1e-4  # cosine decay from LR to MIN_LR after the warm-up
WARMUP_ITERS = 100
WEIGHT_DECAY = 0.1
BETAS = (0.9, 0.99)
GRAD_CLIP = 1.0
DROPOUT = 0.0
EVAL_INTERVAL, EVAL_ITERS = 250, 20  # nanoGPT's CPU run estimates each loss on 20 batches
SEED = 1337
TEXT = Path(datasets.__file__).parent / "tinyshakespeare" / "input.txt"
SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


# ----- the model, as nanoGPT's model.py writes it --------------------------------------------
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, dropout):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)  # q, k, v in one product
        self.c_proj = nn.Linear(n_embd, n_embd, bias=False)
        self.resid_dropout = nn.Dropout(dropout)
        self.n_head, self.n_embd, self.dropout = n_head, n_embd, dropout

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        # (B, T, C) -> (B, n_head, T, head size): each head attends on its own
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        dropout = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, is_causal=True)
        y = y.transpose(1, 2).reshape(B, T, C)  # the heads side by side again
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, n_embd, dropout):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.gelu = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, dropout):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, bias=False)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout)
        self.ln_2 = nn.LayerNorm(n_embd, bias=False)
        self.mlp = MLP(n_embd, dropout)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd, dropout):
        super().__init__()
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, n_embd)  # token embeddings
        self.wpe = nn.Embedding(block_size, n_embd)  # position embeddings
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList(Block(n_embd, n_head, dropout) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd, bias=False)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight  # weight tying: one matrix, two uses
        self.apply(self._init_weights)  # GPT-2's initialisation, in nanoGPT's order
        for name, p in self.named_parameters():  # the residual stream's projections: smaller
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, 0.0, 0.02)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        x = self.drop(self.wte(idx) + self.wpe(mg.arange(T, device=idx.device)))
        for block in self.h:
            x = block(x)
        x = self.ln_f(x)
        logits = self.lm_head(x)
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


class CharLSTM(nn.Module):
    """char-rnn's model: characters (embedded) through a 2-layer LSTM, then a linear head."""

    def __init__(self, vocab_size, block_size, n_layer, n_embd, dropout):
        super().__init__()
        self.block_size = block_size
        self.embed = nn.Embedding(vocab_size, n_embd)
        self.lstm = nn.LSTM(n_embd, n_embd, num_layers=n_layer, batch_first=True, dropout=dropout)
        self.head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        logits = self.head(self.lstm(self.embed(idx))[0])
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


def build_model(config):
    if config["model"] == "lstm":
        sizes = config["vocab_size"], config["block_size"], 2, config["n_embd"]
        return CharLSTM(*sizes, config["dropout"])
    sizes = config["vocab_size"], config["block_size"], config["n_layer"], config["n_head"]
    return GPT(*sizes, config["n_embd"], config["dropout"])


def configure_optimizer(model, lr, weight_decay):
    """AdamW with weight decay on the matrices (weights, embeddings) and none on the rest."""
    params = list(model.parameters())
    groups = [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
    return optim.AdamW(groups, lr=lr, betas=BETAS)


def get_lr(it, args):
    """Linear warm-up for warmup_iters, then a cosine from lr down to min_lr (nanoGPT's)."""
    if it < args.warmup_iters:
        return args.lr * (it + 1) / (args.warmup_iters + 1)
    if it > args.max_iters:
        return args.min_lr
    ratio = (it - args.warmup_iters) / max(args.max_iters - args.warmup_iters, 1)
    return args.min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (args.lr - args.min_lr)


# ----- data ------------------------------------------------------------------------------------
def load_text(path):
    """The text, checked against the published checksum when it is the copy in the package."""
    raw = Path(path).read_bytes()
    if Path(path) == TEXT and hashlib.sha256(raw).hexdigest() != SHA256:
        fail(f"{path}: the SHA-256 does not match the published one; the copy is damaged")
    return raw.decode()


def encode_splits(text):
    """(the sorted characters, train ids, validation ids): 90% / 10%, in order."""
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = mg.tensor([stoi[c] for c in text])
    n = int(0.9 * len(text))
    return chars, data[:n], data[n:]


def get_batch(data, block_size, batch_size, generator=None):
    """batch_size random windows of block_size characters, and the same shifted by one."""
    starts = mg.randint(len(data) - block_size, (batch_size,), generator=generator)
    offsets = starts[:, None] + mg.arange(block_size)
    return data[offsets], data[offsets + 1]


def estimate_loss(model, splits, args):
    """The mean loss over eval_iters random batches of each split, in eval mode."""
    model.eval()
    losses = {}
    with mg.no_grad():
        for name, data in splits.items():
            batches = (
                get_batch(data, args.block_size, args.batch_size) for _ in range(args.eval_iters)
            )
            losses[name] = sum(model(x, y)[1].item() for x, y in batches) / args.eval_iters
    model.train()
    return losses


def split_loss(model, data, block_size, batch_size=64):
    """The mean loss over a whole split, cut into consecutive windows of block_size."""
    model.eval()
    windows = (len(data) - 1) // block_size
    x = data[: windows * block_size].view(windows, block_size)
    y = data[1 : windows * block_size + 1].view(windows, block_size)
    total = 0.0
    with mg.no_grad():
        for i in range(0, windows, batch_size):
            total += model(x[i : i + batch_size], y[i : i + batch_size])[1].item() * len(
                x[i : i + batch_size]
            )
    model.train()
    return total / windows


@mg.no_grad()
def generate(model, idx, max_new_tokens, temperature=0.8, top_k=200, generator=None):
    """Extend idx (B, T) by max_new_tokens characters, each sampled from the model's
    distribution (sharpened by temperature, cut to the top_k most likely)."""
    model.eval()
    for _ in range(max_new_tokens):
        logits, _ = model(idx[:, -model.block_size :])
        logits = logits[:, -1, :] / temperature
        if top_k is not None:
            v, _ = mg.topk(logits, min(top_k, logits.shape[-1]))
            logits = logits.masked_fill(logits < v[:, -1:], -math.inf)
        next_id = mg.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)
        idx = mg.cat((idx, next_id), dim=1)
    return idx


# ----- the command line ------------------------------------------------------------------------
class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, but a bad flag is reported in one line (exit status 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def at_least(minimum, kind=int):
    def parse(text):
        value = kind(text)
        if not value >= minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type when the conversion fails
    return parse


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=["gpt", "lstm"], default="gpt")
    p.add_argument("--n-layer", type=at_least(1), default=N_LAYER)
    p.add_argument("--n-head", type=at_least(1), default=N_HEAD)
    p.add_argument("--n-embd", type=at_least(1), default=N_EMBD)
    p.add_argument("--block-size", type=at_least(1), default=BLOCK_SIZE)
    p.add_argument("--batch-size", type=at_least(1), default=BATCH_SIZE)
    p.add_argument("--max-iters", type=at_least(1), default=MAX_ITERS)
    p.add_argument("--lr", type=at_least(0.0, float), default=LR)
    p.add_argument("--min-lr", type=at_least(0.0, float), default=MIN_LR)
    p.add_argument("--warmup-iters", type=at_least(0), default=WARMUP_ITERS)
    p.add_argument("--weight-decay", type=at_least(0.0, float), default=WEIGHT_DECAY)
    p.add_argument("--grad-clip", type=at_least(0.0, float), default=GRAD_CLIP, help="0: none")
    p.add_argument("--dropout", type=at_least(0.0, float), default=DROPOUT)
    p.add_argument("--eval-interval", type=at_least(1), default=EVAL_INTERVAL)
    p.add_argument("--eval-iters", type=at_least(1), default=EVAL_ITERS)
    p.add_argument("--seed", type=at_least(0), default=SEED)
    p.add_argument("--data", metavar="TXT", default=str(TEXT), help="a text file to train on")
    p.add_argument("--save", metavar="PATH", help="checkpoint (default shakespeare_MODEL.npz)")
    p.add_argument("--sample", metavar="PATH", help="generate text from a checkpoint instead")
    p.add_argument("--tokens", type=at_least(1), default=500, help="characters to generate")
    p.add_argument("--start", default="\n", help="the text generation continues")
    p.add_argument("--plot", metavar="PNG", help="plot the train and validation losses")
    p.add_argument(
        "--compile",
        action="store_true",
        help="record the training step once and replay it (mg.compile; the same bits)",
    )
    p.add_argument(
        "--no-final-eval",
        action="store_true",
        help="skip the loss over the whole validation split at the end",
    )
    args = p.parse_args(argv)
    if args.model == "gpt" and args.n_embd % args.n_head:
        p.error(f"--n-embd {args.n_embd} must be a multiple of --n-head {args.n_head}")
    for flag, path in (("--data", args.data), ("--sample", args.sample)):
        if path is not None and not os.path.isfile(path):
            p.error(f"{flag} {path}: no such file")
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            p.error("--plot needs matplotlib (pip install 'minigrad[plot]')")
    return args


def fail(message):
    sys.exit(f"{os.path.basename(__file__)}: error: {message}")


# ----- training and sampling -------------------------------------------------------------------
def train(args):
    mg.manual_seed(args.seed)
    chars, train_data, val_data = encode_splits(load_text(args.data))
    config = {
        "model": args.model,
        "vocab_size": len(chars),
        "block_size": args.block_size,
        "n_layer": args.n_layer,
        "n_head": args.n_head,
        "n_embd": args.n_embd,
        "dropout": args.dropout,
    }
    model = build_model(config)
    n_params = sum(p.numel() for p in model.parameters())
    print(
        f"{args.model}: {n_params / 1e6:.2f}M parameters, vocabulary of {len(chars)}, "
        f"{len(train_data):,} train and {len(val_data):,} validation characters"
    )
    optimizer = configure_optimizer(model, args.lr, args.weight_decay)
    # Every random number from the global generator, in nanoGPT's train.py order (the first
    # batch before the loop, each next one after the step, the estimates' between): with
    # minigrad's PyTorch-compatible streams, this is nanoGPT's run, number for number.
    x, y = get_batch(train_data, args.block_size, args.batch_size)
    splits = {"train": train_data, "val": val_data}
    history = {"iter": [], "train_loss": [], "val_loss": [], "losses": []}
    started, eval_time = time.perf_counter(), 0.0

    def train_step(x, y):  # forward, backward, clipping, update (--compile: recorded, replayed)
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if args.grad_clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        return loss

    # (estimate_loss and sampling run in eval mode, eagerly: another signature, not compiled)
    step = mg.compile(train_step) if args.compile else train_step
    bar = tqdm(range(args.max_iters + 1), desc="training", unit="it", file=sys.stdout)
    for it in bar:
        if it % args.eval_interval == 0 or it == args.max_iters:
            t = time.perf_counter()
            losses = estimate_loss(model, splits, args)
            eval_time += time.perf_counter() - t
            history["iter"].append(it)
            history["train_loss"].append(losses["train"])
            history["val_loss"].append(losses["val"])
            bar.write(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
        if it == args.max_iters:
            break
        for group in optimizer.param_groups:  # (a compiled step reads the new lr each call)
            group["lr"] = get_lr(it, args)
        loss = step(x, y)
        x, y = get_batch(train_data, args.block_size, args.batch_size)
        history["losses"].append(loss.item())
        running = sum(history["losses"][-20:]) / len(history["losses"][-20:])
        bar.set_postfix(
            loss=f"{running:.4f}", lr=f"{optimizer.param_groups[0]['lr']:.2e}", refresh=False
        )
    bar.close()
    seconds = time.perf_counter() - started - eval_time
    history["seconds"] = seconds
    print(
        f"{args.max_iters} iterations in {seconds:.1f} s of training "
        f"({1000 * seconds / args.max_iters:.1f} ms an iteration) and {eval_time:.1f} s of "
        f"loss estimates"
    )
    if not args.no_final_eval:
        history["final_val_loss"] = split_loss(model, val_data, args.block_size)
        print(f"validation loss over the whole validation split: {history['final_val_loss']:.4f}")
    path = args.save or f"shakespeare_{args.model}.npz"
    mg.save(
        {
            "model": model.state_dict(),
            "config": config,
            "chars": "".join(chars),
            "iters": args.max_iters,
            "val_loss": history["val_loss"][-1],
        },
        path,
    )
    print(f"checkpoint saved to {path}")
    print("a sample:\n" + sample_text(model, chars, args))
    if args.plot:
        plot_losses(args.plot, history)
    return history


def sample_text(model, chars, args):
    stoi = {c: i for i, c in enumerate(chars)}
    unknown = sorted(set(args.start) - set(stoi))
    if unknown:
        fail(f"--start: characters the model does not know: {''.join(unknown)!r}")
    start = mg.tensor([[stoi[c] for c in args.start]])
    generator = mg.Generator().manual_seed(args.seed)
    out = generate(model, start, args.tokens, generator=generator)
    return "".join(chars[i] for i in out[0].tolist())


def sample(args):
    try:
        checkpoint = mg.load(args.sample)
        config, chars = checkpoint["config"], checkpoint["chars"]
        model = build_model(config)
        model.load_state_dict(checkpoint["model"])
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        fail(f"--sample {args.sample}: not a checkpoint this example wrote ({exc})")
    text = sample_text(model, chars, args)
    print(text)
    return text


def plot_losses(path, history):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(range(1, len(history["losses"]) + 1), history["losses"], alpha=0.3, label="batch")
    ax.plot(history["iter"], history["train_loss"], "o-", label="train")
    ax.plot(history["iter"], history["val_loss"], "o-", label="validation")
    ax.set(xlabel="iteration", ylabel="cross-entropy (nats per character)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"plot saved to {path}")


def main(argv=None):
    args = parse_args(argv)
    return sample(args) if args.sample else train(args)


if __name__ == "__main__":
    main()
