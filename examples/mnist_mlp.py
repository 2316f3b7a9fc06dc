"""Train a two-layer perceptron on MNIST with minigrad.

    python examples/mnist_mlp.py                          # the defaults below
    python examples/mnist_mlp.py --save mlp.npz --plot curves.png
    python examples/mnist_mlp.py --load mlp.npz           # evaluate saved weights
    python examples/mnist_mlp.py --device cuda            # on a GPU, with cupy
    mpiexec -n 2 python examples/mnist_mlp.py --distributed   # 2 processes (pip install '.[mpi]')

What the defaults achieve, measured on a 2-core AMD EPYC VM (numpy 2, OpenBLAS, one BLAS
thread, see below): 98.43% accuracy on the full 10,000-image test set after 6 epochs (best
98.46%, epoch 5) in 10-11 s of training, about 1.7 s an epoch, also while another process
kept one core busy; the same with OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=524288 set
(98.48%, 9.9 s: another BLAS kernel rounds differently). The same --seed gives the same
numbers on the CPU, for a given BLAS and thread count. The command line, the training loop
and the evaluation are examples/_common.py, shared with mnist_cnn.py.

With --distributed under `mpiexec -n 2`, each process takes half of every batch of 128 (its
DistributedSampler shard): 98.45% after 6 epochs (one process, the same flags: 98.49%; the shuffled
order differs). Only rank 0 prints and saves.
"""

import os
import sys

# One BLAS thread unless you ask for more (OPENBLAS_NUM_THREADS=2 python ...); it must be set
# before numpy loads. This network's matrix products are small: on 2 idle cores a second
# thread saves ~30%, but while any other process runs, every product waits for the thread
# that lost its core, and an epoch takes 10-20x longer.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # _common.py, beside this file

import _common

import minigrad as mg
import minigrad.distributed as dist
from minigrad import nn
from minigrad.datasets import MNIST, MNISTError

# ----- settings (each one is also a command-line flag) ---------------------------------------
EPOCHS = 6
BATCH_SIZE = 128
LR = 2e-3  # Adam's; the learning rate anneals to 0 along a cosine over the run
OPTIMIZER = "adam"  # adam | adamw | sgd (sgd uses momentum 0.9; try --lr 0.1)
HIDDEN = 512
DEVICE = "cpu"
SEED = 0
LOG_EVERY = 50  # steps between progress-bar updates: reading the loss waits for the device


def parse_args(argv=None):
    p = _common.parser(
        __doc__.split("\n")[0],
        EPOCHS,
        BATCH_SIZE,
        LR,
        OPTIMIZER,
        DEVICE,
        SEED,
        LOG_EVERY,
        "directory with the MNIST files (missing ones are downloaded "
        "into it); by default the copy in the package",
    )
    p.add_argument("--hidden", type=_common.at_least(1), default=HIDDEN, help="hidden layer width")
    p.add_argument(
        "--distributed",
        action="store_true",
        help="data-parallel over the processes mpiexec starts (the same global --batch-size)",
    )
    args = p.parse_args(argv)
    _common.check_paths(p, args)
    if args.distributed and args.load:
        p.error("--load evaluates saved weights on one process: no --distributed")
    return args


def build_model(hidden: int) -> nn.Module:
    return nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def load_data(root, train):
    """(x float32 (N, 784), y int64 (N,)): one split of MNIST, standardised."""
    try:
        return MNIST(root, train=train).arrays()
    except (OSError, MNISTError, RuntimeError) as exc:  # missing, damaged, or not downloadable
        _common.fail(f"MNIST: {exc}")


def main(argv=None) -> dict:
    args = parse_args(argv)
    _common.check_extras(args)
    rank = 0
    if args.distributed:
        dist.init_process_group("mpi")
        rank = dist.get_rank()
    # Per rank: random streams (dropout's) differ; DistributedDataParallel gives every rank
    # rank 0's initial weights, and DistributedSampler shuffles from --seed on every rank.
    mg.manual_seed(args.seed + rank)
    # Before the data: a bad file should not cost the seconds it takes to load MNIST.
    if args.load:
        loaded = _common.load_weights(args.load, lambda w: build_model(len(w["0.weight"])), ndim=2)
    test_set = _common.on_device(load_data(args.data, train=False), args, args.test_size)
    if args.load:
        test_loss, test_acc = _common.evaluate(loaded.to(args.device), *test_set)
        print(f"{args.load}: test loss {test_loss:.4f}, test accuracy {100 * test_acc:.2f}%")
        return {"test_loss": test_loss, "test_acc": test_acc}
    train_set = _common.on_device(load_data(args.data, train=True), args, args.train_size)
    model = build_model(args.hidden).to(args.device)
    history = _common.train(model, args, train_set, test_set, args.distributed)
    if rank == 0:  # one copy of the weights and curves, not one per process
        _common.save_and_plot(args, model, history)
    return history


if __name__ == "__main__":
    main()
