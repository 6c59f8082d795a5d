"""Rosenblatt's perceptron (1958): one neuron, a step activation and its own learning rule.

The perceptron of the notes outputs ``o = step(<w, x> + b)`` with ``step(z) = 1 if z > 0 else 0``
and learns one sample at a time:

    y_hat = step(w . x + b)
    w    += lr * (y - y_hat) * x
    b    += lr * (y - y_hat)

A wrong answer moves the line towards the misclassified point; a right one changes nothing. If a
straight line separates the two classes (AND, OR, NAND, NOR, NOT), the rule stops after finitely
many mistakes (the perceptron convergence theorem). If none does (XOR), it cycles forever: ``fit``
stops after ``max_epochs``, warns with a :class:`NotLinearlySeparableWarning` and shows why no line
exists. The rule is online (one update per sample), so ``fit`` loops over samples: that loop *is*
the algorithm, not an inefficiency.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from chainrule.random import make_rng
from chainrule.separability import LinearSeparability, linear_separability

__all__ = [
    "LinearSeparability", "NotLinearlySeparableWarning", "Perceptron", "PerceptronConvergenceWarning",
    "linear_separability",
]


class PerceptronConvergenceWarning(UserWarning):
    """The perceptron made mistakes in every one of its ``max_epochs`` epochs."""


class NotLinearlySeparableWarning(PerceptronConvergenceWarning):
    """The perceptron cannot converge: no straight line (hyperplane) separates the two classes."""


def _fmt(values: Any) -> str:
    """A point or weight vector as ``(0, 1)`` / ``(0.5, -1.25)``, the way the notes write them."""
    items = np.atleast_1d(np.asarray(values, dtype=np.float64))
    return "(" + ", ".join(f"{v:g}" for v in items) + ")"


class Perceptron:
    """Rosenblatt's perceptron: ``predict(x) = 1 if w . x + b > 0 else 0``.

    Args:
        n_inputs: number of inputs (features) per sample.
        lr: learning rate of the rule ``w += lr * (y - y_hat) * x``; must be positive.
        seed: int, ``numpy.random.Generator`` or None (chainrule's shared generator, seeded by
            ``cr.manual_seed``). The starting weights and bias are drawn uniformly from [-0.5, 0.5).

    Attributes:
        weight: ``(n_inputs,)`` float64 array, the current weights ``w``.
        bias: ``()`` float64 array, the current bias ``b``.
        converged_: True when an epoch passed with no mistake (set by ``fit``).
        errors_: misclassifications in each epoch (list of int).
        n_epochs_: epochs run by the last ``fit``.
        history_: ``(n_epochs_ + 1, n_inputs + 1)`` array: ``[w..., b]`` before training and after each
            epoch (to draw the line moving).
        separability_: the :class:`LinearSeparability` check, set when ``fit`` did not converge.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
        >>> p = cr.Perceptron(2, seed=0).fit(X, np.array([0, 0, 0, 1]))   # AND
        >>> p.converged_, p.predict(X).tolist()
        (True, [0, 0, 0, 1])
    """

    def __init__(self, n_inputs: int, lr: float = 1.0, seed: int | np.random.Generator | None = None) -> None:
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, np.integer)) or n_inputs < 1:
            raise ValueError(f"Perceptron: n_inputs must be a positive integer, got {n_inputs!r}")
        if not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"Invalid learning rate: {lr} (the perceptron rule needs lr > 0)")
        self.n_inputs = int(n_inputs)
        self.lr = float(lr)
        self.seed = seed
        self.converged_: bool = False
        self.errors_: list[int] = []
        self.n_epochs_: int = 0
        self.history_: np.ndarray = np.empty((0, self.n_inputs + 1))
        self.separability_: LinearSeparability | None = None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh starting weights and bias from the generator (``fit`` continues from the current
        ones, so call this to start over)."""
        rng = make_rng(self.seed)
        start = rng.uniform(-0.5, 0.5, size=self.n_inputs + 1)
        self.weight: np.ndarray = start[:-1].copy()
        self.bias: np.ndarray = np.asarray(start[-1], dtype=np.float64)

    def __repr__(self) -> str:
        return f"Perceptron(n_inputs={self.n_inputs}, lr={self.lr:g})"

    # -- checking what the user passed ------------------------------------------------------------------
    def _check_inputs(self, X: Any, where: str) -> np.ndarray:
        try:
            inputs = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"Perceptron.{where}: X must be numbers with one row of {self.n_inputs} inputs "
                             f"per sample ({error})") from None
        if inputs.ndim == 1 and self.n_inputs == 1:
            inputs = inputs.reshape(-1, 1)      # NOT and other one-input gates: a plain list of values
        if inputs.ndim != 2 or inputs.shape[1] != self.n_inputs:
            raise ValueError(
                f"Perceptron(n_inputs={self.n_inputs}).{where}: X must have shape (n_samples, "
                f"{self.n_inputs}), got shape {inputs.shape}"
            )
        if not np.all(np.isfinite(inputs)):
            raise ValueError(f"Perceptron.{where}: X contains NaN or infinite values")
        if where == "fit" and inputs.shape[0] == 0:
            raise ValueError(f"Perceptron.fit: X has no samples (shape {inputs.shape}); give at least one row "
                             f"of {self.n_inputs} inputs")
        return inputs

    @staticmethod
    def _check_labels(y: Any, n_samples: int) -> np.ndarray:
        labels = np.asarray(y)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.ndim != 1 or labels.shape[0] != n_samples:
            raise ValueError(f"Perceptron.fit: y must have shape ({n_samples},), one label per row of X, "
                             f"got shape {labels.shape}")
        bad = ~np.isin(labels, (0, 1))
        if np.any(bad):
            found = np.unique(labels[bad])[:5].tolist()
            if len(np.unique(labels)) > 2:
                hint = ("a perceptron separates two classes with one line; for more classes train one "
                        "perceptron per class (that class = 1, the rest = 0) or an MLP with a softmax output")
            else:
                hint = "map them first, e.g. y = (y > 0).astype(int) for labels -1/1"
            raise ValueError(f"Perceptron.fit: labels must be 0 or 1 (the step function's outputs), got "
                             f"{found}; {hint}")
        return labels.astype(np.int64)

    # -- the model -----------------------------------------------------------------------------------
    def decision_function(self, X: Any) -> np.ndarray:
        """``w . x + b`` for each row of ``X`` (shape ``(n_samples,)``); positive means class 1."""
        inputs = self._check_inputs(X, "decision_function")
        return inputs @ self.weight + self.bias

    def predict(self, X: Any) -> np.ndarray:
        """``step(w . x + b)``: 0/1 labels (int64), shape ``(n_samples,)``."""
        return (self.decision_function(X) > 0).astype(np.int64)

    def fit(self, X: Any, y: Any, max_epochs: int = 100) -> Perceptron:
        """Run Rosenblatt's rule over the samples in order, epoch after epoch, until an epoch makes no
        mistake (``converged_ = True``) or ``max_epochs`` have passed.

        Training starts from the current ``weight``/``bias`` (call ``reset_parameters()`` to start over).
        When it does not converge, ``fit`` checks whether any line separates the classes and warns:
        :class:`NotLinearlySeparableWarning` with the reason (XOR), or
        :class:`PerceptronConvergenceWarning` if a line exists and more epochs would find it.
        """
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, (int, np.integer)) or max_epochs < 1:
            raise ValueError(f"Perceptron.fit: max_epochs must be a positive integer, got {max_epochs!r}")
        inputs = self._check_inputs(X, "fit")
        labels = self._check_labels(y, inputs.shape[0])
        weight = np.array(self.weight, dtype=np.float64).reshape(-1)    # hand-set weights may be a list
        if weight.shape != (self.n_inputs,):
            raise ValueError(f"Perceptron(n_inputs={self.n_inputs}).fit: weight must have {self.n_inputs} "
                             f"values, got shape {np.shape(self.weight)}")
        bias = float(np.asarray(self.bias, dtype=np.float64).reshape(()))
        history = [np.append(weight, bias)]
        self.errors_ = []
        self.converged_ = False
        self.separability_ = None
        for _ in range(int(max_epochs)):
            mistakes = 0
            for x_i, y_i in zip(inputs, labels, strict=True):   # online rule: one update per sample
                y_hat = 1 if float(x_i @ weight) + bias > 0 else 0
                change = self.lr * (int(y_i) - y_hat)
                if change != 0.0:
                    weight += change * x_i
                    bias += change
                    mistakes += 1
            self.errors_.append(mistakes)
            history.append(np.append(weight, bias))
            if mistakes == 0:       # a whole pass without an update: every sample is on its right side
                self.converged_ = True
                break
        self.weight, self.bias = weight, np.asarray(bias, dtype=np.float64)
        self.n_epochs_ = len(self.errors_)
        self.history_ = np.stack(history)
        if not self.converged_:
            self._warn_not_converged(inputs, labels)
        return self

    def _warn_not_converged(self, inputs: np.ndarray, labels: np.ndarray) -> None:
        self.separability_ = linear_separability(inputs, labels)
        wrong = np.flatnonzero(self.predict(inputs) != labels)
        shown = ", ".join(f"{_fmt(inputs[i])} (label {labels[i]}, predicted {1 - labels[i]})"
                          for i in wrong[:8])
        more = f" and {len(wrong) - 8} more" if len(wrong) > 8 else ""
        line = f"w = {_fmt(self.weight)}, b = {float(self.bias):g}"
        if self.separability_.separable:
            message = (
                f"Perceptron did not converge in {self.n_epochs_} epochs ({self.errors_[-1]} mistakes in the "
                f"last one), although the classes are linearly separable: {self.separability_.explain()} "
                f"By the perceptron convergence theorem more epochs (max_epochs) will find a separating line."
            )
            warnings.warn(message, PerceptronConvergenceWarning, stacklevel=3)
            return
        message = (
            f"Perceptron did not converge in {self.n_epochs_} epochs and never will: "
            f"{self.separability_.explain()} With the final weights {line} these points are still "
            f"misclassified: {shown}{more}. A single perceptron draws one straight line; a hidden layer "
            f"can combine several (XOR = (x1 OR x2) AND NOT (x1 AND x2): see "
            f"chainrule.explain.notes_threshold_xor())."
        )
        warnings.warn(message, NotLinearlySeparableWarning, stacklevel=3)
