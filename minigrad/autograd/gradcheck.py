"""Check analytic gradients against float64 central finite differences.

    d f / d x_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

`gradcheck` compares the whole Jacobian of `func` (one backward per output element against two
forward passes per input element), so keep the tensors small. `gradgradcheck` runs the same
check on the function x -> grad of func at x, i.e. second derivatives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np  # finite differences are checked on float64 host copies

from .. import backend, dtypes
from ..errors import OptionError, as_number, check_callable
from ..tensor import Tensor
from .calls import grad as autograd_grad


class GradcheckError(RuntimeError):
    """An analytic gradient disagrees with finite differences."""


def _outputs(fn: Callable, inputs: Sequence[Tensor]) -> tuple[Tensor, ...]:
    out = fn(*inputs)
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor) or not dtypes.is_floating(o.dtype):
            what = o.dtype if isinstance(o, Tensor) else type(o).__name__
            raise TypeError(
                f"gradcheck: func must return floating point Tensors, but output {k} is {what}"
            )
    return outs


def _check_inputs(fn, inputs: Sequence, eps, caller: str) -> tuple[Tensor, ...]:
    check_callable(fn, "func", caller)
    eps = as_number(eps, "eps", caller)
    if not eps > 0:
        raise OptionError(f"{caller}: eps must be a step > 0, got {eps}")
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype != dtypes.float64:
            raise TypeError(
                f"{caller}: input {i} is {x.dtype}; finite differences need float64 inputs"
            )
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise ValueError(f"{caller}: at least one input must be a Tensor with requires_grad=True")
    return inputs


def _snapshot(fn, inputs):
    """fn's outputs as float64 host copies (outputs may be views of the inputs' memory)."""
    return [backend.to_host(o.array).astype("float64") for o in _outputs(fn, inputs)]


def _numerical_jacobians(fn, inputs, eps):
    """J[k][i] (output k, input i) as host float64 arrays of shape (out.size, in.size)."""
    outs = _snapshot(fn, inputs)
    jac = [[np.zeros((o.size, _size(x))) for x in inputs] for o in outs]
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        array = x.array  # perturbed in place, element by element in C order (the order of
        for j, at in enumerate(np.ndindex(array.shape)):  # the analytical Jacobian's columns)
            original = array[at].item()
            array[at] = original + eps
            plus = _snapshot(fn, inputs)
            array[at] = original - eps
            minus = _snapshot(fn, inputs)
            array[at] = original
            for k, (p, m) in enumerate(zip(plus, minus)):
                jac[k][i][:, j] = ((p - m) / (2 * eps)).reshape(-1)
    return jac


def _size(x) -> int:
    """The width of an input's Jacobian block: its elements, none for a non-tensor argument."""
    return x.array.size if isinstance(x, Tensor) else 0


def _analytical_jacobians(fn, inputs):
    outs = _outputs(fn, inputs)
    wrt_index = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    wrt = [inputs[i] for i in wrt_index]
    jac = [[np.zeros((o.array.size, _size(x))) for x in inputs] for o in outs]
    for k, out in enumerate(outs):
        if not out.requires_grad:
            continue
        xp = backend.xp_of(out.array)
        for r in range(out.array.size):
            seed = xp.zeros(out.array.size, dtype=out.dtype)
            seed[r] = 1
            grads = autograd_grad(
                out,
                wrt,
                Tensor.wrap(seed.reshape(out.shape)),
                retain_graph=True,
                allow_unused=True,
            )
            for g, i in zip(grads, wrt_index):
                if g is not None:
                    jac[k][i][r] = backend.to_host(g.array).reshape(-1)
    return jac


def gradcheck(
    func: Callable,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if backward's gradients of `func(*inputs)` match finite differences.

    inputs: a Tensor or tuple of Tensors (float64 where requires_grad); func returns a Tensor or
    a tuple of them. On a mismatch, raises GradcheckError naming the worst element (or
    returns False with raise_exception=False).
    """
    inputs = _check_inputs(func, inputs, eps, "gradcheck")
    numerical = _numerical_jacobians(func, inputs, eps)
    analytical = _analytical_jacobians(func, inputs)
    for k, (num_row, ana_row) in enumerate(zip(numerical, analytical)):
        for i, (num, ana) in enumerate(zip(num_row, ana_row)):
            bad = ~np.isclose(ana, num, rtol=rtol, atol=atol, equal_nan=True)
            if bad.any():
                if not raise_exception:
                    return False
                error = np.where(bad, np.abs(ana - num), -1)
                r, c = np.unravel_index(np.argmax(error), error.shape)
                raise GradcheckError(
                    f"gradcheck: Jacobian mismatch for output {k} with respect to input {i}: "
                    f"{int(bad.sum())} of {bad.size} elements differ; worst at "
                    f"(output element {r}, input element {c}): analytical {ana[r, c]:.6g}, "
                    f"numerical {num[r, c]:.6g} (atol={atol}, rtol={rtol})\n"
                    f"analytical:\n{ana}\nnumerical:\n{num}"
                )
    return True


def gradgradcheck(
    func: Callable,
    inputs,
    grad_outputs=None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if the second derivatives of `func` match finite differences of its gradients.

    Checks the function (inputs, v) -> vector-Jacobian product v^T J(inputs), built with
    `create_graph=True`, with random `v` (grad_outputs) unless given.
    """
    inputs = _check_inputs(func, inputs, eps, "gradgradcheck")
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor.wrap(backend.move(rng.standard_normal(o.shape), o.device), requires_grad=True)
            for o in outs
        )
    grad_outputs = (
        tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
    )
    n = len(inputs)
    wrt_index = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*args):
        xs, vs = args[:n], args[n:]
        ys = _outputs(func, xs)
        wrt = [xs[i] for i in wrt_index]
        grads = autograd_grad(ys, wrt, vs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps, atol, rtol, raise_exception)
