"""``chainrule.sklearn.Perceptron``: chainrule's Rosenblatt perceptron behind scikit-learn's interface."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import chainrule as cr
from chainrule.perceptron import PerceptronConvergenceWarning
from chainrule.sklearn import Perceptron

CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


@pytest.mark.parametrize(("gate", "labels"), [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0])])
def test_logic_gates_are_learnt_exactly_as_cr_perceptron_learns_them(gate: str, labels: list[int]) -> None:
    y = np.array(labels)
    model = Perceptron(eta0=0.5, shuffle=False, random_state=3).fit(CORNERS, y)
    np.testing.assert_array_equal(model.predict(CORNERS), y)
    # The same rule from the same start: cr.Perceptron seeded with the same generator stream.
    reference = cr.Perceptron(2, lr=0.5, seed=np.random.default_rng(3)).fit(CORNERS, y)
    np.testing.assert_array_equal(model.coef_, reference.weight[None, :])
    np.testing.assert_array_equal(model.intercept_, [float(reference.bias)])
    assert model.coef_.shape == (1, 2) and model.n_iter_ == reference.n_epochs_
    np.testing.assert_allclose(model.decision_function(CORNERS), CORNERS @ reference.weight + reference.bias)


def test_xor_is_not_linearly_separable_and_says_so() -> None:
    with pytest.warns(PerceptronConvergenceWarning, match="1 of 1 perceptron"):
        model = Perceptron(max_iter=20).fit(CORNERS, [0, 1, 1, 0])
    assert model.n_iter_ == 20
    assert not model.perceptrons_[0].separability_.separable


def test_multiclass_one_vs_rest_and_string_labels() -> None:
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    with pytest.warns(PerceptronConvergenceWarning):  # versicolor is not separable from the rest
        model = Perceptron(max_iter=50, random_state=0).fit(X, names)
    assert model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    scores = model.decision_function(X)
    np.testing.assert_allclose(scores, X @ model.coef_.T + model.intercept_)
    np.testing.assert_array_equal(model.predict(X), model.classes_[scores.argmax(axis=1)])
    assert model.score(X, names) > 0.7
    setosa = model.perceptrons_[0]  # setosa is linearly separable from the others: that perceptron converged
    assert setosa.converged_


def test_scikit_learn_machinery_and_errors() -> None:
    X, y = load_iris(return_X_y=True)
    binary = y < 2
    pipeline = make_pipeline(StandardScaler(), Perceptron())
    assert cross_val_score(pipeline, X[binary], y[binary], cv=3).min() == 1.0  # setosa vs versicolor: separable
    search = GridSearchCV(pipeline, {"perceptron__eta0": [0.1, 1.0]}, cv=3).fit(X[binary], y[binary])
    assert search.best_score_ == 1.0
    fitted = Perceptron().fit(X[binary], y[binary])
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.decision_function(X), fitted.decision_function(X))
    with pytest.raises(ValueError, match="number of classes has to be greater than one"):
        Perceptron().fit(X[:10], y[:10])
    with pytest.raises(ValueError, match="'eta0' parameter must be a number in \\(0, inf\\)"):
        Perceptron(eta0=0).fit(X[binary], y[binary])
    with pytest.raises(ValueError, match="Unknown label type"):
        Perceptron().fit(X, X[:, 0])


def test_warm_start_continues_from_the_last_weights() -> None:
    X, y = load_iris(return_X_y=True)
    X, y = StandardScaler().fit_transform(X)[y > 0], y[y > 0]  # versicolor vs virginica: not separable
    with pytest.warns(PerceptronConvergenceWarning):
        once = Perceptron(max_iter=2, shuffle=False, warm_start=True).fit(X, y)
        first = once.coef_.copy()
        once.fit(X, y)
        twice = Perceptron(max_iter=4, shuffle=False).fit(X, y)
    assert not np.array_equal(first, once.coef_)
    np.testing.assert_allclose(once.coef_, twice.coef_)  # 2 + 2 epochs = 4 epochs
