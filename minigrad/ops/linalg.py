"""Products beyond matmul: einsum and tensordot, each one tape entry whose backward is itself.

Both are multilinear: the gradient with respect to one operand is the same product with that
operand left out and the output's gradient put in its place. For einsum that is another
equation (`ij,jk->ik` gives `ik,jk->ij` for the first operand); for tensordot, a tensordot
over the other operand's free dims, permuted back into the operand's own order.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd.engine import Function
from .shape import expand, permute, reshape


class Einsum(Function):
    """einsum of operands whose labels are distinct within each and name one size everywhere
    (what functions.einsum reduces every equation to): `labels` holds each operand's labels,
    `output` the output's, one letter per dim."""

    def forward(self, *operands, labels, output):
        self.labels, self.output_labels = labels, output
        equation = ",".join(labels) + "->" + output
        # optimize: numpy picks a contraction order and hands pairs to BLAS (matmul), which
        # pays for its ~20 us of planning once there are 3+ operands or ~32k multiply-adds;
        # below that (and for one operand: nothing to order) its C loop is faster.
        sizes = {c: n for dims, x in zip(labels, operands) for c, n in zip(dims, x.shape)}
        optimize = len(operands) > 2 or (len(operands) == 2 and math.prod(sizes.values()) > 2**15)
        return backend.xp_of(*operands).einsum(equation, *operands, optimize=optimize)

    def backward(self, g, *operands):
        grads = []
        for k, (x, labels) in enumerate(zip(operands, self.labels)):
            if not self.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [j for j in range(len(operands)) if j != k]
            known = set(self.output_labels).union(*(self.labels[j] for j in others))
            kept = "".join(c for c in labels if c in known)
            grad = einsum(
                [self.output_labels, *(self.labels[j] for j in others)],
                kept,
                g,
                *(operands[j] for j in others),
            )
            if kept != labels:  # labels only x had were summed: each element got the same
                ones = tuple(n if c in known else 1 for c, n in zip(labels, x.shape))
                grad = expand(reshape(grad, ones), tuple(x.shape))
            grads.append(grad)
        return tuple(grads)


class Tensordot(Function):
    """Sum of a * b over dims `dims_a` of a paired with `dims_b` of b (sizes equal): the
    output is a's other dims, then b's other dims."""

    def forward(self, a, b, dims_a, dims_b):
        self.dims_a, self.dims_b = dims_a, dims_b
        return backend.xp_of(a, b).tensordot(a, b, axes=(dims_a, dims_b))

    def backward(self, g, a, b):
        free_a = [d for d in range(a.ndim) if d not in self.dims_a]
        free_b = [d for d in range(b.ndim) if d not in self.dims_b]
        grad_a = grad_b = None
        pairs = list(zip(self.dims_a, self.dims_b))
        if self.needs_input_grad[0]:  # g's b-dims against b's free dims: free_a, then the
            # contracted dims of a, in the order of their partners in b (what tensordot leaves)
            t = tensordot(g, b, tuple(range(len(free_a), g.ndim)), tuple(free_b))
            grad_a = _in_order(t, free_a + [da for da, _ in sorted(pairs, key=lambda p: p[1])])
        if self.needs_input_grad[1]:  # a's free dims against g's a-dims: the contracted dims
            # of b, in the order of their partners in a, then free_b
            t = tensordot(a, g, tuple(free_a), tuple(range(len(free_a))))
            grad_b = _in_order(t, [db for _, db in sorted(pairs)] + free_b)
        return grad_a, grad_b


def _in_order(t, dims: list[int]):
    """t, whose axis i is dim dims[i] of some tensor, permuted into that tensor's order."""
    inverse = tuple(sorted(range(len(dims)), key=dims.__getitem__))
    return t if inverse == tuple(range(len(dims))) else permute(t, inverse)


# The functions backward formulas use: on arrays, or on Tensors under create_graph.
def einsum(labels: list[str], output: str, *operands):
    return Einsum.apply(*operands, labels=list(labels), output=output)


def tensordot(a, b, dims_a: tuple[int, ...], dims_b: tuple[int, ...]):
    return Tensordot.apply(a, b, dims_a=tuple(dims_a), dims_b=tuple(dims_b))
