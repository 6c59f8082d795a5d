"""Class 7 of reliability: defaults a careful practitioner would choose (validation-based early
stopping that keeps the best weights, some L2 weight decay), and a warning when the validation loss
runs away from the training loss. The held-out scores these defaults give are measured in
bench/cli_defaults.py (README: "Default settings, measured"), not asserted here."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import write_csv

from chainrule.cli import main
from chainrule.io import read_model


@pytest.fixture()
def noisy(tmp_path):
    """40 rows whose target is mostly noise: a wide network over-fits them within a few epochs."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] + rng.normal(scale=2.0, size=40)
    return write_csv(tmp_path / "noisy.csv", ["a", "b", "c", "y"], [[*x, t] for x, t in zip(X, y, strict=True)])


WIDE = ["--hidden", "128", "128", "--lr", "0.02", "--batch-size", "4", "--val-split", "0.3"]


def test_by_default_training_stops_early_and_keeps_the_best_weights(noisy, tmp_path, capsys) -> None:
    assert main(["train", "--data", str(noisy), "--target", "y", *WIDE, "--quiet",
                 "--out", str(tmp_path / "m.safetensors")]) == 0
    training = read_model(tmp_path / "m.safetensors").metadata["training"]
    history = training["history"]["val_loss"]
    assert training["settings"]["weight_decay"] > 0
    assert training["epochs_run"] < training["settings"]["epochs"]            # stopped early
    assert training["final"]["validation"]["loss"] == pytest.approx(min(history), rel=1e-5)
    err = capsys.readouterr().err
    assert "over-fitting" not in err or "the weights kept are those of epoch" in err


def test_without_early_stopping_over_fitting_is_warned_about(noisy, tmp_path, capsys) -> None:
    assert main(["train", "--data", str(noisy), "--target", "y", *WIDE, "--early-stopping", "0", "--epochs", "60",
                 "--quiet", "--out", str(tmp_path / "m.safetensors")]) == 0
    err = capsys.readouterr().err
    assert "chainrule: warning: over-fitting: the validation loss rose from" in err
    assert "add --early-stopping 20" in err
    assert read_model(tmp_path / "m.safetensors").metadata["training"]["epochs_run"] == 60


def test_a_run_that_generalises_gets_no_warning(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    rows = [[a, b, 3 * a - 2 * b + rng.normal(scale=0.1)] for a, b in X]
    write_csv(tmp_path / "clean.csv", ["a", "b", "y"], rows)
    assert main(["train", "--data", str(tmp_path / "clean.csv"), "--target", "y", "--quiet",
                 "--out", str(tmp_path / "m.safetensors")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_default_early_stopping_stands_down_without_validation_data(tmp_path, capsys) -> None:
    write_csv(tmp_path / "tiny.csv", ["a", "y"], [[i, i % 2] for i in range(6)])   # too few rows to hold out
    assert main(["train", "--data", str(tmp_path / "tiny.csv"), "--target", "y", "--epochs", "3", "--quiet",
                 "--out", str(tmp_path / "m.safetensors")]) == 0
    assert main(["train", "--data", str(tmp_path / "tiny.csv"), "--target", "y", "--early-stopping", "5",
                 "--out", str(tmp_path / "m.safetensors")]) == 2    # asked for explicitly: refused, with why
    assert "no validation data" in capsys.readouterr().err
