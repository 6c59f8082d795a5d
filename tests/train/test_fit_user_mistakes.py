"""Data a new user hands to cr.fit / cr.evaluate / cr.predict by mistake: every case ends in an error
that names what was wrong and what is allowed, never a traceback from deep inside NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn


def _model(inputs: int = 2, outputs: int = 1) -> nn.Module:
    cr.manual_seed(0)
    return nn.Sequential(nn.Linear(inputs, 4), nn.ReLU(), nn.Linear(4, outputs))


def _data() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(0).random((20, 2))
    return X, (X.sum(axis=1) > 1).astype(np.int64)


def _fit(model: nn.Module, X: object, y: object, loss: str = "mse") -> cr.History:
    return cr.fit(model, X, y, loss=loss, optimizer="sgd", lr=0.1, epochs=1, verbose=False)


def test_empty_data_is_named() -> None:
    with pytest.raises(ValueError, match=r"X has no samples \(shape \(0, 2\)\)"):
        _fit(_model(), np.empty((0, 2)), np.empty(0))
    with pytest.raises(ValueError, match=r"X has no samples"):
        cr.evaluate(_model(), np.empty((0, 2)), np.empty(0), loss="mse")
    with pytest.raises(ValueError, match=r"X has no samples"):
        cr.train.predict(_model(), np.empty((0, 2)))


def test_one_dimensional_X_says_how_to_reshape() -> None:
    X, y = _data()
    for model in (_model(1), _model(2)):
        with pytest.raises(ValueError, match=r"X has shape \(20,\).*X\.reshape\(-1, 1\).*X\.reshape\(1, -1\)"):
            _fit(model, X[:, 0], y.astype(float))


def test_wrong_number_of_features_names_the_shape_of_X() -> None:
    X, y = _data()
    with pytest.raises(RuntimeError, match=r"in_features = 3.*first row of X, which has shape \(20, 2\)"):
        _fit(_model(3), X, y.astype(float))


def test_text_features_and_text_labels() -> None:
    X, y = _data()
    with pytest.raises(TypeError, match=r"X must hold numbers, got dtype <U3.*encode text columns"):
        _fit(_model(), np.full((20, 2), "red"), y.astype(float))
    with pytest.raises(TypeError, match=r"y must hold numbers.*np\.unique\(y, return_inverse=True\)"):
        _fit(_model(2, 2), X, np.where(y == 1, "yes", "no"), loss="cross_entropy")
    # Python objects that are not numbers (a list holding dicts) are named too.
    with pytest.raises(TypeError, match=r"X must hold numbers, but it holds dict values"):
        _fit(_model(), [[{"a": 1}, 2.0]] * 20, y.astype(float))


def test_ragged_rows_are_named() -> None:
    with pytest.raises(ValueError, match=r"X must be an array with one row per sample, all rows the same"):
        _fit(_model(), [[1.0, 2.0], [3.0]], [0.0, 1.0])


def test_class_labels_that_do_not_fit_the_model() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match=r"labels from -1 to 1.*outputs 2 classes.*return_inverse"):
        _fit(_model(2, 2), X, 2 * y - 1, loss="cross_entropy")
    with pytest.raises(ValueError, match=r"outputs 1 class \(labels 0 to 0\).*loss='bce_with_logits'"):
        _fit(_model(2, 1), X, y, loss="cross_entropy")


def test_not_a_model() -> None:
    X, y = _data()
    with pytest.raises(TypeError, match=r"fit: model must be a chainrule nn\.Module.*got function"):
        _fit(lambda x: x, X, y.astype(float))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"model=Linear is a class; pass an instance"):
        _fit(nn.Linear, X, y.astype(float))  # type: ignore[arg-type]


def test_validation_data_with_other_features_is_named() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match=r"X_val has shape \(20, 1\) but X has shape \(20, 2\)"):
        cr.fit(_model(), X, y.astype(float), loss="mse", optimizer="sgd", lr=0.1, epochs=1, verbose=False,
               validation_data=(X[:, :1], y.astype(float)))
    with pytest.raises(ValueError, match=r"X_val has 20 samples but y_val has 5"):
        cr.fit(_model(), X, y.astype(float), loss="mse", optimizer="sgd", lr=0.1, epochs=1, verbose=False,
               validation_data=(X, y[:5].astype(float)))


def test_numbers_stored_as_objects_still_train() -> None:
    # A pandas column of numbers read as objects arrives as dtype=object: it is converted, not refused.
    X, y = _data()
    history = _fit(_model(), X.astype(object), y.astype(float))
    assert np.isfinite(history.history["loss"][0])
    with pytest.raises(ValueError, match=r"X contains NaN"):
        _fit(_model(), np.where(X > 0.9, None, X).astype(object), y.astype(float))
