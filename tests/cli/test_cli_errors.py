"""Every bad input ends with a non-zero exit and one or two ``chainrule: error:`` lines saying what is
wrong and how to fix it; never a traceback, and never a good model overwritten by a broken one."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch
from cli_helpers import classification_csv, error_lines, regression_csv, run, start, write_csv

from chainrule.cli import main


class Payload:
    """Unpickling this creates MARKER: if the file exists, chainrule ran code from a model file."""

    def __reduce__(self):
        return (open, ("MARKER", "w"))


# The bad inputs a user meets most, each run as a fresh process exactly as a user runs it:
# name -> (command line, words the error must contain).
CASES: dict[str, tuple[list[str], list[str]]] = {
    "missing data file": (["train", "--data", "absent.csv", "--target", "y"], ["'absent.csv' does not exist"]),
    "empty data file": (["train", "--data", "empty.csv", "--target", "y"], ["'empty.csv' is empty", "header"]),
    "non-numeric cell": (["train", "--data", "text.csv", "--target", "y"],
                         ["line 3", "column 'b'", "'seven' is not a number"]),
    "missing value": (["train", "--data", "hole.csv", "--target", "y"], ["line 4", "column 'a'", "missing value"]),
    "unknown target": (["train", "--data", "good.csv", "--target", "label"],
                       ["'label' not in", "its columns are: sepal, petal, noise, species"]),
    "one class": (["train", "--data", "one.csv", "--target", "y"], ["only one class ('cat')", "at least two"]),
    "predict on other columns": (["predict", "good.safetensors", "--data", "other.csv"],
                                 ["do not match the model's", "missing 'petal'", "expects the columns"]),
    "negative lr": (["train", "--lr", "-0.1"], ["--lr must be a positive number", "--help"]),
    "non-numeric lr": (["train", "--lr", "fast"], ["--lr must be a number, got 'fast'"]),
    "missing model": (["summary", "absent.safetensors"], ["'absent.safetensors' does not exist"]),
    "truncated model": (["predict", "truncated.safetensors", "--data", "good.csv"],
                        ["truncated.safetensors: is truncated"]),
    "corrupted model": (["evaluate", "corrupted.safetensors", "--data", "good.csv", "--target", "species"],
                        ["corrupted.safetensors: is corrupted"]),
    "pickled model": (["summary", "pickled.safetensors"],
                      ["pickled.safetensors: is a Python pickle", "never unpickles"]),
    "torch.save model": (["predict", "model.pt", "--data", "good.csv"], ["model.pt: is a zip archive", "pickle"]),
    "text as model": (["summary", "good.csv"], ["good.csv: is a text file"]),
}

# More bad inputs, run through the same main() in this process (a fresh interpreter per case would
# only repeat the start-up time): name -> (command line, words the error must contain).
MORE_CASES: dict[str, tuple[list[str], list[str]]] = {
    "header only": (["train", "--data", "header.csv", "--target", "y"], ["no rows of data"]),
    "NA value": (["train", "--data", "na.csv", "--target", "y"], ["line 2", "column 'b'", "missing value ('NA')"]),
    "ragged row": (["train", "--data", "ragged.csv", "--target", "y"], ["line 3", "has 2 values", "3 columns"]),
    "no header": (["train", "--data", "noheader.csv", "--target", "y"], ["looks like data", "header row"]),
    "evaluate unseen class": (["evaluate", "good.safetensors", "--data", "unseen.csv", "--target", "species"],
                              ["class 'giant' was not among the training classes"]),
    "evaluate unknown target": (["evaluate", "good.safetensors", "--data", "good.csv", "--target", "kind"],
                                ["--target 'kind' is not what", "trained to predict the column 'species'"]),
    "negative epochs": (["train", "--epochs", "-5"], ["--epochs must be a positive whole number"]),
    "fractional batch size": (["train", "--batch-size", "2.5"], ["--batch-size must be a whole number"]),
    "negative weight decay": (["train", "--weight-decay", "-1"], ["--weight-decay cannot be negative"]),
    "negative hidden width": (["train", "--hidden", "16", "-4"], ["--hidden must be a positive whole number"]),
    "validation fraction": (["train", "--val-split", "1"], ["--val-split must be a fraction in [0, 1)"]),
    "infinite lr": (["train", "--lr", "inf"], ["--lr must be a finite number"]),
    "negative patience": (["train", "--early-stopping", "-2"], ["--early-stopping cannot be negative"]),
    "negative momentum": (["train", "--momentum", "-0.5"], ["--momentum cannot be negative"]),
    "unknown activation": (["train", "--activation", "swish"], ["--activation must be one of relu"]),
    "unknown dataset": (["train", "--dataset", "imagenet"], ["unknown data set 'imagenet'", "spirals"]),
    "data and dataset": (["train", "--data", "good.csv", "--target", "species", "--dataset", "xor"],
                         ["either --data CSV or --dataset NAME"]),
    "resume without directory": (["train", "--resume"], ["--resume needs --checkpoint-dir"]),
    "output directory missing": (["train", "--out", "nowhere/m.safetensors"], ["directory", "does not exist"]),
    "config value": (["train", "--config", "bad.toml"], ["lr in bad.toml must be a positive number"]),
    "config syntax": (["train", "--config", "broken.toml"], ["not valid TOML"]),
    "proba of a regressor": (["predict", "regressor.safetensors", "--data", "houses.csv", "--proba"],
                             ["--proba gives class probabilities", "regression model"]),
    "unknown command": (["fit"], ["invalid choice: 'fit'"]),
    "zero epochs": (["train", "--epochs", "0"], ["--epochs must be a positive whole number, got '0'"]),
    "zero hidden width": (["train", "--hidden", "0"], ["--hidden must be a positive whole number"]),
    "zero batch size": (["train", "--batch-size", "0"], ["--batch-size must be a positive whole number"]),
    "validation fraction above 1": (["train", "--val-split", "1.5"], ["--val-split must be a fraction in [0, 1)"]),
    "unknown optimizer": (["train", "--optimizer", "lbfgs"], ["--optimizer must be one of adam, adamw, sgd"]),
    "unknown loss": (["train", "--loss", "hinge"], ["--loss must be one of auto, cross_entropy, mse"]),
    "data is a directory": (["train", "--data", ".", "--target", "y"], ["'.' is a directory, not a CSV file"]),
    "model is a directory": (["summary", "."], [".: is a directory, not a model file"]),
    "empty model file": (["summary", "empty.csv"], ["empty.csv: the file is empty"]),
    "config key": (["train", "--config", "key.toml"], ["unknown option 'epochz'", "valid options: data, target"]),
    "config type": (["train", "--config", "types.toml"],
                    ["epochs in types.toml must be a whole number, got 'ten'", "fix epochs in types.toml"]),
    "config directory": (["train", "--config", "."], ["config file '.' is a directory"]),
    "plot format": (["train", "--dataset", "xor", "--plot", "boundary.txt"],
                    ["'boundary.txt' does not end in a figure format", ".png"]),
    "checkpoint dir is a file": (["train", "--checkpoint-dir", "good.csv"], ["is a file, not a directory"]),
    "ignore without data": (["train", "--ignore", "id"], ["--ignore names columns of a CSV file"]),
    "target ignored": (["train", "--data", "good.csv", "--target", "species", "--ignore", "species"],
                       ["--target 'species' is also in --ignore"]),
    "unknown ignored column": (["train", "--data", "good.csv", "--target", "species", "--ignore", "id"],
                               ["--ignore column 'id' not in"]),
    "predictions into a missing directory": (["predict", "good.safetensors", "--data", "good.csv", "--out",
                                              "nowhere/p.csv"], ["directory", "does not exist"]),
    "semicolons": (["train", "--data", "semicolons.csv", "--target", "y"], ["looks separated by ';'"]),
    "unknown demo": (["demo", "tetris"], ["unknown demo 'tetris'", "logic-gates"]),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Make the files, then run every case (a few at a time: each is a fresh Python process)."""
    directory = tmp_path_factory.mktemp("errors")
    here = os.getcwd()
    os.chdir(directory)
    try:
        return _results(directory)
    finally:
        os.chdir(here)


def _results(directory):
    classification_csv(directory / "good.csv", n=40)
    (directory / "empty.csv").write_text("")
    write_csv(directory / "header.csv", ["a", "y"], [])
    write_csv(directory / "text.csv", ["a", "b", "y"], [[1, 2, 0], [3, "seven", 1]])
    write_csv(directory / "hole.csv", ["a", "b", "y"], [[1, 2, 0], [3, 4, 1], ["", 5, 0]])
    write_csv(directory / "na.csv", ["a", "b", "y"], [[1, "NA", 0], [3, 4, 1]])
    (directory / "ragged.csv").write_text("a,b,y\n1,2,0\n3,1\n")
    write_csv(directory / "one.csv", ["a", "y"], [[1, "cat"], [2, "cat"], [3, "cat"]])
    write_csv(directory / "noheader.csv", ["1.0", "2.0", "0"], [[3, 4, 1]])
    write_csv(directory / "other.csv", ["sepal", "width", "noise"], [[1, 2, 3]])
    write_csv(directory / "unseen.csv", ["sepal", "petal", "noise", "species"], [[1, 50, 0, "giant"]])
    (directory / "bad.toml").write_text("lr = -3\n")
    (directory / "key.toml").write_text("epochz = 3\n")
    (directory / "types.toml").write_text('epochs = "ten"\n')
    (directory / "semicolons.csv").write_text("x;y\n1,5;0\n2,5;1\n")
    (directory / "broken.toml").write_text("lr = = 3\n")
    trained = run("train", "--data", "good.csv", "--target", "species", "--epochs", "2", "--hidden", "4",
                  "--out", "good.safetensors", cwd=directory)
    assert trained.returncode == 0, trained.stderr
    regression_csv(directory / "houses.csv", n=30)
    assert main(["train", "--data", "houses.csv", "--target", "price", "--epochs", "1", "--hidden", "2",
                 "--out", "regressor.safetensors", "--quiet"]) == 0
    good = (directory / "good.safetensors").read_bytes()
    (directory / "truncated.safetensors").write_bytes(good[: len(good) // 2])
    corrupted = bytearray(good)
    corrupted[-3] ^= 0x10
    (directory / "corrupted.safetensors").write_bytes(bytes(corrupted))
    (directory / "pickled.safetensors").write_bytes(pickle.dumps(Payload()))
    torch.save({"state": torch.ones(2), "payload": Payload()}, directory / "model.pt")
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = dict(zip(CASES, pool.map(lambda case: run(*case[0], cwd=directory), CASES.values()), strict=True))
    return directory, done


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gives_a_clear_error(results, case) -> None:
    _, done = results
    result = done[case]
    text = " ".join(error_lines(result))
    for words in CASES[case][1]:
        assert words in text, (case, text)


@pytest.mark.parametrize("case", list(MORE_CASES))
def test_more_bad_input_through_main(results, case, capsys, monkeypatch) -> None:
    directory, _ = results
    monkeypatch.chdir(directory)
    command, expected = MORE_CASES[case]
    code = main(command)
    captured = capsys.readouterr()
    result = subprocess.CompletedProcess(command, code, captured.out, captured.err)
    text = " ".join(error_lines(result))
    for words in expected:
        assert words in text, (case, text)


def test_no_model_file_ran_code(results) -> None:
    directory, _ = results
    assert not (directory / "MARKER").exists()


def test_a_failed_run_never_replaces_a_good_model(tmp_path) -> None:
    classification_csv(tmp_path / "good.csv", n=40)
    write_csv(tmp_path / "text.csv", ["a", "y"], [[1, 0], ["x", 1]])
    common = ["--target", "species", "--hidden", "4", "--out", "m.safetensors", "--quiet"]
    assert run("train", "--data", "good.csv", "--epochs", "2", *common, cwd=tmp_path).returncode == 0
    good = (tmp_path / "m.safetensors").read_bytes()

    diverged = run("train", "--data", "good.csv", "--optimizer", "sgd", "--lr", "1e12", *common, cwd=tmp_path)
    lines = error_lines(diverged)
    assert "training diverged" in lines[0] and "lower --lr" in lines[1]
    bad_data = run("train", "--data", "text.csv", "--target", "y", "--out", "m.safetensors", cwd=tmp_path)
    error_lines(bad_data)
    assert (tmp_path / "m.safetensors").read_bytes() == good

    # Ctrl-C without a checkpoint directory: training stops, and the old model stays as it was.
    process = start("train", "--data", "good.csv", "--epochs", "100000", "--early-stopping", "0", *common[:-1],
                    cwd=tmp_path)
    assert process.stdout is not None and process.stdout.readline().startswith("training a")
    time.sleep(0.3)                        # the first line comes just before training starts
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "no model saved (m.safetensors was not changed)" in stderr and "--checkpoint-dir" in stderr
    assert (tmp_path / "m.safetensors").read_bytes() == good


def test_unreadable_data_and_unwritable_output_are_refused_before_training(tmp_path, monkeypatch, capsys) -> None:
    """Permissions, simulated (the tests may run as root, who can read and write anything)."""
    classification_csv(tmp_path / "good.csv", n=40)
    monkeypatch.chdir(tmp_path)
    real_open = os.open

    def locked(file, *args, **kwargs):
        if str(file).endswith("good.csv"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", locked)
        assert main(["train", "--data", "good.csv", "--target", "species", "--quiet"]) == 2
    lines = error_lines(subprocess.CompletedProcess([], 2, "", capsys.readouterr().err))
    assert "cannot read data file 'good.csv': permission denied" in lines[0] and "chmod" in lines[1]

    (tmp_path / "locked").mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: not str(path).endswith("locked") and real_access(path, mode))
    for command in (["train", "--data", "good.csv", "--target", "species", "--out", "locked/m.safetensors"],
                    ["train", "--data", "good.csv", "--target", "species", "--checkpoint-dir", "locked/ck"]):
        assert main(command) == 2
        lines = error_lines(subprocess.CompletedProcess([], 2, "", capsys.readouterr().err))
        assert "is not writable" in lines[0], lines
    assert os.listdir(tmp_path / "locked") == [] and not (tmp_path / "model.safetensors").exists()


def test_running_out_of_memory_is_one_clear_error(tmp_path, monkeypatch, capsys) -> None:
    """--hidden 1000000 1000000 asks NumPy for terabytes (simulated: a real attempt could swap)."""
    from chainrule.cli import train_command

    def too_big(*args: object) -> None:
        raise MemoryError("Unable to allocate 3.64 TiB for an array with shape (1000000, 1000000)")

    monkeypatch.setattr(train_command, "build_model", too_big)
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "xor", "--hidden", "1000000", "1000000", "--quiet"]) == 1
    lines = error_lines(subprocess.CompletedProcess([], 1, "", capsys.readouterr().err))
    assert "out of memory (Unable to allocate 3.64 TiB" in lines[0] and "smaller --hidden" in lines[1]
