"""The seeded fuzz of wrong arguments (test_fuzz_bad_input's machinery and rules) over the
more elementwise functions, reductions, norms and sorting functions: every call must raise
a clear error naming an argument, or return sane tensors that backward works through.
"""

import pytest
from test_fuzz_bad_input import (
    BOOL,
    DIM,
    DIMS,
    KEEPDIM,
    OTHER,
    Kind,
    SpecTable,
    X,
    pool,
)

SPECS = SpecTable("more-")
specs = SPECS.add

UNARY = (
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "exp2",
    "expm1",
    "log2",
    "log10",
    "log1p",
    "rsqrt",
    "reciprocal",
    "square",
    "floor",
    "ceil",
    "round",
    "trunc",
    "frac",
    "erf",
    "erfc",
    "isnan",
    "isinf",
    "isfinite",
    "nan_to_num",
)
INTS = pool(
    "mg.tensor([[3, -1, 0], [2, 5, 1]])", "mg.tensor([True, False])", "mg.arange(6).reshape(2, 3)"
)
specs(
    "elementwise",
    *(f"mg.{f}($input)" for f in UNARY),
    *(f"$input.{f}()" for f in UNARY),
    "mg.round($input, decimals=$decimals)",
    "$input.nan_to_num($nan, $posinf)",
    input=Kind(X.valid + INTS.valid, X.wrong),
    decimals=pool("0", "2", "-1", wrong=("1.5", "'2'", "None", "mg.tensor(1)")),
    nan=pool("0.0", "1", wrong=("'a'", "mg.randn(3)", "[1]")),
    posinf=pool("None", "1e3", wrong=("'inf'", "mg.randn(2)")),
)
DIVISIONS = ("floor_divide", "remainder", "fmod", "atan2")
specs(
    "elementwise",
    *(f"mg.{f}($input, $other)" for f in DIVISIONS),
    *(f"$input.{f}($other)" for f in DIVISIONS),
    "$input // $other",
    "$input % $other",
    "$other // $input",
    "$other % $input",
    "mg.div($input, $other, rounding_mode=$mode)",
    "$input.div($other, rounding_mode=$mode)",
    input=Kind(X.valid + INTS.valid, X.wrong),
    other=Kind(OTHER.valid + ("2", "0", "mg.tensor([1, 0, 2])"), OTHER.wrong),
    mode=pool("None", "'trunc'", "'floor'", wrong=("'round'", "1", "'Floor'", "True")),
    names=("rounding_mode",),
    tensor_slots={"input"},
)
specs(
    "elementwise",
    "mg.lerp($input, $end, $weight)",
    "$input.lerp($end, $weight)",
    input=X,
    end=pool(
        "mg.randn(2, 3)",
        "mg.randn(3)",
        wrong=("2.0", "mg.randn(2, 3).double()", "mg.ones(5)", "[1.0]"),
    ),
    weight=pool(
        "0.5",
        "mg.tensor(0.25)",
        "mg.rand(3)",
        wrong=("'a'", "mg.ones(3, dtype=mg.float64)", "mg.ones(4)", "None"),
    ),
)
specs(
    "elementwise",
    "mg.isclose($input, $other, rtol=$rtol, atol=$atol, equal_nan=$equal_nan)",
    "$input.isclose($other)",
    input=X,
    other=OTHER,
    rtol=pool("1e-5", "0", wrong=("-1", "'a'", "None", "mg.ones(2)")),
    atol=pool("1e-8", "1", wrong=("-0.5", "'a'")),
    equal_nan=BOOL,
)
specs(
    "elementwise",
    "mg.allclose($input, $other)",
    "mg.equal($input, $other)",
    "$input.equal($other)",
    input=X,
    other=OTHER,
    returns="any",
)

# Reductions.
DTYPE = pool("None", "mg.float64", "mg.int64", wrong=("'float32'", "3", "np.float64", "'abc'"))
specs(
    "reductions",
    "mg.std($input, $dim)",
    "$input.std($dim, keepdim=$keepdim)",
    "$input.std($dim, $unbiased, $keepdim)",
    "$input.std(correction=$correction)",
    "mg.prod($input, $dim1, $keepdim)",
    "$input.prod(dtype=$dtype)",
    "mg.cumsum($input, $dim1)",
    "$input.cumprod($dim1, dtype=$dtype)",
    "mg.all($input, $dim, $keepdim)",
    "$input.any($dim)",
    "mg.count_nonzero($input, $dim)",
    "$input.prod($dim1, keepdims=$keepdim)",
    input=Kind(X.valid + INTS.valid, X.wrong),
    dim=DIMS,
    dim1=DIM,
    keepdim=KEEPDIM,
    unbiased=BOOL,
    dtype=DTYPE,
    correction=pool("0", "1", wrong=("'1'", "None", "mg.ones(2)")),
    names=("dim",),
)
ORD = pool("2", "1", "float('inf')", "0", "-1", "3.5", wrong=("'abc'", "None", "[2]", "True"))
specs(
    "reductions",
    "mg.norm($input)",
    "$input.norm($p, $dim, $keepdim)",
    "mg.norm($input, $p, dtype=$dtype)",
    "mg.linalg.norm($input, $ord, $dim)",
    "mg.linalg.vector_norm($input, $ord, $dim, keepdims=$keepdim)",
    "mg.linalg.matrix_norm($input, $mord, $mdim)",
    input=X,
    dim=DIMS,
    keepdim=KEEPDIM,
    ord=ORD,
    dtype=pool("None", "mg.float64", wrong=("mg.int64", "mg.float16")),
    p=Kind(("'fro'", "2", "1", "'nuc'") + ORD.valid, ORD.wrong),
    mord=pool("'fro'", "'nuc'", "1", "2", "-2", "float('inf')", wrong=("3", "'abc'", "0")),
    mdim=pool("(-2, -1)", "(0, 1)", "(1, 0)", wrong=("0", "(0, 0)", "(0, 1, 2)", "(0, 5)")),
    names=("ord", "dim", "p"),
)

# Sorting and selection.
K = pool("1", "2", "0", wrong=("5", "-1", "2.0", "True", "'2'", "mg.tensor([1, 2])", "2**70"))
specs(
    "sorting",
    "mg.sort($input, $dim)",
    "$input.sort($dim, $descending)",
    "$input.sort(stable=$stable)",
    "mg.argsort($input, $dim, descending=$descending)",
    "mg.topk($input, $k)",
    "$input.topk($k, $dim, $largest, $sorted)",
    "mg.kthvalue($input, $k1, $dim)",
    "$input.kthvalue($k1, $dim, $keepdim)",
    "mg.median($input)",
    "$input.median($dim, $keepdim)",
    "mg.median($input, dim=$dim)",
    input=Kind(X.valid + ("mg.tensor([[3, 1, 2]])",), X.wrong),
    dim=DIM,
    k=K,
    k1=pool("1", "2", wrong=K.wrong + ("0",)),
    descending=BOOL,
    stable=BOOL,
    largest=BOOL,
    sorted=BOOL,
    keepdim=KEEPDIM,
    names=("k",),
)
specs(
    "sorting",
    "mg.unique($input)",
    "$input.unique($sorted, $return_inverse, $return_counts)",
    "mg.unique($input, dim=$dim)",
    input=Kind(X.valid + INTS.valid, X.wrong),
    dim=DIM,
    sorted=BOOL,
    return_inverse=BOOL,
    return_counts=BOOL,
)
specs(
    "sorting",
    "mg.bincount($input)",
    "$input.bincount($weights, $minlength)",
    input=pool(
        "mg.tensor([0, 1, 1, 3])",
        "mg.tensor([2])",
        "mg.zeros(0, dtype=mg.int64)",
        wrong=(
            "mg.tensor([0, -1])",
            "mg.tensor([[0, 1]])",
            "mg.tensor([0.5])",
            "mg.tensor([True])",
            "mg.tensor(1)",
        ),
    ),
    weights=pool(
        "None",
        "mg.tensor([1.0, 2.0, 0.5, 1.0])",
        wrong=("mg.ones(3)", "[1.0, 2.0, 3.0, 4.0]", "mg.ones(2, 2)"),
    ),
    minlength=pool("0", "5", wrong=("-1", "2.5", "None", "'3'")),
)
specs(
    "sorting",
    "mg.histc($input)",
    "$input.histc($bins, $min, $max)",
    input=X,
    bins=pool("10", "1", wrong=("0", "-2", "2.5", "None", "True")),
    min=pool("0", "-1.0", wrong=("float('nan')", "'a'", "float('-inf')", "3")),
    max=pool("0", "1.0", "2", wrong=("float('inf')", "'b'", "-2")),
)


@pytest.mark.parametrize("group", sorted(SPECS))
def test_wrong_arguments_fail_clearly(group):
    SPECS.check(group)
