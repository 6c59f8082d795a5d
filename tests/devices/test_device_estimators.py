"""The scikit-learn estimators' ``device=`` parameter on the stand-in GPU: every solver fits the same
weights and predicts the same values as on the CPU, and the fitted state stays host NumPy arrays."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from chainrule import backend
from chainrule.sklearn import MLPClassifier, MLPRegressor, Perceptron

X = np.random.default_rng(0).standard_normal((60, 3))
LABELS = np.array(["a", "b", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
VALUES = np.c_[X @ [1.0, -2.0, 0.5], np.sin(X[:, 0])]


def _fit_both(estimator: object, y: np.ndarray, partial: bool = False) -> tuple[object, object]:
    fitted = []
    for device in ("cpu", "cuda"):
        model = clone(estimator).set_params(device=device)  # type: ignore[arg-type]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # few iterations: ConvergenceWarning is expected
            model.fit(X, y)
            if partial:
                model.partial_fit(X, y)
        fitted.append(model)
    return fitted[0], fitted[1]


def _same(cpu: object, gpu: object, *names: str) -> None:
    for name in names:
        expected, found = getattr(cpu, name), getattr(gpu, name)
        pairs = zip(expected, found, strict=True) if isinstance(found, list) else [(expected, found)]
        for a, b in pairs:
            assert type(b) is np.ndarray  # host arrays, not device arrays
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("solver,extra", [
    ("lbfgs", {}), ("sgd", {"learning_rate": "invscaling", "early_stopping": True}),
    ("adam", {"alpha": 0.01}),
], ids=["lbfgs", "sgd", "adam"])
def test_classifier_on_the_gpu_matches_the_cpu(cuda: None, solver: str, extra: dict[str, object]) -> None:
    estimator = MLPClassifier((8,), solver=solver, max_iter=15, random_state=0, batch_size=16, **extra)
    cpu, gpu = _fit_both(estimator, LABELS, partial=solver == "adam")
    _same(cpu, gpu, "coefs_", "intercepts_")
    np.testing.assert_allclose(gpu.loss_curve_, cpu.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), rtol=1e-12, atol=1e-14)
    assert type(gpu.predict_proba(X)) is np.ndarray and (gpu.predict(X) == cpu.predict(X)).all()
    if solver != "lbfgs":  # the optimiser's saved state is host data as well
        assert all(type(v) is np.ndarray for s in gpu._optimizer_state["state"].values() for v in s.values()
                   if not np.isscalar(v))


@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
def test_regressor_on_the_gpu_matches_the_cpu_with_sample_weights(cuda: None, solver: str) -> None:
    estimator = MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", solver=solver, max_iter=10,
                             random_state=1, batch_size=20)
    weights = np.linspace(0.5, 2.0, len(X))
    results = []
    for device in ("cpu", "cuda:1"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results.append(clone(estimator).set_params(device=device).fit(X, VALUES, sample_weight=weights))
    cpu, gpu = results
    _same(cpu, gpu, "coefs_", "intercepts_")
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-12, atol=1e-14)


def test_perceptron_on_the_gpu_matches_the_cpu(cuda: None) -> None:
    cpu, gpu = _fit_both(Perceptron(max_iter=20), LABELS)
    _same(cpu, gpu, "coef_", "intercept_")
    scores = gpu.decision_function(X)
    assert type(scores) is np.ndarray
    np.testing.assert_allclose(scores, cpu.decision_function(X), rtol=1e-12)


@pytest.mark.parametrize("make", [MLPClassifier, MLPRegressor, Perceptron])
def test_device_is_a_parameter_and_a_bad_one_is_named(make: type) -> None:
    estimator = make()
    assert estimator.get_params()["device"] == "cpu"
    assert estimator.set_params(device="cuda:1").device == "cuda:1"
    with pytest.raises(ValueError, match=r"the 'device' parameter must be 'cpu', 'cuda' or 'cuda:N'.*got 'tpu'"):
        make(device="tpu").fit(X, LABELS)


@pytest.mark.parametrize("make", [MLPClassifier, Perceptron])
def test_cuda_without_a_gpu_says_how_to_install_it(make: type) -> None:
    if backend.cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")  # the CI machines have none; the message is for those
    with pytest.raises(RuntimeError, match=r"device='cuda'\).*no CUDA device was found.*chainrule\[cuda12\]"):
        make(device="cuda", max_iter=2).fit(X, LABELS)
