"""Property tests: for any pair of broadcastable shapes, binary ops agree with numpy and
each input's gradient comes back at that input's shape, equal to the broadcast gradient
summed over the dims that broadcasting added or stretched."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import minigrad as mg

OPS = {
    "add": (lambda a, b: a + b, lambda a, b, g: (g, g)),
    "sub": (lambda a, b: a - b, lambda a, b, g: (g, -g)),
    "mul": (lambda a, b: a * b, lambda a, b, g: (g * b, g * a)),
    "maximum": (mg.maximum, lambda a, b, g: (g * (a > b), g * (b > a))),
}


def _sum_to(g, shape):
    """Independent reference: sum g over leading and stretched dims, back to `shape`."""
    while g.ndim > len(shape):
        g = g.sum(0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis, keepdims=True)
    return g


@settings(max_examples=60, deadline=None)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
    op=st.sampled_from(sorted(OPS)),
    seed=st.integers(0, 2**16),
)
def test_binary_ops_broadcast_like_numpy(shapes, op, seed):
    forward, local_grads = OPS[op]
    rng = np.random.default_rng(seed)
    # distinct values, so maximum has no ties
    a_np = (
        rng.permutation(100)[: int(np.prod(shapes.input_shapes[0]))].reshape(shapes.input_shapes[0])
        / 7.0
    )
    b_np = (
        rng.permutation(100)[: int(np.prod(shapes.input_shapes[1]))].reshape(shapes.input_shapes[1])
        / 7.0
        + 0.5 / 7.0
    )
    a = mg.tensor(a_np, dtype=mg.float64, requires_grad=True)
    b = mg.tensor(b_np, dtype=mg.float64, requires_grad=True)
    out = forward(a, b)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(
        out.detach().numpy(), forward(a_np, b_np) if op != "maximum" else np.maximum(a_np, b_np)
    )
    g = rng.normal(size=shapes.result_shape)
    out.backward(mg.tensor(g, dtype=mg.float64))
    a_b, b_b = np.broadcast_arrays(a_np, b_np)
    ga, gb = local_grads(a_b, b_b, g)
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    np.testing.assert_allclose(a.grad.numpy(), _sum_to(ga, a.shape), atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), _sum_to(gb, b.shape), atol=1e-12)
