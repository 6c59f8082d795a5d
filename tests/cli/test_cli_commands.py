"""train / evaluate / predict / summary / datasets, run as a user runs them, checked against an
independent NumPy computation from the weights in the model file."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
import safetensors.numpy
from cli_helpers import classification_csv, read_csv, regression_csv, run, write_csv

import chainrule as cr
from chainrule.cli import main
from chainrule.io import read_model

FAST = ["--epochs", "15", "--hidden", "8", "--batch-size", "16", "--lr", "0.02"]


def numpy_forward(model_path, X: np.ndarray) -> np.ndarray:
    """Logits from the file's weights with plain NumPy: standardise, Linear, ReLU, Linear."""
    weights = safetensors.numpy.load_file(str(model_path))
    meta = read_model(model_path).metadata
    mean, std = np.array(meta["feature_scaling"]["mean"]), np.array(meta["feature_scaling"]["std"])
    h = (X - mean) / std
    h = np.maximum(h @ weights["0.weight"].T.astype(np.float64) + weights["0.bias"], 0.0)
    return h @ weights["2.weight"].T.astype(np.float64) + weights["2.bias"]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    directory = tmp_path_factory.mktemp("classifier")
    classification_csv(directory / "iris.csv")
    result = run("train", "--data", "iris.csv", "--target", "species", "--out", "iris.safetensors", *FAST,
                 cwd=directory)
    assert result.returncode == 0, result.stderr
    return directory, result


def test_train_prints_metrics_and_saves_the_model(classifier) -> None:
    directory, result = classifier
    assert "training a 3-8-3 MLP (ReLU) on iris.csv: 96 training / 24 validation samples" in result.stdout
    assert re.search(r"validation: loss \d\.\d{4}\s+accuracy \d\.\d{4}", result.stdout)
    assert "model saved to iris.safetensors" in result.stdout
    assert "decision-boundary" not in result.stdout   # 3 features: no 2-D plot by default
    meta = read_model(directory / "iris.safetensors").metadata
    assert meta["feature_names"] == ["sepal", "petal", "noise"] and meta["classes"] == ["high", "low", "mid"]
    assert meta["task"] == "classification" and meta["target"] == "species"
    np.testing.assert_allclose(meta["feature_scaling"]["std"][1], 10.0, rtol=0.3)   # petal was scaled


def test_predict_matches_a_numpy_forward_pass(classifier) -> None:
    directory, _ = classifier
    result = run("predict", "iris.safetensors", "--data", "iris.csv", "--proba", cwd=directory)
    assert result.returncode == 0, result.stderr
    assert "ignored the columns the model does not use" not in result.stderr   # the target is expected
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "prediction,proba_high,proba_low,proba_mid"
    header, rows = read_csv(directory / "iris.csv")
    X = np.array([[float(v) for v in row[:3]] for row in rows])
    logits = numpy_forward(directory / "iris.safetensors", X)
    expected_labels = np.array(["high", "low", "mid"])[logits.argmax(axis=1)]
    expected_proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected_proba /= expected_proba.sum(axis=1, keepdims=True)
    got = [line.split(",") for line in lines[1:]]
    assert [row[0] for row in got] == expected_labels.tolist()
    np.testing.assert_allclose(np.array([[float(v) for v in row[1:]] for row in got]), expected_proba, atol=2e-6)


def test_evaluate_json_agrees_with_the_predictions(classifier) -> None:
    directory, _ = classifier
    result = run("evaluate", "iris.safetensors", "--data", "iris.csv", "--target", "species", "--json",
                 cwd=directory)
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(scores) == ["accuracy", "loss"]
    _, rows = read_csv(directory / "iris.csv")
    X = np.array([[float(v) for v in row[:3]] for row in rows])
    labels = np.array(["high", "low", "mid"])
    target = np.array([list(labels).index(row[3]) for row in rows])
    logits = numpy_forward(directory / "iris.safetensors", X)
    assert scores["accuracy"] == pytest.approx(np.mean(logits.argmax(axis=1) == target))
    shifted = logits - logits.max(axis=1, keepdims=True)
    cross_entropy = np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(target)), target])
    assert scores["loss"] == pytest.approx(cross_entropy, rel=1e-5)
    assert scores["accuracy"] > 0.8


def test_predict_writes_a_csv_file_and_accepts_reordered_columns(classifier) -> None:
    directory, _ = classifier
    header, rows = read_csv(directory / "iris.csv")
    write_csv(directory / "new.csv", ["id", "noise", "petal", "sepal"],
              [[f"row{i}", row[2], row[1], row[0]] for i, row in enumerate(rows[:5])])
    result = run("predict", "iris.safetensors", "--data", "new.csv", "--out", "out.csv", cwd=directory)
    assert result.returncode == 0, result.stderr
    assert "5 predictions written to out.csv" in result.stdout
    assert "ignored the columns the model does not use: id" in result.stderr
    out_header, out_rows = read_csv(directory / "out.csv")
    X = np.array([[float(v) for v in row[:3]] for row in rows[:5]])
    expected = np.array(["high", "low", "mid"])[numpy_forward(directory / "iris.safetensors", X).argmax(axis=1)]
    assert out_header == ["prediction"] and [row[0] for row in out_rows] == expected.tolist()


def test_summary_shows_architecture_parameters_and_training(classifier) -> None:
    directory, _ = classifier
    result = run("summary", "iris.safetensors", cwd=directory)
    assert result.returncode == 0, result.stderr
    assert "0 (Linear)" in result.stdout and "(None, 8)" in result.stdout and "(None, 3)" in result.stdout
    assert f"Total params: {3 * 8 + 8 + 8 * 3 + 3}" in result.stdout
    assert "features (3): sepal, petal, noise" in result.stdout
    assert "classes (3): high, low, mid" in result.stdout
    assert "15 epochs" in result.stdout


def test_regression_train_evaluate_predict(tmp_path) -> None:
    regression_csv(tmp_path / "houses.csv")
    result = run("train", "--data", "houses.csv", "--target", "price", "--out", "h.safetensors", *FAST,
                 "--epochs", "40", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "regression" in result.stdout and "r2" in result.stdout
    evaluated = run("evaluate", "h.safetensors", "--data", "houses.csv", "--target", "price", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    scores = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert sorted(scores) == ["loss", "mae", "mse", "r2"]
    predicted = run("predict", "h.safetensors", "--data", "houses.csv", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    values = np.array([float(v) for v in predicted.stdout.split()[1:]])
    truth = np.array([float(row[2]) for row in read_csv(tmp_path / "houses.csv")[1]])
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    assert scores["mse"] == pytest.approx(mean_squared_error(truth, values), rel=1e-4)
    assert scores["mae"] == pytest.approx(mean_absolute_error(truth, values), rel=1e-4)
    assert scores["r2"] == pytest.approx(r2_score(truth, values), abs=1e-5)
    assert scores["r2"] > 0.9                      # prices in the hundreds: the target was scaled


def test_config_file_gives_the_options_and_flags_override_it(tmp_path, monkeypatch, capsys) -> None:
    classification_csv(tmp_path / "d.csv", n=60)
    (tmp_path / "run.toml").write_text('data = "d.csv"\ntarget = "species"\nhidden = [5, 4]\nepochs = 9\n'
                                       'batch-size = 8\nactivation = "tanh"\nout = "cfg.safetensors"\n')
    result = run("train", "--config", "run.toml", "--epochs", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3-5-4-3 MLP (Tanh)" in result.stdout and "trained 3 epochs" in result.stdout
    settings = read_model(tmp_path / "cfg.safetensors").metadata["training"]["settings"]
    assert settings["epochs"] == 3 and settings["batch_size"] == 8 and settings["hidden"] == [5, 4]
    (tmp_path / "bad.toml").write_text("learning_rate = 0.1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--config", "bad.toml"]) == 2
    stderr = capsys.readouterr().err
    assert "unknown option 'learning_rate'" in stderr and "valid options: data, target" in stderr


def test_same_seed_same_weights_and_other_seed_other_weights(tmp_path, monkeypatch) -> None:
    classification_csv(tmp_path / "d.csv", n=60)
    common = ["--data", "d.csv", "--target", "species", "--epochs", "3", "--hidden", "4", "--quiet"]
    for name in ("a", "b"):
        result = run("train", *common, "--seed", "3", "--out", f"{name}.safetensors", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    monkeypatch.chdir(tmp_path)
    assert main(["train", *common, "--seed", "4", "--out", "c.safetensors"]) == 0
    a, b, c = (cr.load_state_dict(tmp_path / f"{name}.safetensors") for name in "abc")
    assert all(a[key].numpy().tobytes() == b[key].numpy().tobytes() for key in a)
    assert any(a[key].numpy().tobytes() != c[key].numpy().tobytes() for key in a)


def test_builtin_dataset_and_datasets_list(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["datasets"]) == 0
    listed = capsys.readouterr().out
    assert "spirals" in listed and "moons" in listed and "chainrule train --dataset NAME" in listed
    assert main(["train", "--dataset", "moons", "--epochs", "5", "--hidden", "8", "--plot", "moons.png"]) == 0
    out = capsys.readouterr().out
    assert "moons (built-in)" in out and "decision-boundary plot saved to moons.png" in out
    assert (tmp_path / "moons.png").read_bytes()[:4] == b"\x89PNG"


def test_default_main_job(tmp_path) -> None:
    """README's first command: no arguments, generated spirals, metrics, model and plot saved."""
    result = run("train", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "on spirals (built-in)" in result.stdout and "3 classes" in result.stdout
    accuracy = float(re.search(r"validation: loss [\d.]+\s+accuracy ([\d.]+)", result.stdout).group(1))
    assert accuracy > 0.9
    assert "model saved to model.safetensors" in result.stdout
    assert "decision-boundary plot saved to decision_boundary.png" in result.stdout
    assert f"(open {tmp_path / 'decision_boundary.png'})" in result.stdout  # where the picture is
    assert cr.load(tmp_path / "model.safetensors")[0].in_features == 2
    assert (tmp_path / "decision_boundary.png").stat().st_size > 1000


BLOCK = ("import sys\n"
         "for name in ('matplotlib', 'rich', 'safetensors', 'sklearn', 'scipy'):\n"
         "    sys.modules[name] = None   # as if not installed: importing it raises ImportError\n"
         "from chainrule.cli import main\n"
         "sys.exit(main(sys.argv[1:]))\n")


def test_default_job_needs_only_numpy(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-c", BLOCK, "train", "--epochs", "3"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "plot skipped: matplotlib is not installed" in result.stdout
    assert "pip install 'chainrule[plot]'" in result.stdout
    assert not (tmp_path / "decision_boundary.png").exists()
    # written by the NumPy-only writer, read by the safetensors package and by cr.load
    weights = safetensors.numpy.load_file(str(tmp_path / "model.safetensors"))
    np.testing.assert_array_equal(weights["0.weight"], cr.load(tmp_path / "model.safetensors")[0].weight.data)
