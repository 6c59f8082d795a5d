"""Every optimiser, over a spread of options, follows torch's trajectory to 1e-8 (float64) step by step."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from _optim_reference import (
    INITIAL,
    GroupsFn,
    chainrule_loss,
    chainrule_step,
    make_params,
    single_group,
    torch_loss,
    torch_step,
    values,
)

import chainrule as cr

STEPS = 20


def two_groups(extra: dict[str, Any]) -> GroupsFn:
    """The weight in its own group with its own lr (and ``extra`` options); the rest use the defaults."""
    return lambda params: [{"params": [params[0]], "lr": 0.02, **extra}, {"params": params[1:]}]


CASES: list[tuple[str, dict[str, Any], GroupsFn]] = [
    ("SGD", {"lr": 0.05}, single_group),
    ("SGD", {"lr": 0.05, "momentum": 0.9}, single_group),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, single_group),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, single_group),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}, single_group),
    ("SGD", {"lr": 0.03, "momentum": 0.5, "weight_decay": 0.05, "maximize": True}, single_group),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
     two_groups({"momentum": 0.3})),
    ("Adam", {"lr": 0.05}, single_group),
    ("Adam", {"lr": 0.05, "amsgrad": True}, single_group),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}, single_group),
    ("Adam", {"lr": 0.05, "maximize": True}, single_group),
    ("Adam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}, single_group),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.2, "maximize": True}, single_group),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, single_group),
    ("Adam", {"lr": 0.05}, two_groups({"betas": (0.8, 0.99), "amsgrad": True})),
    ("AdamW", {"lr": 0.05}, single_group),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}, single_group),
    ("AdamW", {"lr": 0.05, "maximize": True, "betas": (0.7, 0.95)}, single_group),
    ("AdamW", {"lr": 0.05}, two_groups({"weight_decay": 0.5})),
    ("RMSprop", {"lr": 0.01}, single_group),
    ("RMSprop", {"lr": 0.01, "centered": True}, single_group),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}, single_group),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}, single_group),
    ("RMSprop", {"lr": 0.01, "maximize": True, "alpha": 0.9, "eps": 1e-4}, single_group),
    ("RMSprop", {"lr": 0.01}, two_groups({"centered": True, "momentum": 0.7})),
    ("Adagrad", {"lr": 0.1}, single_group),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1}, single_group),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}, single_group),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "maximize": True, "eps": 1e-3}, single_group),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}, two_groups({"eps": 1e-2, "lr_decay": 0.0})),
]


def _id(case: tuple[str, dict[str, Any], GroupsFn]) -> str:
    name, options, groups = case
    return f"{name}-{'groups' if groups is not single_group else 'one'}-" + ",".join(
        f"{k}={v}" for k, v in options.items())


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_trajectory_equals_torch_every_step(case: tuple[str, dict[str, Any], GroupsFn]) -> None:
    name, options, groups = case
    ours, theirs = make_params()
    our_opt = getattr(cr.optim, name)(groups(ours), **options)
    their_opt = getattr(torch.optim, name)(groups(theirs), **options)
    for step in range(1, STEPS + 1):
        chainrule_step(our_opt, ours)
        torch_step(their_opt, theirs)
        for index, (a, b) in enumerate(zip(values(ours), values(theirs), strict=True)):
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12,
                                       err_msg=f"{name} {options}: parameter {index} after step {step}")
    # The trajectory really moved, and the parameter without a gradient did not.
    assert not np.allclose(values(ours)[0], INITIAL[0], atol=1e-3)
    np.testing.assert_array_equal(values(ours)[3], INITIAL[3])
    assert ours[3] not in our_opt.state or name == "Adagrad"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_state_dict_matches_torch_after_steps(case: tuple[str, dict[str, Any], GroupsFn]) -> None:
    name, options, groups = case
    ours, theirs = make_params()
    our_opt = getattr(cr.optim, name)(groups(ours), **options)
    their_opt = getattr(torch.optim, name)(groups(theirs), **options)
    for _ in range(3):
        chainrule_step(our_opt, ours)
        torch_step(their_opt, theirs)
    our_sd, their_sd = our_opt.state_dict(), their_opt.state_dict()
    their_state = {k: v for k, v in their_sd["state"].items() if v}
    assert sorted(our_sd["state"]) == sorted(their_state)
    for index, their_entry in their_state.items():
        our_entry = our_sd["state"][index]
        assert set(our_entry) == set(their_entry)
        for key, value in their_entry.items():
            np.testing.assert_allclose(np.asarray(our_entry[key]), value.detach().numpy(),
                                       rtol=1e-8, atol=1e-12)
    for our_group, their_group in zip(our_sd["param_groups"], their_sd["param_groups"], strict=True):
        assert our_group["params"] == their_group["params"]
        for key, value in our_group.items():
            assert their_group[key] == value, key


def test_set_to_none_false_gives_the_same_trajectory() -> None:
    ours, theirs = make_params()
    our_opt = cr.optim.SGD(ours, lr=0.05, momentum=0.9)
    their_opt = torch.optim.SGD(theirs, lr=0.05, momentum=0.9)
    for _ in range(5):
        our_opt.zero_grad(set_to_none=False)
        their_opt.zero_grad(set_to_none=False)
        chainrule_loss(ours).backward()
        torch_loss(theirs).backward()
        our_opt.step()
        their_opt.step()
    for a, b in zip(values(ours), values(theirs), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)
