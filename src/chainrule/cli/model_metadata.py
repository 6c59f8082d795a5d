"""What a model file written by ``chainrule train`` keeps besides its weights, written and checked here.

The metadata says how to prepare new data (feature names and their scaling, class labels, the target's
scaling) and how the model was trained. ``evaluate``, ``predict`` and ``summary`` rely on every field,
so a file is checked whole when it is opened: the JSON types, the ranges, and that the fields agree with
each other and with the network (as many feature names as the network has inputs, as many classes as
it has outputs). A file that fails is refused in one line naming the field; nothing fails later.
"""

from __future__ import annotations

import math
from typing import Any

from chainrule.cli import prepare
from chainrule.cli.options import LOSSES, TrainSettings, command_line

TASKS = ("classification", "regression")
REGRESSION_LOSSES = tuple(name for name in LOSSES if name not in ("auto", "cross_entropy"))


def model_metadata(data: prepare.Prepared, scaling: prepare.Scaling, target_scaling: prepare.Scaling | None,
                   loss: str, settings: TrainSettings, history: dict[str, list[float]], epochs_done: int,
                   scores: dict[str, Any], n_train: int, n_val: int) -> dict[str, Any]:
    """What the model file keeps besides the weights: how to prepare new data, and how it was trained."""
    return {"task": data.task, "feature_names": data.feature_names, "target": data.target,
            "classes": data.classes, "feature_scaling": scaling.to_json(),
            "target_scaling": None if target_scaling is None else target_scaling.to_json(),
            "loss": loss, "source": data.source,
            "training": {"settings": settings.run_settings(), "epochs_run": epochs_done, "samples": n_train,
                         "validation_samples": n_val, "final": scores, "history": history,
                         "command": command_line(settings)}}


class MetadataProblem(ValueError):
    """A field of the metadata that is of the wrong type, out of range, or disagrees with another."""


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise MetadataProblem(message)


def _scaling(value: Any, size: int, what: str) -> None:
    _require(isinstance(value, dict) and isinstance(value.get("mean"), list) and isinstance(value.get("std"), list),
             f"its {what} is not an object with the lists mean and std")
    _require(len(value["mean"]) == size and len(value["std"]) == size,
             f"its {what} has {len(value['mean'])} means and {len(value['std'])} stds for {size} columns")
    _require(all(_is_number(v) and math.isfinite(v) for v in value["mean"]), f"its {what} has a mean that is "
             "not a finite number")
    _require(all(_is_number(v) and math.isfinite(v) and v > 0 for v in value["std"]),
             f"its {what} has a std that is not a positive finite number")


def check_metadata(meta: dict[str, Any], n_inputs: int | None, n_outputs: int | None) -> None:
    """Raise :class:`MetadataProblem` for anything in the metadata of a ``chainrule train`` model that is
    malformed or disagrees with the network (``n_inputs`` features in, ``n_outputs`` values out; None
    where the network does not say). Fields that are absent are left alone (``cr.save`` files)."""
    task = meta.get("task")
    _require(task is None or task in TASKS, f"its task {task!r:.40} is not one of {', '.join(TASKS)}")
    features = meta.get("feature_names")
    if features is not None:
        _require(isinstance(features, list) and len(features) > 0
                 and all(isinstance(name, str) and name for name in features),
                 "its feature_names are not a list of non-empty strings")
        _require(len(set(features)) == len(features), "its feature_names name a column twice")
        _require(n_inputs is None or len(features) == n_inputs,
                 f"it names {len(features)} features but its network takes {n_inputs} inputs")
        _scaling(meta.get("feature_scaling"), len(features), "feature_scaling")
    for key in ("target", "source"):
        _require(meta.get(key) is None or isinstance(meta.get(key), str), f"its {key} is not a string")
    classes = meta.get("classes")
    if classes is not None:
        _require(isinstance(classes, list) and all(type(label) in (int, str) for label in classes),
                 "its classes are not a list of class labels (strings or whole numbers)")
        _require(len({str(label) for label in classes}) == len(classes) >= 2,
                 "its classes are not at least two different labels")
    loss = meta.get("loss")
    if task == "classification":
        if not isinstance(classes, list):
            raise MetadataProblem("it is a classifier without its list of classes")
        _require(n_outputs is None or len(classes) == n_outputs,
                 f"it lists {len(classes)} classes but its network gives {n_outputs} outputs")
        _require(loss in (None, "cross_entropy"), f"its loss {loss!r:.40} is not cross_entropy, a classifier's")
    elif task == "regression":
        _require(classes is None, "it is a regression model with a list of classes")
        _require(n_outputs is None or n_outputs == 1, f"it is a regression model with {n_outputs} outputs, not 1")
        _require(loss is None or loss in REGRESSION_LOSSES, f"its loss {loss!r:.40} is not one of "
                 f"{', '.join(REGRESSION_LOSSES)}")
        if meta.get("target_scaling") is not None:
            _scaling(meta["target_scaling"], 1, "target_scaling")
    if "training" in meta:
        _training(meta["training"])


def _training(training: Any) -> None:
    """The training record that ``summary`` prints."""
    _require(isinstance(training, dict), "its training record is not an object")
    _require(isinstance(training.get("settings", {}), dict), "its training settings are not an object")
    for key in ("epochs_run", "samples", "validation_samples"):
        _require(key not in training or _is_count(training[key]), f"its training {key} is not a whole number >= 0")
    _require(isinstance(training.get("command", ""), str), "its training command is not a string")
    final = training.get("final", {})
    _require(isinstance(final, dict) and all(
        isinstance(scores, dict) and all(isinstance(k, str) and _is_number(v) for k, v in scores.items())
        for scores in final.values()), "its final scores are not objects of numbers")
    history = training.get("history", {})
    _require(isinstance(history, dict) and all(
        isinstance(values, list) and all(_is_number(v) for v in values) for values in history.values()),
        "its training history is not lists of numbers")
