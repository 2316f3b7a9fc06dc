"""Seeing the tape: the entries that produced a tensor, in the order they were recorded."""

from __future__ import annotations

from dataclasses import dataclass

from ..tensor import Tensor
from .engine import entries_leading_to


@dataclass(frozen=True)
class TapeEntry:
    """One recorded op: its position on the tape, name, inputs and output."""

    seq: int
    op: str
    inputs: tuple[tuple[tuple[int, ...], str, bool], ...]  # (shape, dtype, requires_grad)
    output: tuple[tuple[int, ...], str]  # (shape, dtype)


class Tape(list):
    """A list of TapeEntry that prints as a table."""

    def __str__(self) -> str:
        rows = [("#", "op", "inputs (shape dtype, * = requires grad)", "output")]
        for e in self:
            inputs = ", ".join(f"{shape_text(s)} {d}{'*' if rg else ''}" for s, d, rg in e.inputs)
            rows.append((str(e.seq), e.op, inputs, f"{shape_text(e.output[0])} {e.output[1]}"))
        return table(rows)


def table(rows: list[tuple[str, ...]]) -> str:
    """Rows of text as aligned columns, the first row a header underlined with dashes."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def shape_text(shape) -> str:
    """A shape as (5,3): the tables' and the graph's way of writing it."""
    return str(tuple(shape)).replace(" ", "")


def tape(*tensors: Tensor) -> Tape:
    """The entries that produced `tensors`, in recorded order (the order backward reverses).

    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> print(mg.autograd.tape((x * x).sum()))
    #  op   inputs (shape dtype, * = requires grad)  output
    -  ---  ---------------------------------------  ------------
    0  mul  (2,) float32*, (2,) float32*             (2,) float32
    1  sum  (2,) float32*                            () float32
    """
    entries = Tape()
    for fn in entries_leading_to(tensors):
        inputs = tuple(
            (tuple(x.shape), str(x.dtype), bool(x.requires_grad))
            for x in fn.inputs
            if isinstance(x, Tensor)
        )
        entries.append(
            TapeEntry(fn.seq, fn.name, inputs, (tuple(fn.out_meta[0]), str(fn.out_meta[1])))
        )
    return entries
