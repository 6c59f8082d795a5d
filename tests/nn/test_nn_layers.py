"""Linear, Identity, Flatten, Dropout, Sequential and ModuleList: values and gradients against PyTorch,
gradcheck, errors, and the notes' claim that stacked linear layers collapse to one linear map."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, assert_module_parity, both_tensors

import chainrule as cr
from chainrule import nn
from chainrule.autograd import gradcheck


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("input_shape", [(5, 3), (2, 4, 3), (3,)])
def test_linear_matches_torch(bias: bool, input_shape: tuple[int, ...]) -> None:
    assert_module_parity(nn.Linear(3, 2, bias=bias), torch.nn.Linear(3, 2, bias=bias), input_shape)


def test_mlp_matches_torch() -> None:
    ours = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3),
                         nn.Sigmoid())
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 6),
                                 torch.nn.ReLU(), torch.nn.Linear(6, 3), torch.nn.Sigmoid())
    assert_module_parity(ours, theirs, (16, 4), seed=1)


def test_linear_gradcheck_float64() -> None:
    layer = nn.Linear(3, 2).double()
    x = cr.randn(4, 3, dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: layer(x), (x, layer.weight, layer.bias))
    no_bias = nn.Linear(3, 2, bias=False).double()
    assert gradcheck(lambda x, w: no_bias(x), (x, no_bias.weight))


def test_linear_does_not_compute_the_input_gradient_when_not_needed() -> None:
    layer = nn.Linear(3, 2)
    x = cr.randn(4, 3)
    layer(x).sum().backward()
    assert x.grad is None and layer.weight.grad is not None


def test_linear_keeps_float32() -> None:
    layer = nn.Linear(3, 2)
    out = layer(cr.randn(4, 3))
    out.sum().backward()
    assert out.dtype == cr.float32 and layer.weight.grad.dtype == cr.float32


def test_linear_errors_teach() -> None:
    layer = nn.Linear(3, 2)
    expected = r"Linear\(in_features=3\): input has 4 features \(shape \(32, 4\)\)"
    with pytest.raises(RuntimeError, match=expected):
        layer(cr.randn(32, 4))
    with pytest.raises(RuntimeError, match=r"dtype float64 but the weight has dtype float32.*\.double\(\)"):
        layer(cr.randn(5, 3, dtype=cr.float64))
    with pytest.raises(RuntimeError, match=r"x\.float\(\)"):
        layer(cr.tensor([[1, 2, 3]]))
    with pytest.raises(TypeError, match="cr.tensor"):
        layer(np.ones((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="in_features must be a non-negative integer, got 2.5"):
        nn.Linear(2.5, 3)  # type: ignore[arg-type]
    assert repr(nn.Linear(3, 2, bias=False)) == "Linear(in_features=3, out_features=2, bias=False)"
    assert nn.Linear(3, 2, bias=False).bias is None


def test_stacked_linear_layers_collapse_to_one_linear_map() -> None:
    # The notes: a linear network y = W3 W2 W1 x is one linear map. With biases:
    # y = W3 (W2 (W1 x + b1) + b2) + b3 = (W3 W2 W1) x + (W3 W2 b1 + W3 b2 + b3).
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 4), nn.Linear(4, 2)).double()
    s = {k: v.numpy() for k, v in model.state_dict().items()}
    w1, b1, w2, b2 = s["0.weight"], s["0.bias"], s["1.weight"], s["1.bias"]
    w3, b3 = s["2.weight"], s["2.bias"]
    collapsed_weight = w3 @ w2 @ w1
    collapsed_bias = w3 @ w2 @ b1 + w3 @ b2 + b3
    x = np.random.default_rng(1).standard_normal((10, 3))
    single = nn.Linear(3, 2).double()
    single.load_state_dict({"weight": collapsed_weight, "bias": collapsed_bias})
    with cr.no_grad():
        np.testing.assert_allclose(model(cr.tensor(x)).numpy(), single(cr.tensor(x)).numpy(), rtol=1e-12)
        np.testing.assert_allclose(model(cr.tensor(x)).numpy(), x @ collapsed_weight.T + collapsed_bias,
                                   rtol=1e-12)
    # ...and an activation in between breaks the collapse: the output is no longer affine in x.
    bent = nn.Sequential(model[0], nn.Tanh(), model[1], model[2])
    with cr.no_grad():
        a, b = cr.tensor(x[:1]), cr.tensor(x[1:2])
        midpoint = bent((a + b) * 0.5).numpy()
        assert not np.allclose(midpoint, 0.5 * (bent(a).numpy() + bent(b).numpy()), rtol=1e-6)


def test_identity_and_flatten_match_torch() -> None:
    assert_module_parity(nn.Identity(54, unused=True), torch.nn.Identity(54, unused=True), (3, 2))
    for args in [(), (0,), (1, 2), (0, -2)]:
        assert_module_parity(nn.Flatten(*args), torch.nn.Flatten(*args), (2, 3, 4, 5))
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert nn.Flatten()(cr.zeros(32, 8, 8)).shape == (32, 64)


def test_dropout_training_masks_and_scales_and_eval_is_identity() -> None:
    cr.manual_seed(0)
    drop = nn.Dropout(p=0.25)
    x = cr.ones(200, 500, requires_grad=True)
    out = drop(x)
    values = np.unique(out.data)
    np.testing.assert_allclose(values, [0.0, 1 / 0.75], rtol=1e-6)
    kept = out.data != 0
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    assert out.data.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the expected value
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.where(kept, 1 / 0.75, 0.0), rtol=1e-6)  # gradient = mask
    drop.eval()
    assert drop(x) is x
    assert out.dtype == cr.float32


def test_dropout_is_reproducible_and_validates_p() -> None:
    x = cr.ones(10, 10)
    cr.manual_seed(4)
    first = nn.Dropout()(x).numpy().copy()
    cr.manual_seed(4)
    np.testing.assert_array_equal(nn.Dropout()(x).numpy(), first)
    assert np.all(nn.Dropout(1.0)(x).numpy() == 0)
    assert nn.Dropout(0.0)(x) is x
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    assert repr(nn.Dropout(0.3)) == repr(torch.nn.Dropout(0.3))


def test_dropout_gradcheck_with_fixed_mask() -> None:
    x = cr.randn(4, 5, dtype=cr.float64, requires_grad=True)

    def fixed(t: cr.Tensor) -> cr.Tensor:
        cr.manual_seed(11)  # the same mask on every evaluation
        return cr.nn.functional.dropout(t, 0.4)
    assert gradcheck(fixed, (x,))


def test_sequential_indexing_slicing_and_editing() -> None:
    a, b, c = nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)
    model = nn.Sequential(a, b, c)
    assert len(model) == 3 and model[0] is a and model[-1] is c and list(model) == [a, b, c]
    head = model[1:]
    assert isinstance(head, nn.Sequential) and list(head) == [b, c]
    assert [name for name, _ in head.named_children()] == ["1", "2"]  # slices keep the names, as torch
    model.append(nn.Sigmoid())
    assert len(model) == 4 and list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    del model[1]
    assert [name for name, _ in model.named_children()] == ["0", "1", "2"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    model.insert(1, nn.ReLU())
    assert isinstance(model[1], nn.ReLU) and len(model) == 4
    with pytest.raises(IndexError, match="index 9 is out of range for Sequential of length 4"):
        model[9]
    with pytest.raises(TypeError, match="argument 1: int is not a chainrule.nn.Module"):
        nn.Sequential(nn.Linear(1, 1), 3)
    named = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 3), act=nn.Sigmoid()))
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"]
    assert named.hidden is named[0]
    assert nn.Sequential()(cr.ones(2)).tolist() == [1.0, 1.0]  # empty: identity, as torch


def test_module_list_registers_its_modules() -> None:
    class Tower(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            for layer in self.layers:
                x = layer(x).tanh()
            return x

    tower = Tower()
    assert list(tower.state_dict())[:2] == ["layers.0.weight", "layers.0.bias"]
    assert len(list(tower.parameters())) == 6 and len(tower.layers) == 3
    tower.layers.append(nn.Linear(2, 2))
    assert len(tower.layers[1:]) == 3 and isinstance(tower.layers[-1], nn.Linear)
    assert tower(cr.ones(4, 2)).shape == (4, 2)


def test_functional_linear_matches_torch() -> None:
    rng = np.random.default_rng(3)
    x, tx = both_tensors(rng.standard_normal((4, 3)))
    w, tw = both_tensors(rng.standard_normal((2, 3)))
    b, tb = both_tensors(rng.standard_normal(2))
    ours, theirs = nn.functional.linear(x, w, b), torch.nn.functional.linear(tx, tw, tb)
    assert_close(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    for mine, ref in [(x, tx), (w, tw), (b, tb)]:
        assert_close(mine.grad, ref.grad)
    with pytest.raises(RuntimeError, match="linear: input has 2 features"):
        nn.functional.linear(cr.ones(1, 2, dtype=cr.float64), w)


def test_mlp_and_flatten_gradcheck_float64() -> None:
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2), nn.Softplus()).double()
    x = cr.randn(2, 2, 2, dtype=cr.float64, requires_grad=True)
    params = list(model.parameters())
    assert gradcheck(lambda x, *ps: model(x), (x, *params))


def test_one_hot_matches_torch() -> None:
    classes = np.array([[0, 2], [1, 3]])
    ours = nn.functional.one_hot(cr.tensor(classes))
    theirs = torch.nn.functional.one_hot(torch.tensor(classes))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == cr.int64 and ours.shape == (2, 2, 4)
    assert nn.functional.one_hot(cr.tensor([1]), num_classes=3).tolist() == [[0, 1, 0]]
    with pytest.raises(RuntimeError, match=r"class values must be in \[0, 2\)"):
        nn.functional.one_hot(cr.tensor([0, 2]), num_classes=2)
    with pytest.raises(TypeError, match="integer"):
        nn.functional.one_hot(cr.tensor([0.0, 1.0]))
