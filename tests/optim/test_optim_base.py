"""The Optimizer base: parameter groups, errors that teach, zero_grad, closures, in-place float32 updates,
gradients left untouched, and hyperparameter validation."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
import torch
from _optim_reference import chainrule_loss, chainrule_step, make_params, torch_step

import chainrule as cr

ALL_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "amsgrad": True, "maximize": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.1,
                 "maximize": True}),
]
OPTION_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(ALL_OPTIONS)]


def _param(*shape: int) -> cr.Tensor:
    return cr.randn(*shape, dtype=cr.float64, requires_grad=True)


# -- construction -----------------------------------------------------------------------------------
def test_empty_parameter_list_is_refused() -> None:
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        cr.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        cr.optim.Adam(iter([]))


def test_a_single_tensor_must_be_wrapped_in_a_list() -> None:
    with pytest.raises(TypeError, match=r"single Tensor of shape \(3,\); wrap it in a list"):
        cr.optim.SGD(_param(3), lr=0.1)


def test_non_tensors_are_refused_by_type() -> None:
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is numpy.ndarray"):
        cr.optim.SGD([_param(2), np.zeros(2)], lr=0.1)


def test_sets_are_refused_because_their_order_is_not_fixed() -> None:
    with pytest.raises(TypeError, match="ordering of tensors in sets"):
        cr.optim.SGD({_param(2)}, lr=0.1)  # type: ignore[arg-type]


def test_a_parameter_given_twice_is_refused() -> None:
    w = _param(2, 3)
    with pytest.raises(ValueError, match=r"same parameter twice .* shape \(2, 3\), at positions 0 and 2"):
        cr.optim.SGD([w, _param(2), w], lr=0.1)
    with pytest.raises(ValueError, match=r"more than one parameter group .* already in group 0"):
        cr.optim.SGD([{"params": [w]}, {"params": [_param(1), w]}], lr=0.1)
    optimizer = cr.optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": w})
    assert len(optimizer.param_groups) == 1


def test_non_leaf_tensors_are_refused() -> None:
    w = _param(3)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        cr.optim.SGD([w * 2], lr=0.1)


def test_groups_take_their_own_options_and_defaults_for_the_rest() -> None:
    w, b = _param(2, 2), _param(2)
    groups = [{"params": [w], "lr": 0.5, "momentum": 0.9}, {"params": b}]
    optimizer = cr.optim.SGD(groups, lr=0.1, nesterov=False)
    assert [g["lr"] for g in optimizer.param_groups] == [0.5, 0.1]
    assert [g["momentum"] for g in optimizer.param_groups] == [0.9, 0]
    assert optimizer.param_groups[1]["params"] == [b]
    assert optimizer.defaults == {"lr": 0.1, "momentum": 0, "dampening": 0, "weight_decay": 0,
                                  "nesterov": False, "maximize": False}
    extra = _param(4)
    optimizer.add_param_group({"params": [extra], "weight_decay": 0.01})
    assert optimizer.param_groups[2]["weight_decay"] == 0.01 and optimizer.param_groups[2]["lr"] == 0.1


def test_add_param_group_validates_its_options() -> None:
    optimizer = cr.optim.Adam([_param(2)])
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.5"):
        optimizer.add_param_group({"params": [_param(2)], "betas": (0.9, 1.5)})
    with pytest.raises(ValueError, match="must have a 'params' key"):
        optimizer.add_param_group({"lr": 0.1})
    assert len(optimizer.param_groups) == 1


def test_named_parameters_are_accepted_and_their_names_kept() -> None:
    w, b = _param(2, 2), _param(2)
    optimizer = cr.optim.SGD([("weight", w), ("bias", b)], lr=0.1)
    assert optimizer.param_groups[0]["params"] == [w, b]
    assert optimizer.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


def test_repr_lists_each_group_and_its_options() -> None:
    groups = [{"params": [_param(2)], "lr": 0.5}, {"params": [_param(1)]}]
    text = repr(cr.optim.SGD(groups, lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n")
    assert "    lr: 0.5" in text and "Parameter Group 1" in text and "    momentum: 0.9" in text


# -- zero_grad and step -----------------------------------------------------------------------------
def test_zero_grad_sets_none_by_default() -> None:
    params, _ = make_params()
    optimizer = cr.optim.SGD(params, lr=0.1)
    chainrule_loss(params).backward()
    assert params[0].grad is not None
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_grad_without_none_gives_new_zeros_and_leaves_the_old_array_alone() -> None:
    params, _ = make_params()
    optimizer = cr.optim.SGD(params, lr=0.1)
    chainrule_loss(params).backward()
    old = params[0].grad.data
    kept = old.copy()
    optimizer.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(params[0].grad.data, np.zeros((3, 4)))
    np.testing.assert_array_equal(old, kept)
    assert params[3].grad is None


def test_step_returns_the_closure_loss_evaluated_with_grad_enabled() -> None:
    params, _ = make_params()
    optimizer = cr.optim.SGD(params, lr=0.1)
    calls = []

    def closure() -> cr.Tensor:
        calls.append(cr.is_grad_enabled())
        optimizer.zero_grad()
        loss = chainrule_loss(params)
        loss.backward()
        return loss

    with cr.no_grad():
        loss = optimizer.step(closure)
    assert calls == [True]
    assert isinstance(loss, cr.Tensor) and loss.requires_grad
    assert params[0].grad is not None  # the closure's backward ran before the update
    assert optimizer.step() is None


def test_step_updates_the_same_array_in_place() -> None:
    params, _ = make_params()
    arrays = [p.data for p in params]
    optimizer = cr.optim.Adam(params, lr=0.1)
    chainrule_step(optimizer, params)
    assert all(p.data is a for p, a in zip(params, arrays, strict=True))


def test_a_gradient_of_the_wrong_shape_is_named() -> None:
    w = _param(3)
    w.grad = cr.ones(4, dtype=cr.float64)
    with pytest.raises(RuntimeError, match=r"shape \(3,\) has a gradient of shape \(4,\)"):
        cr.optim.SGD([w], lr=0.1).step()


@pytest.mark.parametrize(("name", "options"), ALL_OPTIONS, ids=OPTION_IDS)
def test_gradients_are_never_written_and_may_be_shared(name: str, options: dict[str, Any]) -> None:
    rng = np.random.default_rng(7)
    start = [rng.normal(size=(4, 3)) for _ in range(2)]
    grads = [rng.normal(size=(4, 3)) for _ in range(3)]
    # a: two parameters sharing one read-only gradient array; b: the same with private copies.
    shared_a = [cr.tensor(s.copy(), requires_grad=True) for s in start]
    private_b = [cr.tensor(s.copy(), requires_grad=True) for s in start]
    opt_a = getattr(cr.optim, name)(shared_a, **options)
    opt_b = getattr(cr.optim, name)(private_b, **options)
    for grad in grads:
        frozen = grad.copy()
        frozen.flags.writeable = False  # any in-place write into it raises
        shared = cr.Tensor._wrap(frozen)
        for p in shared_a:
            p.grad = shared
        for p in private_b:
            p.grad = cr.tensor(grad.copy())
        opt_a.step()
        opt_b.step()
        np.testing.assert_array_equal(frozen, grad)
    for a, b in zip(shared_a, private_b, strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(shared_a[0].data, start[0])


@pytest.mark.parametrize(("name", "options"), ALL_OPTIONS, ids=OPTION_IDS)
def test_float32_stays_float32_and_tracks_torch(name: str, options: dict[str, Any]) -> None:
    ours, theirs = make_params("float32")
    our_opt = getattr(cr.optim, name)(ours, **options)
    their_opt = getattr(torch.optim, name)(theirs, **options)
    for _ in range(5):
        chainrule_step(our_opt, ours)
        torch_step(their_opt, theirs)
    for ours_p, theirs_p in zip(ours, theirs, strict=True):
        assert ours_p.dtype == np.float32
        np.testing.assert_allclose(ours_p.data, theirs_p.detach().numpy(), rtol=1e-4, atol=1e-5)
    for state in our_opt.state.values():
        for key, value in state.items():
            if key != "step":
                assert value.dtype == np.float32, key


# -- hyperparameter validation ----------------------------------------------------------------------
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("SGD", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("SGD", {"lr": math.nan}, "Invalid learning rate: nan"),
    ("SGD", {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("SGD", {"weight_decay": -0.001}, "Invalid weight_decay value: -0.001"),
    ("SGD", {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening (got momentum=0,"),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.2}, "(got momentum=0.9, dampening=0.2)"),
    ("Adam", {"lr": -1.0}, "Invalid learning rate: -1.0"),
    ("Adam", {"eps": -1e-08}, "Invalid epsilon value: -1e-08"),
    ("Adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ("Adam", {"betas": (-0.1, 0.999)}, "Invalid beta parameter at index 0: -0.1"),
    ("Adam", {"betas": (0.9, 1.2)}, "Invalid beta parameter at index 1: 1.2"),
    ("Adam", {"betas": (0.9,)}, "Invalid betas: (0.9,)"),
    ("Adam", {"weight_decay": -0.5}, "Invalid weight_decay value: -0.5"),
    ("AdamW", {"lr": -0.01}, "Invalid learning rate: -0.01"),
    ("AdamW", {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
    ("AdamW", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    ("AdamW", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    ("RMSprop", {"lr": -0.01}, "Invalid learning rate: -0.01"),
    ("RMSprop", {"eps": -0.1}, "Invalid epsilon value: -0.1"),
    ("RMSprop", {"momentum": -0.9}, "Invalid momentum value: -0.9"),
    ("RMSprop", {"weight_decay": -2}, "Invalid weight_decay value: -2"),
    ("RMSprop", {"alpha": -0.99}, "Invalid alpha value: -0.99"),
    ("Adagrad", {"lr": -0.01}, "Invalid learning rate: -0.01"),
    ("Adagrad", {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    ("Adagrad", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("Adagrad", {"initial_accumulator_value": -1}, "Invalid initial_accumulator_value value: -1"),
    ("Adagrad", {"eps": -1e-10}, "Invalid epsilon value: -1e-10"),
]


@pytest.mark.parametrize(("name", "options", "message"), INVALID, ids=[f"{n}-{m}" for n, _, m in INVALID])
def test_invalid_hyperparameters_raise_value_error_naming_the_value(name: str, options: dict[str, Any],
                                                                    message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(cr.optim, name)([_param(2)], **options)
    # the same value in one parameter group is refused too
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(cr.optim, name)([{"params": [_param(2)], **options}])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_defaults_are_torchs(name: str) -> None:
    ours = getattr(cr.optim, name)([_param(2)]).defaults
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
    assert ours == {key: theirs[key] for key in ours}


def test_adagrad_uses_each_groups_initial_accumulator_value() -> None:
    w, b = _param(2), _param(3)
    optimizer = cr.optim.Adagrad([{"params": [w], "initial_accumulator_value": 0.25}, {"params": [b]}])
    np.testing.assert_array_equal(optimizer.state[w]["sum"].data, np.full(2, 0.25))
    np.testing.assert_array_equal(optimizer.state[b]["sum"].data, np.zeros(3))
