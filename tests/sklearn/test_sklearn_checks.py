"""scikit-learn's own estimator checks (``check_estimator``), run on every chainrule estimator with nothing
marked as expected to fail.

Each instance is a configuration the checks exercise differently (the default Adam network, L-BFGS, plain
SGD with momentum, the perceptron); ``max_iter`` and layer sizes are kept small so the whole suite stays quick, as
scikit-learn does for its own MLPs (``max_iter=100``) and Perceptron (``max_iter=5``).
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from chainrule.sklearn import MLPClassifier, MLPRegressor, Perceptron

# The small max_iter leaves most fits unconverged on purpose: those warnings are expected here.
pytestmark = [pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
              pytest.mark.filterwarnings("ignore::chainrule.perceptron.PerceptronConvergenceWarning")]

ESTIMATORS = [
    MLPClassifier(max_iter=100),
    MLPClassifier(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=50),
    MLPRegressor(solver="sgd", max_iter=100),
    MLPRegressor(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=50),
    Perceptron(max_iter=20),
]


@pytest.fixture(autouse=True)
def _array_api_smoke_check_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    # check_array_api_input (NumPy inputs with array-API dispatch on) only runs when scipy's array-API
    # switch is set; scikit-learn reads it at call time, so setting it for these tests is enough.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_checks(estimator, check):  # type: ignore[no-untyped-def]
    check(estimator)
