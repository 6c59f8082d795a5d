"""The explicit penalties of the regularised loss L + lambda R, and their relation to weight_decay."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.autograd import gradcheck


def _model() -> nn.Sequential:
    cr.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()


def test_l2_penalty_is_half_the_sum_of_squares_and_its_gradient_is_w() -> None:
    model = _model()
    arrays = [p.data.copy() for p in model.parameters()]
    penalty = nn.l2_penalty(model)
    assert penalty.item() == pytest.approx(0.5 * sum(float((a * a).sum()) for a in arrays), rel=1e-12)
    penalty.backward()
    for p, a in zip(model.parameters(), arrays, strict=True):
        np.testing.assert_array_equal(p.grad.data, a)  # R'(w) = w, as in the notes


def test_l1_penalty_is_the_sum_of_absolute_values_and_its_gradient_is_sign_w() -> None:
    model = _model()
    arrays = [p.data.copy() for p in model.parameters()]
    penalty = nn.l1_penalty(model.parameters())
    assert penalty.item() == pytest.approx(sum(float(np.abs(a).sum()) for a in arrays), rel=1e-12)
    penalty.backward()
    for p, a in zip(model.parameters(), arrays, strict=True):
        np.testing.assert_array_equal(p.grad.data, np.sign(a))


def test_include_bias_false_skips_parameters_named_bias() -> None:
    model = _model()
    weights_only = 0.5 * (float((model[0].weight.data ** 2).sum()) + float((model[2].weight.data ** 2).sum()))
    assert nn.l2_penalty(model, include_bias=False).item() == pytest.approx(weights_only, rel=1e-12)
    assert nn.l2_penalty(model.named_parameters(), include_bias=False).item() == pytest.approx(weights_only)
    nn.l1_penalty(model, include_bias=False).backward()
    assert model[0].bias.grad is None and model[0].weight.grad is not None
    with pytest.raises(ValueError, match=r"pass the module itself or model.named_parameters\(\)"):
        nn.l2_penalty(model.parameters(), include_bias=False)
    with pytest.raises(TypeError, match="expected a Module"):
        nn.l2_penalty([3.0])
    assert nn.l2_penalty([]).item() == 0.0


def test_penalties_pass_gradcheck() -> None:
    w = cr.tensor([[0.5, -1.5], [2.0, -0.25]], dtype=cr.float64, requires_grad=True)
    b = cr.tensor([0.3, -0.7], dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda w, b: nn.l2_penalty([w, b]), (w, b))
    assert gradcheck(lambda w, b: nn.l1_penalty([w, b]), (w, b))


def test_regularised_backward_adds_lambda_times_w_to_the_data_gradient() -> None:
    # The notes' backward pass of L_reg = L + lambda R: w_bar = z_bar x + R_bar w, with R_bar = lambda.
    model = _model()
    x, y = cr.randn(5, 3, dtype=cr.float64), cr.randn(5, 2, dtype=cr.float64)
    nn.MSELoss()(model(x), y).backward()
    data_grads = [p.grad.data.copy() for p in model.parameters()]
    model.zero_grad()
    lam = 0.3
    (nn.MSELoss()(model(x), y) + lam * nn.l2_penalty(model)).backward()
    for p, g in zip(model.parameters(), data_grads, strict=True):
        np.testing.assert_allclose(p.grad.data, g + lam * p.data, rtol=1e-12)


def test_sgd_weight_decay_equals_adding_wd_times_l2_penalty() -> None:
    wd, lr = 0.1, 0.2
    x, y = cr.randn(6, 3, dtype=cr.float64), cr.randn(6, 2, dtype=cr.float64)
    decayed, penalised = _model(), _model()
    decay_opt = cr.optim.SGD(decayed.parameters(), lr=lr, weight_decay=wd)
    plain_opt = cr.optim.SGD(penalised.parameters(), lr=lr)
    for _ in range(3):
        decay_opt.zero_grad()
        nn.MSELoss()(decayed(x), y).backward()
        decay_opt.step()
        plain_opt.zero_grad()
        (nn.MSELoss()(penalised(x), y) + wd * nn.l2_penalty(penalised)).backward()
        plain_opt.step()
    for a, b in zip(decayed.parameters(), penalised.parameters(), strict=True):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
