"""``chainrule evaluate``, ``predict`` and ``summary``: using a saved model on new data.

The model file carries what ``train`` learned about the data (feature names, class labels, the
scaling), so new data is prepared exactly as the training data was.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

from chainrule.cli import prepare, report
from chainrule.cli.csvdata import Table, check_missing, csv_text, numeric_columns, read_table, require_columns
from chainrule.cli.errors import CommandError
from chainrule.cli.model_metadata import MetadataProblem, check_metadata
from chainrule.cli.paths import Output, check_outputs
from chainrule.cli.terminal import printable


class UsableModel:
    """A model file written by ``chainrule train``: the network plus how to feed it."""

    def __init__(self, path: str) -> None:
        from chainrule.io import ModelFileError, read_model

        if not os.path.exists(path):
            raise CommandError(f"model file {path!r} does not exist", "train one with: chainrule train --out MODEL")
        try:
            saved = read_model(path)
        except ModelFileError as error:
            raise CommandError(str(error),
                               "use a model file written by chainrule train or cr.save(model, path)") from None
        self.path, self.saved, self.model = path, saved, saved.model
        meta = saved.metadata
        if not isinstance(meta, dict):
            raise CommandError(f"{path}: is not a usable model file: its metadata is {type(meta).__name__}, not an "
                               "object")
        n_inputs, n_outputs = self._probe(meta.get("feature_names"))
        try:
            check_metadata(meta, n_inputs, n_outputs)
        except MetadataProblem as problem:
            raise CommandError(f"{path}: is not a usable model file: {problem}",
                               "train the model again with chainrule train") from None
        self.features: list[str] = list(meta.get("feature_names") or [])
        self.task: str = str(meta.get("task", ""))
        self.classes: list[Any] | None = meta.get("classes")
        self.loss: str = str(meta.get("loss", "cross_entropy" if self.task == "classification" else "mse"))
        self.target: str | None = meta.get("target")
        self.ignored: list[str] = []

    def _probe(self, features: Any) -> tuple[int | None, int | None]:
        """(inputs, outputs) of the network, found by running it once on a row of zeros, so that a layer
        that cannot work (an out-of-range dim, a width that does not chain) fails now, not at prediction."""
        first = next((layer for layer in self.model.modules() if hasattr(layer, "in_features")), None)
        n_inputs = first.in_features if first is not None else len(features) if isinstance(features, list) else None
        if n_inputs is None:
            return None, None
        try:
            with np.errstate(all="ignore"):
                output = np.asarray(self.outputs(np.zeros((1, n_inputs), dtype=np.float32)))
        except Exception as error:  # any failure here is the file's, whatever the layer raises
            raise CommandError(f"{self.path}: is not a usable model file: its network fails on a row of {n_inputs} "
                               f"inputs ({type(error).__name__}: {' '.join(str(error).split())[:200]})",
                               "train the model again with chainrule train") from None
        if output.ndim != 2 or output.shape[0] != 1:
            raise CommandError(f"{self.path}: is not a usable model file: its network turns one row into "
                               f"shape {output.shape}, not one row of outputs")
        return n_inputs, int(output.shape[1])

    def require_training_metadata(self) -> None:
        """What evaluate and predict need: the metadata of chainrule train, and weights that are numbers."""
        if not self.features or self.task not in ("classification", "regression"):
            raise CommandError(f"{self.path} has no feature names or task in its metadata (it was not written "
                               "by chainrule train)", "use cr.load(path) from Python for models saved with cr.save")
        for name, weight in self.model.state_dict().items():
            if not np.all(np.isfinite(weight.numpy())):
                raise CommandError(f"{self.path}: its weight {name} holds NaN or infinite values, so every "
                                   "prediction would be meaningless", "train the model again (with a lower --lr)")

    def scaling(self) -> prepare.Scaling:
        return prepare.Scaling.from_json(self.saved.metadata.get("feature_scaling"), len(self.features), "feature")

    def target_scaling(self) -> prepare.Scaling | None:
        data = self.saved.metadata.get("target_scaling")
        return None if data is None else prepare.Scaling.from_json(data, 1, "target")

    def inputs(self, table: Table, ignore: tuple[str, ...] = ()) -> np.ndarray:
        """The model's feature columns of ``table``, by name, scaled as in training."""
        missing = [name for name in self.features if name not in table.columns]
        if missing:
            raise CommandError(
                f"the columns of {table.path!r} do not match the model's: missing {', '.join(map(repr, missing))}",
                f"{self.path} expects the columns {', '.join(self.features)} (got {', '.join(table.columns)})")
        self.ignored = [name for name in table.columns if name not in self.features and name not in ignore]
        values = numeric_columns(table, self.features)
        scaled = self.scaling().apply(values)
        bad = np.argwhere(~np.isfinite(scaled))
        if len(bad):  # finite in the file, but too far from the training data for float32 after scaling
            row, column = (int(index) for index in bad[0])
            raise CommandError(f"{table.path}, line {table.line_numbers[row]}, column {self.features[column]!r}: "
                               f"{values[row, column]:g} is too far outside the range of the training data",
                               "check the value (and its units) against the data the model was trained on")
        return scaled

    def note_ignored(self, quiet: bool = False) -> None:
        """Said once the command has succeeded, so that an error stays the only thing on stderr."""
        if self.ignored and not quiet:
            print(printable(f"chainrule: note: ignored the columns the model does not use: {', '.join(self.ignored)}"),
                  file=sys.stderr)

    def outputs(self, X: np.ndarray) -> np.ndarray:
        import chainrule as cr

        return np.asarray(cr.train.predict(self.model, X), dtype=np.float64)

    def checked_outputs(self, X: np.ndarray, table: Table) -> np.ndarray:
        """The network's outputs for the rows of ``table``: one row each, one column per class (or one
        value), every one a finite number; anything else is refused rather than reported."""
        with np.errstate(over="ignore", invalid="ignore"):
            outputs = self.outputs(X)
        width = len(self.classes or []) if self.task == "classification" else 1
        if outputs.shape != (len(X), width):
            raise CommandError(f"{self.path}: its network gave outputs of shape {outputs.shape} for {len(X)} rows, "
                               f"expected {(len(X), width)}", "train the model again with chainrule train")
        bad = np.argwhere(~np.isfinite(outputs))
        if len(bad):
            raise CommandError(f"{self.path}: its output for {table.path}, line {table.line_numbers[int(bad[0][0])]} "
                               "is not a finite number (the network overflows on this row)",
                               "check that row's values against the data the model was trained on")
        return outputs

    def encoded_targets(self, table: Table, target: str) -> np.ndarray:
        check_missing(table, target)
        cells = table.column(target)
        if self.task == "regression":
            values = numeric_columns(table, [target])
            return values.reshape(-1, 1)
        index = {str(label): position for position, label in enumerate(self.classes or [])}
        codes = []
        for row, cell in enumerate(cells):
            key = str(prepare.label_value(cell))
            if key not in index:
                raise CommandError(f"{table.path}, line {table.line_numbers[row]}, column {target!r}: class "
                                   f"{cell!r} was not among the training classes {list(index)}")
            codes.append(index[key])
        return np.array(codes, dtype=np.int64)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Class probabilities of each row of logits (chainrule's softmax, one home for its numerics)."""
    import chainrule as cr

    return np.asarray(cr.softmax(cr.from_numpy(np.asarray(logits)), dim=1).numpy())


def run_evaluate(model_path: str, data_path: str, target: str, as_json: bool, quiet: bool = False) -> int:
    usable = UsableModel(model_path)
    usable.require_training_metadata()
    if usable.target is not None and target.strip() != usable.target:
        raise CommandError(f"--target {target!r} is not what {model_path} predicts: it was trained to predict "
                           f"the column {usable.target!r}", f"use --target {usable.target} (renamed columns must "
                           "be renamed back)")
    table = read_table(data_path)
    require_columns(table, [target], "target column")
    X = usable.inputs(table, ignore=(target,))
    usable.checked_outputs(X, table)  # scores of outputs that are not numbers would be wrong answers
    y = usable.encoded_targets(table, target)
    target_scaling = usable.target_scaling()
    y_model = y if target_scaling is None else target_scaling.apply(y)
    results = report.scores(usable.model, usable.loss, X, y_model, y, target_scaling)
    if usable.task == "classification":
        results = {"loss": results["loss"], "accuracy": results["accuracy"]}
    print(printable(f"{model_path} on {data_path} ({report.counted(len(X), 'sample')}): "
                    f"{report.format_scores(results)}"))
    if as_json:
        print(report.json_scores(results))
    usable.note_ignored(quiet)
    return 0


def run_predict(model_path: str, data_path: str, out: str | None, proba: bool, quiet: bool = False) -> int:
    if out is not None:
        check_outputs([Output(out, "--out", "predictions.csv")], {"MODEL": model_path, "--data": data_path})
    usable = UsableModel(model_path)
    usable.require_training_metadata()
    if proba and usable.task != "classification":
        raise CommandError(f"--proba gives class probabilities, but {model_path} is a regression model",
                           "leave out --proba")
    table = read_table(data_path)
    ignore = (usable.target,) if usable.target else ()
    X = usable.inputs(table, ignore=ignore)
    outputs = usable.checked_outputs(X, table)
    rows: list[list[str]] = []
    if usable.task == "classification":
        probabilities = softmax(outputs)
        classes = usable.classes or []
        rows.append(["prediction"] + ([f"proba_{label}" for label in classes] if proba else []))
        for index, row in zip(probabilities.argmax(axis=1), probabilities, strict=True):
            rows.append([str(classes[index])] + ([f"{p:.6f}" for p in row] if proba else []))
    else:
        scaling = usable.target_scaling()
        values = scaling.invert(outputs) if scaling is not None else outputs
        rows += [["prediction"], *([f"{value:.6g}"] for value in values[:, 0])]
    text = csv_text(rows)
    if out is None:
        sys.stdout.write(printable(text))
        usable.note_ignored(quiet)
        return 0
    from chainrule.io import atomic_write_bytes

    try:
        atomic_write_bytes(out, text.encode("utf-8"))
    except OSError as error:
        raise CommandError(f"cannot write predictions to {out!r}: {error.strerror or error}") from None
    if not quiet:
        print(printable(f"{len(outputs)} predictions written to {out}"))
    usable.note_ignored(quiet)
    return 0


def run_summary(model_path: str) -> int:
    usable = UsableModel(model_path)
    saved, model = usable.saved, usable.model

    def show(text: str) -> None:  # what the file says is shown, never obeyed by the terminal
        print(printable(text))

    show(f"{model_path}: chainrule {saved.version} {saved.kind} file")
    import chainrule as cr

    first = next((layer for layer in model.modules() if hasattr(layer, "in_features")), None)
    show(str(cr.summary(model, input_shape=(first.in_features,) if first is not None else None)))
    meta = dict(saved.metadata)
    if usable.features:
        show(f"task: {usable.task}; target: {usable.target}; features ({len(usable.features)}): "
              f"{', '.join(usable.features)}")
    if usable.classes is not None:
        show(f"classes ({len(usable.classes)}): {', '.join(map(str, usable.classes))}")
    training = meta.get("training") or {}
    if training:
        show(f"trained on {meta.get('source')}: {training.get('samples')} samples, "
              f"{report.epochs_text(int(training.get('epochs_run') or 0))}; {training.get('command')}")
        for part, values in (training.get("final") or {}).items():
            show(f"  {part + ':':<12}{report.format_scores(values)}")
    other = {key: value for key, value in meta.items() if key not in (
        "feature_names", "task", "classes", "target", "training", "feature_scaling", "target_scaling", "loss",
        "source")}
    for key, value in other.items():
        show(f"{key}: {value}")
    return 0
