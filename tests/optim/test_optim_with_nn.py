"""The optimisers drive a real ``cr.nn`` model exactly as torch's drive the same torch model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr

RNG = np.random.default_rng(5)
X, Y = RNG.normal(size=(16, 4)), RNG.normal(size=(16, 2))


def _models() -> tuple[cr.nn.Module, torch.nn.Module]:
    ours = cr.nn.Sequential(cr.nn.Linear(4, 8), cr.nn.Tanh(), cr.nn.Linear(8, 2)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
    with torch.no_grad():
        for (name, ours_p), theirs_p in zip(ours.named_parameters(), theirs.parameters(), strict=True):
            assert ours_p.shape == tuple(theirs_p.shape), name
            theirs_p.copy_(torch.from_numpy(ours_p.data.copy()))
    return ours, theirs


@pytest.mark.parametrize(("name", "options"), [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.01}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("Adagrad", {"lr": 0.1}),
])
def test_training_an_mlp_matches_torch(name: str, options: dict[str, Any]) -> None:
    ours, theirs = _models()
    our_opt = getattr(cr.optim, name)(ours.named_parameters(), **options)
    their_opt = getattr(torch.optim, name)(theirs.named_parameters(), **options)
    losses = []
    for _ in range(20):
        our_opt.zero_grad()
        loss = cr.nn.MSELoss()(ours(cr.tensor(X)), cr.tensor(Y))
        loss.backward()
        our_opt.step()
        their_opt.zero_grad()
        their_loss = torch.nn.MSELoss()(theirs(torch.tensor(X)), torch.tensor(Y))
        their_loss.backward()
        their_opt.step()
        assert loss.item() == pytest.approx(their_loss.item(), rel=1e-10)
        losses.append(loss.item())
    for ours_p, theirs_p in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(ours_p.data, theirs_p.detach().numpy(), rtol=1e-8, atol=1e-12)
    assert losses[-1] < losses[0]
    names = our_opt.state_dict()["param_groups"][0]["param_names"]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
