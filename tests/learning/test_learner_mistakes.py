"""Perceptron and explain.step given what a learner might pass by mistake: clear errors with the fix."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, 0.2], [0.2, 0.9]])


def test_perceptron_labels_minus_one_and_one_suggest_the_mapping() -> None:
    with pytest.raises(ValueError, match=r"labels must be 0 or 1.*got \[-1\].*\(y > 0\)\.astype\(int\)"):
        cr.Perceptron(2).fit(X, np.array([-1, 1, 1, 1, -1, 1]))


def test_perceptron_three_classes_explains_one_line_two_classes() -> None:
    with pytest.raises(ValueError, match=r"got \[2\].*separates two classes.*one perceptron per class"):
        cr.Perceptron(2).fit(X, np.arange(6) % 3)


def test_perceptron_without_samples_or_with_text() -> None:
    with pytest.raises(ValueError, match=r"Perceptron\.fit: X has no samples \(shape \(0, 2\)\)"):
        cr.Perceptron(2).fit(np.empty((0, 2)), np.empty(0))
    with pytest.raises(ValueError, match=r"Perceptron\.fit: X must be numbers.*could not convert"):
        cr.Perceptron(2).fit(np.full((6, 2), "a"), np.zeros(6))


def _dropout_network() -> nn.Sequential:
    cr.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Dropout(0.5), nn.Linear(3, 1), nn.Sigmoid())


def test_explain_step_refuses_active_dropout_and_says_to_call_eval() -> None:
    with pytest.raises(ValueError, match=r"active Dropout layer \(2: Dropout\(p=0\.5\)\).*model\.eval\(\)"):
        cr.explain.step(_dropout_network(), nn.BCELoss(), x=[0.1, 0.7], y=1.0, lr=0.5)


def test_explain_step_with_dropout_in_eval_mode_is_repeatable() -> None:
    first = cr.explain.step(_dropout_network().eval(), nn.BCELoss(), x=[0.1, 0.7], y=1.0, lr=0.5)
    second = cr.explain.step(_dropout_network().eval(), nn.BCELoss(), x=[0.1, 0.7], y=1.0, lr=0.5)
    assert first.loss_before == second.loss_before and first.loss_after == second.loss_after
    assert first.loss_after < first.loss_before
    # Without the Dropout layer (identity in eval mode), the same weights give the same step.
    network = _dropout_network()
    without = nn.Sequential(network[0], network[1], network[3], network[4])
    third = cr.explain.step(without, nn.BCELoss(), x=[0.1, 0.7], y=1.0, lr=0.5)
    assert third.loss_before == pytest.approx(first.loss_before, rel=1e-6)


def test_explain_step_loss_given_by_name_or_class() -> None:
    model = cr.explain.neuron([0.8, 0.2], threshold=-0.1)
    with pytest.raises(TypeError, match=r"loss_fn must be a loss module such as nn\.BCELoss\(\).*got str 'bce'"):
        cr.explain.step(model, "bce", x=[0.1, 0.7], y=1.0, lr=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"loss_fn=BCELoss is a class; pass an instance: BCELoss\(\)"):
        cr.explain.step(model, nn.BCELoss, x=[0.1, 0.7], y=1.0, lr=0.5)
    with pytest.raises(TypeError, match=r"model must be a chainrule nn\.Module"):
        cr.explain.step(lambda x: x, nn.BCELoss(), x=[0.1, 0.7], y=1.0, lr=0.5)  # type: ignore[arg-type]
