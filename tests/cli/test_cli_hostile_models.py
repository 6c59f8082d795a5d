"""Classes 2 and 3 of reliability, through the command line: paths that are FIFOs or devices, and model
files whose metadata is malformed or disagrees with the network. Every case ends in exit code 2 and
one or two ``chainrule: error:`` lines, quickly; run through ``main`` in this process."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest
from cli_helpers import classification_csv, error_lines, regression_csv

import chainrule as cr
from chainrule.cli import main
from chainrule.io import read_model


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hostile")
    classification_csv(directory / "good.csv", n=40)
    regression_csv(directory / "houses.csv", n=30)
    common = ["--epochs", "1", "--hidden", "4", "--quiet"]
    assert main(["train", "--data", str(directory / "good.csv"), "--target", "species", *common,
                 "--out", str(directory / "good.safetensors")]) == 0
    assert main(["train", "--data", str(directory / "houses.csv"), "--target", "price", *common,
                 "--out", str(directory / "houses.safetensors")]) == 0
    os.mkfifo(directory / "pipe")
    return directory


def altered(folder, name: str, model=None, **changes) -> str:
    """A copy of a trained model file with its metadata changed (None removes a key), saved properly."""
    saved = read_model(folder / f"{name}.safetensors")
    meta = dict(saved.metadata)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(meta.get(key), dict):
            value = {**meta[key], **value}
        meta[key] = value
    path = str(folder / "altered.safetensors")
    cr.save(saved.model if model is None else model(saved.model), path, metadata=meta)
    return path


def run_main(command: list[str], capsys) -> str:
    """main(command) in a thread that must end within seconds; its error lines, checked."""
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(main(command)), daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), f"{command} blocked"
    result = subprocess.CompletedProcess(command, codes[0], "", capsys.readouterr().err)
    assert codes[0] == 2, result
    return " ".join(error_lines(result))


# Class 2: name -> (command with {d} for the folder, words the error must contain).
PATHS = {
    "--data is a FIFO": (["train", "--data", "{d}/pipe", "--target", "y"], ["is a FIFO (named pipe), not a CSV"]),
    "--data is /dev/zero": (["train", "--data", "/dev/zero", "--target", "y"], ["is a character device"]),
    "--data is /dev/urandom for predict": (["predict", "{d}/good.safetensors", "--data", "/dev/urandom"],
                                           ["is a character device"]),
    "--config is a FIFO": (["train", "--config", "{d}/pipe"], ["config file", "is a FIFO"]),
    "--config is /dev/zero": (["train", "--config", "/dev/zero"], ["is a character device, not a TOML file"]),
    "MODEL is a FIFO": (["summary", "{d}/pipe"], ["is a FIFO (named pipe), not a model file"]),
    "MODEL is /dev/zero": (["evaluate", "/dev/zero", "--data", "{d}/good.csv", "--target", "species"],
                           ["/dev/zero: is a character device"]),
    "resume from a FIFO checkpoint": (["train", "--checkpoint-dir", "{d}/ck", "--resume", "--epochs", "1"],
                                      ["checkpoint.safetensors' exists and is not a regular file"]),
}


@pytest.mark.parametrize("case", list(PATHS))
def test_paths_that_are_not_files_are_refused_without_blocking(folder, case, capsys) -> None:
    (folder / "ck").mkdir(exist_ok=True)
    if not os.path.exists(folder / "ck" / "checkpoint.safetensors"):
        os.mkfifo(folder / "ck" / "checkpoint.safetensors")
    command, expected = PATHS[case]
    text = run_main([part.replace("{d}", str(folder)) for part in command], capsys)
    for words in expected:
        assert words in text, (case, text)


def softmax_dim(dim: int):
    return lambda model: cr.nn.Sequential(*model, cr.nn.Softmax(dim=dim))


# Class 3: name -> (model file to alter, its changes, words the error must contain).
METADATA = {
    "metadata is a list": ("good", {}, "list", ["its metadata is list, not an object"]),
    "classes is a number": ("good", {"classes": 5}, None, ["its classes are not a list of class labels"]),
    "classes fewer than outputs": ("good", {"classes": ["a", "b"]}, None,
                                   ["lists 2 classes but its network gives 3 outputs"]),
    "classes repeated": ("good", {"classes": ["a", "a", "b"]}, None, ["not at least two different labels"]),
    "classes of lists": ("good", {"classes": [[1], [2], [3]]}, None, ["not a list of class labels"]),
    "feature names are numbers": ("good", {"feature_names": [1, 2, 3]}, None, ["not a list of non-empty strings"]),
    "fewer feature names than inputs": ("good", {"feature_names": ["sepal", "petal"]}, None,
                                        ["names 2 features but its network takes 3 inputs"]),
    "feature named twice": ("good", {"feature_names": ["a", "a", "b"]}, None, ["name a column twice"]),
    "scaling too short": ("good", {"feature_scaling": {"mean": [0.0], "std": [1.0]}}, None,
                          ["has 1 means and 1 stds for 3 columns"]),
    "scaling std zero": ("good", {"feature_scaling": {"mean": [0, 0, 0], "std": [1, 0, 1]}}, None,
                         ["std that is not a positive finite number"]),
    "scaling is a string": ("good", {"feature_scaling": "standard"}, None, ["not an object with the lists"]),
    "unknown task": ("good", {"task": "clustering"}, None, ["its task 'clustering' is not one of"]),
    "classifier without classes": ("good", {"classes": None}, None, ["a classifier without its list of classes"]),
    "target is a number": ("good", {"target": 7}, None, ["its target is not a string"]),
    "odd training record": ("good", {"training": {"epochs_run": "many"}}, None, ["training epochs_run"]),
    "training is a list": ("good", {"training": [1, 2]}, None, ["training record is not an object"]),
    "final scores not numbers": ("good", {"training": {"final": {"train": {"loss": "low"}}}}, None,
                                 ["final scores are not objects of numbers"]),
    "history not lists": ("good", {"training": {"history": {"loss": 0.5}}}, None, ["history is not lists"]),
    "regression with classes": ("houses", {"classes": ["a", "b"]}, None, ["regression model with a list of classes"]),
    "regression with a classifier's loss": ("houses", {"loss": "cross_entropy"}, None, ["its loss 'cross_entropy'"]),
    "regression model with 3 outputs": ("houses", {}, lambda m: cr.nn.Sequential(*m, cr.nn.Linear(1, 3)),
                                        ["regression model with 3 outputs"]),
    "softmax over a dim the data lacks": ("good", {}, softmax_dim(5), ["its network fails on a row of 3 inputs"]),
    "target scaling of 2 values": ("houses", {"target_scaling": {"mean": [0, 0], "std": [1, 1]}}, None,
                                   ["target_scaling has 2 means"]),
}


@pytest.mark.parametrize("command", ["summary", "predict", "evaluate"])
@pytest.mark.parametrize("case", list(METADATA))
def test_a_malformed_model_file_is_refused_at_load(folder, case, command, capsys) -> None:
    name, changes, change_model, expected = METADATA[case]
    if change_model == "list":
        path = str(folder / "altered.safetensors")
        saved = read_model(folder / f"{name}.safetensors")
        # a list where the metadata object belongs: written as cr.save would write any value
        from chainrule.io.model_file import _state_arrays, encode_file, model_document

        arrays = _state_arrays(saved.model.state_dict(), "test")
        document = model_document(saved.model, arrays, {}, {})
        document["metadata"] = ["not", "an", "object"]
        with open(path, "wb") as handle:
            handle.write(encode_file(arrays, document))
    else:
        path = altered(folder, name, change_model, **changes)
    data, target = ("good.csv", "species") if name == "good" else ("houses.csv", "price")
    line = {"summary": ["summary", path], "predict": ["predict", path, "--data", str(folder / data)],
            "evaluate": ["evaluate", path, "--data", str(folder / data), "--target", target]}[command]
    text = run_main(line, capsys)
    assert text.startswith(f"chainrule: error: {path}")
    for words in expected:
        assert words in text, (case, text)
