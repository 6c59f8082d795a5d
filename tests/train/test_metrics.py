"""Metrics against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

import chainrule as cr
from chainrule.train import metrics


def test_accuracy_from_logits_probabilities_and_labels() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(50, 4))
    labels = rng.integers(0, 4, size=50)
    expected = sk.accuracy_score(labels, logits.argmax(axis=1))
    assert metrics.accuracy(logits, labels) == pytest.approx(expected)
    assert metrics.accuracy(cr.tensor(logits).softmax(dim=1), cr.tensor(labels)) == pytest.approx(expected)
    assert metrics.accuracy(logits.argmax(axis=1), labels) == pytest.approx(expected)
    one_hot = np.eye(4)[labels]
    assert metrics.accuracy(logits, one_hot) == pytest.approx(expected)


def test_binary_accuracy_thresholds() -> None:
    targets = np.array([0, 1, 1, 0])
    assert metrics.accuracy(np.array([[0.2], [0.7], [0.6], [0.4]]), targets) == 1.0  # probabilities: 0.5
    assert metrics.accuracy(np.array([[-2.0], [3.0], [0.5], [-0.1]]), targets) == 1.0  # logits: 0
    assert metrics.accuracy(np.array([0.2, 0.7, 0.6, 0.4]), targets, threshold=0.65) == 0.75
    with pytest.raises(ValueError, match="3 predictions"):
        metrics.accuracy(np.zeros((3, 2)), np.zeros(4))


def test_regression_metrics_match_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    true = rng.normal(size=(40, 1))
    predicted = true + 0.3 * rng.normal(size=(40, 1))
    assert metrics.mse(predicted, true) == pytest.approx(sk.mean_squared_error(true, predicted))
    assert metrics.mae(predicted, true) == pytest.approx(sk.mean_absolute_error(true, predicted))
    assert metrics.r2(predicted, true) == pytest.approx(sk.r2_score(true, predicted))
    # (N, 1) against (N,) compares value by value.
    assert metrics.mse(predicted, true.ravel()) == pytest.approx(sk.mean_squared_error(true, predicted))
    two = rng.normal(size=(30, 2))
    guess = two + rng.normal(size=(30, 2))
    assert metrics.r2(guess, two) == pytest.approx(sk.r2_score(two, guess))


def test_confusion_matrix_matches_scikit_learn() -> None:
    rng = np.random.default_rng(2)
    true = rng.integers(0, 3, size=60)
    logits = rng.normal(size=(60, 3))
    expected = sk.confusion_matrix(true, logits.argmax(axis=1), labels=[0, 1, 2])
    np.testing.assert_array_equal(metrics.confusion_matrix(logits, true), expected)
    padded = metrics.confusion_matrix(np.array([0, 1]), np.array([0, 0]), num_classes=4)
    assert padded.shape == (4, 4) and padded[0].tolist() == [1, 1, 0, 0]


def test_metric_lookup() -> None:
    assert metrics.get_metric("acc")[0] == "accuracy"

    def balanced(output: np.ndarray, target: np.ndarray) -> float:
        return 0.0

    assert metrics.get_metric(balanced) == ("balanced", balanced)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        metrics.get_metric("f1")
