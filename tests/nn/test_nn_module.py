"""Module and Parameter: registration, traversal, state_dict/load_state_dict, modes, dtypes, repr."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch
from nn_helpers import copy_weights_to_torch

import chainrule as cr
from chainrule import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, 3)
        self.scale = nn.Parameter(cr.ones(3))
        self.register_buffer("steps", cr.zeros(1))
        self.output = nn.Linear(3, 1)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        return self.output(self.hidden(x).sigmoid() * self.scale)


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = torch.nn.Linear(2, 3)
        self.scale = torch.nn.Parameter(torch.ones(3))
        self.register_buffer("steps", torch.zeros(1))
        self.output = torch.nn.Linear(3, 1)


def test_attribute_assignment_registers_parameters_buffers_and_children_in_order() -> None:
    net = Net()
    assert list(net._parameters) == ["scale"]
    assert list(net._modules) == ["hidden", "output"]
    assert [name for name, _ in net.named_parameters()] == [
        "scale", "hidden.weight", "hidden.bias", "output.weight", "output.bias"]
    assert [name for name, _ in net.named_buffers()] == ["steps"]
    assert list(net.state_dict()) == list(TorchNet().state_dict())
    assert [name for name, _ in net.named_children()] == ["hidden", "output"]
    assert [name for name, _ in net.named_modules()] == ["", "hidden", "output"]
    assert len(list(net.parameters(recurse=False))) == 1
    assert net.hidden is net._modules["hidden"]


def test_sequential_state_dict_keys_and_repr_equal_torch() -> None:
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3, bias=False), nn.Tanh(), nn.Dropout(0.2),
                         nn.Linear(3, 1), nn.Flatten(), nn.LeakyReLU(0.1), nn.Softmax(dim=1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 3, bias=False),
                                 torch.nn.Tanh(), torch.nn.Dropout(0.2), torch.nn.Linear(3, 1),
                                 torch.nn.Flatten(), torch.nn.LeakyReLU(0.1), torch.nn.Softmax(dim=1))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0.weight", "0.bias", "2.weight",
                                                                    "5.weight", "5.bias"]
    assert repr(ours) == repr(theirs)
    nested = nn.Sequential(OrderedDict(body=nn.Sequential(nn.Linear(1, 2), nn.GELU()), head=nn.Linear(2, 1)))
    torch_nested = torch.nn.Sequential(OrderedDict(body=torch.nn.Sequential(torch.nn.Linear(1, 2),
                                                                            torch.nn.GELU()),
                                                   head=torch.nn.Linear(2, 1)))
    assert list(nested.state_dict()) == list(torch_nested.state_dict())
    assert repr(nested) == repr(torch_nested)


def test_custom_module_state_dict_loads_into_torch_and_back() -> None:
    net, torch_net = Net().double(), TorchNet().double()
    copy_weights_to_torch(net, torch_net)
    for key, value in torch_net.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), net.state_dict()[key].numpy())
    other = Net()
    result = other.load_state_dict({k: v.numpy() for k, v in torch_net.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    np.testing.assert_array_equal(other.hidden.weight.data, torch_net.hidden.weight.detach().numpy())
    assert other.hidden.weight.dtype == cr.float32  # loaded into its own float32 arrays


def test_shared_parameters_are_listed_once() -> None:
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.Tanh(), layer)
    assert len(list(model.parameters())) == 2
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    # state_dict keeps both paths, like PyTorch
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(model.modules())) == 3


def test_state_dict_shares_arrays_and_detaches() -> None:
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    assert isinstance(state, OrderedDict)
    assert state["weight"].data is layer.weight.data
    assert not state["weight"].requires_grad
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight


def test_load_state_dict_copies_in_place_from_numpy_and_tensors() -> None:
    layer = nn.Linear(2, 3)
    weight_array, weight_param = layer.weight.data, layer.weight
    new_weight = np.arange(6, dtype=np.float64).reshape(3, 2)
    layer.load_state_dict({"weight": new_weight, "bias": cr.tensor([1.0, 2.0, 3.0])})
    assert layer.weight is weight_param and layer.weight.data is weight_array
    assert layer.weight.dtype == cr.float32  # the float64 array was cast into the float32 parameter
    np.testing.assert_array_equal(layer.weight.data, new_weight)
    np.testing.assert_array_equal(layer.bias.data, [1.0, 2.0, 3.0])
    new_weight[0, 0] = 100.0
    assert layer.weight.data[0, 0] == 0.0  # copied, not aliased


def test_load_state_dict_strict_errors_name_keys_and_shapes() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
    good = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    before = model[0].weight.data.copy()

    missing = dict(good)
    del missing["2.bias"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "2.bias"'):
        model.load_state_dict(missing)

    extra = dict(good, **{"3.weight": np.zeros(1)})
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "3.weight"'):
        model.load_state_dict(extra)

    wrong = dict(good, **{"0.weight": np.zeros((3, 4))})
    wrong["0.weight"] = np.zeros((3, 4))
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: copying a param with shape \(3, 4\) "
                                           r"from checkpoint, the shape in current model is \(3, 2\)"):
        model.load_state_dict(wrong)
    with pytest.raises(RuntimeError, match="size mismatch"):
        model.load_state_dict(wrong, strict=False)  # shapes are checked even when not strict
    np.testing.assert_array_equal(model[0].weight.data, before)  # nothing was half-loaded

    prefixed = {"model." + k: v for k, v in good.items()}
    with pytest.raises(RuntimeError, match="start with 'model.'"):
        model.load_state_dict(prefixed)
    with pytest.raises(TypeError, match="dict-like"):
        model.load_state_dict([1, 2])  # type: ignore[arg-type]


def test_load_state_dict_non_strict_returns_missing_and_unexpected() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    state = {"0.weight": np.ones((3, 2)), "9.bias": np.ones(1)}
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias", "1.weight", "1.bias"]
    assert result.unexpected_keys == ["9.bias"]
    missing, unexpected = result
    assert missing == result.missing_keys and unexpected == ["9.bias"]
    np.testing.assert_array_equal(model[0].weight.data, np.ones((3, 2)))


def test_zero_grad_train_eval_and_requires_grad() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Linear(2, 1))
    model(cr.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    old = model[0].weight.grad
    kept = old.data.copy()
    model.zero_grad(set_to_none=False)
    # exactly as Optimizer.zero_grad: a new zero gradient; the old one (maybe kept by someone) is left alone
    assert model[0].weight.grad is not old and np.all(model[0].weight.grad.data == 0)
    np.testing.assert_array_equal(old.data, kept)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert model.training and model[1].training
    assert model.eval() is model
    assert not model.training and not model[1].training
    model.train()
    assert model[1].training
    with pytest.raises(ValueError, match="boolean"):
        model.train("no")  # type: ignore[arg-type]
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_double_float_and_to_keep_the_same_parameter_objects() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    params = list(model.parameters())
    model(cr.randn(3, 2)).sum().backward()
    assert model.double() is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(p.dtype == cr.float64 and p.grad.dtype == cr.float64 for p in params)
    assert model(cr.randn(3, 2, dtype=cr.float64)).dtype == cr.float64
    model.float()
    assert all(p.dtype == cr.float32 for p in params)
    model.to(cr.float64)
    assert params[0].dtype == cr.float64
    model.to(cr.zeros(1))
    assert params[0].dtype == cr.float32
    assert model.to("cpu") is model
    with pytest.raises(RuntimeError, match="no CUDA device was found"):
        model.to("cuda")
    with pytest.raises(TypeError, match="floating point"):
        model.to(cr.int64)


def test_apply_visits_children_first_and_returns_self() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 2)))
    visited: list[str] = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "Linear", "Sequential", "Sequential"]

    def fill(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
    model.apply(fill)
    assert np.all(model[1][0].weight.data == 0.5)


def test_setattr_rules_and_deletion() -> None:
    net = Net()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.scale = cr.ones(3)
    net.scale = None
    assert net.scale is None and "scale" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="as child module 'hidden'"):
        net.hidden = 3
    net.steps = cr.ones(1)
    assert net.state_dict()["steps"].item() == 1.0
    net.register_buffer("cache", cr.zeros(2), persistent=False)
    assert "cache" not in net.state_dict() and "cache" in dict(net.named_buffers())
    del net.output
    assert "output" not in dict(net.named_children())
    with pytest.raises(AttributeError, match="no attribute 'output'"):
        _ = net.output
    net.plain = 5
    assert net.plain == 5 and "plain" not in net.state_dict()

    class Early(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(cr.ones(1))

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\)"):
        Early()

    class Forgot(nn.Module):
        def __init__(self) -> None:
            self.size = 3

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            return x

    with pytest.raises(AttributeError, match=r"must call super\(\).__init__\(\)"):
        Forgot()(cr.ones(1))
    with pytest.raises(KeyError, match="contain"):
        net.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="Parameter or None"):
        net.register_parameter("w", cr.ones(1))  # type: ignore[arg-type]


def test_reassigning_a_child_keeps_its_place() -> None:
    model = nn.Sequential(nn.Linear(1, 1), nn.Tanh(), nn.Linear(1, 1))
    model[1] = nn.ReLU()
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]


def test_forward_hooks_see_inputs_and_outputs_and_can_be_removed() -> None:
    layer = nn.Linear(2, 1)
    seen: list[tuple[int, ...]] = []
    handle = layer.register_forward_hook(lambda module, inputs, output: seen.append(output.shape))
    pre = layer.register_forward_pre_hook(lambda module, inputs: (inputs[0] * 0,))
    out = layer(cr.ones(5, 2))
    assert seen == [(5, 1)]
    np.testing.assert_allclose(out.data, np.broadcast_to(layer.bias.data, (5, 1)))
    handle.remove()
    pre.remove()
    layer(cr.ones(5, 2))
    assert seen == [(5, 1)]


def test_missing_forward_and_get_submodule() -> None:
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(cr.ones(1))
    model = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Tanh()))
    assert isinstance(model.get_submodule("1.0"), nn.Tanh)
    assert model.get_submodule("") is model
    with pytest.raises(AttributeError, match="no submodule named '7'"):
        model.get_submodule("7")


def test_deepcopy_gives_independent_parameters() -> None:
    model = nn.Sequential(nn.Linear(2, 2))
    clone = copy.deepcopy(model)
    assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight.requires_grad
    clone[0].weight.data[...] = 7.0
    assert not np.any(model[0].weight.data == 7.0)


def test_parameter_semantics() -> None:
    base = cr.zeros(2, 2)
    p = nn.Parameter(base)
    assert p.requires_grad and p.is_leaf and p.data is base.data  # shares, as torch.nn.Parameter
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert repr(p) == "Parameter containing:\n" + repr(cr.zeros(2, 2, requires_grad=True))
    assert not nn.Parameter(cr.ones(1), requires_grad=False).requires_grad
    assert nn.Parameter.__slots__ == ()
    with pytest.raises(RuntimeError, match="floating-point"):
        nn.Parameter(cr.tensor([1, 2]))
    assert type(p * 2) is cr.Tensor  # results of ops are plain tensors, not parameters
