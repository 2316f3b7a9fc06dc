"""`mg.einsum`: PyTorch's equation syntax, checked, reduced to one Einsum op (ops.linalg).

An equation names each dim of each operand with a letter (`ij,jk->ik`); `...` stands for the
dims no letter names, broadcast across operands; without `->` the output is the ellipsis dims,
then the letters used once, in alphabetical order (capitals first). PyTorch also broadcasts a
dim of size 1 against the same letter's size elsewhere. The Einsum op takes a simpler form:
distinct letters within each operand, one size per letter, no ellipsis. So, before it:

- the ellipsis dims get letters of their own (ones the equation does not use);
- a dim of size 1 that broadcasts is dropped from its operand (a reshape), and then
- a letter repeated in one operand (`ii->i`, a diagonal) is resolved by indexing that diagonal
  out (x[arange(n), arange(n)], whose backward writes the gradient back onto it).

Those steps are ops too, so the whole is differentiable, twice and more.
"""

from __future__ import annotations

import functools
import string

from .. import backend
from ..errors import OptionError, ShapeError, _described
from ..ops.indexing import Getitem
from ..ops.linalg import Einsum
from ..tensor import Tensor
from .products import same_dtype
from .shape import reshape

ELLIPSIS = "..."
_LETTERS = string.ascii_uppercase + string.ascii_lowercase  # (sorted as PyTorch sorts them)


def einsum(*args) -> Tensor:
    """Sum of products of the operands' elements, as the equation says.

    `einsum(equation, *operands)`, `einsum(equation, [operands])`, or the sublist form
    `einsum(op1, [0, 1], op2, [1, 2], [0, 2])` (integers 0-51 for letters, `...` as Ellipsis).
    The operands share one dtype.

    >>> a, b = mg.ones(2, 3), mg.ones(3, 4)
    >>> mg.einsum("ij,jk->ik", a, b).shape, mg.einsum("ij->", a).item()
    (Size([2, 4]), 6.0)
    >>> mg.einsum("ii->i", mg.tensor([[1.0, 2.0], [3.0, 4.0]]))  # a diagonal
    tensor([1., 4.])
    """
    equation, operands = _arguments(args)
    steps, output = _plan(equation, tuple(tuple(x.shape) for x in operands))
    same_dtype("einsum", **{f"operands[{k}]": x for k, x in enumerate(operands)})
    inputs = [_simplified(x, step) for x, step in zip(operands, steps)]
    return Einsum.apply(*inputs, labels=[letters for letters, _, _ in steps], output=output)


@functools.lru_cache(maxsize=512)
def _plan(equation: str, shapes: tuple) -> tuple:
    """For an equation and the operands' shapes: each operand's step (its letters after the
    simplifications above, and which one it needs), and the output's letters. Cached, as a
    training loop makes the same call over and over (errors are raised, never cached)."""
    specs, output = _parse(equation, len(shapes))
    labels, output = _labelled(specs, output, shapes)
    sizes = _sizes(labels, shapes)
    return tuple(_step(shape, dims, sizes) for shape, dims in zip(shapes, labels)), output


def _arguments(args) -> tuple[str, list]:
    """(equation, operands) from either call form, each operand checked to be a Tensor."""
    if not args:
        raise TypeError("einsum: expected an equation and operands")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    elif isinstance(args[0], Tensor):  # the sublist form: op, sublist, op, sublist, [out]
        operands = list(args[0::2])
        sublists = [_sublist(s, f"sublist {k}") for k, s in enumerate(args[1::2])]
        if len(args) % 2:
            output = _sublist(operands.pop(), "the output sublist")
            equation = ",".join(sublists) + "->" + output
        else:
            equation = ",".join(sublists)
    else:
        raise TypeError(f"einsum: equation must be a str, got {_described(args[0])}")
    for k, x in enumerate(operands):
        if not isinstance(x, Tensor):
            raise TypeError(f"einsum: operands[{k}] must be a Tensor, got {_described(x)}")
    return equation, operands


def _sublist(sublist, what: str) -> str:
    """A sublist of the sublist form as subscripts: 0-25 are A-Z, 26-51 a-z (PyTorch's)."""
    if not isinstance(sublist, (list, tuple)):
        raise TypeError(f"einsum: {what} must be a list of ints, got {_described(sublist)}")
    out = []
    for s in sublist:
        if s is Ellipsis:
            out.append(ELLIPSIS)
        elif isinstance(s, int) and not isinstance(s, bool) and 0 <= s < len(_LETTERS):
            out.append(_LETTERS[s])
        else:
            raise OptionError(
                f"einsum: {what} holds {s!r}; subscripts must be ints in [0, 52) or Ellipsis"
            )
    return "".join(out)


def _parse(equation: str, count: int) -> tuple[list[list[str]], list[str] | None]:
    """Each operand's subscripts (letters and ELLIPSIS), and the output's (None if implicit)."""
    lhs, arrow, rhs = equation.partition("->")  # (spaces are ignored, but not inside "->")
    parts = lhs.split(",")
    if len(parts) != count:
        raise OptionError(
            f"einsum: equation {equation!r} has subscripts for {len(parts)} operand(s), but "
            f"{count} operand(s) were given"
        )
    specs = [_subscripts(p, f"operand {k}", equation) for k, p in enumerate(parts)]
    return specs, (_subscripts(rhs, "the output", equation) if arrow else None)


def _subscripts(part: str, what: str, equation: str) -> list[str]:
    tokens, i = [], 0
    while i < len(part):
        c = part[i]
        if c == " ":
            i += 1
            continue
        if c == ".":
            if part[i : i + 3] != ELLIPSIS:
                raise OptionError(
                    f"einsum: equation {equation!r} has a '.' in {what} that is not part of an "
                    "ellipsis '...'"
                )
            if ELLIPSIS in tokens:
                raise OptionError(f"einsum: equation {equation!r} has two ellipses in {what}")
            tokens.append(ELLIPSIS)
            i += 3
            continue
        if c not in _LETTERS:
            raise OptionError(
                f"einsum: equation {equation!r} has the invalid subscript {c!r} in {what} "
                "(subscripts are letters a-z and A-Z)"
            )
        tokens.append(c)
        i += 1
    return tokens


def _labelled(specs, output, shapes) -> tuple[list[list[str]], str]:
    """Each operand's letter per dim, and the output's letters, the ellipsis spelled out."""
    ellipsis_shapes = []
    for k, (spec, shape) in enumerate(zip(specs, shapes)):
        named = len(spec) - (ELLIPSIS in spec)
        if (ELLIPSIS not in spec and named != len(shape)) or named > len(shape):
            raise ShapeError(
                f"einsum: operand {k} has {len(shape)} dims (shape {shape}) but the equation "
                f"gives it {named} subscripts" + ("" if ELLIPSIS in spec else " and no ellipsis")
            )
        if ELLIPSIS in spec:
            at = spec.index(ELLIPSIS)
            ellipsis_shapes.append(shape[at : at + len(shape) - named])
    try:
        covered = backend.numpy.broadcast_shapes(*ellipsis_shapes)
    except ValueError:
        raise ShapeError(
            "einsum: the dims the ellipses cover do not broadcast together: "
            + ", ".join(str(s) for s in ellipsis_shapes)
        ) from None
    used = {c for spec in specs + [output or []] for c in spec}
    free = [c for c in _LETTERS if c not in used]
    if len(covered) > len(free):
        raise OptionError("einsum: too many subscripts: the ellipsis dims need letters too")
    fill = free[: len(covered)]
    labels = []
    for spec, shape in zip(specs, shapes):
        n = len(shape) - (len(spec) - (ELLIPSIS in spec))
        labels.append([c for t in spec for c in ((fill[len(fill) - n :]) if t == ELLIPSIS else t)])
    counts = {}
    for dims in labels:
        for c in dims:
            counts[c] = counts.get(c, 0) + 1
    if output is None:  # implicit: the ellipsis, then the letters used once, sorted
        once = sorted(
            (c for c, n in counts.items() if n == 1 and c not in fill), key=_LETTERS.index
        )
        return labels, "".join(fill + once)
    for c in output:
        if c != ELLIPSIS and c not in counts:
            raise OptionError(f"einsum: output subscript {c} does not appear in any operand")
        if c != ELLIPSIS and output.count(c) > 1:
            raise OptionError(f"einsum: output subscript {c} appears more than once")
    return labels, "".join(c for t in output for c in (fill if t == ELLIPSIS else t))


def _sizes(labels, shapes) -> dict[str, int]:
    """The size of each letter: the one size its dims have, those of size 1 broadcasting."""
    sizes, seen = {}, {}
    for k, (dims, shape) in enumerate(zip(labels, shapes)):
        own = {}
        for c, n in zip(dims, shape):
            if own.setdefault(c, n) != n:
                raise ShapeError(
                    f"einsum: subscript {c} is repeated in operand {k} with different sizes "
                    f"({own[c]} and {n}; shape {shape})"
                )
        for c, n in own.items():
            if n != 1 and sizes.get(c, 1) not in (1, n):
                raise ShapeError(
                    f"einsum: subscript {c} has size {sizes[c]} in operand {seen[c]} but size {n} "
                    f"in operand {k}; sizes must match or be 1"
                )
            if n != 1 or c not in sizes:
                sizes[c], seen[c] = n, k
    return sizes


def _step(shape: tuple, dims: list[str], sizes: dict[str, int]) -> tuple:
    """(letters, kind, how) of an operand: the letters it has once its broadcasting dims are
    dropped (kind "reshape", how the new shape) and the diagonals of its repeated letters are
    taken (kind "diagonal", how a (size, place) per dim, or None for a dropped one)."""
    drop = [i for i, c in enumerate(dims) if shape[i] == 1 and sizes[c] != 1]
    kept = [c for i, c in enumerate(dims) if i not in drop]
    unique = "".join(dict.fromkeys(kept))
    if len(unique) == len(kept):
        if not drop:
            return unique, None, None
        return unique, "reshape", tuple(n for i, n in enumerate(shape) if i not in drop)
    how = tuple(None if i in drop else (sizes[c], unique.index(c)) for i, c in enumerate(dims))
    return unique, "diagonal", how


def _simplified(x, step: tuple):
    """x simplified as its step says (see _step)."""
    letters, kind, how = step
    if kind == "reshape":
        return reshape(x, how)
    if kind is None:
        return x
    # x[i0, i1, ...] with an arange per dim, shaped to its letter's place among the distinct
    # letters: the index arrays broadcast to (the distinct letters' sizes), a diagonal.
    xp, key = backend.xp_of(x.array), []
    for dim in how:
        if dim is None:  # a dropped dim (of size 1)
            key.append(0)
            continue
        size, at = dim
        place = [1] * len(letters)
        place[at] = size
        key.append(xp.arange(size).reshape(place))
    return Getitem.apply(x, key=tuple(key))
