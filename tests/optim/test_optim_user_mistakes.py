"""Optimiser construction mistakes a learner makes, answered with the fix."""

from __future__ import annotations

import pytest

import chainrule as cr
from chainrule import nn


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_passing_the_model_instead_of_its_parameters(name: str) -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(TypeError, match=rf"got the model itself \(Sequential\).*{name}\(model\.parameters\(\)"):
        getattr(cr.optim, name)(model, lr=0.1)


def test_a_non_iterable_params_argument_is_named() -> None:
    with pytest.raises(TypeError, match=r"iterable of Tensors or dicts, but got float"):
        cr.optim.SGD(0.1, lr=0.1)  # type: ignore[arg-type]


def test_generators_and_lists_of_parameters_still_work() -> None:
    model = nn.Linear(2, 1)
    assert len(cr.optim.SGD(model.parameters(), lr=0.1).param_groups[0]["params"]) == 2
    assert len(cr.optim.Adam(list(model.parameters())).param_groups[0]["params"]) == 2
