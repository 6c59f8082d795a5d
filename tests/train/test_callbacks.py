"""EarlyStopping, ModelCheckpoint, LearningRateScheduler and History."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.train import Callback, EarlyStopping, LearningRateScheduler, ModelCheckpoint


class ScriptedLoss(Callback):
    """Replaces the logged loss with a scripted sequence, and records the weights after each epoch."""

    def __init__(self, key: str, values: list[float]) -> None:
        super().__init__()
        self.key, self.values = key, values
        self.weights: list[np.ndarray] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        assert logs is not None
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.weight.detach().numpy().copy())


def _setup() -> tuple[cr.nn.Module, np.ndarray, np.ndarray]:
    cr.manual_seed(0)
    X, y = cr.data.linear(32, seed=0)
    return cr.nn.Linear(1, 1), X, y


def test_early_stopping_stops_after_patience_and_restores_best_weights() -> None:
    model, X, y = _setup()
    script = ScriptedLoss("loss", [1.0, 0.5, 0.6, 0.55, 0.7, 0.1, 0.1, 0.1])
    stop = EarlyStopping(patience=3, restore_best_weights=True)  # monitor 'val_loss' falls back to 'loss'
    history = cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=8, callbacks=[script, stop],
                     verbose=False)
    assert history.epoch == [0, 1, 2, 3, 4]  # epochs 2, 3, 4 bring no improvement on 0.5
    assert history.history["loss"] == [1.0, 0.5, 0.6, 0.55, 0.7]
    assert stop.stopped_epoch == 4 and stop.best_epoch == 1 and stop.best == 0.5
    np.testing.assert_array_equal(model.weight.detach().numpy(), script.weights[1])
    assert not np.array_equal(script.weights[1], script.weights[4])


def test_early_stopping_min_delta_mode_and_patience_zero() -> None:
    model, X, y = _setup()
    script = ScriptedLoss("val_accuracy", [0.5, 0.8, 0.805, 0.9])
    stop = EarlyStopping(monitor="val_accuracy", min_delta=0.01, patience=0)
    history = cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=4, callbacks=[script, stop],
                     verbose=False)
    assert stop.watch.mode == "max"
    assert history.epoch == [0, 1, 2]  # 0.805 is not better than 0.8 by more than 0.01
    assert stop.best_epoch == 1


def test_early_stopping_on_a_real_plateau() -> None:
    X, y = cr.data.linear(64, noise=0.0, seed=0)
    cr.manual_seed(0)
    model = cr.nn.Linear(1, 1)
    stop = EarlyStopping(min_delta=1e-6, patience=2)
    history = cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.5, epochs=1000, batch_size=None,
                     validation_data=(X, y), callbacks=[stop], verbose=False)
    assert len(history.epoch) < 1000 and history.history["val_loss"][-1] < 1e-5


def test_early_stopping_errors() -> None:
    with pytest.raises(ValueError, match="patience must be a non-negative integer"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max'"):
        EarlyStopping(mode="up")
    model, X, y = _setup()
    with pytest.raises(KeyError, match="monitor='accuracy' is not among the logged values"):
        cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=2,
               callbacks=[EarlyStopping("accuracy")], verbose=False)


def test_model_checkpoint_saves_each_epoch_and_best_only(tmp_path: Any) -> None:
    model, X, y = _setup()
    every = ModelCheckpoint(tmp_path / "model-{epoch:02d}.safetensors")
    script = ScriptedLoss("loss", [1.0, 0.5, 0.7, 0.4])
    best = ModelCheckpoint(str(tmp_path / "best-{epoch}-{loss:.1f}.safetensors"), monitor="loss",
                           save_best_only=True)
    weights = ModelCheckpoint(tmp_path / "weights.safetensors", save_weights_only=True)
    cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=4,
           callbacks=[script, every, best, weights], verbose=False)
    assert sorted(os.listdir(tmp_path)) == [
        "best-1-1.0.safetensors", "best-2-0.5.safetensors", "best-4-0.4.safetensors", "model-01.safetensors",
        "model-02.safetensors", "model-03.safetensors", "model-04.safetensors", "weights.safetensors",
    ]
    restored = cr.load(str(tmp_path / "best-2-0.5.safetensors"))
    np.testing.assert_array_equal(restored.weight.detach().numpy(), script.weights[1])
    state = cr.load_state_dict(str(tmp_path / "weights.safetensors"))
    np.testing.assert_array_equal(state["weight"].numpy(), model.weight.detach().numpy())


def test_learning_rate_scheduler_steps_each_epoch() -> None:
    model, X, y = _setup()
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    scheduler = cr.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    history = cr.fit(model, X, y, loss="mse", optimizer=optimizer, epochs=5,
                     callbacks=[LearningRateScheduler(scheduler)], verbose=False)
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.1, 0.05, 0.05, 0.025])


def test_learning_rate_scheduler_with_a_function_and_with_plateau() -> None:
    model, X, y = _setup()
    history = cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=1.0, epochs=3,
                     callbacks=[LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))], verbose=False)
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.05, 0.1 / 3])

    model, X, y = _setup()
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    plateau = cr.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    script = ScriptedLoss("loss", [1.0, 2.0, 3.0, 0.5])
    history = cr.fit(model, X, y, loss="mse", optimizer=optimizer, epochs=4,
                     callbacks=[script, LearningRateScheduler(plateau)], verbose=False)
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.1, 0.05, 0.025])


def test_history_is_a_record_of_logs() -> None:
    history = cr.History()
    history.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    history.on_epoch_end(1, {"loss": 0.5, "val_loss": 1.5})
    assert history["loss"] == [1.0, 0.5] and history.epoch == [0, 1]
    assert "val_loss=1.5" in repr(history)
