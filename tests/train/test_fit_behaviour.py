"""cr.fit's contract: History, modes, target conversion, validation, errors, evaluate/predict,
display, and exact resumption from saved state."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.train import Callback


def _moons() -> tuple[np.ndarray, np.ndarray]:
    return cr.data.moons(64, noise=0.1, seed=0)


def _classifier(seed: int = 0, outputs: int = 2) -> cr.nn.Module:
    cr.manual_seed(seed)
    return cr.nn.Sequential(cr.nn.Linear(2, 8), cr.nn.Tanh(), cr.nn.Linear(8, outputs))


def test_history_keys_epochs_and_params() -> None:
    X, y = _moons()
    model = _classifier()
    history = cr.fit(model, X[:48], y[:48], loss="cross_entropy", optimizer="adam", lr=0.01, epochs=3,
                     batch_size=16, validation_data=(X[48:], y[48:]), metrics=["accuracy"], verbose=False)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert history.params["steps"] == 3 and history.params["epochs"] == 3
    assert history.params["batch_size"] == 16
    assert isinstance(history.optimizer, cr.optim.Adam)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(0.0 <= a <= 1.0 for a in history.history["val_accuracy"])
    # The epoch's validation loss is the loss of the model as it is at the end of the epoch.
    final = cr.evaluate(model, X[48:], y[48:], loss="cross_entropy", metrics=["accuracy"])
    assert final["loss"] == pytest.approx(history.history["val_loss"][-1], rel=1e-6)
    assert final["accuracy"] == history.history["val_accuracy"][-1]


def test_train_mode_during_training_and_eval_mode_without_grad_for_validation() -> None:
    seen: list[tuple[bool, bool]] = []

    class Recorder(cr.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = cr.nn.Linear(2, 2)

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            seen.append((self.training, cr.is_grad_enabled()))
            return self.linear(x)

    X, y = _moons()
    model = Recorder()
    model.eval()
    cr.fit(model, X[:32], y[:32], loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=2, batch_size=16,
           validation_data=(X[32:], y[32:]), verbose=False)
    # A probe (eval, no grad) to learn the output shape, then per epoch: 2 training batches, 1 validation.
    assert seen == [(False, False)] + [(True, True), (True, True), (False, False)] * 2
    assert model.training is False  # the mode it had before fit


def test_targets_are_converted_for_the_loss() -> None:
    X, y = cr.data.linear(40, noise=0.0, seed=0)
    model = cr.nn.Linear(1, 1)
    # (N,) targets with an (N, 1) output are matched value by value, not broadcast to (N, N).
    history = cr.fit(model, X, y.ravel().astype(np.float64), loss="mse", optimizer="sgd", lr=0.0, epochs=1,
                     batch_size=None, verbose=False)
    with cr.no_grad():
        expected = float(((model(cr.tensor(X)).numpy() - y) ** 2).mean())
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    # Float class labels become int64 for cross-entropy; fractional ones are refused.
    X2, y2 = _moons()
    cr.fit(_classifier(), X2, y2.astype(np.float32), loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=1,
           verbose=False)
    with pytest.raises(ValueError, match="integer class labels"):
        cr.fit(_classifier(), X2, y2 + 0.5, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=1,
               verbose=False)
    with pytest.raises(ValueError, match="labels from 0 to 1, but the model outputs 1 class .*bce_with_logits"):
        cr.fit(_classifier(outputs=1), X2, y2, loss=cr.nn.CrossEntropyLoss(), optimizer="sgd", lr=0.1,
               epochs=1, verbose=False)


def test_binary_cross_entropy_with_logits_and_accuracy_threshold() -> None:
    X, y = _moons()
    model = _classifier(outputs=1)
    history = cr.fit(model, X, y, loss="bce_with_logits", optimizer="adam", lr=0.05, epochs=30,
                     batch_size=None, metrics=["accuracy"], verbose=False)
    logits = cr.train.predict(model, X)
    assert logits.shape == (64, 1)
    # The logged accuracy reads the output as logits (threshold 0), whatever their range.
    assert cr.train.accuracy(logits, y, threshold=0.0) > 0.8
    assert history.history["accuracy"][-1] > 0.8


def test_validation_split_holds_out_the_last_samples() -> None:
    X, y = _moons()
    split = cr.fit(_classifier(), X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=1,
                   validation_split=0.25, shuffle=False, verbose=False)
    explicit = cr.fit(_classifier(), X[:48], y[:48], loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=1,
                      validation_data=(X[48:], y[48:]), shuffle=False, verbose=False)
    assert split.params["samples"] == 48
    assert split.history == explicit.history


def test_optimizer_and_loss_forms() -> None:
    X, y = _moons()
    model = _classifier()
    history = cr.fit(model, X, y, loss=cr.nn.CrossEntropyLoss(), optimizer=cr.optim.RMSprop, lr=0.01,
                     epochs=1, verbose=False)
    assert isinstance(history.optimizer, cr.optim.RMSprop) and history.optimizer.param_groups[0]["lr"] == 0.01
    with pytest.raises(ValueError, match="lr= is for an optimizer given by name"):
        cr.fit(model, X, y, loss="cross_entropy", optimizer=cr.optim.SGD(model.parameters(), lr=0.1), lr=0.1,
               epochs=1, verbose=False)
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'.*sgd, adam"):
        cr.fit(model, X, y, loss="cross_entropy", optimizer="adamax", epochs=1, verbose=False)
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        cr.fit(model, X, y, loss="hinge", optimizer="sgd", epochs=1, verbose=False)
    with pytest.raises(TypeError, match=r"pass an instance: loss=MSELoss\(\)"):
        cr.fit(model, X, y, loss=cr.nn.MSELoss, optimizer="sgd", epochs=1, verbose=False)
    with pytest.raises(ValueError, match="batch_size must be a positive integer or None, got 0"):
        cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", epochs=1, batch_size=0, verbose=False)
    with pytest.raises(ValueError, match="X has 64 samples but y has 10"):
        cr.fit(model, X, y[:10], loss="cross_entropy", optimizer="sgd", epochs=1, verbose=False)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_non_finite_loss_names_epoch_and_batch() -> None:
    X, y = cr.data.linear(32, noise=0.1, seed=0)
    X = X * 100
    model = cr.nn.Linear(1, 1)
    message = r"loss became (nan|inf) at epoch \d+/50, batch \d+/4.*lr=10 is probably too large"
    with pytest.raises(FloatingPointError, match=message):
        cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=10.0, epochs=50, batch_size=8, verbose=False)
    with pytest.raises(ValueError, match="X contains NaN or infinite values \\(first in row 3\\)"):
        X[3, 0] = np.nan
        cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=1, verbose=False)


def test_evaluate_and_predict() -> None:
    X, y = cr.data.linear(30, slope=2.0, intercept=1.0, noise=0.0, seed=0)
    model = cr.nn.Linear(1, 1)
    model.load_state_dict({"weight": np.array([[2.0]], np.float32), "bias": np.array([1.0], np.float32)})
    scores = cr.evaluate(model, X, y, loss="mse", metrics=["mae", "r2"])
    assert scores["loss"] == pytest.approx(0.0, abs=1e-10) and scores["r2"] == pytest.approx(1.0)
    model.load_state_dict({"weight": np.array([[2.0]], np.float32), "bias": np.array([2.0], np.float32)})
    in_batches = cr.evaluate(model, X, y, loss="mse", metrics=["mae"], batch_size=7)
    assert in_batches["loss"] == pytest.approx(1.0, rel=1e-6) and in_batches["mae"] == pytest.approx(1.0)
    np.testing.assert_allclose(cr.train.predict(model, X, batch_size=4), 2 * X + 2, rtol=1e-6)


def test_verbose_output(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = _moons()
    cr.fit(_classifier(), X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=3, verbose=False)
    assert capsys.readouterr().out == ""
    cr.fit(_classifier(), X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=3, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3  loss ")
    # Not a terminal: a long run prints about 20 lines, not one per epoch.
    cr.fit(_classifier(), X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=200, batch_size=None,
           verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert 15 <= len(lines) <= 22 and lines[-1].startswith("epoch 200/200")


def test_batch_callbacks_and_stopping_from_a_batch() -> None:
    class CountBatches(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[tuple[int, float]] = []

        def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            assert logs is not None
            self.calls.append((batch, logs["loss"]))
            if len(self.calls) == 5:
                self.stop_training = True

    X, y = _moons()
    counter = CountBatches()
    history = cr.fit(_classifier(), X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=10,
                     batch_size=16, callbacks=[counter], verbose=False)
    assert [b for b, _ in counter.calls] == [0, 1, 2, 3, 0]
    assert history.epoch == [0, 1]
    assert counter.model is not None and counter.params["steps"] == 4


def test_resuming_from_saved_state_reproduces_the_run() -> None:
    X, y = cr.data.moons(60, noise=0.2, seed=1)

    def setup() -> tuple[cr.nn.Module, cr.optim.Optimizer]:
        model = _classifier(5)
        model.append(cr.nn.Dropout(0.1))  # dropout draws from the shared generator too
        return model, cr.optim.Adam(model.parameters(), lr=0.01)

    model, optimizer = setup()
    cr.manual_seed(11)
    full = cr.fit(model, X, y, loss="cross_entropy", optimizer=optimizer, epochs=6, batch_size=8,
                  verbose=False)
    expected = {k: v.numpy().copy() for k, v in model.state_dict().items()}

    class Snapshot(Callback):
        saved: dict[str, Any] = {}

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if epoch == 2:
                self.saved = {"model": {k: v.numpy().copy() for k, v in self.model.state_dict().items()},
                              "optimizer": copy.deepcopy(self.optimizer.state_dict()),
                              "rng": cr.get_rng_state()}
                self.stop_training = True

    model, optimizer = setup()
    cr.manual_seed(11)
    snapshot = Snapshot()
    cr.fit(model, X, y, loss="cross_entropy", optimizer=optimizer, epochs=6, batch_size=8,
           callbacks=[snapshot], verbose=False)
    model, optimizer = setup()  # a fresh process, in effect
    cr.manual_seed(999)
    model.load_state_dict(snapshot.saved["model"])
    optimizer.load_state_dict(snapshot.saved["optimizer"])
    cr.set_rng_state(snapshot.saved["rng"])
    rest = cr.fit(model, X, y, loss="cross_entropy", optimizer=optimizer, epochs=6, initial_epoch=3,
                  batch_size=8, verbose=False)
    assert rest.epoch == [3, 4, 5]
    assert rest.history["loss"] == full.history["loss"][3:]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), expected[key])


def test_seed_argument_makes_shuffling_independent_of_the_shared_generator() -> None:
    X, y = _moons()
    results = []
    for shared in (0, 1):
        model = _classifier(3)
        cr.manual_seed(shared)
        results.append(cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=2,
                              batch_size=8, seed=42, verbose=False).history["loss"])
    assert results[0] == results[1]


def test_rich_progress_bar_in_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from chainrule.train import progress

    monkeypatch.setattr(progress, "_in_terminal", lambda: True)
    assert isinstance(progress.progress_bar(True), progress.RichProgress)
    assert isinstance(progress.progress_bar(2), progress.PlainProgress)
    assert progress.progress_bar(False) is None
    X, y = _moons()
    bar = progress.RichProgress()
    history = cr.fit(_classifier(), X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=3,
                     batch_size=8, callbacks=[bar], verbose=False)
    assert len(history.epoch) == 3 and bar._progress is None  # stopped and released
    assert "epochs" in capsys.readouterr().out
