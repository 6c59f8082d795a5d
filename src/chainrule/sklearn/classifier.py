"""``MLPClassifier``: scikit-learn's multi-layer perceptron classifier, trained by chainrule."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import validate_data

from chainrule import nn
from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.nn import functional as F
from chainrule.sklearn.base import BaseMLP
from chainrule.sklearn.network import check_output_module

__all__ = ["MLPClassifier"]


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier with scikit-learn's interface, parameters and defaults, trained
    by chainrule's autograd engine and optimisers.

    The network is ``Linear -> activation -> ... -> Linear`` (``hidden_layer_sizes`` neurons in the hidden
    layers) and minimises the cross-entropy of its output (softmax for several classes, a sigmoid per
    output for two classes or multi-label targets) plus ``alpha / 2 * sum ||W||^2``, both averaged over the
    samples (weighted by ``sample_weight``). Solvers: ``'adam'``, ``'sgd'`` (mini-batches of
    ``batch_size``, with scikit-learn's learning-rate schedules, early stopping and ``n_iter_no_change``
    rule) and ``'lbfgs'`` (scipy's L-BFGS-B with the gradients from ``backward``).

    Parameters are scikit-learn's (see ``sklearn.neural_network.MLPClassifier``); ``activation`` may also be
    ``'leaky_relu'``, ``'elu'`` or ``'gelu'``. Fitted attributes are scikit-learn's (``coefs_[i]`` has
    shape (fan_in, fan_out), ``intercepts_``, ``classes_``, ``loss_``, ``loss_curve_``, ``best_loss_``,
    ``validation_scores_``, ``best_validation_score_``, ``n_iter_``, ``t_``, ``n_layers_``,
    ``n_outputs_``, ``out_activation_``, ``n_features_in_``, ``feature_names_in_``), plus
    ``validation_loss_curve_`` (the held-out loss per epoch with ``early_stopping``).

    Beyond scikit-learn: ``device`` (``'cpu'``, ``'cuda'``, ``'cuda:1'``: where the network is trained and
    evaluated; fitted attributes and predictions are host NumPy arrays either way), ``decision_function``
    (the logits), ``to_module()`` (the trained chainrule ``nn.Sequential``) and
    ``MLPClassifier.from_module(module, classes=...)``.

    >>> from sklearn.datasets import load_iris
    >>> from chainrule.sklearn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0).fit(X, y)
    >>> clf.coefs_[0].shape, clf.predict_proba(X[:2]).shape
    ((4, 16), (2, 3))
    """

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _stratify_validation(self, target: np.ndarray) -> bool:
        return bool(self.n_outputs_ == 1)  # scikit-learn stratifies the split for binary targets only

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple[Any, np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same classes as in the previous "
                                     f"call to fit. Previously got {self.classes_}, `y` has {classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. "
                                 f"'y' has {classes}.")
        return X, self._label_binarizer.transform(y), y

    def _score_logits(self, z: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        if not np.isfinite(z).all():
            return float("nan")
        return float(accuracy_score(y, self._labels_from(z), sample_weight=sample_weight))

    # -- training -------------------------------------------------------------------------------------------
    @available_if(BaseMLP._check_solver)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None) -> Self:
        """One epoch over ``X``, ``y`` (stochastic solvers only), continuing from the current weights and
        optimiser state. ``classes`` (every class of the whole stream) is required on the first call."""
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit (every class the stream "
                                 "will contain, e.g. np.unique(y_all))")
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y if type_of_target(y).startswith("multilabel") else classes)
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(self.classes_, unique_labels(classes)):
            raise ValueError(f"`classes={classes}` is not the same as on the first call to partial_fit, which was "
                             f"{self.classes_}")
        return self._fit(X, y, sample_weight, incremental=True)

    # -- prediction -----------------------------------------------------------------------------------------
    def _probabilities(self, z: np.ndarray) -> np.ndarray:
        with no_grad():
            out = F.softmax(Tensor._wrap(z), dim=1) if self.out_activation_ == "softmax" else Tensor._wrap(z).sigmoid()
        return out.data  # type: ignore[no-any-return]

    def _labels_from(self, z: np.ndarray) -> np.ndarray:
        probabilities = self._probabilities(z)
        if self.n_outputs_ == 1:
            probabilities = probabilities.ravel()
        return self._label_binarizer.inverse_transform(probabilities)  # type: ignore[no-any-return]

    def predict(self, X: Any) -> np.ndarray:
        """The predicted class of each sample, shape (n_samples,) (or (n_samples, n_labels) for multi-label)."""
        return self._labels_from(self._logits(X))

    def decision_function(self, X: Any) -> np.ndarray:
        """The logits: the output layer before its softmax or sigmoid, shape (n_samples, n_classes), or
        (n_samples,) for two classes (positive: the second class is predicted)."""
        z = self._logits(X)
        return z.ravel() if self.n_outputs_ == 1 else z

    def predict_proba(self, X: Any) -> np.ndarray:
        """The probability of each class, shape (n_samples, n_classes), columns in the order of ``classes_``;
        for multi-label targets the probability of each label."""
        z = self._logits(X)
        if self.n_outputs_ == 1:
            # sigmoid(-z), not 1 - sigmoid(z): a tiny probability keeps its digits instead of rounding to 0.
            return np.hstack([self._probabilities(-z), self._probabilities(z)])
        return self._probabilities(z)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log(predict_proba(X))`` (``-inf`` where a probability underflows to 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    # -- chainrule modules ----------------------------------------------------------------------------------
    @classmethod
    def from_module(cls, module: nn.Module, classes: Any, multilabel: bool = False, **params: Any) -> MLPClassifier:
        """A fitted classifier whose network is ``module`` (a ``Sequential`` of ``Linear`` layers with one
        activation between them, as ``to_module`` returns; a trailing Softmax/Sigmoid is allowed), its
        weights copied. ``classes``: the class labels, in the order of the output units (two classes need
        one output unit, k > 2 classes k units); ``multilabel=True``: one sigmoid output per label.
        ``params`` are constructor parameters (e.g. ``warm_start=True`` to train on from these weights).

        >>> from chainrule import nn
        >>> module = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> MLPClassifier.from_module(module, classes=["a", "b", "c"]).predict([[0.0, 1.0, 2.0, 3.0]]).shape
        (1,)
        """
        estimator, units, trailing = cls._from_network(module, params)
        labels = np.asarray(classes)
        binarizer = LabelBinarizer()
        if multilabel:
            binarizer.fit(np.eye(units[-1], dtype=int) if units[-1] > 1 else np.array([[0], [1]]))
        else:
            binarizer.fit(labels)
        n_classes = len(binarizer.classes_)
        if multilabel and len(labels) != units[-1]:
            raise ValueError(f"from_module: {len(labels)} labels given for a network with {units[-1]} outputs")
        expected = 1 if (n_classes == 2 and not multilabel) else n_classes
        if units[-1] != expected:
            raise ValueError(f"from_module: {n_classes} classes need {expected} output unit(s), but the module's last "
                             f"Linear layer has out_features={units[-1]}")
        estimator._label_binarizer = binarizer
        estimator.classes_ = binarizer.classes_
        estimator._initialize(units[-1])
        check_output_module(trailing, estimator.out_activation_, "classifier")
        return estimator

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
