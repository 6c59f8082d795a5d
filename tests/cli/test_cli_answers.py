"""Class 4 of reliability: no wrong answer with exit code 0. Predictions from weights that are not
numbers, or outputs that overflow, are refused; ``evaluate --target`` must be the model's target;
``--early-stopping`` keeps the best epoch's weights; cells a spreadsheet would run as formulas are
neutralised in written CSVs; control characters from files are shown escaped, never sent raw."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import classification_csv, read_csv, regression_csv, write_csv

import chainrule as cr
from chainrule.cli import main
from chainrule.cli.csvdata import spreadsheet_safe
from chainrule.cli.training import ResumableEarlyStopping
from chainrule.io import load_checkpoint, read_model, save_checkpoint

FAST = ["--epochs", "2", "--hidden", "4", "--quiet"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    directory = tmp_path_factory.mktemp("answers")
    classification_csv(directory / "good.csv", n=40)
    regression_csv(directory / "houses.csv", n=30)
    assert main(["train", "--data", str(directory / "good.csv"), "--target", "species", *FAST,
                 "--out", str(directory / "good.safetensors")]) == 0
    return directory


def with_weight(folder, value: float) -> str:
    saved = read_model(folder / "good.safetensors")
    saved.model[0].weight.data[0, 0] = value
    path = str(folder / f"weight_{value}.safetensors")
    cr.save(saved.model, path, metadata=saved.metadata)
    return path


# name -> (weight value put in the first layer, words of the error)
WEIGHTS = {"NaN weight": (float("nan"), ["holds NaN or infinite values"]),
           "infinite weight": (float("inf"), ["holds NaN or infinite values"]),
           "weight that overflows the outputs": (3e38, ["is not a finite number", "line "])}


@pytest.mark.parametrize("command", ["predict", "evaluate"])
@pytest.mark.parametrize("case", list(WEIGHTS))
def test_no_prediction_from_weights_that_are_not_numbers(folder, case, command, capsys) -> None:
    value, expected = WEIGHTS[case]
    path = with_weight(folder, value)
    line = ["predict", path, "--data", str(folder / "good.csv"), "--out", str(folder / "p.csv")]
    if command == "evaluate":
        line = ["evaluate", path, "--data", str(folder / "good.csv"), "--target", "species"]
    code = main(line)
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and not (folder / "p.csv").exists()
    for words in expected:
        assert words in captured.err, (case, captured.err)


def test_evaluate_target_must_be_what_the_model_predicts(folder, capsys) -> None:
    # 'petal' is a column of the file and a feature of the model, but not what the model predicts
    assert main(["evaluate", str(folder / "good.safetensors"), "--data", str(folder / "good.csv"),
                 "--target", "petal"]) == 2
    assert "trained to predict the column 'species'" in capsys.readouterr().err


def test_early_stopping_saves_the_best_weights_not_the_last(tmp_path) -> None:
    # a wide network on 40 noisy rows at a high rate over-fits within a few epochs
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] + rng.normal(scale=2.0, size=40)
    write_csv(tmp_path / "noisy.csv", ["a", "b", "c", "y"], [[*x, t] for x, t in zip(X, y, strict=True)])
    assert main(["train", "--data", str(tmp_path / "noisy.csv"), "--target", "y", "--hidden", "128", "128",
                 "--lr", "0.02", "--epochs", "60", "--early-stopping", "8", "--weight-decay", "0", "--batch-size", "4",
                 "--val-split", "0.3", "--quiet", "--out", str(tmp_path / "m.safetensors")]) == 0
    training = read_model(tmp_path / "m.safetensors").metadata["training"]
    history = training["history"]["val_loss"]
    assert np.argmin(history) < len(history) - 1         # the last epoch was not the best one
    assert training["final"]["validation"]["loss"] == pytest.approx(min(history), rel=1e-5)


def test_early_stopping_best_weights_survive_a_checkpoint(tmp_path) -> None:
    model = cr.nn.Linear(2, 1)
    stopper = ResumableEarlyStopping(patience=3)
    stopper.set_context(model, None, {})
    stopper.on_train_begin()
    stopper.on_epoch_end(0, {"val_loss": 0.5})
    best = {key: value.copy() for key, value in stopper.best_weights.items()}
    model.weight.data[...] = 7.0
    stopper.on_epoch_end(1, {"val_loss": 0.9})
    save_checkpoint(tmp_path / "c.safetensors", model, epoch=2, metadata={"early_stopping": stopper.state()})
    resumed = ResumableEarlyStopping(3, load_checkpoint(tmp_path / "c.safetensors").metadata["early_stopping"])
    resumed.set_context(model, None, {})
    resumed.on_train_begin()
    assert resumed.wait == 1 and resumed.best == 0.5
    resumed.on_train_end()
    np.testing.assert_array_equal(model.weight.data, best["weight"])


# Spreadsheet formula injection: name -> (cell written, cell expected in the file)
CELLS = {"formula": ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), "plus": ("+1+cmd", "'+1+cmd"),
         "minus text": ("-x", "'-x"), "at": ("@SUM(A1)", "'@SUM(A1)"), "tab": ("\tx", "'\tx"),
         "carriage return": ("\rx", "'\rx"), "negative number": ("-2.5", "-2.5"), "plain": ("setosa", "setosa"),
         "number with plus": ("+3", "+3")}


@pytest.mark.parametrize("case", list(CELLS))
def test_spreadsheet_safe(case) -> None:
    cell, expected = CELLS[case]
    assert spreadsheet_safe(cell) == expected


def test_predictions_never_hold_a_formula_and_keep_negative_numbers(tmp_path, capsys) -> None:
    labels = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "\x1b[2Jwiped"]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    rows = [[f"{a:.3f}", f"{b:.3f}", labels[i % 3]] for i, (a, b) in enumerate(X)]
    write_csv(tmp_path / "evil.csv", ["a", "b", "label"], rows)
    assert main(["train", "--data", str(tmp_path / "evil.csv"), "--target", "label", *FAST,
                 "--out", str(tmp_path / "evil.safetensors")]) == 0
    assert main(["predict", str(tmp_path / "evil.safetensors"), "--data", str(tmp_path / "evil.csv"), "--proba",
                 "--out", str(tmp_path / "p.csv"), "--quiet"]) == 0
    header, written = read_csv(tmp_path / "p.csv")
    cells = [cell for row in written for cell in row] + header
    assert not any(cell.startswith(("=", "+", "@", "-", "\t", "\r")) for cell in cells)
    assert {row[0] for row in written} <= {"'" + labels[0], "'" + labels[1], labels[2]}
    capsys.readouterr()
    # the terminal sees escapes, never the raw control codes, on stdout and in summary
    assert main(["predict", str(tmp_path / "evil.safetensors"), "--data", str(tmp_path / "evil.csv")]) == 0
    assert main(["summary", str(tmp_path / "evil.safetensors")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2Jwiped" in out
    regression = tmp_path / "neg.csv"
    write_csv(regression, ["a", "y"], [[i, -1000.0 - i] for i in range(20)])
    assert main(["train", "--data", str(regression), "--target", "y", *FAST, "--out", str(tmp_path / "n.sf")]) == 0
    assert main(["predict", str(tmp_path / "n.sf"), "--data", str(regression), "--out", str(tmp_path / "n.csv")]) == 0
    values = [float(row[0]) for row in read_csv(tmp_path / "n.csv")[1]]   # numbers, not quoted text
    assert all(value < 0 for value in values)


# Terminal control characters in what a command prints: name -> (column name in a CSV header)
NAMES = {"escape sequence": "x\x1b]0;owned\x07", "carriage return": "real\rfake", "direction override": "abc\u202edcba",
         "line separator": "a\u2028b"}


@pytest.mark.parametrize("case", list(NAMES))
def test_control_characters_from_a_file_are_escaped_in_errors(tmp_path, case, capsys) -> None:
    write_csv(tmp_path / "c.csv", [NAMES[case], "y"], [[1, 0], [2, 1]])
    assert main(["train", "--data", str(tmp_path / "c.csv"), "--target", "label"]) == 2
    err = capsys.readouterr().err
    raw = [character for character in NAMES[case] if not character.isprintable()]
    assert not any(character in err for character in raw), repr(err)
    assert err.count("\n") <= 2
