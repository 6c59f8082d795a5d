"""cr.viz.plot_diagnostics: the per-layer statistics a Diagnostics run recorded, one line per layer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule import nn  # noqa: E402


def test_plots_the_recorded_statistics_of_each_layer(tmp_path: object) -> None:
    X, y = cr.data.moons(n_samples=128, noise=0.1, seed=0)
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 2))
    history = cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=5,
                     callbacks=[cr.train.Diagnostics()], verbose=False)
    fig = cr.viz.plot_diagnostics(history)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["gradient norm ||dL/dW||", "update / weight ||dW|| / ||W||", "dead ReLU units (share)",
                      "saturated outputs (share)", "activation std"]
    gradient_panel = fig.axes[0]
    assert [line.get_label() for line in gradient_panel.get_lines()] == ["layer 0", "layer 2", "layer 4"]
    np.testing.assert_allclose(gradient_panel.get_lines()[1].get_ydata(), history.history["grad_norm/2"])
    assert gradient_panel.get_yscale() == "log"
    path = f"{tmp_path}/diagnostics.png"
    fig.savefig(path)
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    # plot_history leaves the per-layer keys to plot_diagnostics.
    assert [ax.get_title() for ax in cr.viz.plot_history(history).axes] == ["loss"]


def test_explains_what_is_missing() -> None:
    with pytest.raises(ValueError, match=r"train with callbacks=\[cr.train.Diagnostics\(\)\]"):
        cr.viz.plot_diagnostics({"loss": [1.0, 0.5]})
    with pytest.raises(ValueError, match="unknown statistic 'grad'"):
        cr.viz.plot_diagnostics({"grad_norm/0": [1.0]}, statistics=["grad"])
    with pytest.raises(ValueError, match=r"no values recorded for \['dead_fraction'\]"):
        cr.viz.plot_diagnostics({"grad_norm/0": [1.0]}, statistics=["dead_fraction"])
