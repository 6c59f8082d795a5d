"""cr.train.Diagnostics: per-layer statistics in the History every epoch, and a diverging run stopped
with the layer whose gradients blew up first and the batch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    X, y = cr.data.moons(n_samples=256, noise=0.1, seed=0)
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32), y


def net() -> nn.Sequential:
    cr.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))


def test_statistics_of_every_layer_are_in_the_history_each_epoch(moons: tuple[np.ndarray, np.ndarray]) -> None:
    model = net()
    diagnostics = cr.train.Diagnostics()
    history = cr.fit(model, *moons, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=4, batch_size=32,
                     callbacks=[diagnostics], verbose=False)
    assert diagnostics.stopped is None and diagnostics.message is None
    records = history.history
    for key in ("grad_norm/0", "grad_norm/2", "grad_norm/4", "update_ratio/0", "dead_fraction/1",
                "saturated_fraction/3", "activation_mean/3", "activation_std/1"):
        assert len(records[key]) == 4, key
    assert "dead_fraction/3" not in records and "saturated_fraction/1" not in records
    # The first epoch's statistics of layer 1 are those of the first batch, read before its update.
    assert 0.0 <= records["dead_fraction/1"][0] <= 1.0
    assert all(0 < v < 1 for v in records["update_ratio/2"])
    assert diagnostics.records[-1]["grad_norm/4"] == records["grad_norm/4"][-1]
    # The optimiser's own step is back, and the hooks are gone.
    assert "step" not in vars(history.optimizer)
    assert all(not module._forward_hooks for module in model.modules())
    # Per-layer keys stay out of the progress line and of History's summary.
    assert "grad_norm" not in repr(history)


def test_the_statistics_follow_the_training(moons: tuple[np.ndarray, np.ndarray]) -> None:
    """The recorded update ratio is the real one: it scales with the learning rate."""
    ratios = []
    for lr in (0.01, 0.1):
        diagnostics = cr.train.Diagnostics()
        cr.fit(net(), *moons, loss="cross_entropy", optimizer="sgd", lr=lr, epochs=1, batch_size=32,
               callbacks=[diagnostics], verbose=False, shuffle=False)
        ratios.append(diagnostics.records[0]["update_ratio/0"])
    assert ratios[1] == pytest.approx(10 * ratios[0], rel=1e-3)


def test_divergence_stops_training_naming_the_layer_and_the_batch(moons: tuple[np.ndarray, np.ndarray],
                                                                   capsys: Any) -> None:
    X, y = moons
    cr.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
    diagnostics = cr.train.Diagnostics()
    with np.errstate(all="ignore"):
        history = cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=30.0, epochs=20, batch_size=16,
                         callbacks=[diagnostics], verbose=False)
    stopped = diagnostics.stopped
    assert stopped is not None
    assert stopped["layer"] in {"0", "2", "4"}
    assert len(history.epoch) == stopped["epoch"] + 1 < 20
    message = diagnostics.message
    assert message is not None and message in capsys.readouterr().err
    assert f"batch {stopped['batch'] + 1}/16" in message
    assert f"layer '{stopped['layer']}'" in message and "smaller learning rate" in message
    # The weights are finite: the run can be inspected, or diagnosed.
    assert all(np.isfinite(p.detach().numpy()).all() for p in model.parameters())


def test_a_gradient_blowing_up_is_named_before_the_loss_turns_nan(moons: tuple[np.ndarray, np.ndarray]) -> None:
    """The last layer's weights are scaled up a millionfold after a few quiet updates: its gradient is
    the first to blow up, and training stops without an exception, naming it and the batch."""
    X, y = moons

    class Sabotage(cr.train.Callback):
        def on_batch_end(self, batch: int, logs: Any = None) -> None:
            if batch == 11:
                self.model[2].weight.data[...] *= 1e6

    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    cr.manual_seed(0)
    diagnostics = cr.train.Diagnostics(verbose=False)
    with np.errstate(all="ignore"):
        cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.5, epochs=3, batch_size=16,
               callbacks=[Sabotage(), diagnostics], verbose=False, shuffle=False)
    assert diagnostics.stopped is not None
    assert "blew up first in layer '0' (Linear) at epoch 1, batch 13" in (diagnostics.message or "") or \
        "blew up first in layer '2' (Linear) at epoch 1, batch 13" in (diagnostics.message or "")


class Poison(cr.train.Callback):
    """After batch ``at``, sets one weight of the last layer to infinity: the next loss is NaN."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at

    def on_batch_end(self, batch: int, logs: Any = None) -> None:
        if batch == self.at:
            self.model[4].weight.data[0, 0] = np.inf


def test_a_nan_loss_stops_instead_of_raising(moons: tuple[np.ndarray, np.ndarray]) -> None:
    model = net()
    diagnostics = cr.train.Diagnostics(verbose=False)
    with np.errstate(all="ignore"):
        cr.fit(model, *moons, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=2, batch_size=16,
               callbacks=[Poison(at=2), diagnostics], verbose=False, shuffle=False)
    assert diagnostics.stopped is not None and diagnostics.stopped["batch"] == 3
    assert "epoch 1/2, batch 4/16: the loss became nan" in (diagnostics.message or "")
    # Without Diagnostics, fit raises as before.
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="batch 4/16"):
        cr.fit(net(), *moons, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=2, batch_size=16,
               callbacks=[Poison(at=2)], verbose=False, shuffle=False)


def test_bad_factors_are_refused() -> None:
    with pytest.raises(ValueError, match="divergence is a factor and must be a number > 1"):
        cr.train.Diagnostics(divergence=0.5)
