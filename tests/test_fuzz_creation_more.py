"""The seeded fuzz of bad input (tests/test_fuzz_bad_input.py's machinery and pools) over the
factories, generators, sampling, in-place methods, formatting and device calls added with
them: every call must raise a clear error naming an argument, or return something sane."""

from __future__ import annotations

import pytest
from test_fuzz_bad_input import (
    BOOL,
    DIM,
    DTYPE,
    NUMBER,
    SIZE,
    WRONG,
    SpecTable,
    X,
    pool,
)

SPECS = SpecTable(seed=4321, calls_per_spec=24)
specs = SPECS.add

GENERATOR = pool(
    "None",
    "mg.Generator()",
    "mg.Generator().manual_seed(3)",
    wrong=("1", "'cpu'", "mg.device('cpu')", "object()"),
)
STEPS = pool("0", "1", "5", wrong=("-1", "2.5", "'5'", "None", "2**70", "True"))
END = pool("0", "1.5", "-3", wrong=("'a'", "None", "float('nan')", "[1]", "mg.ones(2)"))
INT_DTYPE = pool(
    "None",
    "mg.int64",
    "mg.int32",
    "mg.float32",
    wrong=("mg.bool", "'abc'", "3", "np.dtype('complex64')", "mg.int8"),
)
PROBS = pool(
    "mg.tensor([0.2, 0.8])",
    "mg.ones(3, 4)",
    "mg.tensor([0.0, 1.0, 0.0])",
    wrong=(
        "mg.tensor([1, 2])",
        "mg.tensor(0.5)",
        "mg.tensor([-1.0, 2.0])",
        "mg.zeros(3)",
        "mg.ones(2, 2, 2)",
        "mg.tensor([float('nan'), 1.0])",
    ),
)
NUM_SAMPLES = pool("1", "2", "5", wrong=("0", "-1", "1.5", "'2'", "None", "True"))

specs(
    "factories",
    "mg.Tensor($data)",
    "mg.Tensor($s0, $s1)",
    "mg.FloatTensor($data)",
    "mg.LongTensor($data)",
    "mg.BoolTensor($s0, $s1)",
    "mg.DoubleTensor($data)",
    data=pool(
        "[1, 2]",
        "[[1.5, 2.0]]",
        "3",
        "np.arange(3)",
        "mg.zeros(2)",
        "()",
        wrong=("2.5", "'a'", "[1, 'a']", "[[1, 2], [3]]", "{1: 2}", "mg.arange(3)", "1+2j"),
    ),
    s0=pool("2", "0", wrong=("-1", "2.5", "'2'", "None", "2**70")),
    s1=pool("3", "1", wrong=("-1", "2.5", "'2'", "None")),
    names=("size", "sizes"),
    returns="any",
)
specs(
    "factories",
    "mg.linspace($start, $end, $steps)",
    "mg.logspace($start, $end, $steps)",
    "mg.linspace($start, $end, $steps, dtype=$dtype)",
    "mg.logspace($start, $end, $steps, base=$base)",
    "mg.linspace($start, $end, $steps, requires_grad=$requires_grad)",
    start=END,
    end=END,
    steps=STEPS,
    dtype=INT_DTYPE,
    requires_grad=BOOL,
    base=pool("2", "10.0", wrong=("'2'", "None", "mg.ones(2)")),
)
specs(
    "factories",
    "mg.eye($n)",
    "mg.eye($n, $m)",
    "mg.eye($n, dtype=$dtype)",
    "mg.randperm($n)",
    "mg.randperm($n, dtype=$dtype, generator=$generator)",
    "mg.eye($n, requires_grad=$requires_grad)",
    n=pool("0", "3", wrong=("-1", "2.5", "'3'", "None", "True", "2**70")),
    m=pool("None", "2", wrong=("-1", "2.5", "'2'")),
    dtype=INT_DTYPE,
    generator=GENERATOR,
    requires_grad=BOOL,
)
specs(
    "factories",
    "mg.full_like($input, $fill_value)",
    "mg.empty_like($input, dtype=$dtype)",
    "mg.rand_like($input, generator=$generator)",
    "mg.randn_like($input, dtype=$dtype)",
    "mg.randint_like($input, $high)",
    "mg.randint_like($input, $low, $high)",
    "mg.zeros_like($input, requires_grad=$requires_grad)",
    input=X,
    fill_value=NUMBER,
    dtype=DTYPE,
    generator=GENERATOR,
    requires_grad=BOOL,
    low=pool("0", "2", wrong=("2.5", "'0'", "None")),
    high=pool("5", "10", wrong=("0", "-3", "2.5", "2**70", "'5'")),
)
specs(
    "factories",
    "$input.new_zeros($size)",
    "$input.new_ones($size, dtype=$dtype)",
    "$input.new_full($size, $fill_value)",
    "$input.new_empty($size)",
    "$input.new_tensor($data)",
    "$input.new_zeros($size, requires_grad=$requires_grad)",
    input=X,
    size=SIZE,
    dtype=DTYPE,
    fill_value=NUMBER,
    requires_grad=BOOL,
    data=pool("[1, 2]", "3.5", wrong=("'a'", "[1, None]", "{1: 2}")),
)
specs(
    "factories",
    "mg.Size($sizes)",
    "mg.Size($sizes).numel()",
    "mg.zeros(2, 3).size($dim)",
    "mg.numel($input)",
    "mg.is_floating_point($input)",
    "mg.is_tensor($input)",
    sizes=pool("[2, 3]", "()", "(np.int64(2),)", wrong=("3", "[2.5]", "['a']", "None")),
    dim=DIM,
    input=X,
    returns="any",
)
specs(
    "defaults",
    "mg.set_default_dtype($d)",
    "mg.set_default_device($device)",
    d=pool("mg.float32", wrong=("mg.int64", "mg.bool", "'abc'", "None", "3", "float")),
    device=pool("'cpu'", "None", "mg.device('cpu')", wrong=("'gpu'", "1", "'cuda:x'")),
    returns="any",
)

specs(
    "random",
    "mg.rand($size, generator=$generator)",
    "mg.randn($size, generator=$generator)",
    "mg.randint($high, $size, generator=$generator)",
    "mg.normal($mean, $std, $size)",
    "mg.normal($tmean, $std)",
    "mg.normal($tmean, $tstd, generator=$generator)",
    size=SIZE,
    generator=GENERATOR,
    high=pool("5", wrong=("0", "2.5", "'5'")),
    mean=NUMBER,
    std=pool("1.0", "0.5", wrong=("-1.0", "'1'", "None", "float('nan')")),
    tmean=pool("mg.zeros(3)", "mg.zeros(2, 1)", wrong=("mg.arange(3)", "[0.0]")),
    tstd=pool(
        "mg.ones(3)",
        wrong=("mg.ones(4)", "mg.tensor([-1.0, 1.0, 1.0])", "mg.ones(3, dtype=mg.int64)"),
    ),
    names=("mean", "std"),
)
specs(
    "random",
    "mg.Generator($device)",
    "mg.Generator().manual_seed($seed)",
    "mg.Generator().set_state($state)",
    "mg.cuda.manual_seed($seed)",
    "mg.cuda.manual_seed_all($seed)",
    device=pool("'cpu'", "mg.device('cpu')", wrong=("'gpu'", "1", "None")),
    seed=pool("0", "2**63", "-5", wrong=("1.5", "'0'", "2**64", "None", "True")),
    state=pool(
        "mg.Generator().get_state()", wrong=("mg.zeros(3)", "mg.zeros(3, dtype=mg.uint8)", "[1, 2]")
    ),
    names=("new_state",),
    returns="any",
)
specs(
    "random",
    "mg.multinomial($input, $num_samples)",
    "mg.multinomial($input, $num_samples, replacement=$replacement, generator=$generator)",
    "$input.multinomial($num_samples)",
    "mg.bernoulli($probs)",
    "mg.zeros(3).bernoulli_($p)",
    "mg.bernoulli($probs, generator=$generator)",
    "mg.multinomial([0.2, 0.8], $num_samples)",
    input=PROBS,
    num_samples=NUM_SAMPLES,
    replacement=BOOL,
    generator=GENERATOR,
    probs=pool(
        "mg.tensor([0.0, 1.0])",
        "mg.rand(2, 3)",
        wrong=("mg.tensor([0, 1])", "mg.tensor([1.5])", "[0.5]", "0.5"),
    ),
    p=pool("0.5", "mg.rand(3)", wrong=("1.5", "-0.5", "'a'", "mg.rand(4)", "None")),
    names=("input", "prob_dist", "probabilities"),
)

T = pool(
    "mg.randn(2, 3)",
    "mg.arange(6).reshape(2, 3)",
    "mg.ones(3, dtype=mg.bool)",
    "mg.randn(3, requires_grad=True)",
    "mg.randn(3, requires_grad=True) * 2",
)
OTHER = pool("mg.randn(2, 3)", "mg.randn(3)", "2.0", "1", wrong=WRONG)
UNARY = ("exp_", "log_", "neg_", "abs_", "sqrt_", "sigmoid_", "tanh_", "relu_", "zero_")
specs(
    "inplace",
    *(f"$input.{f}()" for f in UNARY),
    "$input.add_($other)",
    "$input.add_($other, alpha=$alpha)",
    "$input.sub_($other, alpha=$alpha)",
    "$input.mul_($other)",
    "$input.div_($other)",
    "$input.pow_($other)",
    "$input.div_($other, rounding_mode=$rounding_mode)",
    "$input.clamp_($min, $max)",
    "$input.clamp_min_($min)",
    "$input.clamp_max_($max)",
    "$input.fill_($other)",
    "$input.copy_($other)",
    "$input.lerp_($other, 0.5)",
    input=T,
    other=OTHER,
    alpha=pool("1", "2", "0.5", wrong=("'a'", "None", "True", "[1]")),
    rounding_mode=pool("None", "'floor'", "'trunc'", wrong=("'round'", "1")),
    min=pool("-1.0", "None", "0", wrong=("'0'", "mg.zeros(4)")),
    max=pool("1.0", "2", wrong=("'1'", "mg.ones(5)")),
    names=("src", "value", "end", "exponent", "min", "max", "tensor", "result"),
    returns="any",
)
specs(
    "inplace",
    "$input.masked_fill_($mask, $value)",
    "$input.index_add_($dim, $index, $source)",
    "$input.scatter_($dim, $sindex, $src)",
    "$input.scatter_add_($dim, $sindex, $src)",
    "$input.scatter_($dim, $sindex, $value)",
    input=pool("mg.zeros(2, 3)", "mg.zeros(2, 3, requires_grad=True)"),
    mask=pool(
        "mg.tensor([True, False, True])",
        "mg.ones(2, 3, dtype=mg.bool)",
        wrong=("mg.tensor([1, 0, 1])", "mg.ones(4, dtype=mg.bool)", "[True]"),
    ),
    value=pool("1.0", "mg.tensor(2.0)", wrong=("mg.ones(2)", "'a'", "None", "2**70")),
    dim=pool("0", "1", "-1", wrong=("2", "-3", "1.5", "'0'")),
    index=pool(
        "mg.tensor([0, 1])", wrong=("mg.tensor([0.0])", "mg.tensor([5])", "[0]", "mg.tensor([[0]])")
    ),
    source=pool(
        "mg.ones(2, 3)", "mg.ones(2, 2)", wrong=("mg.ones(3, 3)", "mg.ones(2, 3).double()")
    ),
    sindex=pool(
        "mg.tensor([[0, 1], [1, 0]])",
        wrong=("mg.tensor([[0.0]])", "mg.tensor([0])", "mg.tensor([[9]])"),
    ),
    src=pool("mg.ones(2, 3)", "2.0", wrong=("mg.ones(1, 1)", "mg.ones(2, 3, dtype=mg.int64)")),
    names=("index", "mask", "value", "src", "source", "self"),
    returns="any",
)

specs(
    "format",
    "format($input, $spec)",
    "repr($input)",
    "mg.set_printoptions(precision=$precision)",
    "mg.set_printoptions(threshold=$threshold, sci_mode=$sci_mode)",
    "mg.set_printoptions(profile=$profile)",
    input=pool("mg.tensor(1.5)", "mg.tensor(3)", "mg.randn(3)", "mg.zeros(0)"),
    spec=pool("''", "'.2f'", "'>8'", wrong=("'x'", "'q'", "1")),
    precision=pool("2", "4", wrong=("-1", "2.5", "'3'")),
    threshold=pool("5", "1000", wrong=("'a'", "[1]")),
    sci_mode=pool("None", "True", wrong=("1", "'yes'")),
    profile=pool("'default'", "'short'", wrong=("'long'", "1")),
    names=(
        "format",
        "format_spec",
        "Unknown format code",
        "precision",
        "threshold",
        "sci_mode",
        "profile",
    ),
    returns="any",
)
specs(
    "devices",
    "$input.to($device, non_blocking=$flag)",
    "$input.to($device, copy=$flag)",
    "$input.to($dtype, $flag, $flag)",
    "mg.nn.Linear(2, 2).to($device, non_blocking=$flag)",
    "$input.pin_memory()",
    "mg.accelerator.current_accelerator()",
    "mg.cuda.device_count()",
    input=X,
    device=pool("'cpu'", "mg.device('cpu')", wrong=("'gpu'", "1.5", "'cuda:x'")),
    flag=BOOL,
    dtype=DTYPE,
    names=("device", "dtype", "non_blocking", "copy"),
    returns="any",
)


@pytest.fixture(autouse=True)
def _restore_defaults():
    yield
    import minigrad as mg

    mg.set_printoptions(profile="default")
    mg.set_default_dtype(mg.float32)
    mg.set_default_device(None)


@pytest.mark.parametrize("group", sorted(SPECS))
def test_wrong_arguments_fail_clearly(group):
    SPECS.check(group)
