"""Factories as PyTorch has them: mg.Tensor and the typed constructors, linspace, logspace,
eye, randperm, the *_like and new_* forms, Size, the default dtype and device (per thread),
and random generators (mg.Generator, generator=, multinomial, bernoulli, normal)."""

import threading

import numpy as np
import pytest

import minigrad as mg


# ----- mg.Tensor and the typed constructors ---------------------------------------------------
def test_tensor_constructor_reads_its_arguments_as_torch_tensor():
    t = mg.Tensor([1, 2])  # ints, but a float tensor, as torch.Tensor makes
    assert t.dtype == mg.float32 and t.tolist() == [1.0, 2.0]
    assert mg.Tensor(2, 3).shape == (2, 3) and mg.Tensor(2, 3).dtype == mg.float32
    assert mg.Tensor().shape == (0,)
    assert mg.Tensor((2, 3)).tolist() == [2.0, 3.0]  # a tuple is data
    assert mg.Tensor(mg.Size([2, 3])).shape == (2, 3)  # a Size is a shape
    assert mg.Tensor(np.int64(3)).shape == (3,)
    assert mg.Tensor(np.arange(3)).dtype == mg.float32


def test_tensor_constructor_shares_a_tensor_and_refuses_numbers():
    x = mg.tensor([1, 2])
    alias = mg.Tensor(x)
    alias.array[0] = 7
    assert x.tolist() == [7, 2] and alias.dtype == mg.int64  # shared, as in PyTorch
    for bad in (2.5, True, None, "a"):
        with pytest.raises(TypeError, match="data must be a sequence"):
            mg.Tensor(bad)
    with pytest.raises(TypeError, match="size must be ints"):
        mg.Tensor(2, 3.0)
    with pytest.raises(mg.OptionError, match="size must be non-negative"):
        mg.Tensor(-1)
    with pytest.raises(TypeError, match="dtype"):
        mg.Tensor([1], dtype=mg.float64)  # (torch.Tensor takes no dtype: use mg.tensor)


def test_the_default_dtype_decides_what_tensor_gives():
    mg.set_default_dtype(mg.float64)
    try:
        assert mg.Tensor([1, 2]).dtype == mg.float64 and mg.Tensor(2).dtype == mg.float64
    finally:
        mg.set_default_dtype(mg.float32)


@pytest.mark.parametrize(
    ("ctor", "dtype"),
    [
        ("FloatTensor", "float32"),
        ("DoubleTensor", "float64"),
        ("HalfTensor", "float16"),
        ("LongTensor", "int64"),
        ("IntTensor", "int32"),
        ("BoolTensor", "bool"),
        ("ByteTensor", "uint8"),
    ],
)
def test_typed_constructors_make_their_dtype(ctor, dtype):
    make = getattr(mg, ctor)
    assert make([1, 0]).dtype == np.dtype(dtype) and make(2, 3).shape == (2, 3)
    assert isinstance(mg.zeros(2, dtype=np.dtype(dtype)), make)
    assert not isinstance(mg.zeros(2, dtype=mg.float32 if dtype != "float32" else mg.int64), make)
    assert not isinstance([1, 0], make)


def test_typed_constructors_convert_as_pytorch():
    assert mg.LongTensor([1.5, -2.7]).tolist() == [1, -2]  # truncated
    assert mg.BoolTensor([0, 2]).tolist() == [False, True]
    with pytest.raises(TypeError, match="data must be a tensor of dtype float32, got int64"):
        mg.FloatTensor(mg.tensor([1, 2]))
    with pytest.raises(mg.OptionError, match="overflow"):
        mg.LongTensor([2**70])


# ----- linspace, logspace, eye, randperm -------------------------------------------------------
def test_linspace_and_logspace_values():
    assert np.allclose(mg.linspace(0, 1, 5).numpy(), np.linspace(0, 1, 5))
    assert mg.linspace(0, 1, 5).dtype == mg.float32
    assert mg.linspace(0, 1, 1).tolist() == [0.0] and mg.linspace(0, 1, 0).shape == (0,)
    assert mg.linspace(0, 10, 5, dtype=mg.int64).tolist() == [0, 2, 5, 7, 10]
    assert mg.linspace(-1.7, 1.7, 7, dtype=mg.int32).tolist() == [-1, 0, 0, 0, 0, 0, 1]
    assert mg.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert mg.logspace(0, 2, 3, base=2).tolist() == [1.0, 2.0, 4.0]
    assert mg.logspace(0, 3, 4, dtype=mg.int64).tolist() == [1, 10, 100, 1000]
    x = mg.linspace(0, 1, 3, requires_grad=True)
    assert x.requires_grad and x.is_leaf


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: mg.linspace(0, 1, -1), mg.OptionError, "steps must be non-negative"),
        (lambda: mg.linspace(0, 1, 2.5), TypeError, "steps must be an int"),
        (lambda: mg.linspace(0, "a", 3), TypeError, "end must be a real number"),
        (lambda: mg.linspace(0, 1, 3, dtype=mg.bool), mg.DTypeError, "dtype bool"),
        (lambda: mg.linspace(0, 1e20, 3, dtype=mg.int32), mg.OptionError, "do not fit int32"),
        (lambda: mg.logspace(0, 1, 3, base="2"), TypeError, "base must be a real number"),
        (lambda: mg.eye(-1), mg.OptionError, "n must be non-negative"),
        (lambda: mg.eye(2.0), TypeError, "n must be an int"),
        (lambda: mg.eye(2, -2), mg.OptionError, "m must be non-negative"),
        (lambda: mg.randperm(-1), mg.OptionError, "n must be non-negative"),
        (lambda: mg.randperm(300, dtype=mg.int8), mg.OptionError, "do not fit dtype int8"),
        (lambda: mg.randperm(3, dtype=mg.bool), mg.DTypeError, "dtype bool"),
        (lambda: mg.randperm(3, requires_grad=True), RuntimeError, "floating point"),
    ],
)
def test_spaced_and_eye_and_randperm_refuse_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_eye_and_randperm():
    assert mg.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert mg.eye(0).shape == (0, 0) and mg.eye(2, dtype=mg.bool).tolist() == [
        [True, False],
        [False, True],
    ]
    assert mg.eye(3, m=1).shape == (3, 1)
    p = mg.randperm(50)
    assert p.dtype == mg.int64 and sorted(p.tolist()) == list(range(50))
    assert mg.randperm(0).shape == (0,) and mg.randperm(4, dtype=mg.float32).dtype == mg.float32


# ----- *_like and new_* -------------------------------------------------------------------------
def test_like_factories_take_input_dtype_and_device():
    x = mg.ones(2, 3, dtype=mg.float64)
    assert mg.full_like(x, 7).tolist() == [[7.0] * 3] * 2 and mg.full_like(x, 7).dtype == mg.float64
    assert mg.full_like(mg.zeros(2, dtype=mg.int64), 2.5).tolist() == [2, 2]  # input's dtype
    assert mg.empty_like(x).shape == (2, 3) and mg.empty_like(x).dtype == mg.float64
    assert (
        mg.rand_like(x).dtype == mg.float64
        and mg.randn_like(x, dtype=mg.float32).dtype == mg.float32
    )
    r = mg.randint_like(x, 2, 5)
    assert r.dtype == mg.float64 and set(r.flatten().tolist()) <= {2.0, 3.0, 4.0}
    assert mg.randint_like(mg.zeros(4, dtype=mg.int32), 3).dtype == mg.int32
    with pytest.raises(mg.DTypeError, match="rand_like: input must have a floating point dtype"):
        mg.rand_like(mg.zeros(2, dtype=mg.int64))
    with pytest.raises(TypeError, match="fill_value must be a real number"):
        mg.full_like(x, "a")
    with pytest.raises(TypeError, match="input must be a Tensor"):
        mg.empty_like([1, 2])


def test_new_factories_take_self_dtype_and_device():
    x = mg.ones(2, 3, dtype=mg.float64)
    assert x.new_zeros(2).dtype == mg.float64 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_zeros([2, 3]).shape == (2, 3) and x.new_ones(2, 3).tolist() == [[1.0] * 3] * 2
    assert x.new_ones(2, dtype=mg.int64).dtype == mg.int64
    assert x.new_full((2,), 3).tolist() == [3.0, 3.0] and x.new_full((2,), 3).dtype == mg.float64
    assert mg.zeros(2, dtype=mg.int64).new_full((2,), 3.5).tolist() == [3, 3]
    assert x.new_empty(4).shape == (4,) and x.new_tensor([1, 2]).dtype == mg.float64
    assert mg.zeros(1, dtype=mg.int64).new_tensor([1.5]).tolist() == [1]
    with pytest.raises(TypeError, match="new_full: size must be a tuple of ints"):
        x.new_full(2, 3)
    with pytest.raises(mg.OptionError, match="new_zeros: size must be non-negative"):
        x.new_zeros(-1)
    with pytest.raises(TypeError, match="new_zeros: size must be ints"):
        x.new_zeros(2.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda x: x.new_zeros(3, requires_grad=True),
        lambda x: x.new_ones(3, requires_grad=True),
        lambda x: x.new_full((3,), 2.0, requires_grad=True),
        lambda x: x.new_tensor([1.0, 2.0, 3.0], requires_grad=True),
        lambda x: mg.zeros_like(x, requires_grad=True),
        lambda x: mg.full_like(x, 2.0, requires_grad=True),
        lambda x: mg.rand_like(x, requires_grad=True),
        lambda x: mg.randn_like(x, requires_grad=True),
    ],
)
@pytest.mark.parametrize("dtype", [mg.float32, mg.float64, mg.float16])
def test_new_and_like_leaves_take_gradients_of_their_dtype(make, dtype):
    x = mg.randn(3, dtype=dtype)
    leaf = make(x)
    assert leaf.is_leaf and leaf.requires_grad and leaf.dtype == dtype
    (leaf * mg.tensor([1.0, 2.0, 3.0], dtype=dtype)).sum().backward()
    assert leaf.grad.dtype == dtype and leaf.grad.tolist() == [1.0, 2.0, 3.0]


def test_an_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        mg.zeros(2, dtype=mg.int64).new_zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        mg.zeros_like(mg.zeros(2, dtype=mg.int64), requires_grad=True)


# ----- Size, numel, is_tensor -----------------------------------------------------------------
def test_size_is_a_tuple_that_prints_as_size():
    s = mg.zeros(2, 3).shape
    assert (
        isinstance(s, mg.Size) and isinstance(s, tuple) and s == (2, 3) and hash(s) == hash((2, 3))
    )
    assert repr(s) == str(s) == "Size([2, 3])" and f"{s}" == "(2, 3)"  # (messages read tuples)
    assert mg.zeros(2, 3).size() == s and mg.zeros(2, 3).size(-1) == 3 and type(s[0]) is int
    assert isinstance(s[1:], mg.Size) and s[::-1] == (3, 2)
    assert isinstance(s + (4,), mg.Size) and isinstance((4,) + s, mg.Size) and s * 2 == (2, 3, 2, 3)
    assert s.numel() == 6 and mg.Size([]).numel() == 1 and mg.zeros(()).size() == mg.Size()
    assert mg.Size([np.int64(3), mg.tensor(2)]) == (3, 2) and mg.zeros(mg.Size([2])).shape == (2,)
    import pickle

    assert type(pickle.loads(pickle.dumps(s))) is mg.Size
    with pytest.raises(TypeError, match="item 0 is float"):
        mg.Size([2.5])
    with pytest.raises(TypeError, match="iterable of ints"):
        mg.Size(3)
    with pytest.raises(IndexError, match="size"):
        mg.zeros(2).size(1)


def test_numel_is_tensor_is_floating_point():
    x = mg.zeros(2, 3)
    assert x.numel() == x.nelement() == mg.numel(x) == 6
    assert mg.is_tensor(x) and mg.is_tensor(mg.nn.Parameter(x)) and not mg.is_tensor([1])
    assert mg.is_floating_point(x) and not mg.is_floating_point(mg.zeros(2, dtype=mg.int64))
    with pytest.raises(TypeError, match="input must be a Tensor"):
        mg.is_floating_point(1.0)
    with pytest.raises(TypeError, match="input must be a Tensor"):
        mg.numel([1])


# ----- the default dtype and device -------------------------------------------------------------
def test_default_dtype_changes_what_floats_become():
    assert mg.get_default_dtype() == mg.float32
    mg.set_default_dtype(mg.float64)
    try:
        assert mg.get_default_dtype() == mg.float64
        assert mg.tensor(1.5).dtype == mg.float64 and mg.zeros(2).dtype == mg.float64
        assert mg.rand(2).dtype == mg.float64 and (mg.arange(3) / 2).dtype == mg.float64
        assert (mg.arange(3) * 2.5).dtype == mg.float64 and mg.tensor(
            [1, 2]
        ).exp().dtype == mg.float64
        assert (mg.ones(2, dtype=mg.float32) * 2.5).dtype == mg.float32  # a scalar stays weak
        assert mg.full((2,), 1.5).dtype == mg.float64 and mg.tensor([1, 2]).dtype == mg.int64
        assert repr(mg.tensor([1.0])) == "tensor([1.])" and "dtype=float32" in repr(
            mg.ones(1).float()
        )
    finally:
        mg.set_default_dtype(mg.float32)
    assert mg.tensor(1.5).dtype == mg.float32


@pytest.mark.parametrize("bad", [mg.int64, mg.bool, "abc", None, 3])
def test_default_dtype_must_be_a_float_dtype(bad):
    with pytest.raises(TypeError, match="only floating-point types"):
        mg.set_default_dtype(bad)
    assert mg.get_default_dtype() == mg.float32


def _in_thread(work):
    out = {}
    thread = threading.Thread(target=lambda: out.update(result=work()))
    thread.start()
    thread.join()
    return out["result"]


def test_default_dtype_and_device_are_per_thread():
    mg.set_default_dtype(mg.float64)
    mg.set_default_device("cpu:0")
    try:
        seen = _in_thread(
            lambda: (mg.get_default_dtype(), mg.zeros(1).dtype, mg.get_default_device())
        )
        assert seen == (mg.float32, mg.float32, mg.device("cpu"))  # a new thread starts fresh

        def change():
            mg.set_default_dtype(mg.float16)
            return mg.tensor(1.0).dtype

        assert _in_thread(change) == mg.float16
        assert mg.get_default_dtype() == mg.float64  # ... and does not change this one's
    finally:
        mg.set_default_dtype(mg.float32)
        mg.set_default_device(None)


def test_default_device():
    assert mg.get_default_device() == "cpu" and mg.zeros(1).device == "cpu"
    with pytest.raises(ValueError, match="device"):
        mg.set_default_device("gpu")
    mg.set_default_device("cpu")
    mg.set_default_device(None)
    assert mg.get_default_device() == "cpu"


# ----- generators -------------------------------------------------------------------------------
DRAWS = [
    lambda g: mg.rand(4, generator=g),
    lambda g: mg.randn(4, generator=g),
    lambda g: mg.randint(0, 10, (4,), generator=g),
    lambda g: mg.randperm(6, generator=g),
    lambda g: mg.normal(0.0, 2.0, (4,), generator=g),
    lambda g: mg.normal(mg.zeros(4), mg.ones(4), generator=g),
    lambda g: mg.multinomial(mg.ones(5), 3, generator=g),
    lambda g: mg.bernoulli(mg.full((6,), 0.5), generator=g),
    lambda g: mg.zeros(4).uniform_(generator=g),
    lambda g: mg.zeros(4).normal_(generator=g),
    lambda g: mg.zeros(4).bernoulli_(0.5, generator=g),
    lambda g: mg.rand_like(mg.zeros(4), generator=g),
]


@pytest.mark.parametrize("draw", DRAWS)
def test_a_generator_is_reproducible_and_independent_of_the_global_one(draw):
    first = draw(mg.Generator().manual_seed(7)).tolist()
    mg.manual_seed(0)
    mg.rand(10)  # the global generator moves; the generator's stream does not care
    g = mg.Generator().manual_seed(7)
    assert draw(g).tolist() == first
    assert draw(g).tolist() != first or len(set(map(str, first))) == 1  # and it moves on


def test_generator_seeds_and_state():
    g = mg.Generator()
    assert g.device == "cpu" and g.initial_seed() == 67280421310721
    assert g.manual_seed(-1) is g and g.initial_seed() == 2**64 - 1
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2**64
    state = g.get_state()
    assert state.dtype == mg.uint8 and state.ndim == 1
    a = mg.rand(5, generator=g)
    assert g.set_state(state) is g and mg.rand(5, generator=g).tolist() == a.tolist()
    with pytest.raises(TypeError, match="seed must be an int"):
        g.manual_seed(1.5)
    with pytest.raises(ValueError, match="seed must be in"):
        g.manual_seed(2**64)
    with pytest.raises(TypeError, match="new_state must be a uint8 Tensor"):
        g.set_state(mg.zeros(3))
    with pytest.raises(mg.OptionError, match="new_state must hold"):
        g.set_state(mg.zeros(3, dtype=mg.uint8))
    with pytest.raises(TypeError, match="generator must be a mg.Generator"):
        mg.rand(2, generator=1)


def test_the_global_seed():
    mg.manual_seed(3)
    assert mg.initial_seed() == 3
    a = mg.rand(3).tolist()
    mg.manual_seed(3)
    assert mg.rand(3).tolist() == a
    s = mg.seed()
    assert mg.initial_seed() == s
    mg.manual_seed(s)
    b = mg.rand(3).tolist()
    mg.seed()
    assert mg.rand(3).tolist() != b  # (fresh entropy: equal with probability ~0)


# ----- multinomial, bernoulli, normal -----------------------------------------------------------
def test_multinomial_samples_by_weight():
    p = mg.tensor([0.1, 0.0, 0.3, 0.6])
    draws = mg.multinomial(p, 20000, replacement=True)
    assert draws.dtype == mg.int64 and draws.shape == (20000,)
    freq = np.bincount(draws.numpy(), minlength=4) / 20000
    assert np.allclose(freq, [0.1, 0.0, 0.3, 0.6], atol=0.02) and freq[1] == 0
    rows = mg.multinomial(mg.tensor([[1.0, 0.0, 1.0], [0.0, 5.0, 1.0]]), 2)
    assert rows.shape == (2, 2) and sorted(rows[0].tolist()) == [0, 2]
    for row in rows.tolist():
        assert len(set(row)) == 2  # without replacement
    assert sorted(mg.multinomial(mg.tensor([1.0, 0.0, 1.0]), 3).tolist()[:2]) == [0, 2]
    assert p.multinomial(2).shape == (2,) and mg.multinomial(mg.ones(0, 2), 1).shape == (0, 1)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((mg.tensor([1, 2]), 1), mg.DTypeError, "floating point"),
        ((mg.tensor(1.0), 1), mg.ShapeError, "1 or 2 dim"),
        ((mg.ones(2, 2, 2), 1), mg.ShapeError, "1 or 2 dim"),
        ((mg.ones(2), 0), mg.OptionError, "num_samples <= 0"),
        ((mg.ones(2), 3), mg.OptionError, "without replacement"),
        ((mg.tensor([0.2, -0.8]), 1), mg.OptionError, "element < 0"),
        ((mg.tensor([0.2, float("nan")]), 1), mg.OptionError, "nan"),
        ((mg.zeros(2), 1), mg.OptionError, "sum of probabilities <= 0"),
        ((mg.ones(2), 1.0), TypeError, "num_samples must be an int"),
        (([0.5, 0.5], 1), TypeError, "input must be a Tensor"),
    ],
)
def test_multinomial_refuses_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        mg.multinomial(*args)
    with pytest.raises(TypeError, match="replacement must be a bool"):
        mg.multinomial(mg.ones(2), 1, replacement=1)


def test_bernoulli_and_its_in_place_form():
    assert mg.bernoulli(mg.tensor([0.0, 1.0, 1.0])).tolist() == [0.0, 1.0, 1.0]
    assert mg.bernoulli(mg.zeros(3, dtype=mg.float64), 1.0).dtype == mg.float64
    assert mg.bernoulli(mg.zeros(20000), 0.3).numpy().mean() == pytest.approx(0.3, abs=0.02)
    assert mg.zeros(3).bernoulli_(mg.tensor([1.0, 0.0, 1.0])).tolist() == [1.0, 0.0, 1.0]
    assert mg.zeros(3).bernoulli().tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(mg.OptionError, match=r"\[0, 1\]"):
        mg.bernoulli(mg.tensor([0.0, 1.5]))
    with pytest.raises(mg.OptionError, match="p must be in"):
        mg.zeros(2).bernoulli_(1.5)
    with pytest.raises(mg.DTypeError, match="floating point"):
        mg.bernoulli(mg.tensor([0, 1]))


def test_normal_forms_and_their_zero_gradient():
    assert mg.normal(0.0, 1.0, (2, 3)).shape == (2, 3) and mg.normal(0, 1, (2,)).dtype == mg.float32
    assert mg.normal(0.0, 1.0, size=(3,), dtype=mg.float64).dtype == mg.float64
    assert mg.normal(mg.zeros(2, 1), mg.ones(3)).shape == (2, 3)
    assert mg.normal(mg.zeros(2, dtype=mg.float64), 1.0).dtype == mg.float64
    x = mg.normal(mg.full((20000,), 2.0), 3.0).numpy()
    assert x.mean() == pytest.approx(2.0, abs=0.1) and x.std() == pytest.approx(3.0, abs=0.1)
    mean = mg.zeros(3, requires_grad=True)
    std = mg.ones(3, requires_grad=True)
    out = mg.normal(mean, std)
    out.sum().backward()  # PyTorch defines normal's derivatives as zero
    assert mean.grad.tolist() == [0.0] * 3 and std.grad.tolist() == [0.0] * 3
    with pytest.raises(mg.OptionError, match="std >= 0"):
        mg.normal(mg.zeros(2), -1.0)
    with pytest.raises(mg.OptionError, match="all elements of std"):
        mg.normal(mg.zeros(2), mg.tensor([-1.0, 1.0]))
    with pytest.raises(mg.ShapeError, match="mean and std"):
        mg.normal(mg.zeros(2), mg.ones(3))
    with pytest.raises(TypeError, match="size must be given"):
        mg.normal(0.0, 1.0)
    with pytest.raises(mg.DTypeError, match="mean must have a floating point dtype"):
        mg.normal(mg.zeros(2, dtype=mg.int64), 1.0)


def test_randint_forms():
    g = mg.Generator().manual_seed(0)
    assert mg.randint(5, (3,), generator=g).dtype == mg.int64
    assert mg.randint(low=1, high=3, size=(4,)).shape == (4,) and mg.randint(
        3, size=(2,)
    ).shape == (2,)
    x = mg.randint(3, (2,), dtype=mg.float32, requires_grad=True)
    assert x.requires_grad and x.dtype == mg.float32
    with pytest.raises(TypeError, match="size must be a tuple"):
        mg.randint(0, 3, 5)
    with pytest.raises(mg.DTypeError, match="dtype bool"):
        mg.randint(2, (3,), dtype=mg.bool)
