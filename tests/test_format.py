"""Printing as PyTorch prints: format() of a 0-d tensor is its number's (f"{loss:.4f}"), repr
follows torch/_tensor_str.py's layout (each expected string below is what PyTorch 2.13 prints,
with dtype=torch.float64 spelled dtype=float64), and mg.set_printoptions changes it."""

import pytest

import minigrad as mg


def _lines(*lines: str) -> str:
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def _default_print_options():
    yield
    mg.set_printoptions(profile="default")


@pytest.mark.parametrize(
    ("value", "spec", "expected"),
    [
        (0.123456, ".4f", "0.1235"),
        (0.123456, "", "0.12345600128173828"),
        (-2.5, "+.1f", "-2.5"),
        (2.5, ">10", "       2.5"),
        (3.0, "e", "3.000000e+00"),
        (0.1, "", "0.10000000149011612"),
        (7, "d", "7"),
        (7, ".2f", "7.00"),
        (7, "x", "7"),
        (True, "", "True"),
        (True, "d", "1"),
    ],
)
def test_a_0d_tensor_formats_as_its_number(value, spec, expected):
    assert format(mg.tensor(value), spec) == expected


def test_format_of_other_tensors():
    loss = mg.tensor(1.2345, requires_grad=True) * 2
    assert f"{loss:.2f}" == "2.47" and f"epoch 1: {loss.item():.3f}" == "epoch 1: 2.469"
    assert format(mg.tensor([1.5, 2.0]), "") == "tensor([1.5000, 2.0000])"  # (str)
    for t in (mg.tensor([1.5]), mg.tensor([[2.0]]), mg.tensor([]), mg.nn.Parameter(mg.tensor(1.0))):
        with pytest.raises(TypeError, match="unsupported format string passed to"):
            format(t, ".2f")  # as PyTorch: only a plain 0-d tensor takes a spec
    with pytest.raises(ValueError, match="Unknown format code 'x'"):
        format(mg.tensor(2.5), "x")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: mg.tensor([1.0, 2.0]), "tensor([1., 2.])"),
        (lambda: mg.tensor([0.123456, 2.0]), "tensor([0.1235, 2.0000])"),
        (lambda: mg.tensor([1e9, 1.0]), "tensor([1.0000e+09, 1.0000e+00])"),
        (lambda: mg.tensor([float("nan"), 1.5, float("inf")]), "tensor([   nan, 1.5000,    inf])"),
        (lambda: mg.tensor([True, False]), "tensor([ True, False])"),
        (lambda: mg.arange(2000), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
        (
            lambda: mg.arange(3000).reshape(1000, 3),
            _lines(
                "tensor([[   0,    1,    2],",
                "        [   3,    4,    5],",
                "        [   6,    7,    8],",
                "        ...,",
                "        [2991, 2992, 2993],",
                "        [2994, 2995, 2996],",
                "        [2997, 2998, 2999]])",
            ),
        ),
        (
            lambda: mg.arange(24.0).reshape(2, 3, 4),
            _lines(
                "tensor([[[ 0.,  1.,  2.,  3.],",
                "         [ 4.,  5.,  6.,  7.],",
                "         [ 8.,  9., 10., 11.]],",
                "",
                "        [[12., 13., 14., 15.],",
                "         [16., 17., 18., 19.],",
                "         [20., 21., 22., 23.]]])",
            ),
        ),
        (
            lambda: mg.tensor([[1e-5, 1.0], [100.0, 2.5]], dtype=mg.float64),
            "tensor([[1.0000e-05, 1.0000e+00],\n        [1.0000e+02, 2.5000e+00]], dtype=float64)",
        ),
        (lambda: mg.zeros(0, 3), "tensor([], size=(0, 3))"),
        (lambda: mg.zeros(0, dtype=mg.int64), "tensor([], dtype=int64)"),
        (lambda: mg.tensor(3.25, requires_grad=True), "tensor(3.2500, requires_grad=True)"),
        (
            lambda: mg.tensor([0.1, 0.25], dtype=mg.float16),
            "tensor([0.1000, 0.2500], dtype=float16)",
        ),
    ],
)
def test_repr_is_pytorchs(make, expected):
    assert repr(make()) == expected


@pytest.mark.parametrize(
    ("options", "make", "expected"),
    [
        ({"precision": 2}, lambda: mg.tensor([1.12345]), "tensor([1.12])"),
        ({"sci_mode": True}, lambda: mg.tensor([0.5, 2.0]), "tensor([5.0000e-01, 2.0000e+00])"),
        ({"sci_mode": False}, lambda: mg.tensor([0.123456, 1e-5]), "tensor([0.1235, 0.0000])"),
        ({"threshold": 5}, lambda: mg.arange(10.0), "tensor([0., 1., 2.,  ..., 7., 8., 9.])"),
        ({"threshold": 5, "edgeitems": 1}, lambda: mg.arange(10.0), "tensor([0.,  ..., 9.])"),
        (
            {"linewidth": 20},
            lambda: mg.arange(10.0),
            "tensor([0., 1., 2.,\n        3., 4., 5.,\n        6., 7., 8.,\n        9.])",
        ),
        (
            {"threshold": 10, "edgeitems": 1},
            lambda: mg.arange(60.0).reshape(3, 4, 5),
            _lines(
                "tensor([[[ 0.,  ...,  4.],",
                "         ...,",
                "         [15.,  ..., 19.]],",
                "",
                "        ...,",
                "",
                "        [[40.,  ..., 44.],",
                "         ...,",
                "         [55.,  ..., 59.]]])",
            ),
        ),
        ({"profile": "short"}, lambda: mg.tensor([0.123456]), "tensor([0.12])"),
        ({"profile": "full"}, lambda: mg.arange(1001), None),
    ],
)
def test_print_options_change_repr(options, make, expected):
    mg.set_printoptions(**options)
    text = repr(make())
    if expected is None:  # 'full': never summarised
        assert "..." not in text and "1000" in text
    else:
        assert text == expected


def test_print_options_are_kept_and_restored():
    mg.set_printoptions(precision=3, linewidth=120)
    assert mg.get_printoptions() == {
        "precision": 3,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 120,
        "sci_mode": None,
    }
    with mg.printoptions(precision=1):
        assert repr(mg.tensor([1.26])) == "tensor([1.3])"
    assert repr(mg.tensor([1.26])) == "tensor([1.260])"
    mg.set_printoptions(sci_mode=True)
    mg.set_printoptions(precision=4)  # (as PyTorch: a call without sci_mode resets it)
    assert mg.get_printoptions()["sci_mode"] is None


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"precision": 2.5}, TypeError, "precision must be an int"),
        ({"precision": -1}, mg.OptionError, "precision must be non-negative"),
        ({"threshold": "a"}, TypeError, "threshold must be a real number"),
        ({"profile": "long"}, mg.OptionError, "profile must be one of"),
        ({"sci_mode": 1}, TypeError, "sci_mode must be a bool"),
        ({"linewidth": None, "edgeitems": True}, TypeError, "edgeitems must be an int"),
    ],
)
def test_print_options_refuse_bad_values(options, error, message):
    before = mg.get_printoptions()
    with pytest.raises(error, match=message):
        mg.set_printoptions(**options)
    assert mg.get_printoptions() == before  # nothing changed by a refused call
