"""The seeded fuzz of wrong arguments (tests/test_fuzz_bad_input.py's machinery) over the
data API: random_split, Subset, ConcatDataset, the samplers, DataLoader's arguments and
default_convert. Every call must raise a clear error naming an argument, or return something
sane. Loaders with workers are only built, never iterated: no process is started here."""

import random

from test_fuzz_bad_input import (
    BOOL,
    DATASET,
    POSITIVE,
    Spec,
    judge_error,
    judge_result,
    namespace,
    outcome,
    pool,
)

import minigrad as mg

SEED = 4321
CALLS_PER_SPEC = 40

LENGTHS = pool(
    "[2, 3]",
    "[0.5, 0.5]",
    "[0.2, 0.3, 0.5]",
    "[5]",
    wrong=(
        "[2, 2]",
        "[-1, 6]",
        "[0.5, 0.6]",
        "[1.5, -0.5]",
        "['a']",
        "'ab'",
        "[]",
        "[None]",
        "[float('nan'), 1.0]",
        "[True, 4]",
        "3",
        "[2.5, 2.5]",
    ),
)
GENERATOR = pool(
    "None",
    "0",
    "np.random.default_rng(1)",
    wrong=("-1", "'seed'", "1.5", "object()", "mg.tensor(1)", "2**70"),
)
INDICES = pool(
    "[0, 2]",
    "range(3)",
    "mg.tensor([1, 0])",
    "[]",
    wrong=("[0, 9]", "['a']", "[0.5]", "5", "None", "[[0, 1]]"),
)
INDEX = pool("0", "-1", "1", wrong=("9", "-9", "1.5", "'a'", "None", "[0]", "mg.tensor(0.5)"))
SOURCE = pool("range(5)", "[1, 2, 3]", wrong=("[]", "5", "None", "iter([1, 2])"))
NUM_SAMPLES = pool("None", "3", "12", wrong=("0", "-1", "1.5", "True", "'3'", "mg.tensor(3)"))
WEIGHTS = pool(
    "[0.1, 0.9, 0.5]",
    "mg.tensor([1.0, 2.0])",
    "np.ones(4)",
    wrong=(
        "[]",
        "[-1.0, 2.0]",
        "[0.0, 0.0]",
        "[[1.0]]",
        "['a']",
        "[float('nan')]",
        "[float('inf'), 1.0]",
        "None",
        "3",
    ),
)
# (No out-of-range indices among the wrong samplers: what a dataset says about those is its own
# error, a list's IndexError say, passed through as PyTorch passes it.)
SAMPLER = pool(
    "None",
    "[0, 1, 0]",
    "mg.data.SequentialSampler(range(3))",
    wrong=("5", "'abc'", "[0.5]", "mg.data.Sampler()"),
)
BATCH_SAMPLER = pool(
    "[[0, 1], [2]]",
    "mg.data.BatchSampler(range(3), 2, False)",
    wrong=("[0, 1]", "5", "[['a']]", "[[0.5]]"),
)
# Datasets long enough for the indices the wrong samplers give (an index past its end is the
# dataset's own IndexError, passed through).
LONG = pool(
    "mg.data.TensorDataset(mg.randn(8, 2), mg.arange(8))",
    "[float(i) for i in range(8)]",
    wrong=DATASET.wrong,
)
WORKERS = pool("0", "1", "2", wrong=("-1", "1.5", "'2'", "None", "True"))
TIMEOUT = pool("0", "0.5", wrong=("-1", "'1'", "None", "float('nan')", "[1]"))
PREFETCH = pool("None", "2", wrong=("0", "-1", "1.5", "'2'"))
CONTEXT = pool("None", "'fork'", "'spawn'", wrong=("'nope'", "3", "object()"))

SPECS = [
    # (a dataset's own __getitem__ errors pass through unchanged, as in PyTorch: its slot
    # gets wrong tensors, not any object with a __getitem__ that raises its own KeyError)
    Spec(t, pools, names=names, returns="any", tensor_slots={"dataset", "second"})
    for t, pools, names in [
        (
            "mg.data.random_split($dataset, $lengths, generator=$generator)",
            {"dataset": DATASET, "lengths": LENGTHS, "generator": GENERATOR},
            ("Fraction", "Sum"),
        ),
        (
            "mg.data.Subset(mg.data.TensorDataset(mg.arange(4)), $indices)[$index]",
            {"indices": INDICES, "index": INDEX},
            ("tensor", "list"),
        ),
        (
            "list(mg.data.DataLoader(mg.data.Subset(mg.data.TensorDataset(mg.arange(4)), "
            "$indices), batch_size=$batch_size))",
            {"indices": INDICES, "batch_size": POSITIVE},
            ("index", "axis", "dimension"),
        ),
        (
            "mg.data.ConcatDataset([[1, 2], $second])[$index]",
            {"second": pool("[3]", "range(2)", wrong=("5", "None", "iter([1])")), "index": INDEX},
            ("datasets", "dataset", "length"),
        ),
        (
            "list(mg.data.RandomSampler($source, replacement=$replacement, "
            "num_samples=$num_samples, generator=$generator))",
            {
                "source": SOURCE,
                "replacement": BOOL,
                "num_samples": NUM_SAMPLES,
                "generator": GENERATOR,
            },
            ("data_source",),
        ),
        (
            "list(mg.data.WeightedRandomSampler($weights, $num_samples, replacement=$replacement, "
            "generator=$generator))",
            {
                "weights": WEIGHTS,
                "num_samples": NUM_SAMPLES,
                "replacement": BOOL,
                "generator": GENERATOR,
            },
            (),
        ),
        (
            "list(mg.data.BatchSampler($source, $batch_size, $drop_last))",
            {"source": SOURCE, "batch_size": POSITIVE, "drop_last": BOOL},
            ("sampler",),
        ),
        (
            "list(mg.data.DataLoader($dataset, batch_size=$batch_size, sampler=$sampler, "
            "generator=$generator, shuffle=$shuffle))",
            {
                "dataset": LONG,
                "batch_size": POSITIVE,
                "sampler": SAMPLER,
                "generator": GENERATOR,
                "shuffle": BOOL,
            },
            ("index", "axis", "indices", "num_samples"),  # (an empty dataset, shuffled)
        ),
        (
            "list(mg.data.DataLoader($dataset, batch_sampler=$batch_sampler))",
            {"dataset": LONG, "batch_sampler": BATCH_SAMPLER},
            ("index", "axis", "indices", "samples"),  # (an empty batch: "samples is empty")
        ),
        (
            "mg.data.DataLoader($dataset, num_workers=$num_workers, timeout=$timeout, "
            "prefetch_factor=$prefetch_factor, persistent_workers=$persistent_workers, "
            "multiprocessing_context=$context, pin_memory=$pin_memory)",
            {
                "dataset": DATASET,
                "num_workers": WORKERS,
                "timeout": TIMEOUT,
                "prefetch_factor": PREFETCH,
                "persistent_workers": BOOL,
                "context": CONTEXT,
                "pin_memory": BOOL,
            },
            ("multiprocessing_context",),
        ),
        (
            "mg.data.default_convert($data)",
            {"data": pool("np.zeros(2)", "(np.int64(1), 'a')", "{'a': [np.ones(1)]}")},
            (),
        ),
    ]
]


def test_wrong_data_arguments_fail_clearly():
    mg.manual_seed(0)
    rng = random.Random(SEED)
    problems, count = {}, 0
    for spec in SPECS:
        for _ in range(CALLS_PER_SPEC):
            expr = spec.draw(rng)
            count += 1
            result, error, _ = outcome(expr, namespace())
            problem = judge_error(spec, error) if error is not None else judge_result(spec, result)
            if problem:
                problems.setdefault(expr, problem)
    lines = [f"{expr}  ->  {problem}" for expr, problem in problems.items()]
    assert not problems, f"{len(problems)} of {count} calls failed unclearly:\n" + "\n".join(lines)
