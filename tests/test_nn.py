"""nn.Module, Parameter, the layers and nn.init, checked against PyTorch's documented behaviour."""

import copy
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import Parameter


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.scale = Parameter(mg.ones(2))
        self.register_buffer("steps", mg.zeros(1))
        self.register_buffer("cache", mg.zeros(1), persistent=False)

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(Block(), nn.ReLU())
        self.head = nn.Linear(2, 1, bias=False)

    def forward(self, x):
        return self.head(self.body(x))


# ----- Parameter ---------------------------------------------------------------------------
def test_parameter_shares_data_and_requires_grad():
    t = mg.ones(2, 3)
    p = Parameter(t)
    assert isinstance(p, mg.Tensor) and p.requires_grad and p.is_leaf
    assert p.array is t.array
    assert not Parameter(t, requires_grad=False).requires_grad
    assert Parameter().shape == (0,)
    assert type(p * 2) is mg.Tensor  # results of ops are plain tensors


def test_parameter_repr():
    assert repr(Parameter(mg.tensor([1.0, 2.0]))) == (
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )


# ----- Module: registration and walking ------------------------------------------------------
def test_named_parameters_children_and_modules():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["body.0.scale", "body.0.fc.weight", "body.0.fc.bias", "head.weight"]
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "Linear"]
    assert [name for name, _ in net.named_modules()] == [
        "",
        "body",
        "body.0",
        "body.0.fc",
        "body.1",
        "head",
    ]
    assert len(list(net.modules())) == 6
    assert [name for name, _ in net.named_buffers()] == ["body.0.steps", "body.0.cache"]
    assert len(list(net.parameters(recurse=False))) == 0


def test_shared_parameters_are_listed_once():
    a = nn.Linear(2, 2)
    model = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_attribute_assignment_rules():
    m = nn.Module()
    m.w = Parameter(mg.ones(1))
    m.w = None  # a parameter slot may be emptied
    assert m.w is None and list(m.parameters()) == []
    m.w = Parameter(mg.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'w'"):
        m.w = mg.ones(1)
    m.child = nn.ReLU()
    with pytest.raises(TypeError, match="as child module 'child'"):
        m.child = 3
    m.child = mg.nn.Identity()
    assert isinstance(m.child, nn.Identity)
    del m.child
    assert not hasattr(m, "child")
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope
    m.plain = 3  # ordinary attributes stay ordinary
    assert m.plain == 3 and "plain" not in m._parameters

    class Early(nn.Module):
        def __init__(self):
            self.w = Parameter(mg.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_register_checks_names():
    m = nn.Module()
    with pytest.raises(KeyError, match='contain "."'):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="nn.Parameter or None required"):
        m.register_parameter("w", mg.ones(1))
    m.register_buffer("b", None)
    assert "b" in m._buffers
    # a name taken in another store is refused, as in PyTorch (no silent re-registration)
    lin = nn.Linear(2, 2)
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        lin.register_buffer("weight", mg.ones(2))
    lin.register_buffer("stat", mg.ones(2))
    with pytest.raises(KeyError, match="attribute 'stat' already exists"):
        lin.register_parameter("stat", Parameter(mg.ones(2)))
    with pytest.raises(KeyError, match="attribute 'bias' already exists"):
        lin.add_module("bias", nn.ReLU())
    lin.register_buffer("stat", mg.zeros(2), persistent=False)  # same store: replaced
    assert "stat" not in lin.state_dict()
    lin.register_buffer("stat", mg.zeros(2))  # persistent again
    assert "stat" in lin.state_dict()


def test_replacing_an_entry_keeps_its_place():
    lin = nn.Linear(2, 2)
    lin.weight = Parameter(mg.zeros(2, 2))
    assert list(lin.state_dict()) == ["weight", "bias"]
    assert [p.shape for p in lin.parameters()] == [(2, 2), (2,)]
    net = nn.Sequential(nn.ReLU(), nn.Identity())
    net[0] = nn.Linear(2, 1)  # the forward order is the registration order
    assert [type(m).__name__ for m in net] == ["Linear", "Identity"]
    assert list(net.state_dict()) == ["0.weight", "0.bias"]


def test_forward_must_be_written():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(mg.ones(1))


def test_train_and_eval_reach_every_module():
    net = Net()
    assert net.training and net.body[0].training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad():
    net = Net()
    net(mg.ones(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    grad = net.head.weight.grad
    net.zero_grad(set_to_none=False)
    assert net.head.weight.grad is grad and grad.tolist() == [[0.0, 0.0]]
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_moves_and_casts_in_place(device):
    net = Net()
    params = list(net.parameters())
    net(mg.ones(1, 3)).sum().backward()
    assert net.to(device, mg.float64) is net
    assert [p is q for p, q in zip(params, net.parameters())] == [True] * 4  # same objects
    for t in list(net.parameters()) + list(net.buffers()):
        assert t.device == device and t.dtype == mg.float64
    assert net.head.weight.grad.device == device
    out = net(mg.ones(2, 3, dtype=mg.float64, device=device))
    assert out.device == device and out.dtype == mg.float64
    net.to("cpu").float()
    assert net.head.weight.dtype == mg.float32 and net.head.weight.device == "cpu"
    with pytest.raises(TypeError, match="floating point"):
        net.to(mg.int64)


def test_requires_grad_and_apply():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 2


def test_deepcopy_gives_independent_parameters():
    net = Net()
    twin = copy.deepcopy(net)
    assert isinstance(twin.head.weight, Parameter)
    twin.head.weight.array += 1
    assert not np.allclose(twin.head.weight.array, net.head.weight.array)


# ----- state_dict ---------------------------------------------------------------------------
def test_state_dict_names_and_sharing():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == [
        "body.0.scale",
        "body.0.steps",
        "body.0.fc.weight",
        "body.0.fc.bias",
        "head.weight",
    ]  # (own parameters, then persistent buffers, then children, as in PyTorch)
    assert not sd["head.weight"].requires_grad
    assert sd["head.weight"].array is net.head.weight.array  # shares memory, like PyTorch
    assert net.state_dict(keep_vars=True)["head.weight"] is net.head.weight


def test_load_state_dict_copies_values(device):
    src, dst = Net(), Net().to(device)
    result = dst.load_state_dict(src.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for a, b in zip(src.parameters(), dst.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
        assert b.device == device and b.array is not a.array
    weight = dst.head.weight
    dst.load_state_dict({k: v.numpy() for k, v in src.state_dict().items()})  # arrays work too
    assert dst.head.weight is weight


def test_load_state_dict_strict_errors_name_every_problem():
    net = Net()
    sd = net.state_dict()
    del sd["head.weight"]
    sd["extra"] = mg.zeros(1)
    sd["body.0.fc.bias"] = mg.zeros(5)
    before = net.body[0].scale.tolist()
    sd["body.0.scale"] = mg.full((2,), 7.0)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Net:\n"
        '\tMissing key(s) in state_dict: "head.weight". \n'
        '\tUnexpected key(s) in state_dict: "extra". \n'
        "\tsize mismatch for body.0.fc.bias: copying a param with shape (5,) from checkpoint, "
        "the shape in current model is (2,)."
    )
    assert net.body[0].scale.tolist() == before  # nothing is copied when loading fails


def test_load_state_dict_not_strict():
    net = Net()
    sd = net.state_dict()
    del sd["head.weight"]
    sd["extra"] = mg.zeros(1)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["head.weight"] and result.unexpected_keys == ["extra"]
    sd["body.0.fc.bias"] = mg.zeros(5)
    with pytest.raises(RuntimeError, match="size mismatch for body.0.fc.bias"):
        net.load_state_dict(sd, strict=False)  # a wrong shape is an error even so
    with pytest.raises(RuntimeError, match="expected Tensor or array"):
        net.load_state_dict({**net.state_dict(), "head.weight": [1.0, 2.0]})


def test_non_persistent_buffers_are_not_saved():
    assert "body.0.cache" not in Net().state_dict()


# ----- repr ---------------------------------------------------------------------------------
def test_repr_matches_pytorch():
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 128),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(128, 10, bias=False),
    )
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Flatten(start_dim=1, end_dim=-1)\n"
        "  (1): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (2): ReLU()\n"
        "  (3): Dropout(p=0.2, inplace=False)\n"
        "  (4): Linear(in_features=128, out_features=10, bias=False)\n"
        ")"
    )
    assert repr(Net()) == (
        "Net(\n"
        "  (body): Sequential(\n"
        "    (0): Block(\n"
        "      (fc): Linear(in_features=3, out_features=2, bias=True)\n"
        "    )\n"
        "    (1): ReLU()\n"
        "  )\n"
        "  (head): Linear(in_features=2, out_features=1, bias=False)\n"
        ")"
    )
    assert repr(nn.Identity()) == "Identity()"


# ----- layers -------------------------------------------------------------------------------
def test_linear_forward_and_gradients(device):
    layer = nn.Linear(4, 3).to(device, mg.float64)
    x = mg.randn(5, 4, dtype=mg.float64, device=device)
    expected = x.numpy() @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    np.testing.assert_allclose(layer(x).detach().numpy(), expected)
    x.requires_grad_(True)
    assert mg.autograd.gradcheck(
        lambda x, w, b: nn.functional.linear(x, w, b), (x, layer.weight, layer.bias)
    )
    no_bias = nn.Linear(4, 3, bias=False)
    assert no_bias.bias is None and len(list(no_bias.parameters())) == 1
    assert nn.Linear(4, 3)(mg.randn(2, 7, 4)).shape == (2, 7, 3)


def test_linear_init_is_pytorchs():
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)): gain*sqrt(3/fan_in) = 1/sqrt(fan_in)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert layer.weight.shape == (300, 400) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.95 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)  # U(-a, a) has sd a/sqrt(3)
    assert abs(w.mean()) < 0.01 * bound


def test_init_is_reproducible_with_manual_seed():
    mg.manual_seed(5)
    a = nn.Linear(3, 3).weight.tolist()
    mg.manual_seed(5)
    assert nn.Linear(3, 3).weight.tolist() == a


def test_relu_flatten_identity():
    x = mg.tensor([[-1.0, 2.0], [3.0, -4.0]])
    assert nn.ReLU()(x).tolist() == [[0.0, 2.0], [3.0, 0.0]]
    assert nn.Flatten()(mg.zeros(2, 1, 28, 28)).shape == (2, 784)
    assert nn.Flatten(0, 1)(mg.zeros(2, 3, 4)).shape == (6, 4)
    assert nn.Identity(54, unused="x")(x) is x


def test_dropout_respects_train_and_eval():
    drop = nn.Dropout(0.5)
    x = mg.ones(1000)
    y = drop(x).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}  # kept values are scaled by 1 / (1 - p)
    assert 350 < (y == 0).sum() < 650
    drop.eval()
    assert drop(x).tolist() == x.tolist()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_sequential_container():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    model = nn.Sequential(a, b, c)
    assert len(model) == 3 and model[0] is a and model[-1] is c and list(model) == [a, b, c]
    head = model[1:]
    assert isinstance(head, nn.Sequential) and list(head._modules) == ["1", "2"]
    assert model(mg.ones(4, 2)).shape == (4, 1)
    model.append(nn.Identity())
    assert list(model._modules) == ["0", "1", "2", "3"]
    del model[1]
    assert list(model._modules) == ["0", "1", "2"] and model[1] is c
    with pytest.raises(IndexError):
        model[3]
    from collections import OrderedDict

    named = nn.Sequential(OrderedDict([("fc", a), ("act", b)]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"] and named.fc is a


# ----- nn.init ------------------------------------------------------------------------------
def test_calculate_gain():
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("linear") == 1.0
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == math.sqrt(2 / 6)
    assert nn.init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01**2))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")


@pytest.mark.parametrize(
    "fill, bound, sd",
    [
        # U(-b, b) with b = gain * sqrt(3 / fan_in), gain = sqrt(2) for a=0
        (lambda t: nn.init.kaiming_uniform_(t), math.sqrt(6 / 500), math.sqrt(2 / 500)),
        (
            lambda t: nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
            math.sqrt(6 / 200),
            math.sqrt(2 / 200),
        ),
        # N(0, gain / sqrt(fan_in))
        (lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"), None, math.sqrt(2 / 500)),
        # U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))
        (lambda t: nn.init.xavier_uniform_(t), math.sqrt(6 / 700), math.sqrt(2 / 700)),
        (lambda t: nn.init.xavier_normal_(t, gain=2.0), None, 2 * math.sqrt(2 / 700)),
        (lambda t: nn.init.uniform_(t, -0.5, 0.5), 0.5, 1 / math.sqrt(12)),
        (lambda t: nn.init.normal_(t, 0.0, 0.02), None, 0.02),
    ],
    ids=[
        "kaiming_uniform",
        "kaiming_uniform_fan_out",
        "kaiming_normal",
        "xavier_uniform",
        "xavier_normal",
        "uniform",
        "normal",
    ],
)
def test_initialisers_have_the_right_spread(fill, bound, sd, device):
    t = mg.empty(200, 500, device=device)  # fan_in 500, fan_out 200
    assert fill(t) is t
    values = t.numpy()
    if bound is not None:
        assert np.abs(values).max() <= bound
    assert values.std() == pytest.approx(sd, rel=0.02)
    assert abs(values.mean()) < 0.1 * sd


def test_initialisers_reject_empty_ranges():  # PyTorch raises RuntimeError; so do we
    t = mg.empty(3, 4)
    with pytest.raises(mg.OptionError, match=r"uniform_: expected a <= b .*a=1.0 > b=0.0"):
        nn.init.uniform_(t, 1.0, 0.0)
    with pytest.raises(RuntimeError, match="normal_: expected std >= 0, got std=-1"):
        nn.init.normal_(t, 0.0, -1)
    with pytest.raises(ValueError, match="uniform_"):  # a negative gain makes an empty range
        nn.init.xavier_uniform_(t, gain=-1.0)
    assert nn.init.uniform_(t, 2.0, 2.0).numpy().tolist() == [[2.0] * 4] * 3


def test_constant_initialisers_and_parameters():
    p = Parameter(mg.empty(2, 2))
    assert nn.init.zeros_(p).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert nn.init.ones_(p).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert nn.init.constant_(p, 3.0).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    nn.init.normal_(mg.empty(3, dtype=mg.float16))  # drawn in float32, stored in float16
    assert nn.init.uniform_(mg.empty(3, dtype=mg.float64), 2, 3).dtype == mg.float64
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(mg.empty(5))


# ----- edge cases the fuzz of wrong arguments found (tests/test_fuzz_bad_input.py) ----------
@pytest.mark.parametrize(
    "in_features, x_shape", [(0, (0,)), (0, (2, 0)), (0, (4, 3, 0)), (3, (0, 3)), (3, (0, 4, 3))]
)
def test_linear_with_zero_sizes_works_through_backward_as_in_pytorch(in_features, x_shape):
    """Linear(0, 2)(mg.zeros(0)) worked forward, then backward failed in a reshape."""
    layer = nn.Linear(in_features, 2)
    x = mg.zeros(*x_shape, requires_grad=True)
    y = layer(x)
    y.backward(mg.ones_like(y))
    assert y.shape == x_shape[:-1] + (2,) and x.grad.shape == x_shape
    assert layer.weight.grad.shape == (2, in_features)
    rows = math.prod(x_shape[:-1])
    assert layer.bias.grad.tolist() == [float(rows)] * 2  # y = b where there is no input


def test_layers_check_their_arguments_by_name():
    with pytest.raises(TypeError, match="in_features must be an int, got float 2.5"):
        nn.Linear(2.5, 3)
    with pytest.raises(mg.OptionError, match="out_features must be non-negative"):
        nn.Linear(2, -1)
    with pytest.raises(ValueError, match="dropout probability p"):
        nn.Dropout(p=2)
    assert nn.Dropout(mg.tensor(0.5)).p == 0.5  # a one-element tensor is a number
    with pytest.raises(TypeError, match="module 0 must be a Module, got NoneType"):
        nn.Sequential(None)  # forward would call None
    with pytest.raises(TypeError, match="index must be an int"):
        nn.Sequential(nn.ReLU())[1.5]
    with pytest.raises(TypeError, match="fn must be callable"):
        nn.Linear(2, 2).apply(1)
    with pytest.raises(TypeError, match="prefix must be a str"):
        nn.Linear(2, 2).state_dict(prefix=1)
    with pytest.raises(TypeError, match="flatten: input must be a Tensor"):
        nn.Flatten()(np.zeros((2, 3)))


def test_parameters_hold_float_tensors():
    with pytest.raises(TypeError, match="data must be a Tensor, got list"):
        Parameter([1.0, 2.0])  # as torch.nn.Parameter
    with pytest.raises(RuntimeError, match="data has dtype int64"):
        Parameter(mg.arange(3))
    assert not Parameter(mg.arange(3), requires_grad=False).requires_grad


def test_initialisers_check_their_arguments_by_name():
    with pytest.raises(TypeError, match="tensor must be a Tensor"):
        nn.init.zeros_([1.0, 2.0])
    with pytest.raises(TypeError, match="mean must be a real number"):
        nn.init.normal_(mg.empty(2, 2), "a")
    with pytest.raises(mg.OptionError, match="gain must be a finite number >= 0"):
        nn.init.xavier_normal_(mg.empty(3, 4), gain=-7)  # was "std >= 0" from normal_
    with pytest.raises(mg.OptionError, match="val .* does not fit"):
        nn.init.constant_(mg.zeros(2, dtype=mg.int64), 2**70)
