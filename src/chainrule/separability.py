"""Is there a straight line (a hyperplane) with all class-1 points on one side and all class-0 points
on the other? The question behind the perceptron's success on AND/OR and its failure on XOR.

Two small linear programs answer it, and each answer comes with its evidence:

* separable: a line ``w . x + b = 0`` with ``w . x + b >= 1`` on class 1 and ``<= -1`` on class 0;
* not separable: a point that is a weighted average (convex combination) of class-1 points *and* of
  class-0 points. Any line keeps all averages of one side's points on that side, so such a point would
  have to lie on both sides at once: no line exists. For XOR the point is (0.5, 0.5), the midpoint of
  both diagonals of the unit square. (That these are the only two cases is Farkas' lemma.)

The programs are solved with ``scipy.optimize.linprog`` when SciPy is installed; without it the
perceptron rule itself is run for a bounded number of epochs, which finds a line for separable data
but cannot prove that none exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["LinearSeparability", "linear_separability"]


def _fmt(values: Any) -> str:
    items = np.atleast_1d(np.asarray(values, dtype=np.float64))
    return "(" + ", ".join(f"{v:.4g}" for v in items) + ")"


def _mix(coefficients: np.ndarray, points: np.ndarray) -> str:
    return " + ".join(f"{c:.3g}*{_fmt(p)}" for c, p in zip(coefficients, points, strict=True))


@dataclass(frozen=True)
class LinearSeparability:
    """The answer of :func:`linear_separability` with its evidence; ``bool(result)`` is ``separable``.

    Attributes:
        separable: whether a straight line separates class 1 from class 0.
        weight, bias: a separating line ``weight . x + bias = 0`` (class 1 on the positive side), or None.
        witness: when not separable, a point that is an average of class-1 points and of class-0 points.
        class1_points, class1_coefficients: the class-1 points and weights averaging to ``witness``.
        class0_points, class0_coefficients: the same for class 0.
        method: ``"linprog"`` (a proof either way) or ``"perceptron"`` (no SciPy: a bounded search).
    """

    separable: bool
    weight: np.ndarray | None = None
    bias: float | None = None
    witness: np.ndarray | None = None
    class1_points: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    class1_coefficients: np.ndarray = field(default_factory=lambda: np.empty(0))
    class0_points: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    class0_coefficients: np.ndarray = field(default_factory=lambda: np.empty(0))
    method: str = "linprog"

    def __bool__(self) -> bool:
        return self.separable

    def explain(self) -> str:
        """One or two sentences: the separating line, or why no line can exist."""
        if self.separable:
            if self.weight is None or self.bias is None:
                return "All samples have the same label, so any line on one side of them separates them."
            return (f"the line w . x + b = 0 with w = {_fmt(self.weight)}, b = {self.bias:.4g} has every "
                    f"class-1 point on its positive side and every class-0 point on the other.")
        if self.witness is None:
            return ("no separating line was found (SciPy is not installed, so this is a bounded perceptron "
                    "search, not a proof).")
        return (
            f"no straight line separates the two classes (they are not linearly separable). The point "
            f"{_fmt(self.witness)} = {_mix(self.class1_coefficients, self.class1_points)} is an average of "
            f"class-1 points and also = {_mix(self.class0_coefficients, self.class0_points)}, an average of "
            f"class-0 points; a line with all class-1 points on one side has their averages there too, and "
            f"the same holds for class 0, so {_fmt(self.witness)} would have to lie on both sides at once."
        )

    def __str__(self) -> str:
        return self.explain()


def _check(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(X, dtype=np.float64)
    if points.ndim == 1:
        points = points.reshape(-1, 1)
    labels = np.asarray(y).reshape(-1)
    if points.ndim != 2 or labels.shape[0] != points.shape[0]:
        raise ValueError(f"linear_separability: X must have shape (n_samples, n_features) and y shape "
                         f"(n_samples,), got X {np.shape(X)} and y {np.shape(y)}")
    if not np.all(np.isin(labels, (0, 1))):
        raise ValueError(f"linear_separability: labels must be 0 or 1, got {np.unique(labels)[:5].tolist()}")
    return points, labels.astype(np.int64)


def _perceptron_search(points: np.ndarray, labels: np.ndarray, max_epochs: int = 1000) -> LinearSeparability:
    weight, bias = np.zeros(points.shape[1]), 0.0
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(points, labels, strict=True):
            change = int(y_i) - (1 if float(x_i @ weight) + bias > 0 else 0)
            if change:
                weight += change * x_i
                bias += change
                mistakes += 1
        if mistakes == 0:
            return LinearSeparability(True, weight, bias, method="perceptron")
    return LinearSeparability(False, method="perceptron")


def linear_separability(X: Any, y: Any) -> LinearSeparability:
    """Whether a straight line separates the samples labelled 1 from those labelled 0, with evidence.

    Args:
        X: ``(n_samples, n_features)`` points (a 1-D array is one feature).
        y: ``(n_samples,)`` labels, 0 or 1.

    Returns:
        :class:`LinearSeparability`: ``separable`` and either a line (``weight``, ``bias``) or a point
        that is an average of both classes (``witness``); ``.explain()`` says it in words.

    Example:
        >>> import numpy as np
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
        >>> bool(linear_separability(X, [0, 1, 1, 1])), bool(linear_separability(X, [0, 1, 1, 0]))
        (True, False)
    """
    points, labels = _check(X, y)
    ones, zeros = points[labels == 1], points[labels == 0]
    if len(ones) == 0 or len(zeros) == 0:
        return LinearSeparability(True)
    try:
        from scipy.optimize import linprog
    except ImportError:  # NOTE: SciPy is an optional extra; the perceptron rule finds lines, proves nothing
        return _perceptron_search(points, labels)
    n_samples, n_features = points.shape
    # Program 1 over (w, b): sign_i * (w . x_i + b) >= 1, written as A_ub @ (w, b) <= -1.
    sign = np.where(labels == 1, 1.0, -1.0)
    a_ub = -sign[:, None] * np.hstack([points, np.ones((n_samples, 1))])
    line = linprog(np.zeros(n_features + 1), A_ub=a_ub, b_ub=-np.ones(n_samples),
                   bounds=[(None, None)] * (n_features + 1), method="highs")
    if line.status == 0:
        return LinearSeparability(True, np.asarray(line.x[:n_features]), float(line.x[n_features]))
    # Program 2 over (alpha, beta) >= 0: sum alpha = sum beta = 1 and ones.T @ alpha = zeros.T @ beta.
    n1 = len(ones)
    a_eq = np.zeros((n_features + 2, n1 + len(zeros)))
    a_eq[:n_features, :n1], a_eq[:n_features, n1:] = ones.T, -zeros.T
    a_eq[n_features, :n1], a_eq[n_features + 1, n1:] = 1.0, 1.0
    b_eq = np.concatenate([np.zeros(n_features), [1.0, 1.0]])
    mix = linprog(np.zeros(n1 + len(zeros)), A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * (n1 + len(zeros)),
                  method="highs")
    if mix.status != 0:  # cannot happen for finite data (Farkas), but never claim a proof we lack
        return LinearSeparability(False, method="linprog")
    alpha, beta = mix.x[:n1], mix.x[n1:]
    used1, used0 = alpha > 1e-9, beta > 1e-9
    return LinearSeparability(
        False, witness=ones.T @ alpha,
        class1_points=ones[used1], class1_coefficients=alpha[used1],
        class0_points=zeros[used0], class0_coefficients=beta[used0],
    )
