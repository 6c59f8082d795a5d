"""Class 1 of reliability: no command destroys a user's file. An output never replaces an input of the
same command (whatever the spelling: a symbolic link, a hard link), another output, or a read-only
file; a default output never replaces a file chainrule did not write. Run through ``main`` in process."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import classification_csv, error_lines

import chainrule as cr
from chainrule.cli import main

FAST = ["--epochs", "1", "--hidden", "3", "--quiet"]
FOREIGN = b"my own notes, not a model\n"


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    """good.csv, a trained good.safetensors, a config file and a foreign file, in the working directory."""
    monkeypatch.chdir(tmp_path)
    classification_csv(tmp_path / "good.csv", n=40)
    (tmp_path / "run.toml").write_text("epochs = 1\nhidden = [3]\n")
    (tmp_path / "notes.txt").write_bytes(FOREIGN)
    assert main(["train", "--data", "good.csv", "--target", "species", *FAST, "--out", "good.safetensors"]) == 0
    os.symlink("good.csv", tmp_path / "link.csv")
    os.link(tmp_path / "good.csv", tmp_path / "hard.csv")
    (tmp_path / "ro.safetensors").write_bytes(FOREIGN)
    os.chmod(tmp_path / "ro.safetensors", 0o444)
    return tmp_path


TRAIN = ["train", "--data", "good.csv", "--target", "species", *FAST]
# name -> (command, words the error must contain). Every case must leave every file of the folder as it was.
CASES: dict[str, tuple[list[str], list[str]]] = {
    "train --out = --data": ([*TRAIN, "--out", "good.csv"], ["--out 'good.csv' is the same file as --data"]),
    "train --out = --data, other spelling": ([*TRAIN, "--out", "./sub/../good.csv"], ["same file as --data"]),
    "train --out = symlink to --data": ([*TRAIN, "--out", "link.csv"], ["same file as --data"]),
    "train --out = hard link of --data": ([*TRAIN, "--out", "hard.csv"], ["same file as --data"]),
    "train --data via symlink, --out the real file": (["train", "--data", "link.csv", "--target", "species", *FAST,
                                                       "--out", "good.csv"], ["same file as --data"]),
    "train --plot = --data": ([*TRAIN, "--plot", "good.csv"], ["--plot", "figure format"]),
    "train --plot = --out": ([*TRAIN, "--out", "m.png", "--plot", "m.png"],
                             ["--plot 'm.png' is the same file as --out"]),
    "train --out = --config": (["train", "--config", "run.toml", "--dataset", "moons", "--out", "run.toml"],
                               ["same file as --config"]),
    "train --out = the checkpoint": ([*TRAIN, "--checkpoint-dir", ".", "--out", "checkpoint.safetensors"],
                                     ["the checkpoint", "same file as --out"]),
    "train --out read-only": ([*TRAIN, "--out", "ro.safetensors"], ["read-only", "never replaces"]),
    "train --out a directory": ([*TRAIN, "--out", "."], ["is a directory"]),
    "predict --out = --data": (["predict", "good.safetensors", "--data", "good.csv", "--out", "good.csv"],
                               ["same file as --data"]),
    "predict --out = MODEL": (["predict", "good.safetensors", "--data", "good.csv", "--out", "good.safetensors"],
                              ["same file as MODEL"]),
    "predict --out = hard link of --data": (["predict", "good.safetensors", "--data", "good.csv", "--out", "hard.csv"],
                                            ["same file as --data"]),
    "predict --out read-only": (["predict", "good.safetensors", "--data", "good.csv", "--out", "ro.safetensors"],
                                ["read-only"]),
    "demo --plot read-only": (["demo", "gradient-descent", "--plot", "ro.png"], ["read-only"]),
    "default --out over a foreign file": (["train", "--dataset", "moons", *FAST], ["not written by chainrule",
                                                                                   "--out PATH"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_output_never_destroys_a_file(folder, case, capsys) -> None:
    command, expected = CASES[case]
    (folder / "sub").mkdir()
    (folder / "ro.png").write_bytes(FOREIGN)
    os.chmod(folder / "ro.png", 0o444)
    (folder / "model.safetensors").write_bytes(FOREIGN)   # a user's file where the default --out points
    (folder / "checkpoint.safetensors").write_bytes(b"")
    before = {path: digest(path) for path in folder.iterdir() if path.is_file()}
    capsys.readouterr()
    code = main(command)
    result = subprocess.CompletedProcess(command, code, "", capsys.readouterr().err)
    text = " ".join(error_lines(result))
    assert code == 2
    for words in expected:
        assert words in text, (case, text)
    after = {path: digest(path) for path in folder.iterdir() if path.is_file()}
    assert after == before, case  # nothing changed, nothing added


def test_read_only_files_survive_the_python_api_too(tmp_path) -> None:
    path = tmp_path / "frozen.safetensors"
    cr.save(cr.nn.Linear(2, 1), path)
    original = path.read_bytes()
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    with pytest.raises(PermissionError, match="read-only") as error:
        cr.save(cr.nn.Linear(2, 3), path)
    assert error.value.filename == str(path)
    assert path.read_bytes() == original and os.listdir(tmp_path) == ["frozen.safetensors"]


def test_the_main_job_keeps_files_it_did_not_make_and_replaces_its_own(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "decision_boundary.png").write_bytes(b"\x89PNG\r\n\x1a\nsomeone else's picture")
    assert main(["train", "--epochs", "1"]) == 0   # the main job, cut short
    out = capsys.readouterr().out
    assert "decision_boundary.png exists and was not written by chainrule" in out
    assert (tmp_path / "decision_boundary.png").read_bytes().endswith(b"someone else's picture")
    model = (tmp_path / "model.safetensors").read_bytes()
    os.unlink(tmp_path / "decision_boundary.png")
    assert main(["train", "--epochs", "2"]) == 0   # again: it replaces its own model and draws its plot
    assert (tmp_path / "model.safetensors").read_bytes() != model
    plot = (tmp_path / "decision_boundary.png").read_bytes()
    assert main(["train", "--epochs", "1"]) == 0   # and replaces its own plot
    assert (tmp_path / "decision_boundary.png").read_bytes() != plot


def test_only_the_main_job_draws_a_plot_nobody_asked_for(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "moons", *FAST, "--out", "moons.safetensors"]) == 0
    assert sorted(os.listdir(tmp_path)) == ["moons.safetensors"]
    X = np.random.default_rng(0).normal(size=(30, 2))
    rows = "\n".join(f"{a},{b},{int(a > b)}" for a, b in X)
    (tmp_path / "two.csv").write_text("a,b,y\n" + rows + "\n")
    assert main(["train", "--data", "two.csv", "--target", "y", *FAST, "--out", "two.safetensors"]) == 0
    assert sorted(os.listdir(tmp_path)) == ["moons.safetensors", "two.csv", "two.safetensors"]
