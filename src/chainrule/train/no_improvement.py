"""The no-improvement counter: the bookkeeping behind "repeat until the loss stops decreasing".

After each epoch a watched value (a loss, an accuracy) is compared with the best so far; the counter
says whether it improved, how many epochs in a row did not (``wait``), and whether that is more than
the patience allows. ``EarlyStopping``, ``ModelCheckpoint(save_best_only=True)``, the command line's
resumable early stopping and the scikit-learn estimators' ``n_iter_no_change`` all count with it.

Keras and scikit-learn count slightly differently, and each user must reproduce its own library
exactly, so the rule is a parameter rather than a second counter:

============================ ================================ ===================================
``rule``                     ``"keras"`` (the default)        ``"sklearn"``
============================ ================================ ===================================
an epoch improves when       better than best by MORE than    better than best by AT LEAST
                             ``min_delta``                    ``min_delta`` (scikit-learn's tol)
the best value moves         only on an improvement           on any better value, even by less
                                                              than ``min_delta``
patience is exhausted when   ``wait >= max(patience, 1)``     ``wait > patience``
============================ ================================ ===================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = ["NoImprovementCounter"]

RULES = ("keras", "sklearn")


class NoImprovementCounter:
    """Count epochs without improvement of a watched value.

    Args:
        mode: ``'min'`` when smaller is better (a loss), ``'max'`` when larger is (an accuracy).
        min_delta: how much better than the best a value must be to count as an improvement (>= 0).
        patience: epochs without improvement tolerated (see the table above for each rule); ``math.inf``
            never runs out.
        rule: ``'keras'`` or ``'sklearn'`` (module docstring).

    Attributes:
        best: the best value so far (``inf`` for 'min', ``-inf`` for 'max' before the first update).
        wait: epochs in a row without improvement.
        best_epoch: the epoch passed with the best value, or -1.
        best_state: what ``snapshot()`` returned when the best value was recorded (best weights), or None.

    >>> counter = NoImprovementCounter("min", min_delta=0.1, patience=2)
    >>> [counter.update(loss) for loss in (1.0, 0.95, 0.5, 0.49, 0.48)]
    [True, False, True, False, False]
    >>> counter.best, counter.wait, counter.exhausted
    (0.5, 2, True)
    """

    def __init__(self, mode: str = "min", min_delta: float = 0.0, patience: float = 0, *,
                 rule: str = "keras", owner: str = "NoImprovementCounter") -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"{owner}: mode must be 'min' or 'max', got {mode!r}")
        if not min_delta >= 0:
            raise ValueError(f"{owner}: min_delta is a minimum improvement and cannot be negative, got {min_delta}")
        if rule not in RULES:
            raise ValueError(f"{owner}: rule must be one of {', '.join(RULES)}, got {rule!r}")
        self.mode, self.min_delta, self.patience, self.rule = mode, float(min_delta), patience, rule
        self.reset()

    def reset(self) -> None:
        """Forget everything: no best value, no epochs counted, no best state."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0
        self.best_epoch = -1
        self.best_state: Any = None

    def improves(self, value: float) -> bool:
        """Whether ``value`` is an improvement on the best so far (by the rule's margin)."""
        # NOTE: written as each library writes its test (scikit-learn counts an epoch as a failure when
        # `loss > best - tol`), so that rounding, and NaN, go the same way as there.
        if self.rule == "sklearn":
            if self.mode == "min":
                return not value > self.best - self.min_delta
            return not value < self.best + self.min_delta
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, value: float, epoch: int = -1, snapshot: Callable[[], Any] | None = None) -> bool:
        """Record one epoch's ``value``; return True when it becomes the best value.

        ``wait`` is reset by an improvement and increased otherwise; when the best value moves,
        ``best_epoch`` becomes ``epoch`` and ``best_state`` what ``snapshot()`` returns (if given).
        """
        improved = self.improves(value)
        self.wait = 0 if improved else self.wait + 1
        better = value < self.best if self.mode == "min" else value > self.best
        is_best = better if self.rule == "sklearn" else improved
        if is_best:
            self.best, self.best_epoch = value, epoch
            if snapshot is not None:
                self.best_state = snapshot()
        return is_best

    @property
    def exhausted(self) -> bool:
        """Whether the epochs without improvement are more than the patience allows."""
        if self.rule == "sklearn":
            return self.wait > self.patience
        return self.wait >= max(self.patience, 1)

    def state_dict(self) -> dict[str, Any]:
        """``best``, ``wait`` and ``best_epoch`` as plain numbers (to save in a checkpoint)."""
        return {"best": float(self.best), "wait": int(self.wait), "best_epoch": int(self.best_epoch)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue counting from ``state_dict()``'s numbers (a resumed run)."""
        self.best, self.wait, self.best_epoch = float(state["best"]), int(state["wait"]), int(state["best_epoch"])

    def __repr__(self) -> str:
        return (f"NoImprovementCounter(mode={self.mode!r}, min_delta={self.min_delta}, patience={self.patience}, "
                f"rule={self.rule!r}; best={self.best:g}, wait={self.wait})")
