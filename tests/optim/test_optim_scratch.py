"""Optimisers keep one reusable scratch array per parameter for the temporaries of an update: it must
never leak into state_dict, and must follow a parameter whose array changes shape or dtype."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr

OPTIMIZERS: list[tuple[str, dict[str, Any], set[str]]] = [
    ("SGD", {"lr": 0.1}, set()),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, {"momentum_buffer"}),
    ("Adam", {"lr": 0.1}, {"step", "exp_avg", "exp_avg_sq"}),
    ("RMSprop", {"lr": 0.1}, {"step", "square_avg"}),
    ("Adagrad", {"lr": 0.1}, {"step", "sum"}),
]


@pytest.mark.parametrize(("name", "options", "keys"), OPTIMIZERS)
def test_state_dict_holds_pytorchs_keys_only(name: str, options: dict[str, Any], keys: set[str]) -> None:
    w = cr.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    optimizer = getattr(cr.optim, name)([w], **options)
    for _ in range(2):
        (w * w).sum().backward()
        optimizer.step()
        optimizer.zero_grad()
    state = optimizer.state_dict()["state"]
    assert set(state.get(0, {})) == keys


def test_sgd_follows_a_parameter_whose_array_becomes_float64() -> None:
    w = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    optimizer = cr.optim.SGD([w], lr=0.1)
    w.grad = cr.tensor([1.0, 1.0, 1.0])
    optimizer.step()  # the scratch array is float32 now
    w.data = np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float64)  # a new shape and dtype
    w.grad = cr.tensor(np.array([1e-9, 2e-9, 3e-9, 4e-9]))
    optimizer.step()
    expected = np.array([0.1, 0.2, 0.3, 0.4]) - 0.1 * np.array([1e-9, 2e-9, 3e-9, 4e-9])
    assert w.data.dtype == np.float64
    np.testing.assert_array_equal(w.data, expected)  # float32 arithmetic would round 1e-10 away


def test_two_parameters_of_one_shape_do_not_share_a_scratch_array() -> None:
    a = cr.tensor([1.0, 1.0], requires_grad=True)
    b = cr.tensor([5.0, 5.0], requires_grad=True)
    optimizer = cr.optim.SGD([a, b], lr=1.0, weight_decay=0.5)
    a.grad, b.grad = cr.tensor([1.0, 2.0]), cr.tensor([-1.0, -2.0])
    optimizer.step()
    # theta - lr (g + 0.5 theta) for each, computed independently
    np.testing.assert_allclose(a.data, [1 - (1 + 0.5), 1 - (2 + 0.5)])
    np.testing.assert_allclose(b.data, [5 - (-1 + 2.5), 5 - (-2 + 2.5)])
