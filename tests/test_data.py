"""Dataset, TensorDataset and DataLoader: batching, shuffling by seed, the batched fast path."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader, Dataset, TensorDataset, default_collate


def _dataset(n=10, device="cpu"):
    x = mg.arange(n, device=device).float().reshape(n, 1) * mg.ones(1, 3, device=device)
    return TensorDataset(x, mg.arange(n, device=device))


def test_tensor_dataset_indexing(device):
    ds = _dataset(device=device)
    assert len(ds) == 10
    x, y = ds[3]
    assert x.tolist() == [3.0, 3.0, 3.0] and y.item() == 3
    x, y = ds[mg.tensor([4, 1])]
    assert x.shape == (2, 3) and y.tolist() == [4, 1]
    x, y = ds[np.array([0, 9])]  # a host index array works for a GPU dataset too
    assert y.tolist() == [0, 9] and y.device == device
    _, y = ds[[2, 2]]
    assert y.tolist() == [2, 2]
    x, _ = ds[2:5]
    assert x.shape == (3, 3)


def test_tensor_dataset_checks_its_tensors():
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(mg.zeros(3, 2), mg.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(TypeError, match="expected Tensors"):
        TensorDataset(np.zeros(3))


def test_sequential_batches_cover_the_dataset_in_order(device):
    loader = DataLoader(_dataset(device=device), batch_size=4)
    batches = [y.tolist() for _, y in loader]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(loader) == 3
    assert all(x.device == device for x, _ in loader)


def test_drop_last():
    loader = DataLoader(_dataset(), batch_size=4, drop_last=True)
    assert [y.tolist() for _, y in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(loader) == 2
    shuffled = DataLoader(_dataset(), batch_size=4, drop_last=True, shuffle=True, seed=0)
    assert [len(y) for _, y in shuffled] == [4, 4]


def _epoch(loader):
    return [i for _, y in loader for i in y.tolist()]


def test_shuffle_is_a_permutation_and_changes_every_epoch(device):
    loader = DataLoader(_dataset(100, device), batch_size=16, shuffle=True, seed=3)
    first, second = _epoch(loader), _epoch(loader)
    assert sorted(first) == list(range(100)) and sorted(second) == list(range(100))
    assert first != list(range(100)) and first != second


def test_the_same_seed_gives_the_same_order():
    def make(seed):
        return DataLoader(_dataset(50), batch_size=8, shuffle=True, seed=seed)

    a, b, c = make(7), make(7), make(8)
    assert [_epoch(a), _epoch(a)] == [_epoch(b), _epoch(b)]
    assert _epoch(c) != _epoch(make(7))


def test_without_a_seed_manual_seed_decides():
    def order():
        mg.manual_seed(11)
        return _epoch(DataLoader(_dataset(50), batch_size=8, shuffle=True))

    assert order() == order()


def test_batches_are_copies_so_writing_into_one_leaves_the_dataset_alone():
    """PyTorch's default_collate stacks, i.e. copies; the TensorDataset fast path too."""
    ds = _dataset(20)
    for shuffle in (False, True):
        x, y = next(iter(DataLoader(ds, batch_size=8, shuffle=shuffle, seed=0)))
        assert not np.shares_memory(x.array, ds.tensors[0].array)
        before = ds.tensors[0].tolist()
        with mg.no_grad():
            x.zero_()
            y.zero_()
        assert ds.tensors[0].tolist() == before and ds.tensors[1].tolist() == list(range(20))


def test_getitems_gets_a_list_of_indices_and_returns_a_list_of_samples():
    """PyTorch's contract: `__getitems__(indices)` is a list of samples, then collated."""
    calls = []

    class Batched(Dataset):
        def __len__(self):
            return 10

        def __getitems__(self, indices):
            calls.append(indices)
            return [(float(i), i) for i in indices]

        def __getitem__(self, index):  # the loader must not fall back to one at a time
            raise AssertionError("per-sample access")

    batches = list(DataLoader(Batched(), batch_size=4, shuffle=True, seed=0))
    assert len(calls) == 3 and all(type(c) is list for c in calls)
    assert sorted(i for c in calls for i in c) == list(range(10))
    x, y = batches[0]
    assert x.dtype == mg.float64 and y.tolist() == calls[0]


def test_a_tensor_dataset_subclass_is_read_its_own_way():
    """The fast path is for stock TensorDatasets; a subclass that overrides __getitem__
    (an augmentation, say) is read sample by sample, as PyTorch reads it."""

    class Doubled(TensorDataset):
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            return x * 2, y

    ds = Doubled(*_dataset(6).tensors)
    x, y = next(iter(DataLoader(ds, batch_size=6)))
    assert x[:, 0].tolist() == [2.0 * i for i in range(6)] and y.tolist() == list(range(6))


class Squares(Dataset):
    """A map-style dataset without a batched path: samples are (array, int)."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.full(2, i * i, dtype=np.float32), i


def test_generic_datasets_are_collated():
    batches = list(DataLoader(Squares(), batch_size=2))
    x, y = batches[0]
    assert x.tolist() == [[0.0, 0.0], [1.0, 1.0]] and y.tolist() == [0, 1] and y.dtype == mg.int64
    assert [len(y) for _, y in batches] == [2, 2, 1]
    shuffled = DataLoader(Squares(), batch_size=5, shuffle=True, seed=0)
    ((x, y),) = list(shuffled)
    assert sorted(y.tolist()) == [0, 1, 2, 3, 4]
    assert x[:, 0].tolist() == [float(i * i) for i in y.tolist()]


def test_collate_fn_and_default_collate():
    loader = DataLoader(Squares(), batch_size=5, collate_fn=lambda samples: len(samples))
    assert list(loader) == [5]
    batch = default_collate([{"a": mg.ones(2), "b": 1.5}, {"a": mg.zeros(2), "b": 2.5}])
    assert batch["a"].shape == (2, 2) and batch["b"].tolist() == [1.5, 2.5]
    assert batch["b"].dtype == mg.float64  # Python floats collate to float64, as in PyTorch
    assert default_collate([1, 2]).dtype == mg.int64
    assert default_collate([np.float32(1), np.float32(2)]).dtype == mg.float32  # their own
    assert default_collate([(1, "cat"), (2, "dog")])[1] == ["cat", "dog"]  # strings: a list
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([object()])


def test_dataset_base_class_must_be_implemented():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_dataset(), batch_size=0)


# ----- edge cases the fuzz of wrong arguments found (tests/test_fuzz_bad_input.py) ----------
def test_a_zero_dim_index_gives_tensors_of_arrays():
    x, y = TensorDataset(mg.randn(4, 2), mg.arange(4))[mg.tensor(1)]
    assert x.shape == (2,) and y.shape == () and y.item() == 1
    assert type(y.array) is np.ndarray  # was a numpy scalar inside a Tensor


def test_data_arguments_are_checked_by_name():
    with pytest.raises(TypeError, match="dataset must be a map-style dataset"):
        DataLoader({1, 2})  # failed at the first batch: "'set' object is not subscriptable"
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        DataLoader([1, 2], drop_last=mg.tensor(True))
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader([1, 2], collate_fn=1)
    with pytest.raises(TypeError, match="index must be a list of ints"):
        TensorDataset(mg.arange(4))[[1, "a"]]
    with pytest.raises(ValueError, match="samples is empty"):
        default_collate([])
    with pytest.raises(TypeError, match="samples must be a list"):
        default_collate(3)
    with pytest.raises(KeyError, match="same keys"):
        default_collate([{"a": 1}, {"b": 2}])
