"""The seeded fuzz of wrong arguments (tests/test_fuzz_bad_input.py's machinery and rules) over
the containers, nn.utils, the regression/likelihood/pair losses, cosine_similarity and
normalize: every call must raise a clear error naming an argument, or return sane tensors
(through whose backward it must work too). The specs are this file's own (SPECS below), drawn
with this file's seed; a failing line pasted after `import minigrad as mg, numpy as np,
operator; F = mg.nn.functional` reproduces it.
"""

from __future__ import annotations

import pytest
from test_fuzz_bad_input import (
    BOOL,
    DIM,
    NUMBER,
    REDUCTION,
    SpecTable,
    pool,
)

SPECS = SpecTable("nn-more-")
specs = SPECS.add

INPUT = pool(
    "mg.randn(4, 3)",
    "mg.randn(4, 3, requires_grad=True)",
    wrong=(
        "mg.randn(4, 0)",
        "mg.randn(3)",
        "mg.arange(12).reshape(4, 3)",
        "mg.randn(5, 3)",
        "mg.randn(4, 3).half()",
    ),
)
TARGET = pool(
    "mg.rand(4, 3)",
    "mg.randn(4, 3, requires_grad=True)",
    wrong=(
        "mg.rand(4)",
        "mg.ones(4, 3, dtype=mg.int64)",
        "mg.rand(4, 3, 2)",
        "mg.rand(3, 4)",
        "mg.ones(4, 3, dtype=mg.bool)",
        "mg.rand(4, 3).double()",
    ),
)
PROB = pool(
    "mg.rand(4, 3)",
    "mg.rand(4, 3, requires_grad=True)",
    wrong=(
        "mg.randn(4, 3) * 3",
        "mg.rand(4)",
        "mg.ones(4, 3, dtype=mg.int64)",
        "mg.rand(4, 3).double()",
        "mg.tensor(float('nan'))",
    ),
)
WEIGHT = pool(
    "None",
    "mg.ones(4, 3)",
    "mg.rand(4, 3)",
    wrong=(
        "mg.ones(3)",
        "mg.ones(4)",
        "mg.ones(4, 3, requires_grad=True)",
        "mg.ones(4, 3, dtype=mg.int64)",
        "mg.ones(1, 4, 3)",
    ),
)
THRESHOLD = pool("1.0", "0.5", "2", wrong=("-1.0", "0.0", "'a'", "None", "mg.randn(3)", "1+2j"))
EPS = pool("1e-8", "1e-3", wrong=("-1.0", "'a'", "None", "mg.randn(3)"))
VAR = pool(
    "mg.rand(4, 3) + 0.1",
    "mg.rand(4) + 0.1",
    "mg.rand(4, 1) + 0.1",
    "0.5",
    wrong=(
        "1",
        "-0.5",
        "mg.rand(3)",
        "-mg.rand(4, 3)",
        "mg.ones(4, 3, dtype=mg.int64)",
        "mg.rand(2, 3)",
        "mg.tensor(1.0)",
    ),
)
KL_REDUCTION = pool("'batchmean'", "'sum'", "'none'", wrong=REDUCTION.wrong + ("'batch'",))
VECTORS = pool(
    "mg.randn(4, 5)",
    "mg.randn(4, 5, requires_grad=True)",
    "mg.randn(1, 5)",
    wrong=(
        "mg.randn(4, 6)",
        "mg.randn(5)",
        "mg.randn(4, 5, 2)",
        "mg.arange(20).reshape(4, 5)",
        "mg.randn(3, 5)",
    ),
)
SIGNS = pool(
    "mg.tensor([1, -1, 1, -1])",
    "mg.tensor([1.0, -1.0, 0.0, 1.0])",
    wrong=("mg.ones(4, 1)", "mg.ones(3)", "mg.tensor(1)", "mg.ones(4, dtype=mg.bool)"),
)
SCORES = pool(
    "mg.randn(4)",
    "mg.randn(4, requires_grad=True)",
    wrong=("mg.randn(3)", "mg.randn(4, 1)", "mg.tensor(1.0)"),
)
ORDER = pool(
    "2",
    "1.0",
    "float('inf')",
    "0.5",
    "'fro'",
    wrong=("'nuc'", "'two'", "None", "mg.randn(3)", "1+2j"),
)
NORM_DIMS = pool("1", "-1", "(0, 1)", "None", wrong=DIM.wrong)
LOSS_WORDS = (
    "input",
    "target",
    "weight",
    "var",
    "input1",
    "input2",
    "x1",
    "x2",
    "margin",
    "reduction",
    "beta",
    "delta",
    "eps",
    "log_target",
    "log_input",
    "full",
    "dim",
    "p",
    "Target size",
)

specs(
    "losses",
    "F.l1_loss($input, $target, reduction=$reduction)",
    "F.l1_loss($input, $target, weight=$weight)",
    "F.smooth_l1_loss($input, $target, reduction=$reduction, beta=$beta)",
    "F.huber_loss($input, $target, $reduction, $delta)",
    "F.huber_loss($input, $target, delta=$delta, weight=$weight)",
    "F.binary_cross_entropy($prob, $ptarget, $bweight, reduction=$reduction)",
    "F.kl_div($input, $ptarget, reduction=$kl_reduction, log_target=$flag)",
    "F.poisson_nll_loss($input, $target, $flag, $flag2, eps=$eps, reduction=$reduction)",
    "F.gaussian_nll_loss($input, $target, $var, $flag, $eps, $reduction)",
    input=INPUT,
    target=TARGET,
    prob=PROB,
    ptarget=PROB,
    weight=WEIGHT,
    bweight=pool("None", "mg.ones(3)", wrong=WEIGHT.wrong),
    reduction=REDUCTION,
    kl_reduction=KL_REDUCTION,
    beta=THRESHOLD,
    delta=THRESHOLD,
    flag=BOOL,
    flag2=BOOL,
    eps=EPS,
    var=VAR,
    names=LOSS_WORDS,
)
specs(
    "losses",
    "F.cosine_embedding_loss($input1, $input2, $signs, $margin, reduction=$reduction)",
    "F.margin_ranking_loss($score1, $score2, $target, $margin, reduction=$reduction)",
    "F.cosine_similarity($input1, $input2, $dim, $eps)",
    "F.normalize($input1, $p, $dims, $eps)",
    input1=VECTORS,
    input2=VECTORS,
    signs=SIGNS,
    score1=SCORES,
    score2=SCORES,
    target=pool(
        "mg.tensor([1.0, -1.0, 1.0, -1.0])", "mg.tensor([1, 1, -1, -1])", wrong=SIGNS.wrong
    ),
    margin=NUMBER,
    reduction=REDUCTION,
    dim=DIM,
    eps=EPS,
    p=ORDER,
    dims=NORM_DIMS,
    names=LOSS_WORDS,
)
specs(
    "losses",
    "mg.nn.L1Loss(reduction=$reduction)($input, $target)",
    "mg.nn.SmoothL1Loss(beta=$beta)($input, $target)",
    "mg.nn.HuberLoss($reduction)($input, $target)",
    "mg.nn.BCELoss($bweight)($prob, $prob)",
    "mg.nn.KLDivLoss(reduction=$kl_reduction)($input, $prob)",
    "mg.nn.PoissonNLLLoss($flag)($input, $target)",
    "mg.nn.GaussianNLLLoss()($input, $target, $var)",
    "mg.nn.CosineEmbeddingLoss($margin)($vectors, $vectors, $signs)",
    "mg.nn.MarginRankingLoss($margin)($score, $score, $score)",
    input=INPUT,
    target=TARGET,
    prob=PROB,
    bweight=pool("None", "mg.ones(3)", wrong=WEIGHT.wrong),
    reduction=REDUCTION,
    kl_reduction=KL_REDUCTION,
    beta=THRESHOLD,
    flag=BOOL,
    var=VAR,
    margin=NUMBER,
    vectors=VECTORS,
    signs=SIGNS,
    score=SCORES,
    names=LOSS_WORDS,
)

MODULES = pool(
    "[mg.nn.Linear(2, 2), mg.nn.ReLU()]",
    "[]",
    "(mg.nn.Identity() for _ in range(2))",
    wrong=("3", "[1]", "[mg.relu]", "mg.nn.Linear(2, 2)", "'ab'", "[None, 1]"),
)
INDEX = pool("0", "-1", "1", "slice(0, 1)", wrong=("5", "-6", "'0'", "1.5", "None", "(0, 1)"))
MODULE = pool("mg.nn.ReLU()", "mg.nn.Linear(2, 2)", wrong=("1", "'relu'", "mg.relu", "mg.ones(2)"))
MAPPING = pool(
    "{'a': mg.nn.ReLU()}",
    "[('a', mg.nn.ReLU())]",
    "{}",
    wrong=(
        "3",
        "[3]",
        "[('a',)]",
        "{1: mg.nn.ReLU()}",
        "{'a.b': mg.nn.ReLU()}",
        "{'keys': mg.nn.ReLU()}",
        "{'a': 1}",
        "{'': mg.nn.ReLU()}",
    ),
)
PARAM_VALUES = pool(
    "[mg.zeros(2)]",
    "[mg.nn.Parameter(mg.ones(3)), 'x']",
    "()",
    wrong=("mg.ones(3)", "3", "[mg.arange(3)]", "[mg.zeros(2)] * 2 + [1j]"),
)
PARAM_MAPPING = pool(
    "{'a': mg.zeros(2)}",
    "[('b', mg.ones(1))]",
    wrong=(
        "3",
        "[3]",
        "{1: mg.ones(1)}",
        "{'a.b': mg.ones(1)}",
        "{'keys': mg.ones(1)}",
        "{'a': mg.arange(2)}",
    ),
)
KEY = pool("'a'", "'b'", wrong=("0", "None", "'zz'", "('a',)"))
CONTAINER_WORDS = (
    "index",
    "module",
    "modules",
    "key",
    "name",
    "iterable",
    "values",
    "parameter",
    "parameters",
    "attribute",
    "element",
    "Sequential",
    "multiplication factor",
    "floating point",
)
specs(
    "containers",
    "mg.nn.ModuleList($modules)",
    "mg.nn.ModuleList($modules)[$index]",
    "mg.nn.ModuleList([mg.nn.ReLU(), mg.nn.Identity()])[$index]",
    "mg.nn.ModuleList([mg.nn.ReLU()]).insert($index, $module)",
    "mg.nn.ModuleList([mg.nn.ReLU()]).extend($modules)",
    "mg.nn.ModuleList([mg.nn.ReLU(), mg.nn.ReLU()]).pop($index)",
    "operator.setitem(mg.nn.ModuleList([mg.nn.ReLU(), mg.nn.ReLU()]), $index, $module)",
    "operator.delitem(mg.nn.ModuleList([mg.nn.ReLU(), mg.nn.ReLU()]), $index)",
    "mg.nn.ModuleList([mg.nn.ReLU()]) + $modules",
    "mg.nn.ModuleDict($mapping)",
    "mg.nn.ModuleDict({'a': mg.nn.ReLU()})[$key]",
    "mg.nn.ModuleDict({'a': mg.nn.ReLU()}).update($mapping)",
    "mg.nn.ParameterList($values)",
    "mg.nn.ParameterList([mg.ones(1), mg.ones(2)])[$index]",
    "mg.nn.ParameterList([mg.ones(1)]).extend($values)",
    "mg.nn.ParameterDict($pmapping)",
    "mg.nn.ParameterDict({'a': mg.ones(1)})[$key]",
    "mg.nn.ParameterDict({'a': mg.ones(1)}).update($pmapping)",
    "mg.nn.Sequential(mg.nn.ReLU(), mg.nn.Identity()).insert($index, $module)",
    "mg.nn.Sequential(mg.nn.ReLU()).extend($modules)",
    "mg.nn.Sequential(mg.nn.ReLU(), mg.nn.ReLU()).pop($index)",
    "mg.nn.Sequential(mg.nn.ReLU()) * $factor",
    "mg.nn.Sequential(mg.nn.ReLU()) + $other",
    modules=MODULES,
    index=INDEX,
    module=MODULE,
    mapping=MAPPING,
    values=PARAM_VALUES,
    pmapping=PARAM_MAPPING,
    key=KEY,
    factor=pool("1", "3", wrong=("0", "-1", "1.5", "'2'", "None")),
    other=pool("mg.nn.Sequential(mg.nn.ReLU())", wrong=("[mg.nn.ReLU()]", "mg.nn.ReLU()", "1")),
    names=CONTAINER_WORDS,
    key_error=True,
    returns="any",
)

GRADDED = "(lambda p: (setattr(p, 'grad', mg.randn(*p.shape)), p)[1])"
PARAMS = pool(
    f"[{GRADDED}(mg.nn.Parameter(mg.randn(3)))]",
    "mg.nn.Linear(3, 2).parameters()",
    f"{GRADDED}(mg.nn.Parameter(mg.randn(2, 2)))",
    "[]",
    wrong=("3", "[1]", "[mg.randn(3), None]", "None", "'abc'"),
)
UTILS_WORDS = (
    "parameters",
    "tensors",
    "max_norm",
    "norm_type",
    "clip_value",
    "foreach",
    "total_norm",
    "vec",
    "error_if_nonfinite",
    "non-finite",
    "parameter",
)
specs(
    "nn_utils",
    "mg.nn.utils.clip_grad_norm_($params, $max_norm, $norm_type)",
    "mg.nn.utils.clip_grad_norm_($params, $max_norm, error_if_nonfinite=$flag, foreach=$flag2)",
    "mg.nn.utils.clip_grad_value_($params, $clip_value)",
    "mg.nn.utils.get_total_norm($params, $norm_type)",
    "mg.nn.utils.parameters_to_vector($params)",
    "mg.nn.utils.vector_to_parameters($vec, mg.nn.Linear(3, 2).parameters())",
    params=PARAMS,
    max_norm=pool("1.0", "0.5", "mg.tensor(1.0)", wrong=("None", "'1'", "[1.0]")),
    norm_type=pool("2", "1.0", "'inf'", "float('inf')", wrong=("'fro'", "None", "mg.randn(2)")),
    clip_value=pool("1.0", "0.1", wrong=("'1'", "None", "mg.randn(3)")),
    flag=BOOL,
    flag2=pool("None", "True", "False", wrong=("1", "'yes'")),
    vec=pool(
        "mg.randn(8)",
        "mg.randn(9, dtype=mg.float64)",
        wrong=("mg.randn(7)", "mg.tensor(1.0)", "[1.0] * 8", "mg.arange(8)", "mg.randn(1, 8)"),
    ),
    names=UTILS_WORDS,
    returns="any",
)


@pytest.mark.parametrize("group", sorted(SPECS))
def test_wrong_arguments_fail_clearly(group):
    SPECS.check(group)
