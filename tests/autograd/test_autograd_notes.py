"""The lecture notes' worked examples of the chain rule, reproduced by the engine."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule as cr


def test_computational_graph_h_of_x() -> None:
    """h(x) = (2(x + 1))^2 as the graph x -> f = x + 1 -> g = 2f -> h = g^2: at x = 2, h = 36 and
    h'(2) = dh/dg * dg/df * df/dx = 2g * 2 * 1 = 24."""
    x = cr.tensor(2.0, requires_grad=True)
    f = x + 1
    g = 2 * f
    h = g**2
    f.retain_grad()
    g.retain_grad()
    h.backward()
    assert h.item() == 36.0
    assert x.grad is not None and x.grad.item() == 24.0
    assert g.item() == 6.0
    assert g.grad is not None and g.grad.item() == 12.0  # dh/dg = 2g = 12 at g = 6
    assert f.grad is not None and f.grad.item() == 24.0  # dh/df = dh/dg * dg/df = 12 * 2
    assert h.grad is None  # only leaves and retain_grad() tensors keep .grad


def test_h_prime_is_8x_plus_8_everywhere() -> None:
    """h(x) = 4(x + 1)^2, so h'(x) = 8x + 8, element-wise on a vector."""
    x = cr.tensor([-3.0, -1.0, 0.0, 0.5, 2.0], requires_grad=True)
    ((2 * (x + 1)) ** 2).sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), 8 * np.array([-3.0, -1.0, 0.0, 0.5, 2.0]) + 8)


@pytest.mark.parametrize("t_value", [-1.3, 0.0, 0.4, 1.0, 2.2])
def test_multivariate_chain_rule(t_value: float) -> None:
    """f(x, y) = y + e^{xy} with x = cos t, y = t^2: the multivariate chain rule gives
    df/dt = df/dx dx/dt + df/dy dy/dt = y e^{xy} (-sin t) + (1 + x e^{xy}) 2t."""
    t = cr.tensor(t_value, dtype=cr.float64, requires_grad=True)
    x = t.cos()
    y = t**2
    f = y + (x * y).exp()
    f.backward()
    xv, yv = math.cos(t_value), t_value**2
    expected = yv * math.exp(xv * yv) * (-math.sin(t_value)) + (1 + xv * math.exp(xv * yv)) * 2 * t_value
    assert f.item() == pytest.approx(yv + math.exp(xv * yv), rel=1e-14)
    assert t.grad is not None
    assert t.grad.item() == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_gradient_accumulates_over_two_backward_calls() -> None:
    """Gradients add up across backward calls until zeroed, as in PyTorch."""
    x = cr.tensor(2.0, requires_grad=True)
    ((2 * (x + 1)) ** 2).backward()
    assert x.grad is not None and x.grad.item() == 24.0
    ((2 * (x + 1)) ** 2).backward()
    assert x.grad.item() == 48.0  # doubled
    x.grad = None  # zeroing, as optimizer.zero_grad() does
    ((2 * (x + 1)) ** 2).backward()
    assert x.grad.item() == 24.0
