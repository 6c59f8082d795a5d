"""nn.utils.clip_grad_norm_ / clip_grad_value_ against PyTorch: same returned norm, same clipped
gradients, and .grad arrays replaced rather than written in place."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn


def _pair(seed: int) -> tuple[nn.Module, torch.nn.Module]:
    torch.manual_seed(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    ours = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(seed).normal(size=(7, 3)) * 10
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    (ours(cr.tensor(x)) ** 2).sum().backward()
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    ours, theirs = _pair(0)
    before = [p.grad for p in ours.parameters()]
    total = nn.utils.clip_grad_norm_(ours.parameters(), max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12)
    for mine, reference in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-12, atol=1e-15)
    if max_norm < total.item():
        # Replaced, not scaled in place: a gradient array kept from before keeps its values.
        assert all(b is not p.grad for b, p in zip(before, ours.parameters(), strict=True))
        assert np.linalg.norm(before[0].numpy()) > np.linalg.norm(next(ours.parameters()).grad.numpy())


def test_clip_grad_value_matches_torch() -> None:
    ours, theirs = _pair(1)
    assert nn.utils.clip_grad_value_(ours.parameters(), 0.3) is None
    torch.nn.utils.clip_grad_value_(theirs.parameters(), 0.3)
    for mine, reference in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-12, atol=1e-15)
        assert np.abs(mine.grad.numpy()).max() <= 0.3
        assert mine.grad.dtype == cr.float64


def test_clipping_keeps_float32_and_skips_parameters_without_gradients() -> None:
    layer = nn.Linear(4, 2)
    (layer(cr.randn(3, 4)) * 100).sum().backward()
    layer.bias.grad = None
    total = nn.utils.clip_grad_norm_(layer.parameters(), 1.0)
    assert total.dtype == cr.float32 and layer.weight.grad.dtype == cr.float32
    assert np.linalg.norm(layer.weight.grad.numpy()) == pytest.approx(1.0, rel=1e-5)
    assert layer.bias.grad is None
    assert nn.utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_clipping_errors() -> None:
    layer = nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"got the model itself \(Linear\).*model\.parameters\(\)"):
        nn.utils.clip_grad_norm_(layer, 1.0)  # type: ignore[arg-type]
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    w.grad = cr.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(w, 1.0, error_if_nonfinite=True)
