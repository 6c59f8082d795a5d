"""Metrics: numbers that say how good predictions are (not differentiated, unlike a loss).

Each takes ``(output, target)`` as NumPy arrays or Tensors and returns a Python float (the confusion
matrix returns an array). ``output`` is what the model returned: for classification logits,
probabilities or labels; for regression the predicted values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor


def _array(value: Any) -> np.ndarray:
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def predicted_labels(output: Any, threshold: float | None = None) -> np.ndarray:
    """Class labels from a model's output.

    Shape (N, C) with C > 1: logits or probabilities, label = argmax over classes. Shape (N,) or (N, 1):
    integer outputs are labels already; float outputs are one score per sample, label 1 when the score
    exceeds ``threshold`` (None: 0.5 when every score lies in [0, 1], as probabilities do, else 0, the
    threshold for logits).
    """
    array = _array(output)
    if array.ndim == 2 and array.shape[1] > 1:
        return array.argmax(axis=1)
    scores = array.reshape(len(array)) if array.ndim else array.reshape(1)
    if scores.dtype.kind in "iub":
        return scores.astype(np.int64)
    if threshold is None:
        threshold = 0.5 if scores.size and scores.min() >= 0.0 and scores.max() <= 1.0 else 0.0
    return (scores > threshold).astype(np.int64)


def _true_labels(target: Any) -> np.ndarray:
    """Labels from targets: integer labels, 0/1 floats, or one-hot / probability rows (argmax)."""
    array = _array(target)
    if array.ndim == 2 and array.shape[1] > 1:
        return array.argmax(axis=1)
    return array.reshape(-1).astype(np.int64)


def accuracy(output: Any, target: Any, threshold: float | None = None) -> float:
    """Fraction of samples whose predicted class equals the target class (see ``predicted_labels``).

    >>> accuracy([[2.0, -1.0], [0.0, 3.0]], [0, 0])
    0.5
    """
    predicted = predicted_labels(output, threshold)
    true = _true_labels(target)
    if predicted.shape != true.shape:
        raise ValueError(f"accuracy: {predicted.shape[0]} predictions (output shape {_array(output).shape}) "
                         f"for {true.shape[0]} targets (shape {_array(target).shape})")
    return float(np.mean(predicted == true)) if predicted.size else 0.0


def _regression_pair(name: str, output: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    predicted, true = _array(output), _array(target)
    if predicted.size != true.size:
        raise ValueError(f"{name}: output shape {predicted.shape} and target shape {true.shape} hold "
                         "different numbers of values")
    # (N,) against (N, 1) means the same values; compare them value by value, not by broadcasting.
    if predicted.shape != true.shape:
        predicted, true = predicted.reshape(-1), true.reshape(-1)
    return predicted.astype(np.float64), true.astype(np.float64)


def mse(output: Any, target: Any) -> float:
    """Mean squared error ``mean((output - target)^2)``."""
    predicted, true = _regression_pair("mse", output, target)
    return float(np.mean((predicted - true) ** 2))


def mae(output: Any, target: Any) -> float:
    """Mean absolute error ``mean(|output - target|)``."""
    predicted, true = _regression_pair("mae", output, target)
    return float(np.mean(np.abs(predicted - true)))


def r2(output: Any, target: Any) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot`` (per output column, then averaged, as
    scikit-learn's ``r2_score``): 1 is a perfect fit, 0 is no better than predicting the mean."""
    predicted, true = _regression_pair("r2", output, target)
    if true.ndim == 1:
        predicted, true = predicted[:, None], true[:, None]
    residual = ((true - predicted) ** 2).sum(axis=0)
    total = ((true - true.mean(axis=0)) ** 2).sum(axis=0)
    # scikit-learn's convention for a constant target: 1 if predicted exactly, else 0.
    scores = np.where(total > 0, 1.0 - residual / np.where(total > 0, total, 1.0),
                      np.where(residual == 0, 1.0, 0.0))
    return float(scores.mean())


def confusion_matrix(output: Any, target: Any, num_classes: int | None = None,
                     threshold: float | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as class ``j`` (scikit-learn's
    orientation: rows are the truth). ``output`` may be logits, probabilities or labels.

    >>> confusion_matrix([1, 0, 1], [1, 1, 1], num_classes=2).tolist()
    [[0, 0], [1, 2]]
    """
    predicted = predicted_labels(output, threshold)
    true = _true_labels(target)
    if predicted.shape != true.shape:
        raise ValueError(f"confusion_matrix: {predicted.shape[0]} predictions for {true.shape[0]} targets")
    if predicted.size and min(predicted.min(), true.min()) < 0:
        raise ValueError("confusion_matrix: class labels must be non-negative integers")
    present = int(max(predicted.max(initial=-1), true.max(initial=-1))) + 1
    size = present if num_classes is None else num_classes
    if size < present:
        raise ValueError(f"confusion_matrix: num_classes={num_classes} but label {present - 1} occurs")
    counts = np.bincount(true * size + predicted, minlength=size * size)
    return counts.reshape(size, size)


METRICS: dict[str, Callable[..., float]] = {"accuracy": accuracy, "acc": accuracy, "mse": mse, "mae": mae,
                                              "r2": r2}


def get_metric(metric: str | Callable[..., Any]) -> tuple[str, Callable[..., Any]]:
    """``(name, function)`` for a metric given by name ('accuracy', 'mse', 'mae', 'r2') or as a callable
    ``f(output, target) -> float`` (named after the function)."""
    if callable(metric):
        return getattr(metric, "__name__", type(metric).__name__), metric
    key = str(metric).lower()
    if key not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; valid names: accuracy, mse, mae, r2, or pass a "
                         "function f(output, target) -> float")
    return ("accuracy" if key == "acc" else key), METRICS[key]


__all__ = ["accuracy", "confusion_matrix", "get_metric", "mae", "mse", "predicted_labels", "r2"]
