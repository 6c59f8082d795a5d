"""``Perceptron``: chainrule's Rosenblatt perceptron (``cr.Perceptron``) as a scikit-learn classifier."""

from __future__ import annotations

import warnings
from typing import Any, Self

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from chainrule import backend
from chainrule.perceptron import Perceptron as RosenblattPerceptron
from chainrule.perceptron import PerceptronConvergenceWarning
from chainrule.sklearn.params import (
    Check,
    boolean,
    check_params,
    device_name,
    estimator_device,
    interval,
    make_generator,
    random_state,
)

__all__ = ["Perceptron"]

_PARAMETER_TABLE: dict[str, Check] = {
    "max_iter": interval(1, None, integer=True),
    "eta0": interval(0, None, closed="neither"),
    "shuffle": boolean(),
    "random_state": random_state(),
    "warm_start": boolean(),
    "device": device_name(),
}


class Perceptron(ClassifierMixin, BaseEstimator):
    """Rosenblatt's perceptron with scikit-learn's interface: ``predict(x) = step(w . x + b)``, learnt one
    sample at a time by ``w += eta0 * (y - y_hat) * x``, ``b += eta0 * (y - y_hat)`` (``cr.Perceptron``).

    Two classes need one perceptron; more classes are learnt one-vs-rest (one perceptron per class, that
    class against the others; the class whose perceptron gives the largest ``w . x + b`` wins), as
    scikit-learn's ``Perceptron`` does. Training stops when an epoch makes no mistake or after
    ``max_iter`` epochs; then a ``PerceptronConvergenceWarning`` says whether a separating line exists at
    all (chainrule's ``linear_separability``).

    Args:
        max_iter: the most epochs (passes over the data).
        eta0: the learning rate of the rule.
        shuffle: present the samples in an order drawn at random once per fit (the rule then goes through
            them in that order every epoch; scikit-learn draws a new order each epoch).
        random_state: seed of the starting weights (drawn from U(-0.5, 0.5)) and of the order; 0 by
            default as in scikit-learn, None for chainrule's shared generator.
        warm_start: continue from the last fit's weights.
        device: where ``decision_function``/``predict`` compute the scores (``'cpu'``, ``'cuda'``,
            ``'cuda:1'``); the learning rule itself runs on the host, since it takes one sample at a time
            (a GPU would wait on every sample). Fitted attributes are host NumPy arrays either way.

    Fitted attributes (scikit-learn's): ``coef_`` (1 or n_classes, n_features), ``intercept_``,
    ``classes_``, ``n_iter_`` (epochs of the longest-running perceptron), ``n_features_in_``,
    ``feature_names_in_``; and ``perceptrons_``, the trained ``cr.Perceptron`` objects.

    >>> import numpy as np
    >>> from chainrule.sklearn import Perceptron
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> Perceptron().fit(X, ["off", "on", "on", "on"]).predict(X).tolist()          # OR
    ['off', 'on', 'on', 'on']
    """

    classes_: np.ndarray

    def __init__(self, *, max_iter: int = 1000, eta0: float = 1.0, shuffle: bool = True, random_state: Any = 0,
                 warm_start: bool = False, device: Any = "cpu") -> None:
        self.max_iter = max_iter
        self.eta0 = eta0
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.device = device

    def fit(self, X: Any, y: Any) -> Self:
        """Train one perceptron (two classes) or one per class (one-vs-rest). Returns ``self``."""
        check_params(self, _PARAMETER_TABLE)
        estimator_device(self)  # a GPU asked for on a machine without one: refused before any work
        continuing = self.warm_start and hasattr(self, "perceptrons_")
        X, y = validate_data(self, X, y, dtype=np.float64, reset=not continuing)
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.shape[0] < 2:
            raise ValueError(f"Perceptron: the number of classes has to be greater than one; got {classes.shape[0]} "
                             f"class ({classes.tolist()})")
        if continuing and not np.array_equal(classes, self.classes_):
            raise ValueError("Perceptron: warm_start needs the same classes as the last fit: "
                             f"{self.classes_.tolist()}; y has {classes.tolist()}")
        generator = make_generator(self.random_state)
        order = generator.permutation(X.shape[0]) if self.shuffle else np.arange(X.shape[0])
        # One-vs-rest: perceptron k learns "class k (1) or not (0)"; two classes need only the second's.
        targets = classes[1:] if classes.shape[0] == 2 else classes
        if not continuing:
            self.perceptrons_ = [RosenblattPerceptron(X.shape[1], lr=float(self.eta0), seed=generator)
                                 for _ in targets]
        unconverged = 0
        for perceptron, positive in zip(self.perceptrons_, targets, strict=True):
            perceptron.lr = float(self.eta0)
            with warnings.catch_warnings():
                # One summary warning below instead of one per perceptron of the one-vs-rest.
                warnings.simplefilter("ignore", PerceptronConvergenceWarning)
                perceptron.fit(X[order], (y[order] == positive).astype(np.int64), max_epochs=int(self.max_iter))
            unconverged += not perceptron.converged_
        self.classes_ = classes
        self.coef_ = np.stack([p.weight for p in self.perceptrons_])
        self.intercept_ = np.array([float(p.bias) for p in self.perceptrons_])
        self.n_iter_ = max(p.n_epochs_ for p in self.perceptrons_)
        if unconverged:
            warnings.warn(f"Perceptron: {unconverged} of {len(targets)} perceptron(s) still made mistakes after "
                          f"max_iter={self.max_iter} epochs (the classes they separate may not be linearly "
                          "separable; see each perceptrons_[k].separability_)", PerceptronConvergenceWarning,
                          stacklevel=2)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """``w . x + b`` of each perceptron: shape (n_samples,) for two classes (positive: the second
        class), (n_samples, n_classes) otherwise."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        device = estimator_device(self)
        # On the CPU to_device returns the arrays themselves: the same NumPy expression as ever.
        on = [backend.to_device(array, device) for array in (X, self.coef_.T, self.intercept_)]
        scores = backend.to_host(on[0] @ on[1] + on[2])
        return scores.ravel() if scores.shape[1] == 1 else scores  # type: ignore[no-any-return]

    def predict(self, X: Any) -> np.ndarray:
        """The predicted class of each sample: ``step`` of the score for two classes, the class with the
        largest score otherwise."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.int64)]  # type: ignore[no-any-return]
        return self.classes_[scores.argmax(axis=1)]  # type: ignore[no-any-return]
