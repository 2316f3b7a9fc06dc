"""A seeded fuzz of the public API with wrong arguments: bad input must get a clear error.

Each call is one Python expression, built from a template such as `mg.sum($input, $dim)` by
putting an argument expression in each slot. Most calls put a wrong value in one or two
slots (a wrong type, a value out of range, a tensor of the wrong shape, rank or dtype, an
empty or 0-d tensor, ...), the others valid ones. Whatever a call does, it must do cleanly:

- raise TypeError, ValueError, IndexError or RuntimeError (or a subclass: ShapeError,
  DTypeError, OptionError, NotImplementedError), KeyError only where a spec allows it (as
  PyTorch does for missing state-dict keys);
- with a message that names one of the call's arguments (the slot names, or the words a spec
  lists for them) in minigrad's own words: Python's and numpy's incidental phrases ("tuple
  index out of range", "'float' object is not iterable") name nothing, even when they
  contain a slot's name; Python's own "unsupported operand type(s)" of an operator counts;
- or return something sane: tensors (never raw arrays, never numpy scalars inside) of a dtype
  minigrad supports; and when a result requires grad, backward through it must work too (no
  failure deferred to backward, like `Linear(0, 2)(mg.zeros(0))` once had).

A numpy RuntimeWarning on the way is allowed, and listed (`pytest -s` shows the list). The
failures of a group are collected over all its calls and reported together, each as the
expression that reproduces it. The calls are fixed by SEED: a failing line, pasted into
Python after `import minigrad as mg, numpy as np, operator; F = mg.nn.functional`, fails.
About 7,000 calls, in about 2 seconds.
"""

from __future__ import annotations

import math
import operator
import random
import re
import string
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest

import minigrad as mg
from minigrad import dtypes

SEED = 1234
CALLS_PER_SPEC = 24

ALLOWED = (TypeError, ValueError, IndexError, RuntimeError)
# Python's own TypeErrors of an operator or a protocol (`x < y`, `[1] * x`, `operator.index`).
OPERATOR_TYPE_ERROR = re.compile(
    r"unsupported operand type|not supported between instances|can only concatenate|"
    r"only integer tensors of a single element can be converted to an index"
)
# Python's and numpy's own words, which name no argument even when they contain one's name
# ("tuple index out of range" is not about `index`): a message must name one besides them.
INCIDENTAL = re.compile(
    r"(tuple|list|string) index out of range|object is not (iterable|subscriptable|callable)|"
    r"has no attribute|cannot be interpreted as an integer|an array element with a sequence|"
    r"could not convert \w+ to \w+|invalid literal for|must be (a )?real number, not|"
    r"argument must be a string|ufunc '\w+'[^:]*|truth value of an array|"
    r"[Bb]oolean value of a Tensor|axis -?\d+ is out of bounds for array|"
    r"operands could not be broadcast together with shapes[^:]*"
)


# ----- argument pools: valid values and wrong ones, each a Python expression -----------------
@dataclass(frozen=True)
class Kind:
    valid: tuple[str, ...]
    wrong: tuple[str, ...] = ()


def pool(*valid: str, wrong: tuple[str, ...] = ()) -> Kind:
    return Kind(tuple(valid), tuple(wrong))


# Wrong in almost any slot: types, odd numbers, odd tensors, odd containers.
WRONG = (
    "None",
    "'abc'",
    "''",
    "{}",
    "{'a': 1}",
    "[]",
    "[1, 'a']",
    "{1, 2}",
    "object()",
    "1+2j",
    "True",
    "False",
    "2.5",
    "-0.5",
    "float('nan')",
    "float('inf')",
    "-float('inf')",
    "-1",
    "-7",
    "0",
    "3",
    "2**70",
    "-2**70",
    "2**63",
    "np.int64(1)",
    "np.float64(0.5)",
    "np.zeros(3)",
    "np.array(['a'])",
    "mg.tensor(0)",
    "mg.tensor(1.5)",
    "mg.tensor(True)",
    "mg.zeros(0)",
    "mg.zeros(0, 3)",
    "mg.zeros(2, 0)",
    "mg.arange(6)",
    "mg.ones(3, dtype=mg.bool)",
    "mg.randn(3, dtype=mg.float64)",
    "mg.randn(3).half()",
    "mg.randn(5)",
    "mg.randn(2, 3, 4)",
    "mg.randn(3, requires_grad=True)",
    "mg.randn(2, 3, requires_grad=True) * 2",
    "[mg.zeros(2), 1]",
    "[None]",
    "(1, 'a')",
    "()",
    "(0, 0)",
    "[1, 2]",
    "(1.5,)",
    "slice(None)",
    "...",
    "lambda *a: None",
    "b'x'",
    "mg.float32",
    "mg.int64",
    "'cuda:x'",
    "mg.nn.Linear(2, 2)",
)
# What a slot that Python itself uses (`x.sum()`, `x[i]`, `-x`) gets: only wrong tensors, as
# `'abc'.sum()` tests Python, not minigrad.
WRONG_TENSORS = tuple(w for w in WRONG if re.match(r"mg\.(tensor|zeros|ones|arange|randn)", w))

X = pool(
    "mg.randn(2, 3)",
    "mg.randn(2, 3, requires_grad=True)",
    "mg.randn(4)",
    "mg.randn(2, 3, 4, requires_grad=True)",
)
X2 = pool("mg.randn(2, 3)", "mg.randn(2, 3, requires_grad=True)")  # a matrix
OTHER = pool("mg.randn(2, 3)", "mg.randn(3)", "2.0", "mg.randn(1, 3, requires_grad=True)")
DIM = pool(
    "0",
    "1",
    "-1",
    wrong=(
        "2",
        "3",
        "-4",
        "2**70",
        "1.0",
        "True",
        "mg.tensor(0)",
        "np.int64(1)",
        "(0, 0)",
        "(0, 5)",
        "[0, 1.0]",
        "()",
        "(0, 1)",
    ),
)
DIMS = Kind(("0", "-1", "(0, 1)", "None"), DIM.wrong)
KEEPDIM = pool("False", "True", wrong=("None", "'yes'", "2", "mg.tensor(True)"))
SIZE = pool(
    "2",
    "(2, 3)",
    "[2, 3]",
    "0",
    wrong=(
        "-1",
        "-2",
        "2.5",
        "(2, -1)",
        "(2, 2.0)",
        "[2, None]",
        "2**70",
        "(2**70,)",
        "mg.tensor(2)",
        "np.int64(2)",
        "float('nan')",
        "(2, True)",
        "mg.tensor([2, 3])",
    ),
)
DTYPE = pool(
    "None",
    "mg.float32",
    "mg.float64",
    wrong=(
        "'float32'",
        "float",
        "int",
        "np.float64",
        "mg.int64",
        "mg.bool",
        "'abc'",
        "3",
        "np.dtype('complex64')",
        "np.dtype('uint32')",
    ),
)
PROB = pool(
    "0.0",
    "0.5",
    "1.0",
    wrong=("1.5", "-0.1", "float('nan')", "float('inf')", "True", "mg.tensor(0.5)", "'0.5'"),
)
BOOL = pool("False", "True", wrong=("None", "'yes'", "2", "mg.tensor(True)", "[]"))
REDUCTION = pool("'mean'", "'sum'", "'none'", wrong=("'avg'", "None", "1", "'Mean'", "True"))
POSITIVE = pool("1", "2", "3", wrong=("0", "-1", "1.5", "True", "2**70", "float('inf')", "'2'"))
NUMBER = pool(
    "0.0",
    "1.0",
    "-2.0",
    "3",
    wrong=("'1'", "None", "float('nan')", "mg.tensor(1.0)", "mg.randn(3)", "1+2j"),
)
LR = pool(
    "0.1",
    "0.01",
    "0",
    wrong=("-0.1", "'0.1'", "None", "float('nan')", "mg.tensor(0.1)", "[0.1]", "-float('inf')"),
)
PARAMS = pool(
    "[mg.nn.Parameter(mg.randn(3))]",
    "mg.nn.Linear(3, 2).parameters()",
    "[{'params': [mg.nn.Parameter(mg.randn(2))], 'lr': 0.1}]",
    "mg.nn.Linear(3, 2).named_parameters()",
    wrong=(
        "mg.nn.Parameter(mg.randn(3))",
        "[mg.randn(3, requires_grad=True) * 2]",
        "[(p := mg.nn.Parameter(mg.randn(2))), p]",
        "{mg.nn.Parameter(mg.randn(2))}",
        "[{'lr': 0.1}]",
        "[{'params': mg.nn.Parameter(mg.randn(2)), 'lr': -1}]",
        "[mg.randn(2)]",
        "[mg.arange(3)]",
        "[[mg.nn.Parameter(mg.randn(2))]]",
        "[{'params': [1]}]",
        "iter([])",
    ),
)
CLASSES = pool(
    "mg.randn(4, 3)",
    "mg.randn(4, 3, requires_grad=True)",
    wrong=("mg.randn(4, 0)", "mg.randn(0, 3)", "mg.randn(3)", "mg.arange(12).reshape(4, 3)"),
)
TARGET = pool(
    "mg.tensor([0, 2, 1, 0])",
    "mg.tensor([1, 1, 1, 1])",
    wrong=(
        "mg.tensor([0, 3, 1, 0])",
        "mg.tensor([0, -1, 1, 0])",
        "mg.tensor([0, 1])",
        "mg.tensor([0., 1., 2., 0.])",
        "mg.tensor([[0], [1], [2], [0]])",
        "mg.tensor(0)",
        "mg.tensor([0, 1, 2, 0], dtype=mg.int32)",
        "mg.randn(4, 3)",
    ),
)
FLOAT_TARGET = pool(
    "mg.rand(4, 3)",
    wrong=("mg.rand(4)", "mg.ones(4, 3, dtype=mg.int64)", "mg.rand(4, 3, 2)", "mg.rand(3, 4)"),
)
WEIGHT = pool(
    "None",
    "mg.ones(3)",
    wrong=(
        "mg.ones(4)",
        "mg.ones(3, dtype=mg.int64)",
        "mg.ones(3, requires_grad=True)",
        "mg.ones(3, 1)",
    ),
)
GRAD = pool(
    "mg.ones(3)",
    "mg.zeros(3)",
    wrong=(
        "mg.ones(4)",
        "mg.ones(3, dtype=mg.float64)",
        "mg.ones(3, dtype=mg.int64)",
        "mg.ones(1, 3)",
    ),
)
KEY = pool(
    "0",
    "-1",
    "slice(0, 1)",
    "(0, 1)",
    "mg.tensor([0, 1])",
    "...",
    wrong=(
        "5",
        "-6",
        "(0, 0, 0)",
        "2.5",
        "'a'",
        "mg.tensor([0.5])",
        "mg.tensor([5])",
        "[0, 'a']",
        "{0}",
        "(slice(None), 9)",
        "mg.ones(3, dtype=mg.bool)",
        "[[0, 1], [1]]",
        "mg.tensor(1.0)",
        "None",
    ),
)
HOOK = pool("lambda g: None", "lambda g: g * 2", wrong=("1", "'f'", "None"))
SHAPE = pool(
    "(3, 2)",
    "[6]",
    "-1",
    "(2, -1)",
    wrong=(
        "(4, 2)",
        "(-1, -1)",
        "(2, -2)",
        "(2.0, 3)",
        "(2, None)",
        "[[2, 3]]",
        "'6'",
        "np.int64(6)",
        "mg.tensor(6)",
        "(6, True)",
        "2**70",
        "(0, -1)",
    ),
)
STATE_DICT = pool(
    "{'weight': mg.zeros(2, 3), 'bias': mg.zeros(2)}",
    wrong=(
        "{'weight': mg.zeros(2, 3)}",
        "{'weight': 1, 'bias': 2}",
        "[1]",
        "{1: mg.zeros(2)}",
        "{'weight': mg.zeros(3, 2), 'bias': mg.zeros(2)}",
        "{'weight': mg.zeros(2, 3), 'bias': mg.zeros(2), 'x': mg.zeros(1)}",
        "{'weight': np.zeros((2, 3)), 'bias': [0.0, 0.0]}",
        "{'weight': mg.zeros(2, 3, dtype=mg.int64), 'bias': mg.zeros(2)}",
    ),
)
OPT_STATE = pool(
    "{'state': {}, 'param_groups': [{'params': [0], 'lr': 0.5}]}",
    wrong=(
        "{}",
        "{'state': {}}",
        "{'state': {}, 'param_groups': []}",
        "{'state': {}, 'param_groups': [{'params': [0, 1], 'lr': 0.5}]}",
        "{'state': 1, 'param_groups': [{'params': [0], 'lr': 0.5}]}",
        "{'state': {}, 'param_groups': [{'lr': 0.5}]}",
        "{'state': {}, 'param_groups': 1}",
        "{'state': {}, 'param_groups': [1]}",
        "{'state': {0: 1}, 'param_groups': [{'params': [0], 'lr': 0.5}]}",
    ),
)
DATASET = pool(
    "mg.data.TensorDataset(mg.randn(5, 2), mg.arange(5))",
    "[1.0, 2.0, 3.0]",
    wrong=("{1, 2}", "mg.randn(5, 2)", "mg.data.Dataset()", "iter([1, 2])"),
)
OPTIMIZER = pool(
    "mg.optim.SGD([mg.nn.Parameter(mg.randn(2))], lr=0.1)",
    "mg.optim.Adam([mg.nn.Parameter(mg.randn(2))])",
    wrong=("mg.nn.Linear(2, 2)", "[mg.nn.Parameter(mg.randn(2))]"),
)


# ----- specs: a template per call form, and the pool of each of its slots ---------------------
@dataclass
class Spec:
    template: str
    pools: dict[str, Kind]
    names: tuple[str, ...] = ()  # more words that name an argument in a message
    key_error: bool = False  # KeyError allowed (as PyTorch raises for missing dict keys)
    returns: str = "tensor"  # "tensor": tensors or tuples of them; "any": anything
    tensor_slots: set[str] = field(default_factory=set)  # slots that get only wrong tensors
    slots: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        self.slots = tuple(dict.fromkeys(re.findall(r"\$(\w+)", self.template)))
        missing = set(self.slots) - set(self.pools)
        assert not missing, f"{self.template}: no pool for {missing}"
        used_by_python = {n for m in SELF_SLOT.finditer(self.template) for n in m.groups() if n}
        self.tensor_slots = set(self.tensor_slots) | used_by_python
        if not re.match(r"\w", self.template):  # an operator: its left operand is a tensor
            self.tensor_slots.add("input")

    def draw(self, rng: random.Random) -> str:
        values = {name: rng.choice(self.pools[name].valid) for name in self.slots}
        wrong = rng.choices((0, 1, 2), weights=(1, 7, 2))[0]
        for name in rng.sample(self.slots, min(wrong, len(self.slots))):
            own = self.pools[name].wrong
            generic = WRONG_TENSORS if name in self.tensor_slots else WRONG
            values[name] = rng.choice(own if own and rng.random() < 0.45 else generic)
        return string.Template(self.template).substitute(
            {name: v if ATOM.fullmatch(v) else f"({v})" for name, v in values.items()}
        )


# Slots Python itself acts on: `$x.attr`, `$x[...]`, `len($x)`, `operator.iadd($x, ...)`, `-$x`.
SELF_SLOT = re.compile(
    r"\$(\w+)(?=[.\[])|(?:len|list|bool|float|int|repr|abs|index|setattr|setitem|iadd|isub"
    r"|imul|itruediv)\(\$(\w+)|[-~]\$(\w+)"
)
ATOM = re.compile(r"[\w.]*(\(.*\)|\[.*\])?|'[^']*'")  # needs no parentheses as an operand


class SpecTable(dict):
    """A fuzz file's specs by group, and the test of a group: each file has its own table
    (`SPECS = SpecTable("vision-")`, `specs = SPECS.add`), the salt keeping its draws apart."""

    def __init__(self, salt: str = "", seed: int = SEED, calls_per_spec: int = CALLS_PER_SPEC):
        super().__init__()
        self.salt, self.seed, self.calls_per_spec = salt, seed, calls_per_spec

    def add(self, group: str, *templates: str, **options) -> None:
        """Register the templates under `group`; the options with Kind values are slot pools."""
        pools = {k: v for k, v in options.items() if isinstance(v, Kind)}
        rest = {k: v for k, v in options.items() if not isinstance(v, Kind)}
        self.setdefault(group, []).extend(Spec(t, pools, **rest) for t in templates)

    def calls(self, group: str):
        """The (spec, expression) pairs of a group, the same every run."""
        rng = random.Random(f"{self.seed}-{self.salt}{group}")
        for spec in self[group]:
            for _ in range(self.calls_per_spec):
                yield spec, spec.draw(rng)

    def check(self, group: str) -> None:
        """Run every call of the group: each must fail clearly or give a sane result."""
        mg.manual_seed(0)
        problems, leaks, count = {}, {}, 0
        for spec, expr in self.calls(group):
            count += 1
            problem, leaked = run_call(spec, expr)
            if problem:
                problems.setdefault(expr, problem)
            if leaked:
                leaks.setdefault(expr, leaked[0])
        notes = [f"  (numpy warning, allowed) {expr}  ->  {w}" for expr, w in leaks.items()]
        print(f"{group}: {count} calls, {len(leaks)} with a numpy RuntimeWarning", *notes, sep="\n")
        lines = [f"{expr}  ->  {problem}" for expr, problem in problems.items()]
        assert not problems, (
            f"{len(problems)} of {count} calls in {group!r} failed unclearly:\n" + "\n".join(lines)
        )


SPECS = SpecTable()
specs = SPECS.add


# Creation.
specs(
    "creation",
    "mg.tensor($data, dtype=$dtype)",
    "mg.Tensor($data)",
    "mg.tensor($data, requires_grad=$requires_grad)",
    data=pool(
        "[1.0, 2.0]",
        "[[1, 2], [3, 4]]",
        "3.5",
        "np.zeros(3)",
        "True",
        wrong=(
            "[[1, 2], [3]]",
            "[mg.zeros(2), mg.zeros(2)]",
            "[1, None]",
            "['a']",
            "np.array([1 + 2j])",
            "np.zeros(2, dtype=object)",
            "[2**70]",
            "[float('nan')]",
            "{'a': 1}",
            "range(3)",
            "(1, (2, 3))",
        ),
    ),
    dtype=DTYPE,
    requires_grad=BOOL,
)
FACTORIES = ("zeros", "ones", "empty", "rand", "randn")
specs(
    "creation",
    *(f"mg.{f}($size)" for f in FACTORIES),
    *(f"mg.{f}($size, dtype=$dtype)" for f in FACTORIES),
    "mg.zeros($size, requires_grad=$requires_grad)",
    "mg.ones($size, $size2)",
    "mg.randn($size, device=$device)",
    size=SIZE,
    size2=pool("2", "3", wrong=SIZE.wrong),
    dtype=DTYPE,
    requires_grad=BOOL,
    device=pool("'cpu'", "None", "mg.device('cpu')", wrong=("'gpu'", "'cuda:x'", "0", "'cpu:0'")),
)
specs(
    "creation",
    "mg.full($size, $fill_value)",
    "mg.full($size, $fill_value, dtype=$dtype)",
    size=SIZE,
    dtype=DTYPE,
    fill_value=pool(
        "1.5", "2", "True", wrong=("'a'", "None", "2**70", "1+2j", "mg.tensor(2.0)", "mg.ones(2)")
    ),
)
specs(
    "creation",
    "mg.arange($end)",
    "mg.arange($start, $end)",
    "mg.arange($start, $end, $step)",
    "mg.arange($end, dtype=$dtype)",
    start=pool("0", "1", "0.5", wrong=("float('nan')", "2**70", "'0'", "None")),
    end=pool("5", "3.5", "10", wrong=("float('inf')", "2**70", "'5'", "mg.tensor(5)")),
    step=pool("1", "2", "0.5", wrong=("0", "0.0", "-1", "float('nan')")),
    dtype=DTYPE,
)
specs(
    "creation",
    "mg.randint($low, $high, $size)",
    "mg.randint($high, $size)",
    "mg.randint($high, size=$size)",
    low=pool("0", "2", wrong=("2.5", "'0'", "2**70")),
    high=pool("5", "10", wrong=("0", "-3", "2.5", "2**70", "'5'")),
    size=SIZE,
)
specs(
    "creation",
    "mg.zeros_like($input)",
    "mg.ones_like($input, dtype=$dtype)",
    "mg.zeros_like($input, requires_grad=$requires_grad)",
    input=X,
    dtype=DTYPE,
    requires_grad=BOOL,
)
specs(
    "creation",
    "mg.from_numpy($array)",
    "mg.manual_seed($seed)",
    returns="any",
    array=pool(
        "np.zeros(3)",
        "np.arange(4)",
        wrong=("np.zeros(2, dtype=object)", "np.zeros(2, dtype=np.complex64)"),
    ),
    seed=pool("0", "42", wrong=("2**70", "-1", "1.5", "'0'")),
)

# Elementwise functions and operators.
UNARY = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "sign", "neg")
specs(
    "ops",
    *(f"mg.{f}($input)" for f in UNARY),
    *(f"$input.{f}()" for f in UNARY[:-1]),
    "-$input",
    "abs($input)",
    "~$input",
    input=X,
)
BINARY = ("add", "sub", "mul", "div", "maximum", "minimum", "pow", "matmul")
IN_PLACE = ("iadd", "isub", "imul", "itruediv")
specs(
    "ops",
    *(f"mg.{f}($input, $other)" for f in BINARY),
    *(f"$input.{f}($other)" for f in BINARY + ("eq",)),
    *(f"$input {o} $other" for o in ("+", "-", "*", "/", "**", "@", "<", "&", "|", "^")),
    *(f"operator.{f}($input, $other)" for f in IN_PLACE),
    input=X,
    other=OTHER,
    names=("exponent",),
)
# (Not `$other > $input`: a numpy dtype compares itself with anything, as mg.float32 > t.)
specs(
    "ops",
    *(f"$other {o} $input" for o in ("+", "/", "@")),
    input=X,
    other=OTHER,
    tensor_slots={"input"},
)
# == and != fall back to identity for what a tensor cannot compare with (False, True).
specs("ops", "$input == $other", "$input != $other", input=X, other=OTHER, returns="any")
specs(
    "ops",
    "mg.clamp($input, $min, $max)",
    "$input.clamp(min=$min)",
    "$input.clamp(max=$max)",
    input=X,
    min=pool("-0.5", "None", "mg.zeros(3)", wrong=("'0'", "mg.zeros(4)")),
    max=pool("0.5", "mg.ones(3)", wrong=("'1'", "mg.ones(2, 1, 5)")),
)
specs(
    "ops",
    "mg.where($condition, $input, $other)",
    input=X2,
    other=OTHER,
    condition=pool(
        "mg.randn(2, 3) > 0",
        "mg.tensor([True, False, True])",
        wrong=("mg.randn(2, 3)", "mg.ones(4, dtype=mg.bool)", "mg.arange(3)"),
    ),
)

# Reductions.
REDUCTIONS = ("sum", "mean", "var", "amax", "amin", "logsumexp", "max", "min")
specs(
    "ops",
    *(f"mg.{f}($input, $dim)" for f in REDUCTIONS),
    *(f"$input.{f}($dim, $keepdim)" for f in REDUCTIONS if f != "var"),
    *(f"$input.{f}(dim=$dim)" for f in ("sum", "mean", "amax", "argmax")),
    "$input.var($dim, keepdim=$keepdim)",
    "$input.var($dim, correction=$correction)",
    "mg.argmax($input, $dim)",
    "mg.argmin($input, $dim, $keepdim)",
    "mg.max($input, $other)",
    "mg.var($input, unbiased=$unbiased)",
    input=X,
    dim=DIMS,
    keepdim=KEEPDIM,
    other=OTHER,
    unbiased=BOOL,
    correction=pool("0", "1", wrong=("-1", "1.5", "'1'", "None", "10")),
    names=("dim",),
)

# Shapes.
specs(
    "ops",
    "mg.reshape($input, $shape)",
    "$input.reshape($shape)",
    "$input.view($shape)",
    "$input.reshape($s0, $s1)",
    "$input.view($s0, $s1)",
    input=X2,
    shape=SHAPE,
    s0=pool("3", "-1", "6", wrong=SHAPE.wrong),
    s1=pool("2", "-1", "1", wrong=SHAPE.wrong),
    names=("size", "shape"),
)
specs(
    "ops",
    "mg.permute($input, $dims)",
    "$input.permute($d0, $d1)",
    "mg.transpose($input, $dim0, $dim1)",
    "$input.transpose($dim0, $dim1)",
    "mg.squeeze($input, $dim)",
    "$input.squeeze($dim)",
    "mg.unsqueeze($input, $dim)",
    "$input.unsqueeze($dim)",
    "mg.flatten($input, $start_dim, $end_dim)",
    "$input.flatten($start_dim)",
    "$input.t()",
    "$input.T",
    "$input.mT",
    input=X,
    d0=DIM,
    d1=DIM,
    dim0=DIM,
    dim1=DIM,
    dim=DIM,
    start_dim=DIM,
    end_dim=DIM,
    dims=pool("(1, 0)", "[1, 0]", wrong=("(0, 0)", "(0,)", "(0, 1, 2)", "(0, 2.0)")),
    names=("dims",),
)
specs(
    "ops",
    "mg.expand($input, $size)",
    "$input.expand($s0, $s1)",
    "$input.expand_as($other)",
    input=pool("mg.randn(1, 3)", "mg.randn(3, requires_grad=True)"),
    size=pool("(2, 3)", "(4, -1)", wrong=("(3,)", "(2, 4)", "(-1, -1, 3)", "(2, 3.0)")),
    s0=pool("2", "-1", wrong=SHAPE.wrong),
    s1=pool("3", "-1", wrong=SHAPE.wrong),
    other=pool("mg.randn(2, 3)", wrong=("mg.randn(2, 4)", "mg.randn(3)")),
    names=("size",),
)
specs(
    "ops",
    "mg.cat($tensors, $dim)",
    "mg.stack($tensors, $dim)",
    "mg.cat($tensors)",
    dim=DIM,
    tensors=pool(
        "[mg.randn(2, 3), mg.randn(2, 3)]",
        "(mg.randn(2, 3), mg.randn(2, 3, requires_grad=True))",
        wrong=(
            "[mg.randn(2, 3), mg.randn(3, 3)]",
            "[mg.tensor(1.0), mg.tensor(2.0)]",
            "[mg.randn(2, 3), 1.0]",
            "[True]",
            "mg.randn(2, 3)",
            "[]",
            "[mg.randn(2, 3), mg.randn(2, 3, 1)]",
            "[np.zeros((2, 3))]",
            "[mg.randn(2, 3), mg.arange(6).reshape(2, 3)]",
        ),
    ),
)
specs(
    "ops",
    "mg.gather($input, $dim, $index)",
    "$input.gather($dim, $index)",
    input=X2,
    dim=DIM,
    index=pool(
        "mg.tensor([[0, 1], [1, 0]])",
        "mg.zeros(2, 3, dtype=mg.int64)",
        wrong=(
            "mg.tensor(0)",
            "mg.tensor([[0.0]])",
            "mg.tensor([[5]])",
            "mg.tensor([[-1]])",
            "mg.tensor([0, 1])",
            "[[0, 1]]",
            "mg.zeros(3, 4, dtype=mg.int64)",
            "mg.tensor([[0]], dtype=mg.int32)",
            "np.zeros((2, 2), dtype=np.int64)",
        ),
    ),
)
# 0-d tensors: `mg.tensor(2.).gather(-1, mg.tensor(0))` said "tuple index out of range".
specs(
    "ops",
    "mg.tensor(2.).gather($dim, $index)",
    "mg.tensor(2.).sum($dim)",
    "mg.cat(($a, $b))",
    "mg.stack(($a, $b), $dim)",
    dim=pool("0", "-1", wrong=("1", "-2")),
    index=pool("mg.tensor(0)", wrong=("mg.tensor(1)",)),
    a=pool("mg.tensor(1.0)", "mg.randn(2)"),
    b=pool("mg.tensor(2.0)", "mg.randn(2)"),
    names=("tensors", "input"),
)

# Tensor methods and properties.
T = pool(
    "mg.randn(2, 3)",
    "mg.arange(6).reshape(2, 3)",
    "mg.tensor(2.5)",
    "mg.randn(3, requires_grad=True)",
)
specs(
    "tensor",
    "$input[$key]",
    "operator.setitem($input, $key, $value)",
    input=X2,
    key=KEY,
    value=pool("0.0", "mg.zeros(3)", "1", wrong=("'a'", "mg.zeros(4)", "[1, 2]", "None")),
    names=("index", "indices", "key"),
    returns="any",
)
specs(
    "tensor",
    "$input.size($dim)",
    "$input.size()",
    "$input.numel()",
    "$input.dim()",
    "$input.item()",
    "$input.tolist()",
    "$input.numpy()",
    "len($input)",
    "list($input)",
    "bool($input)",
    "float($input)",
    "int($input)",
    "operator.index($input)",
    "repr($input)",
    "$input.shape",
    "$input.ndim",
    "$input.dtype",
    "$input.is_leaf",
    "$input.grad_fn",
    "$input.detach()",
    "$input.retain_grad()",
    input=T,
    dim=DIM,
    returns="any",
    names=("tensor", "element", "elements", "values"),
)
specs(
    "tensor",
    "$input.to($arg)",
    "$input.to(dtype=$dtype)",
    "$input.to(device=$device)",
    "$input.to($arg, $dtype)",
    "$input.float()",
    "$input.double()",
    "$input.half()",
    "$input.long()",
    "$input.int()",
    "$input.bool()",
    "$input.cpu()",
    input=T,
    dtype=DTYPE,
    arg=pool("mg.float64", "'cpu'", "mg.randn(2)", wrong=DTYPE.wrong),
    device=pool("'cpu'", "mg.device('cpu')", wrong=("'gpu'", "1.5", "'cuda:x'")),
    names=("device", "dtype"),
)
specs(
    "tensor",
    "$input.requires_grad_($requires_grad)",
    "$input.backward($gradient)",
    "($input * 2).backward($gradient)",
    "$input.register_hook($hook)",
    "($input * 2).sum().backward(retain_graph=$retain_graph)",
    "$input.zero_()",
    "$input.fill_($value)",
    "$input.copy_($src)",
    "$input.uniform_($low, $high)",
    "$input.normal_($mean, $std)",
    "setattr($input, 'grad', $grad)",
    "setattr($input, 'requires_grad', $requires_grad)",
    input=pool("mg.randn(3)", "mg.randn(3, requires_grad=True)", "mg.arange(3)"),
    requires_grad=BOOL,
    gradient=GRAD,
    grad=GRAD,
    retain_graph=BOOL,
    hook=HOOK,
    value=pool("0.5", "1", wrong=("'a'", "None", "mg.ones(2)", "1+2j")),
    src=pool("mg.zeros(3)", "mg.zeros(1)", wrong=("mg.zeros(4)", "'a'", "[1, 2]")),
    low=pool("0.0", "-1.0"),
    high=pool("1.0", "2.0"),
    mean=NUMBER,
    std=pool("1.0", "0.5"),
    returns="any",
)

# nn.functional.
specs(
    "functional",
    "F.linear($input, $weight, $bias)",
    "F.linear($input, $weight)",
    input=pool(
        "mg.randn(4, 3)",
        "mg.randn(3)",
        "mg.randn(2, 4, 3, requires_grad=True)",
        wrong=(
            "mg.randn(4, 2)",
            "mg.zeros(0)",
            "mg.randn(4, 3, dtype=mg.float64)",
            "mg.arange(12).reshape(4, 3)",
            "mg.tensor(1.0)",
            "mg.zeros(0, 3)",
        ),
    ),
    weight=pool(
        "mg.randn(2, 3, requires_grad=True)",
        "mg.randn(2, 3)",
        wrong=("mg.randn(3, 2)", "mg.randn(3)", "mg.randn(2, 3, 1)", "mg.zeros(2, 0)"),
    ),
    bias=pool(
        "mg.zeros(2)",
        "None",
        "mg.zeros(2, requires_grad=True)",
        wrong=("mg.zeros(3)", "mg.zeros(2, dtype=mg.float64)", "mg.zeros(4, 2)"),
    ),
)
specs(
    "functional",
    "F.relu($input)",
    "F.softmax($input, $dim)",
    "F.log_softmax($input, dim=$dim)",
    "F.softmax($input, dim=$dim, dtype=$dtype)",
    "F.log_softmax($input, $dim, dtype=$dtype)",
    input=X,
    dim=DIM,
    dtype=DTYPE,
)
specs(
    "functional",
    "F.dropout($input, $p, $training)",
    "F.dropout($input, p=$p)",
    input=X,
    p=PROB,
    training=BOOL,
)
specs(
    "functional",
    "F.cross_entropy($input, $target)",
    "F.nll_loss($input, $target)",
    "F.cross_entropy($input, $target, weight=$weight, reduction=$reduction)",
    "F.cross_entropy($input, $target, ignore_index=$ignore_index)",
    "F.cross_entropy($input, $target, label_smoothing=$label_smoothing)",
    "F.nll_loss($input, $target, weight=$weight, ignore_index=$ignore_index, reduction=$reduction)",
    input=CLASSES,
    target=TARGET,
    weight=WEIGHT,
    reduction=REDUCTION,
    ignore_index=pool("-100", "1", wrong=("1.5", "'a'", "None", "2**70")),
    label_smoothing=pool("0.0", "0.1", wrong=("1.5", "-0.1", "'a'", "None", "float('nan')")),
)
specs(
    "functional",
    "F.cross_entropy($input, $target)",  # class probabilities
    "F.mse_loss($input, $target, reduction=$reduction)",
    "F.binary_cross_entropy_with_logits($input, $target)",
    "F.binary_cross_entropy_with_logits($input, $target, weight=$weight, pos_weight=$pos_weight)",
    input=CLASSES,
    target=FLOAT_TARGET,
    reduction=REDUCTION,
    weight=pool("None", "mg.ones(3)", wrong=WEIGHT.wrong),
    pos_weight=pool("None", "mg.ones(3)", wrong=WEIGHT.wrong),
)
specs(
    "functional",
    "F.one_hot($tensor, $num_classes)",
    "F.one_hot($tensor)",
    tensor=pool(
        "mg.tensor([0, 2, 1])",
        "mg.tensor(1)",
        wrong=(
            "mg.tensor([0.0, 1.0])",
            "mg.tensor([-1, 0])",
            "mg.tensor([0, 5])",
            "mg.zeros(0, dtype=mg.int64)",
            "mg.tensor([0, 1], dtype=mg.int32)",
        ),
    ),
    num_classes=pool("3", "-1", "5", wrong=("0", "-2", "1.5", "2**70")),
)

# nn modules: constructors, forward (and backward: `Linear(0, 2)(mg.zeros(0))`), Module API.
LINEAR = "mg.nn.Linear($in_features, $out_features)"
specs(
    "nn",
    "mg.nn.Linear($in_features, $out_features, bias=$bias)",
    f"{LINEAR}(mg.randn(4, 3))",
    f"{LINEAR}(mg.zeros($batch, $in_features))",
    f"{LINEAR}(mg.zeros($in_features))",
    "mg.nn.Linear(3, 2, dtype=$dtype)(mg.randn(4, 3))",
    "mg.nn.Linear(3, 2)($input)",
    in_features=pool("3", "0", wrong=("-1", "2.5", "True", "'3'", "None", "np.int64(3)")),
    out_features=pool("2", "0", wrong=("-1", "2.5", "True", "'2'", "None")),
    bias=BOOL,
    batch=pool("4", "0", "1"),
    dtype=DTYPE,
    input=pool(
        "mg.randn(4, 3)",
        "mg.randn(3)",
        "mg.randn(0, 3)",
        wrong=("mg.randn(4, 2)", "mg.zeros(0)", "mg.arange(3)", "mg.randn(3, dtype=mg.float64)"),
    ),
    names=("size",),
    returns="any",
)
specs(
    "nn",
    "mg.nn.Dropout($p)",
    "mg.nn.Dropout(p=$p)($input)",
    "mg.nn.ReLU()($input)",
    "mg.nn.Identity($p)($input)",
    "mg.nn.Flatten($start_dim, $end_dim)($input)",
    "mg.nn.Softmax($dim)($input)",
    "mg.nn.LogSoftmax(dim=$dim)($input)",
    "mg.nn.Sequential($module, mg.nn.ReLU())($input)",
    input=X,
    p=PROB,
    start_dim=DIM,
    end_dim=DIM,
    dim=DIM,
    returns="any",
    module=pool("mg.nn.Identity()", "mg.nn.ReLU()", wrong=("1", "mg.relu", "'relu'", "None")),
)
specs(
    "nn",
    "mg.nn.CrossEntropyLoss(weight=$weight, reduction=$reduction, "
    "label_smoothing=$label_smoothing)($input, $target)",
    "mg.nn.NLLLoss(reduction=$reduction)($input, $target)",
    input=CLASSES,
    target=TARGET,
    weight=WEIGHT,
    reduction=REDUCTION,
    label_smoothing=pool("0.0", "0.2", wrong=("2.0", "'a'")),
)
specs(
    "nn",
    "mg.nn.MSELoss(reduction=$reduction)($input, $target)",
    "mg.nn.BCEWithLogitsLoss(pos_weight=$pos_weight)($input, $target)",
    input=CLASSES,
    target=FLOAT_TARGET,
    pos_weight=WEIGHT,
    reduction=REDUCTION,
)
specs(
    "nn",
    "mg.nn.Parameter($data, $requires_grad)",
    "mg.nn.Parameter($data)",
    data=pool("mg.randn(3)", "mg.zeros(2, 2)", wrong=("mg.arange(3)", "'a'", "[1.0, 2.0]")),
    requires_grad=BOOL,
    returns="any",
)
MODEL = "mg.nn.Linear(3, 2)"
specs(
    "nn",
    f"{MODEL}.load_state_dict($state_dict)",
    f"{MODEL}.load_state_dict($state_dict, strict=$strict)",
    f"{MODEL}.to($arg)",
    f"{MODEL}.train($mode)",
    f"{MODEL}.register_buffer($name, $tensor)",
    f"{MODEL}.register_parameter($name, $param)",
    f"{MODEL}.add_module($name, $module)",
    "mg.nn.Sequential(mg.nn.ReLU(), mg.nn.Identity())[$idx]",
    f"{MODEL}.zero_grad($set_to_none)",
    f"{MODEL}.requires_grad_($requires_grad)",
    f"{MODEL}.apply($fn)",
    f"{MODEL}.state_dict(prefix=$prefix)",
    f"setattr({MODEL}, 'weight', $value)",
    "mg.nn.Sequential($module)",
    state_dict=STATE_DICT,
    strict=BOOL,
    mode=BOOL,
    set_to_none=BOOL,
    requires_grad=BOOL,
    arg=pool("mg.float64", "'cpu'", wrong=DTYPE.wrong),
    name=pool("'extra'", wrong=("''", "'a.b'", "1", "None", "'weight'")),
    tensor=pool("mg.zeros(2)", "None", wrong=("1", "'a'", "np.zeros(2)")),
    param=pool("mg.nn.Parameter(mg.zeros(2))", "None", wrong=("mg.zeros(2)", "1")),
    module=pool("mg.nn.ReLU()", "None", wrong=("1", "'relu'", "mg.relu")),
    idx=pool("0", "-1", "slice(0, 1)", wrong=("2", "-3", "'0'", "1.5")),
    fn=pool("lambda m: None", wrong=("1", "None")),
    prefix=pool("''", "'m.'"),
    value=pool("mg.nn.Parameter(mg.zeros(2, 3))", "None", wrong=("mg.zeros(2, 3)", "1")),
    names=(
        "parameter",
        "module",
        "buffer",
        "key",
        "attribute",
        "index",
        "state_dict",
        "training mode",
        "dtype",
        "device",
    ),
    key_error=True,
    returns="any",
)

# nn.init.
specs(
    "nn",
    "mg.nn.init.uniform_($tensor, $a, $b)",
    "mg.nn.init.normal_($tensor, $mean, $std)",
    "mg.nn.init.constant_($tensor, $val)",
    "mg.nn.init.zeros_($tensor)",
    "mg.nn.init.ones_($tensor)",
    "mg.nn.init.xavier_uniform_($tensor, $gain)",
    "mg.nn.init.xavier_normal_($tensor, gain=$gain)",
    "mg.nn.init.kaiming_uniform_($tensor, a=$a, mode=$mode, nonlinearity=$nonlinearity)",
    "mg.nn.init.kaiming_normal_($tensor, mode=$mode)",
    "mg.nn.init.calculate_gain($nonlinearity, $param)",
    tensor=pool(
        "mg.empty(3, 4)",
        "mg.nn.Parameter(mg.empty(2, 5))",
        wrong=("mg.empty(3)", "mg.zeros(3, 4, dtype=mg.int64)", "mg.empty(0, 3)"),
    ),
    a=pool("0.0", "-1.0", "2.2"),
    b=pool("1.0", "3.0"),
    mean=NUMBER,
    std=pool("1.0", "0.1"),
    val=NUMBER,
    gain=pool("1.0", "2.0"),
    mode=pool("'fan_in'", "'fan_out'", wrong=("'fan'", "1")),
    nonlinearity=pool("'relu'", "'leaky_relu'", "'tanh'", "'linear'", wrong=("'gelu'", "1")),
    param=pool("None", "0.2"),
    returns="any",
)

# optim and lr_scheduler.
OPTIM_WORDS = (
    "params",
    "parameter",
    "Tensors",
    "param_group",
    "state_dict",
    "learning rate",
    "momentum value",
    "epsilon value",
    "beta parameter",
    "weight_decay value",
    "Nesterov",
)  # (PyTorch's words for its arguments)
specs(
    "optim",
    "mg.optim.SGD($params, lr=$lr)",
    "mg.optim.Adam($params)",
    "mg.optim.SGD($params, lr=$lr, momentum=$momentum, dampening=$dampening, "
    "weight_decay=$weight_decay, nesterov=$nesterov)",
    "mg.optim.Adam($params, lr=$lr, betas=$betas, eps=$eps, weight_decay=$weight_decay, "
    "amsgrad=$amsgrad)",
    "mg.optim.AdamW($params, lr=$lr, betas=$betas)",
    params=PARAMS,
    lr=LR,
    momentum=pool("0", "0.9", wrong=("-0.5", "'a'", "None")),
    dampening=pool("0", "0.1", wrong=("'a'", "None")),
    nesterov=BOOL,
    amsgrad=BOOL,
    weight_decay=pool("0", "0.01", wrong=("-1", "'a'", "None")),
    betas=pool(
        "(0.9, 0.999)",
        "[0.5, 0.5]",
        wrong=("(0.9,)", "0.9", "(1.0, 0.9)", "(0.9, -0.1)", "('a', 0.9)", "(0.9, 0.9, 0.9)"),
    ),
    eps=pool("1e-8", "0.0", wrong=("-1e-8", "'a'", "None")),
    names=OPTIM_WORDS,
    key_error=True,
    returns="any",
)
P = "(p := mg.nn.Parameter(mg.randn(3)))"
specs(
    "optim",
    f"(mg.optim.SGD([{P}], lr=0.1, momentum=0.9), setattr(p, 'grad', $grad))[0].step()",
    f"(mg.optim.Adam([{P}]), setattr(p, 'grad', $grad))[0].step()",
    f"mg.optim.SGD([{P}], lr=0.1).step($closure)",
    f"mg.optim.SGD([{P}], lr=0.5).load_state_dict($state_dict)",
    f"mg.optim.Adam([{P}]).add_param_group($param_group)",
    f"mg.optim.SGD([{P}], lr=0.1).zero_grad($set_to_none)",
    grad=GRAD,
    closure=pool("None", "lambda: 1.0", wrong=("1", "'f'")),
    state_dict=OPT_STATE,
    param_group=pool(
        "{'params': [mg.nn.Parameter(mg.randn(2))]}",
        wrong=(
            "{'params': [p]}",
            "[mg.nn.Parameter(mg.randn(2))]",
            "{'lr': 0.1}",
            "{'params': [mg.nn.Parameter(mg.randn(2))], 'lr': -1}",
        ),
    ),
    set_to_none=BOOL,
    names=OPTIM_WORDS,
    key_error=True,
    returns="any",
)
SCHEDULERS = "mg.optim.lr_scheduler"
specs(
    "optim",
    f"{SCHEDULERS}.StepLR($optimizer, $step_size, gamma=$gamma).step()",
    f"{SCHEDULERS}.CosineAnnealingLR($optimizer, T_max=$T_max, eta_min=$eta_min).step()",
    f"{SCHEDULERS}.StepLR($optimizer, 1, last_epoch=$last_epoch)",
    f"{SCHEDULERS}.StepLR($optimizer, 2).load_state_dict($state_dict)",
    optimizer=OPTIMIZER,
    step_size=POSITIVE,
    T_max=POSITIVE,
    gamma=pool("0.1", "0.5", wrong=("'a'", "None", "-1")),
    eta_min=pool("0.0", "1e-4", wrong=("'a'", "None")),
    last_epoch=pool("-1", wrong=("5", "-2", "1.5", "'a'")),
    state_dict=pool("{'last_epoch': 3}", wrong=("[1]", "None", "{'gamma': 'a'}")),
    names=("Optimizer", "initial_lr"),
    key_error=True,
    returns="any",
)

# data.
specs(
    "data",
    "mg.data.TensorDataset($t0, $t1)",
    "len(mg.data.TensorDataset($t0))",
    "mg.data.TensorDataset(mg.randn(4, 2), mg.arange(4))[$index]",
    t0=pool(
        "mg.randn(4, 2)", "mg.zeros(0, 3)", wrong=("mg.tensor(1.0)", "np.zeros((4, 2))", "[1, 2]")
    ),
    t1=pool("mg.arange(4)", wrong=("mg.arange(5)", "mg.tensor(1)", "None")),
    index=pool(
        "0",
        "-1",
        "mg.tensor([0, 2])",
        "[1, 3]",
        "slice(1, 3)",
        wrong=("4", "-5", "1.5", "'a'", "mg.tensor([0.5])", "[0, 'a']"),
    ),
    names=("tensors", "tensor", "Size", "index", "indices", "sample dimension"),
    returns="any",
)
specs(
    "data",
    "list(mg.data.DataLoader($dataset, batch_size=$batch_size, shuffle=$shuffle, "
    "drop_last=$drop_last))",
    "len(mg.data.DataLoader($dataset, $batch_size))",
    "mg.data.default_collate($samples)",
    "list(mg.data.DataLoader($dataset, collate_fn=$collate_fn))",
    dataset=DATASET,
    batch_size=POSITIVE,
    shuffle=BOOL,
    drop_last=BOOL,
    collate_fn=pool("None", "lambda b: b", wrong=("1", "'f'")),
    samples=pool(
        "[mg.zeros(2), mg.zeros(2)]",
        "[1, 2]",
        "[(1, 2.0), (3, 4.0)]",
        wrong=(
            "[]",
            "[mg.zeros(2), mg.zeros(3)]",
            "[(1, 2), (3,)]",
            "[None]",
            "[{1}]",
            "[mg.zeros(2), 1]",
            "1",
            "[{'a': 1}, {'b': 2}]",
        ),
    ),
    names=("tensors",),
    key_error=True,
    returns="any",
)

# autograd.
F64 = "mg.randn(3, requires_grad=True, dtype=mg.float64)"
XG = "(x := mg.randn(3, requires_grad=True))"
specs(
    "grad",
    "mg.autograd.grad($outputs, $inputs)",
    f"mg.autograd.grad(({XG} * 2).sum(), x, grad_outputs=$grad_outputs)",
    f"mg.autograd.grad({XG} * 2, $inputs, $grad_outputs)",
    f"mg.autograd.grad(({XG} * 2).sum(), [x, $inputs], allow_unused=$allow_unused)",
    outputs=pool(
        "(mg.randn(3, requires_grad=True) * 2).sum()", wrong=("mg.randn(3)", "1.0", "[1.0]")
    ),
    inputs=pool(
        F64, f"[{F64}]", wrong=("mg.randn(3)", "mg.randn(3, requires_grad=True) * 2", "[1.0]")
    ),
    grad_outputs=pool(
        "None", "mg.ones(3)", wrong=("mg.ones(4)", "[mg.ones(3), mg.ones(3)]", "1.0", "'a'")
    ),
    allow_unused=BOOL,
    names=("outputs", "output", "inputs", "input", "grad_outputs"),
    returns="any",
)
specs(
    "autograd",
    "mg.autograd.gradcheck($func, $inputs)",
    "mg.autograd.gradcheck(lambda *t: t[0] * 2, $inputs, eps=$eps)",
    "mg.autograd.gradgradcheck($func, $inputs)",
    inputs=pool(
        F64, f"[{F64}]", wrong=("mg.randn(3)", "mg.randn(3, requires_grad=True)", f"[{F64}, 1]")
    ),
    func=pool(
        "lambda *t: t[0] * 2",
        "lambda *t: mg.tanh(t[0])",
        wrong=("1", "None", "lambda *t: 1.0", "lambda *t: t[0].sum() > 0", "lambda *t: [t[0], 1]"),
    ),
    eps=pool("1e-6", wrong=("0", "-1e-6", "'a'", "None")),
    names=("output", "outputs", "inputs", "input", "func", "eps"),
    returns="any",
)


# ----- running a call and judging what it did ------------------------------------------------
def namespace() -> dict:
    """What a call's expression sees (fresh per call: walrus names land in it)."""
    return {"mg": mg, "np": np, "math": math, "operator": operator, "F": mg.nn.functional}


def outcome(expr: str, ns: dict):
    """(result, exception, warnings) of evaluating `expr` in `ns`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return eval(expr, ns), None, caught
        except Exception as error:
            return None, error, caught


def _tensors(x):
    if isinstance(x, mg.Tensor):
        yield x
    elif isinstance(x, (tuple, list)):
        for item in x:
            yield from _tensors(item)


def _names(spec: Spec) -> list[str]:
    return [*spec.slots, *spec.names, "self", "this tensor"]


def judge_error(spec: Spec, error: Exception) -> str | None:
    """What is wrong with raising `error`, or None."""
    allowed = ALLOWED + ((KeyError,) if spec.key_error else ())
    kind = type(error).__name__
    if not isinstance(error, allowed):
        return f"raised {kind} (not TypeError/ValueError/IndexError/RuntimeError): {error}"
    message = str(error)
    if isinstance(error, TypeError) and OPERATOR_TYPE_ERROR.search(message):
        return None
    own = INCIDENTAL.sub("", message)
    named = (rf"(?<![\w.]){re.escape(n)}s?(?!\w)" for n in _names(spec))
    if not any(re.search(pattern, own, re.IGNORECASE) for pattern in named):
        return f"{kind} names no argument ({', '.join(spec.slots)}): {message}"
    return None


def judge_result(spec: Spec, result) -> str | None:
    """What is wrong with returning `result` (and with backward through it), or None."""
    if spec.returns == "tensor" and not list(_tensors(result)):
        return f"returned {type(result).__name__}, not a Tensor"
    for t in _tensors(result):
        if type(t.array) is not np.ndarray or t.array.dtype not in dtypes._SUPPORTED:
            return f"returned a Tensor holding {type(t.array).__name__} of {t.array.dtype}"
        if t.requires_grad and t.grad_fn is not None:
            try:
                t.backward(mg.ones_like(t), retain_graph=True)
            except Exception as error:
                return f"forward worked, backward raised {type(error).__name__}: {error}"
    return None


def run_call(spec: Spec, expr: str) -> tuple[str | None, list[str]]:
    """(the problem with this call or None, the numpy warnings it raised)."""
    result, error, caught = outcome(expr, namespace())
    problem = judge_error(spec, error) if error is not None else judge_result(spec, result)
    leaks = [
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, RuntimeWarning)
    ]
    return problem, leaks


# Groups whose fixes belong to code being reworked elsewhere: run, reported, not yet required.
PENDING: dict[str, str] = {}  # group -> why it is expected to fail, while it does


@pytest.mark.parametrize(
    "group",
    [
        pytest.param(g, marks=pytest.mark.xfail(reason=PENDING[g])) if g in PENDING else g
        for g in sorted(SPECS)
    ],
)
def test_wrong_arguments_fail_clearly(group):
    SPECS.check(group)


# The calls the issue named, each pinned (the seeded draws may not hit them exactly).
ISSUE_CALLS = [
    ("mg.ones(3) @ True", ()),
    ("mg.cat([True])", ("tensors",)),
    ("mg.ones(3).sum(1.0)", ("dim",)),
    ("mg.ones(3) - 'abc'", ()),
    ("{} / mg.ones(3)", ()),
    ("mg.tensor(2.).gather(-1, mg.tensor(0))", ("dim", "index")),  # now works, as in PyTorch
    ("mg.cat((mg.tensor(1.), mg.tensor(2.)))", ("tensors",)),
    ("mg.nn.Linear(0, 2)(mg.zeros(0, requires_grad=True))", ()),  # works through backward
]


@pytest.mark.parametrize("expr, names", ISSUE_CALLS, ids=[e for e, _ in ISSUE_CALLS])
def test_the_calls_the_issue_named(expr, names):
    problem, _ = run_call(Spec(expr, {}, names=names), expr)
    assert problem is None, f"{expr}  ->  {problem}"
