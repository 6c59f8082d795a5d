"""The estimators as scikit-learn users meet them: targets of every kind, sample weights, dtypes, seeds,
pickling, clone, Pipeline, GridSearchCV, partial_fit, early stopping, parameter errors."""

from __future__ import annotations

import pickle

import numpy as np
import pandas
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import chainrule as cr
from chainrule.sklearn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0)


def _numpy_logits(estimator: MLPClassifier | MLPRegressor, X: np.ndarray) -> np.ndarray:
    """The forward pass written out in NumPy from coefs_/intercepts_ (ReLU networks), as an independent check."""
    a = X
    for index, (coef, intercept) in enumerate(zip(estimator.coefs_, estimator.intercepts_, strict=True)):
        a = a @ coef + intercept
        if index < len(estimator.coefs_) - 1:
            a = _relu(a)
    return a


# -- targets of every kind ------------------------------------------------------------------------------------
def test_multiclass_attributes_shapes_and_probabilities(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(7, 5), solver="lbfgs", random_state=0).fit(X, y)
    assert [c.shape for c in clf.coefs_] == [(4, 7), (7, 5), (5, 3)]  # (fan_in, fan_out), scikit-learn's layout
    assert [b.shape for b in clf.intercepts_] == [(7,), (5,), (3,)]
    assert (clf.n_layers_, clf.n_outputs_, clf.out_activation_, clf.n_features_in_) == (4, 3, "softmax", 4)
    z = _numpy_logits(clf, X)
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(clf.decision_function(X), z, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[expected.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(expected), rtol=1e-8, atol=1e-12)
    assert clf.score(X, y) > 0.95


def test_binary_labels_of_any_type_and_one_output_unit() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.where(y == 1, "benign", "malignant")
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, labels)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1 and clf.coefs_[-1].shape == (8, 1)
    np.testing.assert_array_equal(clf.classes_, ["benign", "malignant"])
    probabilities = clf.predict_proba(X)
    z = _numpy_logits(clf, X).ravel()
    np.testing.assert_allclose(probabilities[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), np.where(z > 0, "malignant", "benign"))
    assert clf.score(X, labels) > 0.95


def test_multilabel_targets_get_one_sigmoid_per_label() -> None:
    X, Y = make_multilabel_classification(n_samples=200, n_features=6, n_classes=4, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=300, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 4
    probabilities = clf.predict_proba(X)
    assert probabilities.shape == (200, 4)
    np.testing.assert_array_equal(clf.predict(X), (probabilities > 0.5).astype(int))
    assert clf.score(X, Y) > 0.5  # subset accuracy: every label of a sample right


def test_multi_output_regression_loss_is_half_the_mean_squared_error_plus_l2() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    Y = np.column_stack([X @ [1.0, -2.0, 0.5], np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
    reg = MLPRegressor(hidden_layer_sizes=(10,), solver="lbfgs", alpha=0.3, max_iter=50, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (80, 3) and reg.n_outputs_ == 3 and reg.out_activation_ == "identity"
    residual = _numpy_logits(reg, X) - Y
    penalty = 0.3 / 2 * sum(float((c**2).sum()) for c in reg.coefs_) / 80
    assert reg.loss_ == pytest.approx(0.5 * np.mean(residual**2) + penalty, rel=1e-10)


def test_poisson_regressor_predicts_positive_rates_and_rejects_negative_counts() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = rng.poisson(np.exp(0.5 + X[:, 0]))
    reg = MLPRegressor(loss="poisson", hidden_layer_sizes=(8,), solver="lbfgs", random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp" and (reg.predict(X) > 0).all()
    rate = np.exp(_numpy_logits(reg, X).ravel())
    deviance = np.mean(rate - y * np.log(rate) + np.where(y > 0, y * np.log(np.maximum(y, 1)), 0) - y)
    penalty = reg.alpha / 2 * sum(float((c**2).sum()) for c in reg.coefs_) / len(y)
    assert reg.loss_ == pytest.approx(deviance + penalty, rel=1e-8)
    with pytest.raises(ValueError, match="non-negative"):
        MLPRegressor(loss="poisson").fit(X, y - 5.0)


# -- sample weights, dtypes, seeds -----------------------------------------------------------------------------
def test_sample_weight_is_a_weighted_mean_and_equals_repeating_samples(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    weights = np.random.default_rng(0).integers(0, 3, size=len(y))
    params = {"hidden_layer_sizes": (5,), "solver": "lbfgs", "max_iter": 40, "random_state": 0, "alpha": 0.5}
    weighted = MLPClassifier(**params).fit(X, y, sample_weight=weights)
    repeated = MLPClassifier(**params).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6, atol=1e-8)
    z = _numpy_logits(weighted, X)
    log_p = z - z.max(axis=1, keepdims=True) - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(1, keepdims=True))
    data = -np.average(log_p[np.arange(len(y)), y], weights=weights)
    penalty = 0.5 / 2 * sum(float((c**2).sum()) for c in weighted.coefs_) / weights.sum()
    assert weighted.loss_ == pytest.approx(data + penalty, rel=1e-9)
    with pytest.raises(ValueError, match="at least one non-zero"):
        MLPClassifier(**params).fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="non-negative"):
        MLPClassifier(**params).fit(X, y, sample_weight=-np.ones(len(y)))


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_float32_data_trains_in_float32(iris: tuple[np.ndarray, np.ndarray], solver: str) -> None:
    X, y = iris
    params = {"hidden_layer_sizes": (8,), "solver": solver, "max_iter": 60, "learning_rate_init": 0.01,
              "random_state": 0}
    single = MLPClassifier(**params).fit(X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in single.coefs_ + single.intercepts_)
    assert single.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert single.predict_proba(X).dtype == np.float32  # float64 input is cast to the network's dtype
    double = MLPClassifier(**params).fit(X, y)
    assert all(c.dtype == np.float64 for c in double.coefs_)
    if solver == "adam":  # same seed, same initial weights (rounded): float32 follows the float64 run closely
        np.testing.assert_allclose(single.predict_proba(X), double.predict_proba(X), atol=0.03)
    assert single.score(X, y) > 0.85


def test_random_state_makes_fits_reproducible_without_touching_global_state(
        iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    params = {"hidden_layer_sizes": (6,), "max_iter": 5}
    cr.manual_seed(123)
    np.random.seed(0)
    numpy_state, chainrule_state = np.random.get_state()[1].copy(), cr.get_rng_state()
    first = MLPClassifier(**params, random_state=7).fit(X, y)
    second = MLPClassifier(**params, random_state=7).fit(X, y)
    other = MLPClassifier(**params, random_state=8).fit(X, y)
    np.testing.assert_array_equal(first.coefs_[0], second.coefs_[0])
    assert not np.array_equal(first.coefs_[0], other.coefs_[0])
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    assert cr.get_rng_state() == chainrule_state  # an int random_state draws from its own generator only
    # random_state=None draws from chainrule's shared generator: cr.manual_seed makes it reproducible.
    cr.manual_seed(5)
    a = MLPClassifier(**params).fit(X, y)
    cr.manual_seed(5)
    b = MLPClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    # A RandomState instance is consumed, as in scikit-learn: successive fits differ.
    state = np.random.RandomState(0)
    c = MLPClassifier(**params, random_state=state).fit(X, y)
    d = MLPClassifier(**params, random_state=state).fit(X, y)
    assert not np.array_equal(c.coefs_[0], d.coefs_[0])


# -- scikit-learn machinery ------------------------------------------------------------------------------------
def test_pickle_round_trip_keeps_predictions_and_the_optimiser_state(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(6,), solver="sgd", shuffle=False, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    for _ in range(3):  # the momentum buffers travelled too: both continue identically
        clf.partial_fit(X, y)
        copy.partial_fit(X, y)
    np.testing.assert_array_equal(copy.coefs_[0], clf.coefs_[0])
    assert copy.n_iter_ == clf.n_iter_ and copy.t_ == clf.t_ == 4 * len(y)


def test_clone_pipeline_and_grid_search(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = load_iris(return_X_y=True)
    fitted = MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", random_state=0).fit(X, y)
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params() and not hasattr(fresh, "coefs_")
    with pytest.raises(NotFittedError):
        fresh.predict(X)
    pipeline = make_pipeline(StandardScaler(), MLPClassifier(solver="lbfgs", max_iter=60, random_state=0))
    search = GridSearchCV(pipeline, {"mlpclassifier__hidden_layer_sizes": [(2,), (8,)],
                                     "mlpclassifier__alpha": [1e-4, 100.0]}, cv=3)
    search.fit(X, y)
    assert search.best_params_["mlpclassifier__alpha"] == 1e-4  # alpha=100 flattens every weight
    assert search.best_score_ > 0.9 and search.score(X, y) > 0.95


def test_partial_fit_epochs_equal_fit_epochs(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    params = {"hidden_layer_sizes": (6,), "solver": "adam", "shuffle": False, "random_state": 0, "tol": 0.0,
              "n_iter_no_change": 100}
    fitted = MLPClassifier(**params, max_iter=4).fit(X, y)
    streamed = MLPClassifier(**params)
    for _ in range(4):
        streamed.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_allclose(streamed.coefs_[0], fitted.coefs_[0], rtol=1e-12)
    np.testing.assert_allclose(streamed.loss_curve_, fitted.loss_curve_, rtol=1e-12)
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    assert not hasattr(MLPRegressor(solver="lbfgs"), "partial_fit")


def test_early_stopping_records_validation_scores_and_losses(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), early_stopping=True, validation_fraction=0.2, max_iter=300,
                        n_iter_no_change=5, learning_rate_init=0.01, random_state=0).fit(X, y)
    assert clf.n_iter_ < 300  # stopped by the validation score
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_) and clf.best_loss_ is None
    assert clf.validation_loss_curve_[-1] < clf.validation_loss_curve_[0]
    assert all(0.0 <= s <= 1.0 for s in clf.validation_scores_)
    plain = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    assert plain.validation_scores_ is None and plain.validation_loss_curve_ is None
    assert plain.best_loss_ == min(plain.loss_curve_)


def test_verbose_and_convergence_warning(iris: tuple[np.ndarray, np.ndarray],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, verbose=True, random_state=0).fit(X, y)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Iteration 1, loss = ") and len(printed) == 3


@pytest.mark.parametrize(("params", "message"), [
    ({"solver": "newton"}, "'solver' parameter must be one of 'adam', 'lbfgs', 'sgd'; got 'newton'"),
    ({"activation": "swish"}, "'activation' parameter must be one of"),
    ({"hidden_layer_sizes": (10, 0)}, "'hidden_layer_sizes' parameter must be a positive int"),
    ({"learning_rate_init": 0.0}, "'learning_rate_init' parameter must be a number in \\(0, inf\\)"),
    ({"momentum": 1.5}, "'momentum' parameter must be a number in \\[0, 1\\]"),
    ({"batch_size": 0}, "'batch_size' parameter must be an integer in \\[1, inf\\] or 'auto'"),
    ({"validation_fraction": 1.0}, "'validation_fraction' parameter must be a number in \\[0, 1\\)"),
])
def test_invalid_parameters_are_reported_at_fit_not_init(iris: tuple[np.ndarray, np.ndarray], params: dict[str, object],
                                                         message: str) -> None:
    X, y = iris
    estimator = MLPClassifier(**params)  # scikit-learn's rule: __init__ only stores
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y)


def test_warm_start_keeps_classes_and_weights(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, warm_start=True, random_state=0).fit(X, y)
    before = clf.coefs_[0].copy()
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 10 and not np.array_equal(before, clf.coefs_[0])
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same classes"):
        clf.fit(X[y < 2], y[y < 2])


def test_feature_names_from_a_dataframe_are_kept_and_checked(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    frame = pandas.DataFrame(X, columns=["sepal_length", "sepal_width", "petal_length", "petal_width"])
    clf = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(frame, y.astype(float))
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame.rename(columns={"petal_width": "width"}))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        np.testing.assert_array_equal(clf.predict(X), clf.predict(frame))
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="X has 3 features, but MLPRegressor is "
                                                                   "expecting 4 features"):
        clf.predict(frame.iloc[:, :3].to_numpy())
