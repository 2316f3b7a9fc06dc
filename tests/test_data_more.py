"""PyTorch's torch.utils.data, in one process: minigrad.utils.data, random_split, Subset,
ConcatDataset, IterableDataset, the samplers, and DataLoader's sampler/batch_sampler/
generator/batch_size=None arguments. Worker processes are in test_data_workers.py."""

import collections
import random
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)


def _dataset(n=10):
    return TensorDataset(mg.arange(n).float().reshape(n, 1) * mg.ones(1, 3), mg.arange(n))


def _labels(loader):
    return [y.tolist() for _, y in loader]


def test_torch_utils_data_spelling():
    from minigrad.utils.data import DataLoader as Loader
    from minigrad.utils.data import Dataset as Base

    assert Loader is DataLoader and Base is Dataset
    assert mg.utils.data.DataLoader is DataLoader
    assert all(getattr(mg.utils.data, name) is getattr(mg.data, name) for name in mg.data.__all__)


# ----- random_split ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, lengths, sizes",
    [
        (10, [0.5, 0.3, 0.2], [5, 3, 2]),
        (10, [0.33, 0.33, 0.34], [4, 3, 3]),  # floors 3, 3, 3; the one left goes to the first
        (7, [0.5, 0.5], [4, 3]),
        (11, [0.25, 0.25, 0.25, 0.25], [3, 3, 3, 2]),  # floors 2 each; 3 left, round robin
        (10, [3, 7], [3, 7]),
        (0, [0.5, 0.5], [0, 0]),
    ],
)
def test_random_split_sizes_follow_pytorchs_rounding(n, lengths, sizes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a split of 0 warns, as in PyTorch)
        parts = random_split(range(n), lengths, generator=0)
    assert [len(p) for p in parts] == sizes
    everything = [i for p in parts for i in p]
    assert sorted(everything) == list(range(n))  # disjoint, and they cover the dataset


def test_random_split_is_reproducible_and_warns_of_empty_splits():
    def split(generator):
        return [p.indices for p in random_split(range(20), [0.5, 0.5], generator=generator)]

    assert split(1) == split(1) and split(1) != split(2)
    assert split(np.random.default_rng(5)) == split(np.random.default_rng(5))
    mg.manual_seed(3)
    first = split(None)
    mg.manual_seed(3)
    assert split(None) == first  # without a generator, the global one (manual_seed) decides
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(1), [0.5, 0.5])


def test_random_split_checks_its_lengths():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(5), [-0.5, 1.5])
    with pytest.raises(ValueError, match="lengths must be non-negative ints"):
        random_split(range(5), [6, -1])
    with pytest.raises(TypeError, match="lengths must be a sequence"):
        random_split(range(5), "ab")
    with pytest.raises(TypeError, match="generator must be a mg.Generator"):
        random_split(range(5), [2, 3], generator="seed")
    with pytest.raises(TypeError, match="dataset must have a length"):
        random_split(iter(range(5)), [2, 3])


# ----- Subset, ConcatDataset, IterableDataset -------------------------------------------------
def test_subset_reads_through_its_indices():
    base = _dataset()
    sub = Subset(base, [7, 2, 9])
    assert len(sub) == 3 and sub[0][1].item() == 7 and sub[-1][1].item() == 9
    assert sub[[0, 2]][1].tolist() == [7, 9]  # a list index goes through, as in PyTorch
    assert [s[1].item() for s in sub.__getitems__([1, 0])] == [2, 7]

    class Own(Subset):
        def __getitem__(self, idx):
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Own(base, [0])


class Plain(Dataset):
    """Sample i is (a row of 3 floats i, i): read one sample at a time."""

    def __init__(self, n=10):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return mg.full((3,), float(i)), mg.tensor(i)


@pytest.mark.parametrize("shuffle", [False, True])
def test_the_tensor_dataset_fast_path_gives_the_batches_default_collate_would(shuffle):
    """TensorDataset (and a Subset of one, as random_split makes) skip per-sample reads:
    the batches are those of reading each sample and stacking."""
    fast, slow = _dataset(23), Plain(23)
    for a, b in (
        (fast, slow),
        *zip(random_split(fast, [0.6, 0.4], 1), random_split(slow, [0.6, 0.4], 1)),
    ):
        for drop_last in (False, True):
            options = {"batch_size": 5, "shuffle": shuffle, "drop_last": drop_last, "generator": 4}
            got, want = list(DataLoader(a, **options)), list(DataLoader(b, **options))
            assert len(got) == len(want)
            for (x, y), (xs, ys) in zip(got, want):
                assert type(x) is mg.Tensor and x.dtype == xs.dtype and y.dtype == ys.dtype
                assert x.tolist() == xs.tolist() and y.tolist() == ys.tolist()
    batch = next(iter(DataLoader(fast, batch_size=2)))
    assert type(batch) is list  # as default_collate makes of tuple samples (PyTorch's)


def test_the_fast_path_takes_any_sampler():
    ds = _dataset(8)
    picked = DataLoader(ds, sampler=[5, 1, 1, 7], batch_size=3)
    assert _labels(picked) == [[5, 1, 1], [7]]
    batches = DataLoader(ds, batch_sampler=[[3, 0], [6]])
    assert _labels(batches) == [[3, 0], [6]]


def test_concat_dataset_cumulative_sizes_and_negative_indices():
    ds = ConcatDataset([[10, 11], [], [12, 13, 14]])
    assert ds.cumulative_sizes == [2, 2, 5] and len(ds) == 5
    assert [ds[i] for i in range(5)] == [10, 11, 12, 13, 14]
    assert [ds[-i] for i in range(1, 6)] == [14, 13, 12, 11, 10]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        ds[5]
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ds[-6]
    with pytest.raises(TypeError, match="index must be an int"):
        ds["a"]
    with pytest.raises(ValueError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    both = _dataset(3) + _dataset(2)
    assert isinstance(both, ConcatDataset)
    assert [y.tolist() for _, y in DataLoader(both, batch_size=5)] == [[0, 1, 2, 0, 1]]


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_datasets_are_batched_as_they_stream():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [
        [0, 1, 2],
        [3, 4, 5],
    ]
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]
    assert len(DataLoader(Stream(7), batch_size=3)) == 3
    assert [b.tolist() for b in DataLoader(Stream(2) + Stream(2), batch_size=4)] == [[0, 1, 0, 1]]
    assert isinstance(Stream(1) + Stream(1), ChainDataset)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(3), sampler=[0])
    with pytest.raises(TypeError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Stream(2)])


# ----- samplers -------------------------------------------------------------------------------
def test_sequential_and_batch_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert list(BatchSampler(SequentialSampler(range(5)), 2, False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]]  # any iterable
    assert list(BatchSampler(iter([4, 2, 0]), 2, False)) == [[4, 2], [0]]
    assert len(BatchSampler(range(5), 2, False)) == 3 and len(BatchSampler(range(5), 2, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(5), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(5), 2, 1)


def test_random_sampler_permutes_or_draws_with_replacement():
    order = list(RandomSampler(range(10), generator=0))
    assert sorted(order) == list(range(10))
    longer = list(RandomSampler(range(4), num_samples=10, generator=0))
    assert len(longer) == 10 and sorted(longer[:4]) == sorted(longer[4:8]) == [0, 1, 2, 3]
    assert len(set(longer[8:])) == 2  # the last, partial round: no repeats either
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=0))
    assert len(drawn) == 50 and set(drawn) == {0, 1, 2}
    shared = np.random.default_rng(1)
    sampler = RandomSampler(range(10), generator=shared)
    assert list(sampler) != list(sampler)  # the generator moves on: each epoch differs
    assert list(RandomSampler(range(10), generator=5)) == list(
        RandomSampler(range(10), generator=5)
    )
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler([])


def test_weighted_random_sampler_draws_in_proportion():
    counts = collections.Counter(WeightedRandomSampler([1.0, 3.0, 0.0], 8000, generator=0))
    assert counts[2] == 0 and abs(counts[1] / 8000 - 0.75) < 0.03
    # Without replacement, each index once; zero weights only after the others (PyTorch).
    for seed in range(5):
        drawn = list(WeightedRandomSampler([0.0, 5.0, 1.0, 0.0], 4, False, generator=seed))
        assert sorted(drawn) == [0, 1, 2, 3] and set(drawn[2:]) == {0, 3}
    firsts = collections.Counter(
        next(iter(WeightedRandomSampler([1.0, 3.0], 2, False, generator=g))) for g in range(2000)
    )
    assert abs(firsts[1] / 2000 - 0.75) < 0.04
    weights = mg.tensor([0.5, 0.5])
    assert len(list(WeightedRandomSampler(weights, 3))) == 3
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 2)
    with pytest.raises(RuntimeError, match="non-negative and not all zero"):
        WeightedRandomSampler([0.0, 0.0], 2)
    with pytest.raises(RuntimeError, match="without replacement from 2 weights"):
        WeightedRandomSampler([1.0, 1.0], 3, replacement=False)
    with pytest.raises(ValueError, match="replacement should be a boolean value"):
        WeightedRandomSampler([1.0], 1, replacement=None)


def test_subset_random_sampler():
    drawn = list(SubsetRandomSampler([5, 7, 9], generator=0))
    assert sorted(drawn) == [5, 7, 9] and len(SubsetRandomSampler([5, 7, 9])) == 3


# ----- DataLoader: order, randomness, arguments -----------------------------------------------
def test_generator_decides_the_shuffle():
    def epochs(generator):
        loader = DataLoader(_dataset(30), batch_size=7, shuffle=True, generator=generator)
        return [_labels(loader), _labels(loader)]

    a, b = epochs(np.random.default_rng(3)), epochs(np.random.default_rng(3))
    assert a == b and a[0] != a[1]
    assert epochs(3) == epochs(3)
    assert _labels(DataLoader(_dataset(30), 7, True, seed=3)) == epochs(3)[0]  # seed=3: the same
    first = next(iter(DataLoader(_dataset(30), 30, shuffle=True, generator=9)))[1]
    rng = np.random.default_rng(9)
    rng.integers(2**63)  # the workers' base seed, which the loader draws first (as PyTorch's)
    assert first.tolist() == rng.permutation(30).tolist()
    with pytest.raises(ValueError, match="generator or seed, not both"):
        DataLoader(_dataset(), generator=1, seed=1)
    with pytest.raises(TypeError, match="generator must be a mg.Generator"):
        DataLoader(_dataset(), shuffle=True, generator=random.Random(0))


def test_a_minigrad_generator_drives_shuffles_samplers_and_splits():
    g = mg.Generator().manual_seed(4)
    loader = DataLoader(_dataset(30), batch_size=7, shuffle=True, generator=g)
    first, second = _labels(loader), _labels(loader)
    assert first != second  # the generator's stream moves on, epoch by epoch
    g.manual_seed(4)  # restarting it restarts the epochs (the loader holds g, not a copy)
    assert [_labels(loader), _labels(loader)] == [first, second]
    again = DataLoader(_dataset(30), 7, shuffle=True, generator=mg.Generator().manual_seed(4))
    assert _labels(again) == first
    orders = [list(RandomSampler(range(9), generator=mg.Generator().manual_seed(1))) for _ in "ab"]
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(9))

    def split():
        parts = random_split(range(9), [0.5, 0.5], generator=mg.Generator().manual_seed(2))
        return [p.indices for p in parts]

    assert split() == split()


def test_samplers_and_batch_samplers_drive_a_generic_dataset():
    assert _labels(DataLoader(Plain(6), sampler=[4, 0, 2], batch_size=2)) == [[4, 0], [2]]
    assert _labels(DataLoader(Plain(6), batch_sampler=[[5], [1, 3]])) == [[5], [1, 3]]
    weighted = DataLoader(Plain(3), sampler=WeightedRandomSampler([0, 0, 1.0], 4), batch_size=4)
    assert _labels(weighted) == [[2, 2, 2, 2]]
    assert len(DataLoader(Plain(6), batch_sampler=[[5], [1, 3]])) == 2


def test_batch_size_none_yields_samples_converted():
    class Arrays(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32), i

    samples = list(DataLoader(Arrays(), batch_size=None))
    x, i = samples[1]
    assert isinstance(x, mg.Tensor) and x.tolist() == [1.0, 1.0] and i == 1
    assert len(DataLoader(Arrays(), batch_size=None)) == 2
    assert default_convert(("a", np.float64(2))) == ["a", mg.tensor(2.0, dtype=mg.float64)]


def test_default_collate_follows_pytorchs_structure():
    Point = collections.namedtuple("Point", "x y")
    batch = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert type(batch) is Point and batch.y.dtype == mg.float64
    assert default_collate([[1, 2], [3, 4]])[0].tolist() == [1, 3]
    assert default_collate([True, False]).dtype == mg.bool
    assert default_collate([np.zeros(2), np.ones(2)]).dtype == mg.float64
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]
    with pytest.raises(TypeError, match="samples has dtype <U1"):
        default_collate([np.array(["a"])])


def test_loader_arguments_are_pytorchs():
    ds = _dataset()
    loader = DataLoader(ds, batch_size=4, pin_memory=True)  # accepted; nothing to pin on CPU
    assert _labels(loader)[0] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 2
    cases = [
        ({"num_workers": -1}, ValueError, "num_workers option should be non-negative"),
        ({"num_workers": 1.5}, TypeError, "num_workers must be an int"),
        ({"timeout": -1}, ValueError, "timeout option should be non-negative"),
        ({"timeout": 1}, ValueError, "timeout option needs num_workers > 0"),
        ({"prefetch_factor": 2}, ValueError, "prefetch_factor option could only be specified"),
        ({"num_workers": 1, "prefetch_factor": 0}, ValueError, "prefetch_factor option should"),
        ({"persistent_workers": True}, ValueError, "persistent_workers option needs"),
        ({"sampler": [0], "shuffle": True}, ValueError, "mutually exclusive with shuffle"),
        ({"batch_sampler": [[0]], "batch_size": 2}, ValueError, "batch_sampler option is mutually"),
        ({"batch_size": None, "drop_last": True}, ValueError, "batch_size=None option disables"),
        ({"multiprocessing_context": "fork"}, ValueError, "multiprocessing_context can only"),
        ({"num_workers": 1, "multiprocessing_context": "x"}, ValueError, "valid start method"),
        ({"num_workers": 1, "multiprocessing_context": 3}, TypeError, "valid context object"),
        ({"worker_init_fn": 1}, TypeError, "worker_init_fn must be callable"),
        ({"sampler": 5}, TypeError, "sampler must be iterable"),
        ({"batch_size": "a"}, ValueError, "batch_size should be a positive integer value"),
    ]
    for options, kind, words in cases:
        with pytest.raises(kind, match=words):
            DataLoader(ds, **options)
    with pytest.raises(TypeError, match="must have __len__ for the default samplers"):
        DataLoader(type("NoLen", (), {"__getitem__": lambda self, i: i})())
    with pytest.warns(UserWarning, match="worker processes in total"):
        DataLoader(ds, num_workers=1000)
