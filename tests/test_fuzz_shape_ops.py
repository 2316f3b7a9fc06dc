"""The seeded fuzz of test_fuzz_bad_input.py, over products, einsum, cutting, repeating and
moving tensors, and indexing with masks and indices: wrong arguments must get clear errors
(an allowed exception type, a message naming an argument), right ones sane results.

The machinery (pools, Spec, judging a call) is test_fuzz_bad_input's; the specs are this
file's own, in SPECS here, so that the two files' groups stay apart.
"""

import pytest
from test_fuzz_bad_input import (
    BOOL,
    DIM,
    SHAPE,
    X2,
    SpecTable,
    X,
    pool,
)

SPECS = SpecTable("more-")
specs = SPECS.add

MAT = pool(
    "mg.randn(3, 2)",
    "mg.randn(3, 4, requires_grad=True)",
    wrong=(
        "mg.randn(2, 3)",
        "mg.randn(3)",
        "mg.randn(3, 2).double()",
        "mg.ones(3, 2, dtype=mg.bool)",
        "mg.randn(2, 3, 2)",
        "mg.zeros(0, 2)",
    ),
)
VEC = pool(
    "mg.randn(3)",
    "mg.randn(3, requires_grad=True)",
    wrong=("mg.randn(4)", "mg.randn(3, 1)", "mg.randn(3).double()", "mg.tensor(1.0)"),
)
INDEX = pool(
    "mg.tensor([0, 2])",
    "mg.tensor([1], dtype=mg.int32)",
    "mg.tensor(1)",
    wrong=(
        "mg.tensor([3])",
        "mg.tensor([-1])",
        "mg.tensor([0.5])",
        "mg.tensor([[0]])",
        "[0, 1]",
        "mg.ones(2, dtype=mg.bool)",
        "np.array([0])",
    ),
)
SCATTER_INDEX = pool(
    "mg.tensor([[0, 1]])",
    "mg.zeros(2, 3, dtype=mg.int64)",
    wrong=(
        "mg.tensor([[3]])",
        "mg.tensor([0, 1])",
        "mg.tensor([[0.0]])",
        "mg.zeros(3, 4, dtype=mg.int64)",
        "mg.tensor([[-1]])",
    ),
)
SRC = pool(
    "mg.randn(2, 3)",
    "mg.randn(2, 3, requires_grad=True)",
    wrong=("mg.randn(1, 1)", "mg.randn(2, 3).double()", "mg.randn(3)", "1.5"),
)
MASK = pool(
    "mg.randn(2, 3) > 0",
    "mg.tensor([True, False, True])",
    wrong=("mg.randn(2, 3)", "mg.ones(4, dtype=mg.bool)", "mg.arange(3)", "[True]"),
)
COUNT = pool("1", "2", "3", wrong=("0", "-1", "2.5", "None", "mg.tensor([1, 2])"))
SIZES = pool("[1, 2]", "(3,)", "2", wrong=("[1, 1]", "[-1, 4]", "[1.5, 1.5]", "0", "-2"))
DIMS = pool("(0,)", "[0, 1]", "(-1,)", wrong=("(0, 0)", "(2,)", "(0.5,)", "2", "None"))

specs(
    "products",
    "mg.mm($input, $mat2)",
    "$input.mm($mat2)",
    "mg.matmul(input=$input, other=$mat2)",
    "mg.mv($input, $vec)",
    "$input.mv(vec=$vec)",
    "mg.dot($vec, $vec2)",
    "$vec.dot($vec2)",
    "mg.outer($vec, $vec2)",
    "$vec.ger($vec2)",
    "mg.bmm($input.unsqueeze(0), $mat2)",
    "mg.tensordot($input, $mat2, $dims)",
    "mg.tensordot($input, $mat2, dims=$dims)",
    input=X2,
    mat2=MAT,
    vec=VEC,
    vec2=VEC,
    dims=pool(
        "1",
        "([1], [0])",
        "0",
        "[[0, 1], [1, 0]]",
        wrong=(
            "-1",
            "3",
            "1.5",
            "([1], [0, 1])",
            "([1, 1], [0, 0])",
            "(1, 0)",
            "([5], [0])",
            "'1'",
        ),
    ),
    names=("a", "b", "dims", "input", "tensor", "mat2", "vec2"),
)
specs(
    "einsum",
    "mg.einsum($equation, $a)",
    "mg.einsum($equation, $a, $b)",
    "mg.einsum($equation, [$a, $b])",
    "mg.einsum($a, [0, 1], $b, [1, 2], [0, 2])",
    equation=pool(
        "'ij->ji'",
        "'ij,jk->ik'",
        "'...j,j'",
        "'ij'",
        "'ij,ij->'",
        wrong=(
            "'i1'",
            "'i.j'",
            "'ij->k'",
            "'i->ii'",
            "'ij,jk,kl'",
            "'...i...'",
            "3",
            "None",
            "'ii->i'",
            "'ij-->'",
            "''",
        ),
    ),
    a=X2,
    b=pool("mg.randn(3, 2)", "mg.randn(2, 3)", "mg.randn(3)", wrong=MAT.wrong),
    names=(
        "equation",
        "operand",
        "operands",
        "subscript",
        "subscripts",
        "sublist",
        "ellipsis",
        "ellipses",
    ),
)
specs(
    "cut",
    "$input.chunk($count, $dim)",
    "mg.chunk($input, $count)",
    "mg.split($input, $sizes, $dim)",
    "$input.split($sizes)",
    "$input.unbind($dim)",
    "mg.unbind($input)",
    "$input.narrow($dim, $start, $count)",
    input=X,
    count=COUNT,
    dim=DIM,
    sizes=SIZES,
    start=pool("0", "1", "-1", wrong=("5", "-5", "1.5", "None")),
    names=("tensor", "chunks", "split_size", "split_size_or_sections", "length", "dim"),
    returns="any",
)
specs(
    "move",
    "mg.movedim($input, $source, $destination)",
    "$input.moveaxis($source, 0)",
    "$input.repeat($shape)",
    "$input.repeat(2, 1, 1)",
    "mg.tile($input, $shape)",
    "$input.tile($shape)",
    "mg.repeat_interleave($input, $count)",
    "$input.repeat_interleave($repeats, $dim)",
    "mg.repeat_interleave($repeats)",
    "mg.flip($input, $dims)",
    "$input.flip($dims)",
    "mg.roll($input, $shifts, $dims)",
    "$input.roll($shifts)",
    input=X,
    source=pool("0", "(0, 1)", wrong=("(0, 0)", "5", "1.5")),
    destination=pool("-1", "(1, 0)", wrong=("(0,)", "5", "(0, 0)")),
    shape=pool("(2, 1, 1)", "(1, 2, 3)", wrong=SHAPE.wrong),
    count=COUNT,
    dim=DIM,
    dims=DIMS,
    repeats=pool(
        "2",
        "mg.tensor([1, 2])",
        "mg.tensor(2)",
        wrong=("mg.tensor([1.0, 2.0])", "mg.tensor([[1]])", "mg.tensor([-1, 2])", "-1", "[1, 2]"),
    ),
    shifts=pool("1", "(1,)", "-3", wrong=("()", "1.5", "(1, 2)", "None")),
    names=("input", "repeats", "dims", "shifts", "source", "destination"),
)
specs(
    "layout",
    "mg.tril($input, $diagonal)",
    "$input.triu(diagonal=$diagonal)",
    "mg.diag($input, $diagonal)",
    "$input.diagonal($diagonal, $dim, $dim2)",
    "mg.diag_embed($input, $diagonal, $dim, $dim2)",
    "mg.clone($input)",
    "$input.contiguous()",
    "$input.view_as($other)",
    "$input.reshape_as($other)",
    "$input.type_as($other)",
    input=X,
    diagonal=pool("0", "1", "-2", wrong=("1.5", "None", "'1'", "2**70")),
    dim=DIM,
    dim2=pool("-1", "0", wrong=DIM.wrong),
    other=pool(
        "mg.zeros(6).reshape(2, 3)",
        "mg.zeros(3, 2, dtype=mg.int64)",
        wrong=("mg.zeros(5)", "(2, 3)", "mg.float64", "None"),
    ),
    names=("diagonal", "offset", "dim1", "dim2", "other", "shape"),
)
specs(
    "layout",
    "$input.type($dtype)",
    "$input.type()",
    input=X,
    dtype=pool(
        "mg.float64",
        "'minigrad.LongTensor'",
        "'torch.FloatTensor'",
        wrong=("'float64'", "'torch.Foo'", "3", "mg.nn.Linear(2, 2)"),
    ),
    names=("dtype", "type"),
    returns="any",
)
specs(
    "select",
    "mg.masked_fill($input, $mask, $value)",
    "$input.masked_fill($mask, $value)",
    "mg.masked_select($input, $mask)",
    "mg.index_select($input, $dim, $index)",
    "$input.index_select($dim, $index)",
    input=X2,
    mask=MASK,
    dim=DIM,
    index=INDEX,
    value=pool(
        "0.0", "-1", "mg.tensor(2.0)", "True", wrong=("'a'", "None", "mg.ones(2)", "1+2j", "2**70")
    ),
    names=("mask", "value", "index", "dim"),
)
specs(
    "scatter",
    "mg.scatter($input, $dim, $index, $src)",
    "$input.scatter($dim, $index, $value)",
    "$input.scatter($dim, $index, $src, reduce=$reduce)",
    "mg.scatter_add($input, $dim, $index, $src)",
    "$input.scatter_add($dim, $index, $src)",
    "mg.index_add($input, $dim, $vindex, $src, alpha=$alpha)",
    "mg.take_along_dim($input, $index, $dim)",
    "$input.take_along_dim($index)",
    "mg.nonzero($input, as_tuple=$as_tuple)",
    "mg.argwhere($input)",
    input=X2,
    dim=DIM,
    index=SCATTER_INDEX,
    src=SRC,
    vindex=INDEX,
    value=pool("1.5", "-2", wrong=("'a'", "None", "[1.0]")),
    reduce=pool("None", "'add'", wrong=("'mean'", "1", "'multiply'")),
    alpha=pool("1", "0.5", "-2", wrong=("'a'", "None", "mg.ones(2)")),
    as_tuple=BOOL,
    names=("index", "indices", "src", "source", "value", "reduce", "alpha", "as_tuple", "dim"),
    returns="any",
)


@pytest.mark.parametrize("group", sorted(SPECS))
def test_wrong_arguments_fail_clearly(group):
    SPECS.check(group)
