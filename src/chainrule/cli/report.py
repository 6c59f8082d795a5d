"""What ``chainrule train`` prints: the plan, the final metrics, where things were saved."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import numpy as np

from chainrule.cli import prepare
from chainrule.cli.errors import CommandError
from chainrule.cli.options import TrainSettings, command_line
from chainrule.cli.paths import figure_metadata

PLOT_HINT = "pip install 'chainrule[plot]'"


def say(settings: TrainSettings, message: str) -> None:
    """A progress message (suppressed by --quiet)."""
    if not settings.quiet:
        print(message, flush=True)


def architecture(model: Any) -> str:
    """``2-64-32-3 MLP (ReLU)``: the layer widths and the hidden activation."""
    linear = [layer for layer in model if type(layer).__name__ == "Linear"]
    widths = [linear[0].in_features] + [layer.out_features for layer in linear]
    activations = sorted({type(layer).__name__ for layer in model if type(layer).__name__ != "Linear"})
    return f"{'-'.join(map(str, widths))} MLP ({', '.join(activations) or 'linear'})"


def announce(settings: TrainSettings, data: prepare.Prepared, model: Any, n_train: int, n_val: int) -> None:
    kind = f"{len(data.classes or [])} classes" if data.task == "classification" else "regression"
    split = (f"{n_train} training / {counted(n_val, 'validation sample')}" if n_val
             else f"{counted(n_train, 'sample')} (no validation)")
    say(settings, f"training a {architecture(model)} on {data.source}: {split}, "
                  f"{counted(len(data.feature_names), 'feature')}, {kind}")
    if settings.data is not None and settings.loss == "auto" and all(
            isinstance(label, int) for label in data.classes or ["text"]):
        say(settings, f"(the whole numbers in {data.target!r} are taken as class labels; "
                      "--loss mse treats them as quantities)")


def regression_scores(predicted: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """MSE, MAE and R^2 in the target's own units."""
    target = target.reshape(-1).astype(np.float64)
    # NOTE: R^2 is computed on values divided by the target's size, so that huge targets (1e200) whose
    # squares overflow still get it right; MSE in such units is honestly inf.
    size = float(np.max(np.abs(target))) or 1.0
    error = (predicted.reshape(-1) - target) / size
    total = float(np.sum((target / size - np.mean(target / size)) ** 2))
    r2 = 1.0 - float(np.sum(error ** 2)) / total if total > 0 else float("nan")
    with np.errstate(over="ignore"):
        return {"mse": float(np.mean(error ** 2)) * size * size, "mae": float(np.mean(np.abs(error))) * size,
                "r2": r2}


DIVERGENCE = 1.25  # the validation loss ended this many times above its best while the training loss fell


def warn_overfitting(history: dict[str, list[float]], early_stopping: bool) -> None:
    """Warn on stderr when the validation loss rose well above its best while the training loss kept
    falling: the network learns the training rows by heart (over-fits) instead of the pattern."""
    validation, training = history.get("val_loss", []), history.get("loss", [])
    if len(validation) < 2 or len(training) != len(validation):
        return
    best = int(np.argmin(validation))
    if not (validation[-1] > DIVERGENCE * validation[best] and training[-1] < training[best]):
        return
    kept = (f"the weights kept are those of epoch {best + 1}" if early_stopping
            else "add --early-stopping 20 to keep the best epoch's weights")
    print(f"chainrule: warning: over-fitting: the validation loss rose from {validation[best]:.4g} (epoch {best + 1}) "
          f"to {validation[-1]:.4g} (epoch {len(validation)}) while the training loss fell from {training[best]:.4g} "
          f"to {training[-1]:.4g}; {kept}, and more --weight-decay, a smaller --hidden or more data would help",
          file=sys.stderr)


def counted(count: int, word: str) -> str:
    """``1 epoch``, ``2 epochs``."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def epochs_text(count: int) -> str:
    return counted(count, "epoch")


def scores(model: Any, loss: str, X: np.ndarray, y: np.ndarray, y_original: np.ndarray,
           target_scaling: prepare.Scaling | None) -> dict[str, float]:
    """Loss (as in training) plus accuracy, or MSE / MAE / R^2 in the target's units."""
    import chainrule as cr

    if target_scaling is None:
        return {key: float(value) for key, value in
                cr.evaluate(model, X, y, loss=loss, metrics=["accuracy"]).items()}
    result = {"loss": float(cr.evaluate(model, X, y, loss=loss)["loss"])}
    predicted = target_scaling.invert(cr.train.predict(model, X))
    return result | regression_scores(predicted, y_original)


Part = tuple[np.ndarray, np.ndarray, np.ndarray]  # (model inputs, model targets, targets in original units)


def final_scores(model: Any, loss: str, train: Part, validation: Part,
                 target_scaling: prepare.Scaling | None) -> dict[str, Any]:
    """The scores on the training part and (when there is one) the validation part."""
    result = {"train": scores(model, loss, train[0], train[1], train[2], target_scaling)}
    if len(validation[0]):
        result["validation"] = scores(model, loss, validation[0], validation[1], validation[2], target_scaling)
    return result


def format_scores(values: dict[str, float]) -> str:
    """``loss 0.0990  accuracy 0.9733``; values of a million or more in scientific notation."""
    return "  ".join(f"{key} {value:.4e}" if np.isfinite(value) and abs(value) >= 1e6 else f"{key} {value:.4f}"
                     for key, value in values.items())


def json_scores(values: dict[str, float]) -> str:
    """The scores as strict JSON (an infinite or undefined score, e.g. R^2 of a constant target, is null)."""
    return json.dumps({key: value if np.isfinite(value) else None for key, value in values.items()})


def finish(settings: TrainSettings, results: dict[str, Any], epochs: int, seconds: float) -> None:
    print(f"trained {epochs_text(epochs)} in {seconds:.1f} s")
    for part, values in results.items():
        print(f"  {part + ':':<12}{format_scores(values)}")
    out = settings.out
    print(f"model saved to {out}  (next: chainrule summary {out}; chainrule predict {out} --data FILE.csv)")


def interrupted(settings: TrainSettings, epochs_done: int, directory: str | None) -> int:
    """Ctrl-C: say what was kept and how to go on; exit code 130 (128 + SIGINT), as shells expect."""
    total = settings.epochs
    if directory is not None:
        print(f"chainrule: interrupted after epoch {epochs_done}/{total}; checkpoint saved in {directory}",
              file=sys.stderr)
        print(f"chainrule: resume with: {command_line(settings)} --resume", file=sys.stderr)
    else:
        print(f"chainrule: interrupted after epoch {epochs_done}/{total}; no model saved "
              f"({settings.out} was not changed)", file=sys.stderr)
        print("chainrule: add --checkpoint-dir DIR to be able to resume an interrupted run", file=sys.stderr)
    return 130


class ScaledClassifier:
    """The trained model seen in the data's own units (for plotting): scale, forward, softmax."""

    def __init__(self, model: Any, scaling: prepare.Scaling) -> None:
        self.model, self.scaling = model, scaling

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        import chainrule as cr

        logits = cr.train.predict(self.model, self.scaling.apply(np.asarray(X, dtype=np.float64)))
        return np.asarray(cr.softmax(cr.from_numpy(np.asarray(logits)), dim=1).numpy())


def plot(settings: TrainSettings, path: str, model: Any, data: prepare.Prepared, scaling: prepare.Scaling) -> None:
    """Save the decision-boundary plot, or say why it was skipped and how to get it."""
    if data.task != "classification" or len(data.feature_names) != 2:
        print(f"plot skipped: a decision-boundary plot needs 2 features and class labels "
              f"(this data has {len(data.feature_names)} features, {data.task})")
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(f"plot skipped: matplotlib is not installed (to get {path}: {PLOT_HINT})")
        return
    import chainrule as cr

    names = [str(label) for label in data.classes or []]
    figure = cr.viz.plot_decision_boundary(ScaledClassifier(model, scaling), data.X, data.y,
                                           feature_names=data.feature_names, class_names=names,
                                           title=f"{data.source}: {architecture(model)}")
    try:
        figure.savefig(path, metadata=figure_metadata(path))
    except (OSError, ValueError) as error:
        raise CommandError(f"the model was saved to {settings.out}, but the plot could not be written to "
                           f"{path!r}: {error}", "choose another --plot path (e.g. boundary.png)") from None
    # The full path too: the picture is the first thing a newcomer wants to open.
    print(f"decision-boundary plot saved to {path}  (open {os.path.abspath(path)})")
