"""nn.init: gains against PyTorch's, and the statistics and bounds of each scheme against its formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn
from chainrule.nn import init

# A large weight so that sample statistics are within ~1% of the formula.
SHAPE = (400, 300)  # (out_features = fan_out, in_features = fan_in)
FAN_OUT, FAN_IN = SHAPE


@pytest.mark.parametrize(("name", "param"), [
    ("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
    ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None), ("conv2d", None),
])
def test_calculate_gain_equals_torch(name: str, param: float | None) -> None:
    expected = torch.nn.init.calculate_gain(name, param)
    assert init.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="Unsupported nonlinearity 'swish'.*valid: linear"):
        init.calculate_gain("swish")


def _draw(fn, *args, **kwargs) -> np.ndarray:  # type: ignore[no-untyped-def]
    t = cr.empty(*SHAPE, dtype=cr.float64)
    out = fn(t, *args, **kwargs)
    assert out is t
    return t.data


def _assert_uniform(values: np.ndarray, bound: float) -> None:
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.99 * bound and values.max() > 0.99 * bound  # the whole interval is used
    assert abs(values.mean()) < 0.01 * bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def test_uniform_and_normal() -> None:
    values = _draw(init.uniform_, -2.0, 3.0)
    assert values.min() >= -2.0 and values.max() <= 3.0
    assert values.mean() == pytest.approx(0.5, abs=0.02)
    values = _draw(init.normal_, 1.5, 0.2)
    assert values.mean() == pytest.approx(1.5, abs=0.002)
    assert values.std() == pytest.approx(0.2, rel=0.01)


def test_xavier_uniform_and_normal_follow_glorot() -> None:
    std = 1.7 * math.sqrt(2.0 / (FAN_IN + FAN_OUT))
    _assert_uniform(_draw(init.xavier_uniform_, gain=1.7), math.sqrt(3) * std)
    values = _draw(init.xavier_normal_, gain=1.7)
    assert values.std() == pytest.approx(std, rel=0.01)
    assert abs(values.mean()) < 0.01 * std


@pytest.mark.parametrize(("mode", "fan"), [("fan_in", FAN_IN), ("fan_out", FAN_OUT)])
def test_kaiming_uniform_and_normal_follow_he(mode: str, fan: int) -> None:
    std = math.sqrt(2.0) / math.sqrt(fan)  # gain sqrt(2) for relu
    _assert_uniform(_draw(init.kaiming_uniform_, mode=mode, nonlinearity="relu"), math.sqrt(3) * std)
    values = _draw(init.kaiming_normal_, mode=mode, nonlinearity="relu")
    assert values.std() == pytest.approx(std, rel=0.01)
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_normal_(cr.empty(2, 2), mode="fan_avg")


def test_linear_default_init_is_uniform_one_over_sqrt_fan_in() -> None:
    cr.manual_seed(0)
    layer = nn.Linear(FAN_IN, FAN_OUT, dtype=cr.float64)
    # kaiming_uniform_(a=sqrt(5)): gain^2 = 2 / (1 + 5), bound = gain sqrt(3 / fan_in) = 1 / sqrt(fan_in)
    bound = 1 / math.sqrt(FAN_IN)
    _assert_uniform(layer.weight.data, bound)
    assert np.abs(layer.bias.data).max() <= bound
    assert layer.weight.dtype == cr.float64 and nn.Linear(2, 2).weight.dtype == cr.float32


def test_trunc_normal_stays_in_bounds() -> None:
    values = _draw(init.trunc_normal_, mean=0.0, std=1.0, a=-0.5, b=1.0)
    assert values.min() >= -0.5 and values.max() <= 1.0
    # the mean of N(0, 1) truncated to [a, b] is (phi(a) - phi(b)) / (Phi(b) - Phi(a))
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    big_phi = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    expected = (phi(-0.5) - phi(1.0)) / (big_phi(1.0) - big_phi(-0.5))
    assert values.mean() == pytest.approx(expected, abs=0.01)


def test_constant_ones_zeros_eye_keep_dtype_and_object() -> None:
    t = cr.empty(2, 3)
    assert init.constant_(t, 0.25) is t and np.all(t.data == 0.25) and t.dtype == cr.float32
    assert np.all(init.ones_(t).data == 1) and np.all(init.zeros_(t).data == 0)
    np.testing.assert_array_equal(init.eye_(t).data, np.eye(2, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(cr.empty(3))


def test_fans_need_two_dims_and_zero_element_tensors_warn() -> None:
    with pytest.raises(ValueError, match="fewer than 2 dimensions.*bias"):
        init.xavier_uniform_(cr.empty(5))
    with pytest.warns(UserWarning, match="no-op"):
        init.kaiming_uniform_(cr.empty(0, 3))


def test_init_is_reproducible_with_seed_and_generator_and_records_no_graph() -> None:
    cr.manual_seed(3)
    first = nn.Linear(4, 4).weight.data.copy()
    cr.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(4, 4).weight.data, first)
    a = init.normal_(cr.empty(3, 3), generator=np.random.default_rng(5)).data
    b = init.normal_(cr.empty(3, 3), generator=np.random.default_rng(5)).data
    np.testing.assert_array_equal(a, b)
    layer = nn.Linear(2, 2)
    init.xavier_uniform_(layer.weight)  # allowed on a parameter that requires grad: no graph is recorded
    assert layer.weight.is_leaf and layer.weight.grad_fn is None
