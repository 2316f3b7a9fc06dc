"""ModuleList, ModuleDict, ParameterList, ParameterDict, Sequential's list methods, and the
Module methods that walk the tree (named_modules, named_children, apply, register_buffer,
requires_grad_), each as PyTorch has it: the registered names (what parameters(),
state_dict(), to() and train() see), the order, the index rules and the errors.
"""

from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def kinds(modules):
    return [type(m).__name__ for m in modules]


def three():
    return [nn.Linear(1, 1), nn.ReLU(), nn.Linear(2, 1)]


# ----- ModuleList -----------------------------------------------------------------------------
def test_module_list_registers_children_by_position():
    layers = nn.ModuleList(three())
    assert list(layers.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [n for n, _ in layers.named_modules()] == ["", "0", "1", "2"]
    assert len(list(layers.parameters())) == 4
    layers.train(False)
    assert not any(m.training for m in layers.modules())
    layers.double()
    assert all(p.dtype == mg.float64 for p in layers.parameters())


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


def test_module_list_inside_a_model_trains():
    model = Tower()
    assert [n for n, _ in model.named_parameters()][:2] == ["blocks.0.weight", "blocks.0.bias"]
    model(mg.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize(
    "index, expected", [(0, "Linear"), (1, "ReLU"), (-1, "Linear"), (-3, "Linear")]
)
def test_module_list_indexing(index, expected):
    assert type(nn.ModuleList(three())[index]).__name__ == expected


def test_module_list_slices_deletes_and_sets():
    modules = three()
    layers = nn.ModuleList(modules)
    tail = layers[1:]
    assert type(tail) is nn.ModuleList and list(tail._modules) == ["0", "1"]
    assert tail[0] is modules[1]
    assert kinds(layers[::-1]) == ["Linear", "ReLU", "Linear"]
    del layers[0]
    assert list(layers._modules) == ["0", "1"] and layers[0] is modules[1]  # renumbered
    layers[-1] = nn.Identity()
    assert kinds(layers) == ["ReLU", "Identity"]
    del layers[:]
    assert len(layers) == 0 and not layers


def test_module_list_insert_append_extend_pop_add():
    layers = nn.ModuleList(three())
    layers.insert(1, nn.Identity())
    assert kinds(layers) == ["Linear", "Identity", "ReLU", "Linear"]
    layers.insert(-1, nn.Flatten())  # as list.insert: before the last one
    assert kinds(layers)[-2:] == ["Flatten", "Linear"]
    layers.insert(99, nn.Dropout())  # past the end: appended
    assert list(layers._modules) == [str(i) for i in range(6)]
    assert layers.append(nn.ReLU()) is layers and len(layers) == 7
    assert type(layers.pop(0)).__name__ == "Linear" and len(layers) == 6
    combined = nn.ModuleList([nn.ReLU()]) + [nn.Identity()]
    assert kinds(combined) == ["ReLU", "Identity"]
    layers += [nn.ReLU()]
    assert len(layers) == 7


def test_module_list_repr_compresses_repeats():
    layers = nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Linear(1, 2), nn.ReLU()])
    assert repr(layers) == (
        "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Linear(in_features=1, out_features=2, "
        "bias=True)\n  (3): ReLU()\n)"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"
    assert not [name for name in dir(layers) if name.isdigit()]


@pytest.mark.parametrize(
    "call, kind, words",
    [
        (lambda: nn.ModuleList(three())[3], IndexError, "index 3 is out of range"),
        (lambda: nn.ModuleList(three())[-4], IndexError, "index -4"),
        (lambda: nn.ModuleList(three())["0"], TypeError, "index must be an int"),
        (lambda: nn.ModuleList(three()).__setitem__(5, nn.ReLU()), IndexError, "index 5"),
        (lambda: nn.ModuleList(three()).__setitem__(0, 3), TypeError, "child module"),
        (lambda: nn.ModuleList(three()).__delitem__(3), IndexError, "index 3"),
        (lambda: nn.ModuleList().append(3), TypeError, "not a Module subclass"),
        (lambda: nn.ModuleList().insert(0, "relu"), TypeError, "not a Module subclass"),
        (lambda: nn.ModuleList(3), TypeError, "iterable"),
        (lambda: nn.ModuleList([1]), TypeError, "not a Module subclass"),
        (lambda: nn.ModuleList()(mg.ones(1)), NotImplementedError, "forward"),
    ],
)
def test_module_list_refuses(call, kind, words):
    with pytest.raises(kind, match=words):
        call()


# ----- ModuleDict -----------------------------------------------------------------------------
def test_module_dict_is_a_mapping_of_children():
    heads = nn.ModuleDict({"b": nn.Linear(2, 1), "a": nn.ReLU()})
    assert list(heads) == list(heads.keys()) == ["b", "a"]  # insertion order, unsorted
    assert kinds(heads.values()) == ["Linear", "ReLU"] and len(heads) == 2
    assert [k for k, _ in heads.items()] == ["b", "a"]
    assert "a" in heads and "z" not in heads and 1 not in heads
    assert heads["a"] is heads.a
    assert list(heads.state_dict()) == ["b.weight", "b.bias"]
    heads["c"] = nn.Linear(3, 1)
    heads.update([("a", nn.Identity()), ("d", nn.ReLU())])  # a keeps its place
    assert list(heads) == ["b", "a", "c", "d"] and type(heads["a"]).__name__ == "Identity"
    heads.update(nn.ModuleDict({"e": nn.ReLU()}))
    assert type(heads.pop("b")).__name__ == "Linear" and "b" not in heads
    del heads["c"]
    assert list(heads) == ["a", "d", "e"]
    heads.clear()
    assert len(heads) == 0 and list(heads.state_dict()) == []


@pytest.mark.parametrize(
    "call, kind, words",
    [
        (lambda: nn.ModuleDict({"a": nn.ReLU()})["z"], KeyError, "z"),
        (lambda: nn.ModuleDict({"a": nn.ReLU()}).pop("z"), KeyError, "z"),
        (lambda: nn.ModuleDict({1: nn.ReLU()}), TypeError, "name should be a string"),
        (lambda: nn.ModuleDict({"a.b": nn.ReLU()}), KeyError, "module name can"),
        (lambda: nn.ModuleDict({"keys": nn.ReLU()}), KeyError, "attribute 'keys' already"),
        (lambda: nn.ModuleDict({"a": 3}), TypeError, "not a Module subclass"),
        (lambda: nn.ModuleDict(3), TypeError, "iterable of key/value pairs"),
        (lambda: nn.ModuleDict([3]), TypeError, "element #0"),
        (lambda: nn.ModuleDict([("a", nn.ReLU(), 1)]), ValueError, "has length 3; 2 is required"),
    ],
)
def test_module_dict_refuses(call, kind, words):
    with pytest.raises(kind, match=words):
        call()


# ----- ParameterList and ParameterDict -------------------------------------------------------
def test_parameter_list_makes_tensors_parameters():
    given = nn.Parameter(mg.zeros(3))
    params = nn.ParameterList([mg.ones(2), given])
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)
    assert params[1] is given and params[-1] is given
    assert [n for n, _ in params.named_parameters()] == ["0", "1"]
    assert list(params.state_dict()) == ["0", "1"]
    params.append("not a tensor")  # kept as a plain attribute, as in PyTorch
    assert params[2] == "not a tensor" and len(params) == 3
    assert len(list(params.parameters())) == 2
    params[0] = mg.ones(5)
    assert isinstance(params[0], nn.Parameter) and params[0].shape == (5,)
    params.extend([mg.ones(1)])
    params += [mg.ones(1)]
    assert len(params) == 5 and type(params[1:3]) is nn.ParameterList
    params.double()
    assert params[0].dtype == mg.float64


def test_parameter_list_trains_with_an_optimizer():
    params = nn.ParameterList([mg.ones(2), mg.ones(3)])
    optimizer = mg.optim.SGD(params.parameters(), lr=0.5)
    (params[0].sum() + (params[1] * 2).sum()).backward()
    optimizer.step()
    np.testing.assert_allclose(params[0].detach().numpy(), [0.5, 0.5])
    np.testing.assert_allclose(params[1].detach().numpy(), [0.0, 0.0, 0.0])


def test_parameter_list_repr():
    params = nn.ParameterList([mg.ones(2, 3), "x"])
    assert repr(params) == (
        "ParameterList(\n    (0): Parameter containing: [float32 of size 2x3]\n"
        "    (1): Object of type: str\n)"
    )


def test_parameter_dict_mapping_and_sorted_plain_dicts():
    params = nn.ParameterDict({"scale": mg.ones(3), "bias": mg.zeros(3)})
    assert list(params) == ["bias", "scale"]  # a plain dict: sorted, as PyTorch does
    assert list(nn.ParameterDict(OrderedDict([("b", mg.ones(1)), ("a", mg.ones(1))]))) == ["b", "a"]
    assert list(nn.ParameterDict([("b", mg.ones(1)), ("a", mg.ones(1))])) == ["b", "a"]
    assert isinstance(params["scale"], nn.Parameter)
    assert [n for n, _ in params.named_parameters()] == ["bias", "scale"]
    params["note"] = "kept as is"
    assert params["note"] == "kept as is" and len(list(params.parameters())) == 2
    params["note"] = mg.ones(1)  # now a parameter
    assert [n for n, _ in params.named_parameters()] == ["bias", "scale", "note"]
    assert params.get("bias") is params["bias"] and params.get("zz", 3) == 3
    assert params.setdefault("extra", mg.ones(2)).shape == (2,)
    assert params.pop("extra").shape == (2,) and "extra" not in params
    assert params.popitem()[0] == "note"
    assert list(reversed(params)) == ["scale", "bias"]
    copy = params.copy()
    assert copy["bias"] is params["bias"]
    assert list(params | nn.ParameterDict({"c": mg.ones(1)})) == ["bias", "scale", "c"]
    params |= nn.ParameterDict({"d": mg.ones(1)})
    assert list(params.keys()) == ["bias", "scale", "d"]
    assert [k for k, _ in params.items()] == list(params) and len(list(params.values())) == 3
    assert list(params.fromkeys(["x", "y"], mg.ones(1))) == ["x", "y"]
    del params["d"]
    params.clear()
    assert len(params) == 0 and list(params.state_dict()) == []


@pytest.mark.parametrize(
    "call, kind, words",
    [
        (lambda: nn.ParameterList([mg.arange(3)]), RuntimeError, "floating point"),
        (lambda: nn.ParameterList(mg.ones(3)), TypeError, "iterable, but got Tensor"),
        (lambda: nn.ParameterList([mg.ones(1)])[1], IndexError, "index 1"),
        (lambda: nn.ParameterList([mg.ones(1)]).__setitem__(0, "x"), TypeError, "parameter"),
        (lambda: nn.ParameterList()(mg.ones(1)), RuntimeError, "should not be called"),
        (lambda: nn.ParameterDict({1: mg.ones(1)}), TypeError, "not a string"),
        (lambda: nn.ParameterDict({"a.b": mg.ones(1)}), KeyError, "parameter name"),
        (lambda: nn.ParameterDict({"keys": mg.ones(1)}), KeyError, "already exists"),
        (lambda: nn.ParameterDict({"a": mg.ones(1)})["b"], KeyError, "b"),
        (lambda: nn.ParameterDict({"a": mg.ones(1)})[0], TypeError, "not a string"),
        (lambda: nn.ParameterDict().update(3), TypeError, "iterable of key/value pairs"),
        (lambda: nn.ParameterDict().update([("a",)]), ValueError, "has length 1"),
        (lambda: nn.ParameterDict()(mg.ones(1)), RuntimeError, "should not be called"),
    ],
)
def test_parameter_containers_refuse(call, kind, words):
    with pytest.raises(kind, match=words):
        call()


# ----- Sequential's list methods --------------------------------------------------------------
def test_sequential_insert_extend_pop_and_operators():
    model = nn.Sequential(*three())
    model.insert(-1, nn.Identity())
    assert kinds(model) == ["Linear", "ReLU", "Identity", "Linear"]
    assert list(model._modules) == ["0", "1", "2", "3"]
    assert model.extend([nn.ReLU()]) is model and len(model) == 5
    assert type(model.pop(2)).__name__ == "Identity" and list(model._modules)[-1] == "3"
    assert type(model[1:3]) is nn.Sequential
    doubled = nn.Sequential(nn.Linear(1, 1), nn.ReLU()) * 2
    assert kinds(doubled) == ["Linear", "ReLU"] * 2 and doubled[0] is doubled[2]  # shared
    assert len(2 * nn.Sequential(nn.ReLU())) == 2
    grown = nn.Sequential(nn.ReLU())
    grown *= 3
    grown += nn.Sequential(nn.Identity())
    assert kinds(grown) == ["ReLU"] * 3 + ["Identity"]
    assert kinds(nn.Sequential(nn.ReLU()) + nn.Sequential(nn.Identity())) == ["ReLU", "Identity"]
    assert not [name for name in dir(model) if name.isdigit()]
    named = nn.Sequential(OrderedDict([("a", nn.ReLU()), ("b", nn.Identity())]))
    assert list(named.append(nn.ReLU())._modules) == ["a", "b", "2"]


@pytest.mark.parametrize(
    "call, kind, words",
    [
        (lambda: nn.Sequential(nn.ReLU()).insert(2, nn.ReLU()), IndexError, "index 2"),
        (lambda: nn.Sequential(nn.ReLU()).insert(-2, nn.ReLU()), IndexError, "index -2"),
        (lambda: nn.Sequential(nn.ReLU()).insert(0, 3), TypeError, "module must be a Module"),
        (
            lambda: nn.Sequential(OrderedDict([("a", nn.ReLU())])).insert(0, nn.ReLU()),
            KeyError,
            "named by their positions",
        ),
        (lambda: nn.Sequential(nn.ReLU()).extend(3), TypeError, "iterable"),
        (lambda: nn.Sequential(nn.ReLU()) + [nn.ReLU()], ValueError, "Sequential class"),
        (lambda: nn.Sequential(nn.ReLU()) * 0, ValueError, "Non-positive"),
        (lambda: nn.Sequential(nn.ReLU()) * 1.5, TypeError, "unsupported operand"),
        (lambda: nn.Sequential(nn.ReLU())[1], IndexError, "index 1 is out of range"),
    ],
)
def test_sequential_refuses(call, kind, words):
    with pytest.raises(kind, match=words):
        call()


# ----- walking the tree: PyTorch's rules ------------------------------------------------------
def test_named_modules_and_children_with_shared_modules():
    shared = nn.Linear(1, 1)
    model = nn.Sequential(shared, shared, nn.Sequential(shared, nn.ReLU()))
    assert [n for n, _ in model.named_modules()] == ["", "0", "2", "2.1"]
    assert [n for n, _ in model.named_modules(remove_duplicate=False)] == [
        "",
        "0",
        "1",
        "2",
        "2.0",
        "2.1",
    ]
    assert [n for n, _ in model.named_modules(prefix="net")][:2] == ["net", "net.0"]
    # A module already in a given memo is skipped even without removing duplicates (PyTorch's).
    assert [n for n, _ in model.named_modules(memo={shared}, remove_duplicate=False)] == [
        "",
        "2",
        "2.1",
    ]
    assert [n for n, _ in model.named_children()] == ["0", "2"]


def test_apply_visits_children_first_each_time_they_appear():
    seen = []
    shared = nn.ReLU()
    model = nn.Sequential(nn.Linear(1, 1), nn.Sequential(shared, shared))
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]  # children deduplicated


def test_register_buffer_and_requires_grad_():
    layer = nn.Linear(2, 1)
    layer.register_buffer("running", mg.zeros(2))
    layer.register_buffer("scratch", mg.zeros(1), persistent=False)
    layer.register_buffer("empty", None)
    assert list(layer.state_dict()) == ["weight", "bias", "running"]
    assert [n for n, _ in layer.named_buffers()] == ["running", "scratch"]
    layer.running = mg.ones(2)
    assert layer.state_dict()["running"].numpy().tolist() == [1, 1]
    layer.double()
    assert layer.running.dtype == mg.float64
    assert layer.requires_grad_(False) is layer
    assert not any(p.requires_grad for p in layer.parameters())
    layer.requires_grad_()
    assert all(p.requires_grad for p in layer.parameters())
    for name, kind in (("weight", KeyError), ("a.b", KeyError), ("", KeyError), (1, TypeError)):
        with pytest.raises(kind):
            layer.register_buffer(name, mg.zeros(1))
    with pytest.raises(TypeError, match="buffer"):
        layer.register_buffer("x", 3)
    with pytest.raises(TypeError, match="buffer"):
        layer.running = 3
