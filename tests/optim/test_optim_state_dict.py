"""state_dict / load_state_dict: resuming gives exactly the uninterrupted run; bad dicts are refused."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import torch
from _optim_reference import chainrule_step, make_params, torch_step, values

import chainrule as cr

CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.2}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.3}),
]
IDS = [name for name, _ in CONFIGS]


def _groups(params: list[Any]) -> list[dict[str, Any]]:
    return [{"params": params[:2], "lr": 0.02}, {"params": params[2:]}]


def _uninterrupted(name: str, options: dict[str, Any], steps: int) -> list[np.ndarray]:
    params, _ = make_params()
    optimizer = getattr(cr.optim, name)(_groups(params), **options)
    for _ in range(steps):
        chainrule_step(optimizer, params)
    return values(params)


def _jsonable(state_dict: dict[str, Any]) -> str:
    """A state dict as JSON text: buffers as nested lists, indices as string keys."""
    def plain(value: Any) -> Any:
        return value if isinstance(value, (int, float)) else np.asarray(value).tolist()

    state = {str(i): {k: plain(v) for k, v in entry.items()} for i, entry in state_dict["state"].items()}
    return json.dumps({"state": state, "param_groups": state_dict["param_groups"]})


@pytest.mark.parametrize(("name", "options"), CONFIGS, ids=IDS)
@pytest.mark.parametrize("through_json", [False, True], ids=["dict", "json"])
def test_resume_after_10_steps_equals_uninterrupted_run(name: str, options: dict[str, Any],
                                                        through_json: bool) -> None:
    expected = _uninterrupted(name, options, 20)
    params, _ = make_params()
    optimizer = getattr(cr.optim, name)(_groups(params), **options)
    for _ in range(10):
        chainrule_step(optimizer, params)
    saved = optimizer.state_dict()
    if through_json:
        saved = json.loads(_jsonable(saved))
    # A fresh model holding the values reached so far, and a fresh optimiser with other hyperparameters.
    resumed, _ = make_params()
    for target, source in zip(resumed, params, strict=True):
        target.data[...] = source.data
    fresh = getattr(cr.optim, name)(_groups(resumed), lr=0.5)
    fresh.load_state_dict(saved)
    for _ in range(10):
        chainrule_step(fresh, resumed)
    for a, b in zip(values(resumed), expected, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("name", "options"), CONFIGS, ids=IDS)
def test_state_dict_is_a_snapshot(name: str, options: dict[str, Any]) -> None:
    params, _ = make_params()
    optimizer = getattr(cr.optim, name)(params, **options)
    chainrule_step(optimizer, params)
    saved = optimizer.state_dict()
    before = {k: np.array(v) for k, v in saved["state"][0].items()}
    chainrule_step(optimizer, params)
    for key, value in saved["state"][0].items():
        np.testing.assert_array_equal(np.asarray(value), before[key])
    # ...while the optimiser's own state did move on.
    now = optimizer.state[params[0]]
    assert any(not np.array_equal(np.asarray(now[k]), before[k]) for k in before)
    if "step" in before:
        assert (saved["state"][0]["step"], now["step"]) == (1, 2)


@pytest.mark.parametrize(("name", "options"), CONFIGS, ids=IDS)
def test_torch_state_dict_loads_and_continues_like_torch(name: str, options: dict[str, Any]) -> None:
    ours, theirs = make_params()
    their_opt = getattr(torch.optim, name)(_groups(theirs), **options)
    for _ in range(10):
        torch_step(their_opt, theirs)
    for target, source in zip(ours, theirs, strict=True):
        target.data[...] = source.detach().numpy()
    our_opt = getattr(cr.optim, name)(_groups(ours), **options)
    our_opt.load_state_dict(their_opt.state_dict())
    for _ in range(10):
        torch_step(their_opt, theirs)
        chainrule_step(our_opt, ours)
    for a, b in zip(values(ours), values(theirs), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)


def test_loaded_float_buffers_take_the_parameter_dtype() -> None:
    params64, _ = make_params()
    optimizer = cr.optim.Adam(params64, lr=0.01)
    chainrule_step(optimizer, params64)
    params32, _ = make_params("float32")
    optimizer32 = cr.optim.Adam(params32, lr=0.01)
    optimizer32.load_state_dict(optimizer.state_dict())
    assert optimizer32.state[params32[0]]["exp_avg"].dtype == np.float32
    assert optimizer32.state[params32[0]]["step"] == 1


def test_load_refuses_a_different_number_of_groups() -> None:
    params, _ = make_params()
    saved = cr.optim.SGD(_groups(params), lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups: 2 saved, 1"):
        cr.optim.SGD(params, lr=0.1).load_state_dict(saved)


def test_load_refuses_groups_of_another_size() -> None:
    params, _ = make_params()
    saved = cr.optim.SGD([{"params": params[:1]}, {"params": params[1:]}], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="group 0 has 1 parameters saved, 2 here"):
        cr.optim.SGD(_groups(params), lr=0.1).load_state_dict(saved)


def test_load_refuses_a_buffer_of_the_wrong_shape_and_changes_nothing() -> None:
    params, _ = make_params()
    optimizer = cr.optim.SGD(params, lr=0.1, momentum=0.9)
    chainrule_step(optimizer, params)
    saved = optimizer.state_dict()
    saved["state"][1]["momentum_buffer"] = np.zeros((4, 4))
    saved["param_groups"][0]["lr"] = 0.7
    before = optimizer.state_dict()
    with pytest.raises(ValueError, match=r"'momentum_buffer' of parameter 1 has shape \(4, 4\), but the "
                                         r"parameter has shape \(3,\)"):
        optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.1
    np.testing.assert_array_equal(np.asarray(optimizer.state[params[1]]["momentum_buffer"]),
                                  np.asarray(before["state"][1]["momentum_buffer"]))


def test_load_refuses_what_is_not_a_state_dict() -> None:
    params, _ = make_params()
    with pytest.raises(ValueError, match="expected a dict with keys 'state' and 'param_groups'"):
        cr.optim.SGD(params, lr=0.1).load_state_dict({"lr": 0.1})


def test_load_refuses_invalid_hyperparameters() -> None:
    params, _ = make_params()
    saved = cr.optim.SGD(params, lr=0.1).state_dict()
    saved["param_groups"][0]["lr"] = -3.0
    with pytest.raises(ValueError, match="Invalid learning rate: -3.0"):
        cr.optim.SGD(params, lr=0.1).load_state_dict(saved)


def test_adamw_stays_decoupled_when_loading_adam_state() -> None:
    params, _ = make_params()
    saved = cr.optim.Adam(params, lr=0.1).state_dict()
    optimizer = cr.optim.AdamW(params, lr=0.1)
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["decoupled_weight_decay"] is True
