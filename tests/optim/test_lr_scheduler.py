"""Learning-rate schedulers: the lr sequence over 40+ epochs equals torch's, for every scheduler."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr

EPOCHS = 45
LRS = (0.1, 0.03)  # two parameter groups with different starting rates


def _optimizers() -> tuple[cr.optim.SGD, torch.optim.SGD]:
    ours = cr.optim.SGD([{"params": [cr.zeros(2, requires_grad=True)], "lr": LRS[0]},
                         {"params": [cr.zeros(3, requires_grad=True)], "lr": LRS[1]}],
                        lr=1.0, momentum=0.9)
    theirs = torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], "lr": LRS[0]},
                              {"params": [torch.zeros(3, requires_grad=True)], "lr": LRS[1]}],
                             lr=1.0, momentum=0.9)
    return ours, theirs


def _lambda_per_group(lib: Any) -> dict[str, Any]:
    return {"lr_lambda": [lambda epoch: 1.0 / (1.0 + epoch), lambda epoch: 0.95**epoch]}


EPOCH_SCHEDULERS: list[tuple[str, Callable[[Any], dict[str, Any]]]] = [
    ("StepLR", lambda lib: {"step_size": 7, "gamma": 0.5}),
    ("StepLR", lambda lib: {"step_size": 1}),
    ("MultiStepLR", lambda lib: {"milestones": [3, 10, 10, 25], "gamma": 0.3}),
    ("ExponentialLR", lambda lib: {"gamma": 0.9}),
    ("CosineAnnealingLR", lambda lib: {"T_max": 10, "eta_min": 0.001}),
    ("CosineAnnealingLR", lambda lib: {"T_max": 7}),
    ("LambdaLR", lambda lib: {"lr_lambda": lambda epoch: 1.0 - epoch / 60}),
    ("LambdaLR", _lambda_per_group),
]


def _run(name: str, options: dict[str, Any], lib: Any, optimizer: Any,
         epochs: int = EPOCHS) -> list[list[float]]:
    scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, **options)
    seen = [list(scheduler.get_last_lr())]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        seen.append(list(scheduler.get_last_lr()))
        assert seen[-1] == [group["lr"] for group in optimizer.param_groups]
    return seen


@pytest.mark.parametrize(("name", "make_options"), EPOCH_SCHEDULERS,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(EPOCH_SCHEDULERS)])
def test_lr_sequence_equals_torch(name: str, make_options: Callable[[Any], dict[str, Any]]) -> None:
    ours, theirs = _optimizers()
    our_lrs = _run(name, make_options(cr), cr, ours)
    their_lrs = _run(name, make_options(torch), torch, theirs)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-13, atol=0)
    assert len({tuple(lrs) for lrs in our_lrs}) > 2  # the schedule did change the rates
    assert ours.param_groups[0]["initial_lr"] == LRS[0]


def test_cosine_annealing_follows_the_closed_form_within_a_period_and_rises_after() -> None:
    ours, _ = _optimizers()
    lrs = [lr for lr, _ in _run("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}, cr, ours, epochs=20)]
    expected = [0.001 + (0.1 - 0.001) * (1 + np.cos(np.pi * t / 10)) / 2 for t in range(11)]
    np.testing.assert_allclose(lrs[:11], expected, rtol=1e-10)
    assert lrs[10] == pytest.approx(0.001) and lrs[20] == pytest.approx(0.1)


def test_step_with_an_epoch_uses_the_closed_form_like_torch() -> None:
    ours, theirs = _optimizers()
    our_sched = cr.optim.lr_scheduler.StepLR(ours, step_size=3, gamma=0.5)
    their_sched = torch.optim.lr_scheduler.StepLR(theirs, step_size=3, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (5, 9, 2):
            theirs.step()
            their_sched.step(epoch)
            our_sched.step(epoch)
            assert our_sched.get_last_lr() == pytest.approx(their_sched.get_last_lr(), rel=1e-13)


PLATEAU_METRICS = [1.0, 0.8, 0.7, 0.7, 0.70001, 0.71, 0.69, 0.69, 0.69, 0.5, 0.5, 0.5, 0.5, 0.5, 0.49999,
                   0.45, 0.46, 0.47, 0.48, 0.49, 0.44, 0.44, 0.44, 0.44, 0.44, 0.44, 0.3, 0.31, 0.32, 0.33,
                   0.34, 0.35, 0.36, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]
PLATEAU_OPTIONS: list[dict[str, Any]] = [
    {"patience": 2},
    {"patience": 0, "factor": 0.5},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.05, "patience": 1, "cooldown": 2},
    {"patience": 1, "threshold_mode": "abs", "threshold": 0.01, "min_lr": [0.01, 0.001], "factor": 0.3},
    {"patience": 1, "min_lr": 0.0299999, "factor": 0.5, "eps": 1e-6},
    {"patience": 3, "cooldown": 3, "threshold": 0.1},
]


@pytest.mark.parametrize("options", PLATEAU_OPTIONS, ids=[str(i) for i in range(len(PLATEAU_OPTIONS))])
def test_reduce_on_plateau_sequence_equals_torch(options: dict[str, Any]) -> None:
    ours, theirs = _optimizers()
    our_sched = cr.optim.lr_scheduler.ReduceLROnPlateau(ours, **options)
    their_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **options)
    our_lrs, their_lrs = [], []
    for metric in PLATEAU_METRICS:
        ours.step()
        theirs.step()
        our_sched.step(metric)
        their_sched.step(metric)
        our_lrs.append(our_sched.get_last_lr())
        their_lrs.append(their_sched.get_last_lr())
        assert (our_sched.num_bad_epochs, our_sched.cooldown_counter) == (
            their_sched.num_bad_epochs, their_sched.cooldown_counter)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-13, atol=0)
    assert our_lrs[-1] != [*LRS]  # the rates were reduced at least once


def test_reduce_on_plateau_accepts_a_tensor_metric() -> None:
    ours, _ = _optimizers()
    scheduler = cr.optim.lr_scheduler.ReduceLROnPlateau(ours, patience=0)
    scheduler.step(cr.tensor(1.0))
    scheduler.step(cr.tensor(2.0))
    assert scheduler.get_last_lr() == pytest.approx([0.01, 0.003])


@pytest.mark.parametrize(("name", "make_options"), EPOCH_SCHEDULERS[:6],
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(EPOCH_SCHEDULERS[:6])])
def test_scheduler_state_dict_resumes_identically(name: str,
                                                  make_options: Callable[[Any], dict[str, Any]]) -> None:
    uninterrupted, _ = _optimizers()
    expected = _run(name, make_options(cr), cr, uninterrupted, epochs=30)

    first, _ = _optimizers()
    scheduler = getattr(cr.optim.lr_scheduler, name)(first, **make_options(cr))
    for _ in range(12):
        first.step()
        scheduler.step()
    optimizer_state, scheduler_state = first.state_dict(), scheduler.state_dict()
    assert "optimizer" not in scheduler_state

    # as in PyTorch: build the new scheduler, then load the optimiser's and the scheduler's states
    second, _ = _optimizers()
    resumed = getattr(cr.optim.lr_scheduler, name)(second, **make_options(cr))
    second.load_state_dict(optimizer_state)
    resumed.load_state_dict(scheduler_state)
    seen = []
    for _ in range(18):
        second.step()
        resumed.step()
        seen.append(resumed.get_last_lr())
    np.testing.assert_array_equal(seen, expected[13:])


def test_reduce_on_plateau_state_dict_resumes_identically() -> None:
    def fresh() -> tuple[cr.optim.SGD, Any]:
        optimizer, _ = _optimizers()
        return optimizer, cr.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=1, cooldown=1)

    optimizer, scheduler = fresh()
    expected = []
    for metric in PLATEAU_METRICS:
        scheduler.step(metric)
        expected.append(scheduler.get_last_lr())
    optimizer, scheduler = fresh()
    for metric in PLATEAU_METRICS[:15]:
        scheduler.step(metric)
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
    optimizer, scheduler = fresh()
    optimizer.load_state_dict(saved_optimizer)
    scheduler.load_state_dict(saved_scheduler)
    seen = []
    for metric in PLATEAU_METRICS[15:]:
        scheduler.step(metric)
        seen.append(scheduler.get_last_lr())
    assert seen == expected[15:]


def test_resuming_with_last_epoch_needs_initial_lr() -> None:
    ours, _ = _optimizers()
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\]"):
        cr.optim.lr_scheduler.StepLR(ours, step_size=3, last_epoch=5)


INVALID_SCHEDULERS: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("StepLR", {"step_size": 0}, ValueError, "Invalid step_size value: 0"),
    ("CosineAnnealingLR", {"T_max": 0}, ValueError, "Invalid T_max value: 0"),
    ("LambdaLR", {"lr_lambda": [lambda e: 1.0]}, ValueError, "Expected 2 lr_lambdas (one per parameter"),
    ("ReduceLROnPlateau", {"factor": 1.0}, ValueError, "Invalid factor value: 1.0"),
    ("ReduceLROnPlateau", {"patience": -1}, ValueError, "Invalid patience value: -1"),
    ("ReduceLROnPlateau", {"mode": "maximum"}, ValueError, "mode 'maximum' is unknown"),
    ("ReduceLROnPlateau", {"threshold_mode": "relative"}, ValueError, "threshold mode 'relative' is unknown"),
    ("ReduceLROnPlateau", {"min_lr": [0.1]}, ValueError, "expected 2 min_lrs (one per parameter group)"),
]


@pytest.mark.parametrize(("name", "options", "error", "message"), INVALID_SCHEDULERS,
                         ids=[m for *_, m in INVALID_SCHEDULERS])
def test_invalid_scheduler_arguments_are_named(name: str, options: dict[str, Any], error: type[Exception],
                                               message: str) -> None:
    ours, _ = _optimizers()
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        getattr(cr.optim.lr_scheduler, name)(ours, **options)


def test_a_scheduler_needs_an_optimizer() -> None:
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        cr.optim.lr_scheduler.ExponentialLR([cr.zeros(2)], gamma=0.9)  # type: ignore[arg-type]
