"""Padding with a constant along the last dims; a negative width crops instead.

Padding by (before, after) puts x inside a larger array; its adjoint takes that region back
out, which is padding by (-before, -after). So the backward of a constant pad is a constant
pad (with 0) of the gradient by the negated widths, and gradients of gradients come free.
The other padding modes (reflect, replicate, circular) read input positions more than once
and are resamplings (resample.py).
"""

from __future__ import annotations

from .. import backend
from ..autograd.engine import Function


def constant_pad(x, widths: tuple, value=0):
    """x with its last len(widths) dims padded by widths ((before, after), ...) with `value`
    (on arrays)."""
    lead = ((0, 0),) * (x.ndim - len(widths))
    crop = tuple(
        slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape[-len(widths) :], widths)
    )
    if any(lo < 0 or hi < 0 for lo, hi in widths):
        x = x[(..., *crop)]
    grow = lead + tuple((max(lo, 0), max(hi, 0)) for lo, hi in widths)
    if not any(lo or hi for lo, hi in grow):
        return x.copy()  # (a fresh array, as PyTorch's pad returns)
    return backend.xp_of(x).pad(x, grow, constant_values=value)


class ConstantPad(Function):
    def forward(self, x, widths, value):
        self.widths = widths
        return constant_pad(x, widths, value)

    def backward(self, g, x):  # the adjoint of padding by w is cropping by w: padding by -w
        return ConstantPad.apply(g, widths=tuple((-lo, -hi) for lo, hi in self.widths), value=0)
