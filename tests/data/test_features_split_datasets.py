"""Feature maps, train_test_split and the named data sets."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import PolynomialFeatures

import chainrule as cr
from chainrule.data import list_datasets, load_dataset, polar, polynomial, train_test_split


def test_polar_coordinates() -> None:
    X = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [1.0, -1.0]], dtype=np.float32)
    result = polar(X)
    assert result.dtype == np.float32 and result.shape == (4, 2)
    np.testing.assert_allclose(result[:, 0], [1.0, 2.0, 3.0, np.sqrt(2)], rtol=1e-6)
    np.testing.assert_allclose(result[:, 1], [0.0, np.pi / 2, np.pi, -np.pi / 4], rtol=1e-6)
    as_tensor = polar(cr.tensor(X))
    assert isinstance(as_tensor, cr.Tensor)
    np.testing.assert_allclose(as_tensor.numpy(), result)


def test_polar_makes_rings_separable_by_one_threshold() -> None:
    X, y = cr.data.rings(200, n_rings=2, noise=0.05, seed=0)
    radius = polar(X)[:, 0]
    assert np.all((radius > 1.5) == (y == 1))


@pytest.mark.parametrize(("degree", "include_bias"), [(1, False), (2, False), (3, True)])
def test_polynomial_matches_scikit_learn(degree: int, include_bias: bool) -> None:
    X = np.random.default_rng(0).normal(size=(6, 3))
    expected = PolynomialFeatures(degree=degree, include_bias=include_bias).fit_transform(X)
    np.testing.assert_allclose(polynomial(X, degree=degree, include_bias=include_bias), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="degree"):
        polynomial(X, degree=0)


def test_split_sizes_order_and_consistency() -> None:
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    assert len(X_test) == 5 and len(X_train) == 15
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay paired
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20))
    again = train_test_split(X, y, test_size=0.25, seed=0)
    np.testing.assert_array_equal(again[3], y_test)
    _, _, _, y_fixed = train_test_split(X, y, test_size=3, shuffle=False)
    assert y_fixed.tolist() == [17, 18, 19]


def test_split_keeps_tensors_as_tensors() -> None:
    parts = train_test_split(cr.arange(10), test_size=0.2, seed=1)
    assert all(isinstance(p, cr.Tensor) for p in parts) and len(parts[1]) == 2


def test_stratified_split_keeps_class_proportions() -> None:
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    rng = np.random.default_rng(0)
    y = y[rng.permutation(100)]
    X = np.arange(100)
    for seed in range(5):
        _, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=seed, stratify=y)
        assert np.bincount(y_test).tolist() == [12, 6, 2]
        assert np.bincount(y_train).tolist() == [48, 24, 8]
        np.testing.assert_array_equal(y[X_test], y_test)
    with pytest.raises(ValueError, match="at least 2 samples"):
        train_test_split(np.arange(5), stratify=np.array([0, 0, 0, 0, 1]))


def test_split_errors() -> None:
    with pytest.raises(ValueError, match="different numbers of samples"):
        train_test_split(np.zeros(4), np.zeros(5))
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(np.zeros(4), test_size=1.5)


def test_list_datasets_has_one_line_descriptions() -> None:
    names = list_datasets()
    for expected in ("xor", "and", "moons", "spirals", "rings", "digits", "iris", "wine", "breast_cancer",
                     "diabetes"):
        assert expected in names
    assert all(description and "\n" not in description for description in names.values())


@pytest.mark.parametrize(("name", "shape", "n_classes"), [
    ("digits", (1797, 64), 10), ("iris", (150, 4), 3), ("wine", (178, 13), 3),
    ("breast_cancer", (569, 30), 2),
])
def test_bundled_classification_sets(name: str, shape: tuple[int, int], n_classes: int) -> None:
    X, y = load_dataset(name)
    assert X.shape == shape and X.dtype == np.float32
    assert y.dtype == np.int64 and len(np.unique(y)) == n_classes


def test_bundled_regression_set_and_toy_names() -> None:
    X, y = load_dataset("diabetes")
    assert X.shape == (442, 10) and y.shape == (442, 1) and y.dtype == np.float32
    X, y = load_dataset("moons", n_samples=30, seed=0)
    np.testing.assert_array_equal(X, cr.data.moons(30, seed=0)[0])
    assert load_dataset("and")[1].tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match="unknown data set 'mnist'.*digits"):
        load_dataset("mnist")


def test_missing_scikit_learn_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[sklearn\]'"):
        load_dataset("iris")
