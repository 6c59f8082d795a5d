"""What a learner coming from PyTorch gets wrong, and what chainrule answers: each error names the
mistake and the fix; and PyTorch idioms found missing by an outside check (Sequential.insert chaining)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn


def test_integer_input_to_linear_suggests_converting_the_input_only() -> None:
    layer = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"dtype int64 but the weight has dtype float32") as info:
        layer(cr.tensor([[1, 2, 3]]))
    message = str(info.value)
    assert "x.float()" in message
    assert "model.to(" not in message      # converting the model to int64 is no fix


def test_float64_input_still_offers_both_conversions() -> None:
    with pytest.raises(RuntimeError, match=r"x\.float\(\).*model\.double\(\)"):
        nn.Linear(3, 2)(cr.randn(4, 3, dtype=cr.float64))


def test_a_layer_object_passed_as_input_says_how_to_call_layers() -> None:
    # h = nn.ReLU(z) written where nn.ReLU()(z) was meant hands the layer object to the next Linear.
    with pytest.raises(TypeError, match=r"got the layer Sigmoid\(\).*act = nn\.ReLU\(\); h = act\(z\)"):
        nn.Linear(2, 1)(nn.Sigmoid())


@pytest.mark.parametrize(("make", "fix"), [
    (lambda x: nn.ReLU(x), r"act = nn\.ReLU\(\).*F\.relu\(x\)"),
    (lambda x: nn.LeakyReLU(x), r"act = nn\.LeakyReLU\(\).*F\.leaky_relu\(x\)"),
    (lambda x: nn.ELU(x), r"F\.elu\(x\)"),
    (lambda x: nn.Softplus(x), r"F\.softplus\(x\)"),
    (lambda x: nn.GELU(x), r"F\.gelu\(x\)"),
    (lambda x: nn.Softmax(x), r"act = nn\.Softmax\(dim=1\).*F\.softmax\(x, dim=1\)"),
    (lambda x: nn.LogSoftmax(x), r"F\.log_softmax\(x, dim=1\)"),
])
def test_activation_called_on_a_tensor_is_refused(make: object, fix: str) -> None:
    with pytest.raises(TypeError, match=r"creates a layer, it does not apply one.*" + fix):
        make(cr.randn(2, 3))  # type: ignore[operator]


def test_activation_options_must_be_numbers_and_keep_their_given_form() -> None:
    with pytest.raises(TypeError, match=r"LeakyReLU: negative_slope must be a number, got str '0.1'"):
        nn.LeakyReLU("0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ELU: alpha must be a number"):
        nn.ELU(None)  # type: ignore[arg-type]
    # The repr shows the option as given, like PyTorch's.
    assert repr(nn.Softplus(beta=2)) == repr(torch.nn.Softplus(beta=2))
    assert repr(nn.LeakyReLU(0.2)) == repr(torch.nn.LeakyReLU(0.2))
    assert repr(nn.ELU()) == repr(torch.nn.ELU())


def test_sequential_insert_returns_the_model_as_in_pytorch() -> None:
    ours = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    assert ours.insert(1, nn.Tanh()) is ours
    assert theirs.insert(1, torch.nn.Tanh()) is theirs
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    assert ours(cr.ones(4, 2)).shape == (4, 1)
    # ModuleList.insert returns None in PyTorch, and here.
    assert nn.ModuleList([nn.ReLU()]).insert(0, nn.Tanh()) is None
    assert torch.nn.ModuleList([torch.nn.ReLU()]).insert(0, torch.nn.Tanh()) is None


def test_loss_target_shape_mismatch_is_refused_not_broadcast() -> None:
    # Deliberate difference (README, "Coming from PyTorch"): torch warns and broadcasts (4, 1) against
    # (4,) into a (4, 4) loss; chainrule refuses and says how to reshape.
    output, target = cr.randn(4, 1), cr.randn(4)
    with pytest.raises(ValueError, match=r"target\.reshape\(-1, 1\)"):
        nn.MSELoss()(output, target)
    with pytest.warns(UserWarning):
        torch.nn.MSELoss()(torch.zeros(4, 1), torch.zeros(4))
    assert np.isfinite(nn.MSELoss()(output, target.reshape(-1, 1)).item())
