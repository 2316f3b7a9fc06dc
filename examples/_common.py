"""What the MNIST examples (mnist_mlp.py, mnist_cnn.py) share: their command line, checked
before anything is loaded; loading saved weights; the training loop with its progress bar;
evaluation; saving and plotting. Each example keeps its own model, data and settings."""

import argparse
import math
import os
import sys
import time

from tqdm import tqdm

import minigrad as mg
import minigrad.distributed as dist
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.data import DataLoader, DistributedSampler, TensorDataset


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, but a bad flag is reported in one line (exit status 2, as argparse's)
    instead of after the usage summary, which is longer than the message."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def at_least(minimum):
    """An argparse type: an int >= minimum. Zero epochs, batches or units would only crash
    later (or, for the sizes, silently slice from the end)."""

    def parse(text):
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = "int"  # argparse names the type when int() fails: "invalid int value"
    return parse


def learning_rate(text):
    value = float(text)
    if not (math.isfinite(value) and value >= 0):  # what the optimizers accept
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def parser(description, epochs, batch_size, lr, optimizer, device, seed, log_every, data):
    """The flags both examples take, with an example's defaults; `data` says what --data is."""
    p = ArgumentParser(description=description)
    p.add_argument("--epochs", type=at_least(1), default=epochs)
    p.add_argument("--batch-size", type=at_least(1), default=batch_size)
    p.add_argument("--lr", type=learning_rate, default=lr)
    p.add_argument("--optimizer", choices=["adam", "adamw", "sgd"], default=optimizer)
    p.add_argument("--device", choices=["cpu", "cuda"], default=device)
    p.add_argument("--seed", type=at_least(0), default=seed)
    p.add_argument("--data", metavar="DIR", help=data)
    p.add_argument("--save", metavar="PATH", help="save the trained weights (.npz)")
    p.add_argument("--load", metavar="PATH", help="evaluate saved weights instead of training")
    p.add_argument("--plot", metavar="PNG", help="plot training loss and test accuracy")
    p.add_argument(
        "--compile",
        action="store_true",
        help="record the training step once per batch shape and replay it (mg.compile)",
    )
    p.add_argument("--train-size", type=at_least(1), help="use the first N train images")
    p.add_argument("--test-size", type=at_least(1), help="use the first N test images")
    p.add_argument(
        "--log-every", type=at_least(1), default=log_every, help="steps between loss readings"
    )
    return p


def check_paths(p, args):
    """Refuse paths that would fail only after loading the data, or after training."""
    if args.data is not None and not os.path.isdir(args.data):
        p.error(f"--data {args.data}: no such directory")
    if args.load is not None:
        if not os.path.isfile(args.load):
            p.error(f"--load {args.load}: no such file")
        if args.save or args.plot:
            p.error("--load evaluates saved weights without training: no --save or --plot")
    for flag, path in (("--save", args.save), ("--plot", args.plot)):
        if path is not None:
            check_output(p, flag, path)


def check_output(p, flag, path):
    """`path` can be written at the end of the run: checked now, not after training."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        p.error(f"{flag} {path}: is a directory; give a file name")
    if not os.path.isdir(directory):
        p.error(f"{flag} {path}: the directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        p.error(f"{flag} {path}: the directory {directory} is not writable")


def check_extras(args):
    """--plot needs matplotlib and --device cuda needs cupy: said before training, not after."""
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            sys.exit(
                f"--plot {args.plot}: plotting needs matplotlib, which is not installed.\n"
                "Install it with: pip install matplotlib   (or: pip install 'minigrad[plot]')"
            )
    if args.device == "cuda" and not mg.cuda.is_available():
        sys.exit("--device cuda: needs cupy and a CUDA GPU (pip install 'minigrad[cuda12]')")


def fail(message):
    """Stop with one line on stderr (exit status 1): for problems found in files, not flags."""
    sys.exit(f"{os.path.basename(sys.argv[0])}: error: {message}")


def load_weights(path, build, ndim):
    """The model whose weights --save wrote to `path`: `build(weights)` makes it with their
    sizes, once the first layer's weight ('0.weight', `ndim` dims) says they are a model's."""
    try:
        weights = mg.load(path)
    except (OSError, ValueError) as exc:  # mg.load's message names the file
        fail(f"--load: {exc}")
    first = weights.get("0.weight") if isinstance(weights, dict) else None
    if getattr(first, "ndim", None) != ndim:
        fail(f"--load {path}: not weights saved by this example (no {ndim}-d '0.weight' entry)")
    model = build(weights)
    try:
        model.load_state_dict(weights)
    except (RuntimeError, TypeError) as exc:  # missing or misshapen layers
        details = " ".join(str(exc).split())  # load_state_dict lists them on several lines
        fail(f"--load {path}: not weights saved by this example: {details}")
    return model


def on_device(arrays, args, size):
    """(x, y) arrays, cut to the first `size` (all if None), as tensors on the device."""
    return tuple(mg.from_numpy(a[:size]).to(args.device) for a in arrays)


def evaluate(model, x, y, batch_size=2000):
    """Mean cross-entropy and accuracy over (x, y), without recording a graph."""
    model.eval()
    total_loss, correct = 0.0, 0
    with mg.no_grad():
        for i in range(0, len(x), batch_size):
            logits = model(x[i : i + batch_size])
            target = y[i : i + batch_size]
            total_loss += F.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(1) == target).sum().item()
    model.train()
    return total_loss / len(x), correct / len(x)


def train(model, args, train_set, test_set, distributed=False):
    """Train on train_set (x, y tensors) with args' optimizer and a cosine learning rate,
    evaluating on test_set after every epoch; returns the history (per epoch, and the loss
    every --log-every steps).

    `distributed` (under mpiexec, after dist.init_process_group): the model is wrapped in
    DistributedDataParallel, each rank trains on its DistributedSampler shard with
    --batch-size / world size a step (the same global batch as one process), and only rank 0
    prints. Every rank evaluates the whole test set (their weights are the same)."""
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    say = print if rank == 0 else _silent
    if args.batch_size % world:
        fail(f"--batch-size {args.batch_size} is not a multiple of the {world} processes")
    if distributed and args.compile:  # DDP's gradient hooks are not replayed (docs/compile.md)
        fail("--compile does not combine with --distributed yet")
    trained = nn.parallel.DistributedDataParallel(model) if distributed else model
    if args.optimizer == "sgd":
        optimizer = optim.SGD(trained.parameters(), lr=args.lr, momentum=0.9)
    elif args.optimizer == "adamw":
        optimizer = optim.AdamW(trained.parameters(), lr=args.lr)
    else:
        optimizer = optim.Adam(trained.parameters(), lr=args.lr)
    dataset = TensorDataset(*train_set)
    if distributed:  # the shuffling seed is the same on every rank: disjoint shards
        sampler = DistributedSampler(dataset, shuffle=True, seed=args.seed)
        loader = DataLoader(dataset, args.batch_size // world, sampler=sampler)
    else:
        loader = DataLoader(dataset, args.batch_size, shuffle=True, seed=args.seed)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(loader))
    say(model)
    say(
        f"{len(train_set[0])} training images, {len(test_set[0])} test images, device "
        f"{args.device}"
        + (f", {world} processes of batch {args.batch_size // world}" if distributed else "")
    )

    history = {"train_loss": [], "test_loss": [], "test_acc": [], "seconds": [], "steps": []}
    history["points_per_epoch"] = len(loader) / args.log_every
    start, history["cpu_seconds"] = time.perf_counter(), 0.0

    def train_step(xb, yb):
        loss = F.cross_entropy(trained(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    step_fn = mg.compile(train_step) if args.compile else train_step
    for epoch in range(1, args.epochs + 1):
        if distributed:
            sampler.set_epoch(epoch)
        t0, cpu0 = time.perf_counter(), time.process_time()
        epoch_loss = running = 0.0  # tensors once the first loss is added
        bar = tqdm(
            loader,
            desc=f"epoch {epoch}/{args.epochs}",
            leave=False,
            file=sys.stdout,
            disable=rank > 0,
        )
        for step, (xb, yb) in enumerate(bar, start=1):
            loss = step_fn(xb, yb)
            scheduler.step()  # (outside the step: a compiled step reads the new lr each call)
            running = running + loss.detach()  # stays on the device: no sync per step
            if step % args.log_every == 0:
                mean = running.item() / args.log_every  # (rank 0's shard, under mpiexec)
                history["steps"].append(mean)
                bar.set_postfix(loss=f"{mean:.4f}")
                epoch_loss, running = epoch_loss + running, 0.0
        epoch_loss = epoch_loss + running  # a 0-d tensor
        if distributed:  # the mean over every rank's shard
            dist.all_reduce(epoch_loss, op=dist.ReduceOp.AVG)
        train_loss = float(epoch_loss) / len(loader)
        seconds = time.perf_counter() - t0
        # CPU time too: on a shared machine the wall clock also counts the other processes' turns
        history["cpu_seconds"] += time.process_time() - cpu0
        test_loss, test_acc = evaluate(model, *test_set)
        history["train_loss"].append(train_loss)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        history["seconds"].append(seconds)
        say(
            f"epoch {epoch}: train loss {train_loss:.4f}, test loss {test_loss:.4f}, "
            f"test accuracy {100 * test_acc:.2f}%, {seconds:.1f}s"
        )
    history["train_seconds"] = sum(history["seconds"])
    best = max(range(args.epochs), key=lambda i: history["test_acc"][i])
    say(
        f"best test accuracy {100 * history['test_acc'][best]:.2f}% (epoch {best + 1}); "
        f"training {history['train_seconds']:.1f}s, total {time.perf_counter() - start:.1f}s "
        f"(training {history['cpu_seconds']:.1f}s of CPU time)"
    )
    return history


def _silent(*args, **kwargs):
    """print's stand-in on ranks other than 0."""


def save_and_plot(args, model, history):
    """--save's weights and --plot's curves, as the flags asked."""
    if args.save:
        mg.save(model.state_dict(), args.save)
        print(f"saved the weights to {args.save}")
    if args.plot:
        plot_curves(args.plot, history["steps"], history["points_per_epoch"], history["test_acc"])
        print(f"saved the curves to {args.plot}")


def plot_curves(path, step_losses, points_per_epoch, test_accuracies):
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot([(i + 1) / points_per_epoch for i in range(len(step_losses))], step_losses)
    left.set(xlabel="epoch", ylabel="training loss", yscale="log", title="training loss")
    right.plot(range(1, len(test_accuracies) + 1), [100 * a for a in test_accuracies], "o-")
    right.set(xlabel="epoch", ylabel="test accuracy (%)", title="test accuracy")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
