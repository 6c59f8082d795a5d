"""Beyond scikit-learn: the extra activations, ``to_module`` and ``from_module``; PyTorch is the reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

import chainrule as cr
from chainrule import nn
from chainrule.sklearn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

TORCH_ACTIVATIONS = {
    "identity": torch.nn.Identity, "logistic": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU,
    "leaky_relu": torch.nn.LeakyReLU, "elu": torch.nn.ELU, "gelu": torch.nn.GELU,
}


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _torch_network(coefs: list[np.ndarray], intercepts: list[np.ndarray], activation: str) -> torch.nn.Sequential:
    layers: list[torch.nn.Module] = []
    for index, (coef, intercept) in enumerate(zip(coefs, intercepts, strict=True)):
        if index:
            layers.append(TORCH_ACTIVATIONS[activation]())
        linear = torch.nn.Linear(*coef.shape, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(coef.T))
            linear.bias.copy_(torch.from_numpy(intercept))
        layers.append(linear)
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
def test_every_activation_trains_and_predicts_as_the_same_torch_network(iris: tuple[np.ndarray, np.ndarray],
                                                                        activation: str) -> None:
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(6, 5), activation=activation, solver="lbfgs", max_iter=60,
                        random_state=0).fit(X, y)
    reference = _torch_network(clf.coefs_, clf.intercepts_, activation)
    with torch.no_grad():
        expected = torch.softmax(reference(torch.from_numpy(X)), dim=1).numpy()
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-10, atol=1e-12)
    assert clf.score(X, y) > 0.85


def test_to_module_is_a_trained_chainrule_sequential(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), activation="gelu", solver="lbfgs", random_state=0).fit(X, y)
    module = clf.to_module()
    assert [type(m).__name__ for m in module] == ["Linear", "GELU", "Linear"]
    assert module[0].weight.shape == (8, 4)  # PyTorch's (out_features, in_features): coefs_[0].T
    np.testing.assert_array_equal(module[0].weight.data, clf.coefs_[0].T)
    logits = module(cr.tensor(X, dtype=cr.float64))
    np.testing.assert_allclose(cr.softmax(logits, dim=1).detach().numpy(), clf.predict_proba(X), rtol=1e-12)
    module[0].weight.data[...] = 0.0  # a copy: changing it leaves the estimator alone
    assert np.abs(clf.coefs_[0]).sum() > 0


def test_from_module_round_trip_and_training_on(iris: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = iris
    cr.manual_seed(0)
    module = nn.Sequential(nn.Linear(4, 10, dtype=cr.float64), nn.Tanh(), nn.Linear(10, 3, dtype=cr.float64),
                           nn.Softmax(dim=1))
    clf = MLPClassifier.from_module(module, classes=["setosa", "versicolor", "virginica"], solver="lbfgs",
                                    warm_start=True, max_iter=50)
    assert (clf.activation, clf.hidden_layer_sizes, clf.out_activation_) == ("tanh", (10,), "softmax")
    expected = module(cr.tensor(X, dtype=cr.float64)).detach().numpy()
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-12)
    names = np.array(["setosa", "versicolor", "virginica"])
    before = clf.score(X, names[y])
    clf.fit(X, names[y])  # warm_start: trains on from the module's weights
    assert clf.score(X, names[y]) > max(before, 0.9)
    back = MLPClassifier.from_module(clf.to_module(), classes=clf.classes_)
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))


def test_from_module_regressor_and_binary_classifier() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    module = nn.Sequential(nn.Linear(3, 5, dtype=cr.float64), nn.ELU(), nn.Linear(5, 1, dtype=cr.float64))
    reg = MLPRegressor.from_module(module)
    z = module(cr.tensor(X, dtype=cr.float64)).detach().numpy().ravel()
    np.testing.assert_allclose(reg.predict(X), z, rtol=1e-12)
    clf = MLPClassifier.from_module(module, classes=[-1, 1])
    np.testing.assert_array_equal(clf.predict(X), np.where(z > 0, 1, -1))


@pytest.mark.parametrize(("module", "options", "message"), [
    (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(4, 2)), {"classes": [0, 1, 2]}, "gives 3 features"),
    (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 3)), {"classes": [0, 1, 2]},
     "every hidden activation must be the same"),
    (nn.Sequential(nn.Linear(4, 3), nn.LeakyReLU(0.2), nn.Linear(3, 3)), {"classes": [0, 1, 2]},
     "default settings"),
    (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)), {"classes": [0, 1, 2]},
     "3 classes need 3 output unit"),
    (nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 3), nn.Sigmoid()), {"classes": [0, 1, 2]},
     "can only end with Softmax"),
    (nn.Sequential(nn.Linear(4, 3, bias=False), nn.ReLU(), nn.Linear(3, 3)), {"classes": [0, 1, 2]}, "no bias"),
])
def test_from_module_explains_what_it_cannot_take(module: nn.Module, options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MLPClassifier.from_module(module, **options)
    with pytest.raises(TypeError, match="expected an nn.Sequential"):
        MLPRegressor.from_module(nn.Linear(2, 1))
