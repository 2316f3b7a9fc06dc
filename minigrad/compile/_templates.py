"""The ops' numpy templates, for the printed program (_source.py) and the generated replay
(_fast.py): per op, a forward that writes its lines and returns what its backward needs, and
that backward, written from the op's own (nn/functional/_linear.py, ops/elementwise.py,
nn/functional/_class_losses.py) so that they make the same numpy calls: the same bits.
Each takes `p`, the _Printer writing the program (its names, `emit`), and the op's recorded
references, parameters and slots.
"""

from __future__ import annotations

COVERED = "linear, relu, tanh, sigmoid, cross_entropy (class indices, 'mean'), SGD, Adam, AdamW"


def refuse(what: str) -> RuntimeError:
    return RuntimeError(
        f"source(): no numpy template for {what} yet (covered: {COVERED}); the compiled step "
        "itself runs it"
    )


def _linear(p, refs, params, out, position):
    x, w, b = (p.ref(r) for r in refs)
    meta = p.program.meta
    if refs[0][0] != "slot" or len(meta[out][0]) != 2 or len(p.program.meta[refs[0][1]][0]) != 2:
        raise refuse("linear on other than a batch of vectors")
    y = p._name_slot(out, "linear_out")
    p.emit(f"{y} = {x} @ {w}.T", f"entry {position}: linear")
    if b != "None":
        p.emit(f"{y} += {b}")
    return (x, w, b, [r[2] for r in refs])


def _linear_backward(p, g, outs, needs, last_use, comment) -> None:
    x, w, _b, need = needs
    if need[0]:
        p.emit(f"{outs[0]} = {g} @ {w}", comment)
    if need[1]:
        p.emit(f"{outs[1]} = {g}.T @ {x}", comment)


def _relu(p, refs, params, out, position):
    x = p.ref(refs[0])
    y = p._name_slot(out, "relu_out")
    p.emit(f"{y} = np.maximum({x}, 0)", f"entry {position}: relu")
    return (x,)


def _relu_backward(p, g, outs, needs, last_use, comment) -> None:
    p.emit(f"{outs[0]} = {g} * ({needs[0]} > 0)", comment)


def _tanh(p, refs, params, out, position):
    y = p._name_slot(out, "tanh_out")
    p.emit(f"{y} = np.tanh({p.ref(refs[0])})", f"entry {position}: tanh")
    return (y,)


def _tanh_backward(p, g, outs, needs, last_use, comment) -> None:  # tanh' = 1 - tanh^2
    p.emit(f"{outs[0]} = {g} * (1 - {needs[0]} * {needs[0]})", comment)


def _sigmoid(p, refs, params, out, position):
    x, e, y = p.ref(refs[0]), p._unique("e"), p._name_slot(out, "sigmoid_out")
    p.emit(f"{e} = np.exp(-np.abs({x}))", f"entry {position}: sigmoid (exp never overflows)")
    p.emit(f"{y} = np.where({x} >= 0, 1 / (1 + {e}), {e} / (1 + {e}))")
    return (y,)


def _sigmoid_backward(p, g, outs, needs, last_use, comment) -> None:  # sigma (1 - sigma)
    p.emit(f"{outs[0]} = {g} * {needs[0]} * (1 - {needs[0]})", comment)


def _cross_entropy(p, refs, params, out, position):
    x, y = p.ref(refs[0]), p.ref(refs[1])
    shape = p.program.meta[refs[0][1]][0] if refs[0][0] == "slot" else ()
    usual = refs[2][0] == "value" and refs[2][1] is None and params.get("valid") is None
    if not (usual and params.get("reduction") == "mean" and len(shape) == 2):
        raise refuse("cross_entropy other than (N, C) logits, class indices, 'mean'")
    rows, shifted, exp, total = (p._unique(n) for n in ("rows", "shifted", "exp", "total"))
    picked, losses = p._unique("picked"), p._unique("losses")
    loss = p._name_slot(out, "loss")
    p.emit(f"{rows} = np.arange({shape[0]})", f"entry {position}: cross_entropy")
    p.emit(f"{shifted} = {x} - {x}.max(axis=1, keepdims=True)", "exp never overflows")
    p.emit(f"{picked} = {shifted}[{rows}, {y}]", "the target's shifted logit")
    p.emit(f"{exp} = np.exp({shifted}, out={shifted})", "in place")
    p.emit(f"{total} = {exp}.sum(axis=1, keepdims=True)")
    p.emit(f"{losses} = np.log({total})[:, 0] - {picked}")
    p.emit(f"{loss} = np.asarray({losses}.sum() / {shape[0]})", "the mean")
    return (rows, y, exp, total, shape[0])


def _cross_entropy_backward(p, g, outs, needs, last_use, comment) -> None:
    rows, y, exp, total, n = needs
    r = p._unique("r")
    p.emit(f"{r} = {g} / {n}", comment)
    out = f", out={exp}" if last_use else ""
    p.emit(f"{outs[0]} = np.multiply({exp}, {r} / {total}{out})", "softmax / N ...")
    p.emit(f"{outs[0]}[{rows}, {y}] -= {r}", "... minus onehot / N")


def _dropout_backward(p, g, outs, needs, last_use, comment) -> None:  # (its forward: _fast.py)
    p.emit(f"{outs[0]} = {g} * {needs[0]}", comment)


FORWARD = {
    "linear": _linear,
    "relu": _relu,
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "cross_entropy": _cross_entropy,
}
BACKWARD = {
    "linear": _linear_backward,
    "relu": _relu_backward,
    "tanh": _tanh_backward,
    "sigmoid": _sigmoid_backward,
    "cross_entropy": _cross_entropy_backward,
    "dropout": _dropout_backward,
}
