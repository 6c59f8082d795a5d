"""Everything a playground page can set, with its default and its allowed values, in one table.

The page sends its settings as a JSON object (the same keys it writes into its URL); :func:`validate`
fills in defaults, checks every value and returns a clean copy, or raises :class:`SettingsError` naming
the setting, the value and what is allowed. Nothing a page sends reaches the engine unchecked.
"""

from __future__ import annotations

import math
from typing import Any

DATASETS = ("xor", "circles", "moons", "spirals", "blobs", "gate", "plane", "rings", "csv")
GATES = ("and", "or", "nand", "nor", "xor")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)", "r", "theta")
ACTIVATIONS = ("tanh", "sigmoid", "relu", "leaky_relu", "linear", "step")
# output layer + loss, named "<output>_<loss>"; which ones fit a problem is in ``outputs_for``
OUTPUTS = ("sigmoid_bce", "softmax_ce", "linear_mse", "linear_huber")
OPTIMIZERS = ("sgd", "momentum", "adam")
BATCHING = ("full", "mini", "stochastic")
REGULARIZATION = ("none", "l1", "l2")
MAX_LAYERS = 6
MAX_NEURONS = 32

DEFAULTS: dict[str, Any] = {
    "dataset": "circles", "arms": 2, "classes": 3, "gate": "xor", "noise": 0.1, "samples": 300,
    "train_ratio": 0.7, "seed": 0, "features": ["x1", "x2"], "layers": [4, 4], "activations": ["tanh", "tanh"],
    "output": "auto", "regularization": "none", "reg_rate": 0.001, "batching": "mini", "batch_size": 16,
    "optimizer": "adam", "lr": 0.03, "points": [], "csv": "", "target": "", "plot": [],
}


class SettingsError(ValueError):
    """A setting the page sent that is not allowed (shown on the page as it is)."""


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SettingsError(f"{name} = {value!r} is not one of: {', '.join(allowed)}")
    return str(value)


def _number(name: str, value: Any, low: float, high: float, integer: bool = False) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SettingsError(f"{name} must be a number from {low} to {high}, got {value!r}")
    if integer and value != int(value):
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise SettingsError(f"{name} = {value} is outside {low} to {high}")
    return int(value) if integer else float(value)


def _points(value: Any) -> list[list[float]]:
    """Points added by clicking: ``[[x1, x2, label], ...]`` (label: a class, or the target value)."""
    if not isinstance(value, list) or len(value) > 500:
        raise SettingsError("points must be a list of at most 500 [x1, x2, label] triples")
    clean = []
    for point in value:
        if not isinstance(point, list) or len(point) != 3:
            raise SettingsError(f"each added point must be [x1, x2, label], got {point!r}")
        clean.append([_number("point coordinate", v, -1e6, 1e6) for v in point])
    return clean


def outputs_for(kind: str, n_classes: int) -> tuple[str, ...]:
    """The output layers and losses that fit a problem: the first one is the default."""
    if kind == "regression":
        return ("linear_mse", "linear_huber")
    return ("sigmoid_bce", "softmax_ce") if n_classes == 2 else ("softmax_ce",)


def validate(raw: Any) -> dict[str, Any]:
    """Defaults filled in, every value checked; unknown keys are refused (a typo should not pass silently)."""
    if not isinstance(raw, dict):
        raise SettingsError(f"settings must be a JSON object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise SettingsError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    s = {**DEFAULTS, **raw}
    clean: dict[str, Any] = {
        "dataset": _choice("dataset", s["dataset"], DATASETS),
        "arms": _number("arms", s["arms"], 2, 6, integer=True),
        "classes": _number("classes", s["classes"], 2, 6, integer=True),
        "gate": _choice("gate", s["gate"], GATES),
        "noise": _number("noise", s["noise"], 0.0, 1.0),
        "samples": _number("samples", s["samples"], 20, 2000, integer=True),
        "train_ratio": _number("train_ratio", s["train_ratio"], 0.1, 0.9),
        "seed": _number("seed", s["seed"], 0, 2**31 - 1, integer=True),
        "output": s["output"] if s["output"] == "auto" else _choice("output", s["output"], OUTPUTS),
        "regularization": _choice("regularization", s["regularization"], REGULARIZATION),
        "reg_rate": _number("reg_rate", s["reg_rate"], 0.0, 1.0),
        "batching": _choice("batching", s["batching"], BATCHING),
        "batch_size": _number("batch_size", s["batch_size"], 1, 2000, integer=True),
        "optimizer": _choice("optimizer", s["optimizer"], OPTIMIZERS),
        "lr": _number("lr", s["lr"], 1e-6, 10.0),
        "points": _points(s["points"]),
        "csv": str(s["csv"]), "target": str(s["target"]),
    }
    features = s["features"]
    if not isinstance(features, list) or not features:
        raise SettingsError(f"features must be a non-empty list of: {', '.join(FEATURES)}")
    clean["features"] = [_choice("feature", f, FEATURES) for f in dict.fromkeys(features)]
    layers, activations = s["layers"], s["activations"]
    if not isinstance(layers, list) or len(layers) > MAX_LAYERS:
        raise SettingsError(f"layers must be a list of at most {MAX_LAYERS} hidden-layer sizes, got {layers!r}")
    clean["layers"] = [_number("neurons in a layer", n, 1, MAX_NEURONS, integer=True) for n in layers]
    if not isinstance(activations, list) or len(activations) != len(layers):
        raise SettingsError(f"activations must name one activation per hidden layer ({len(layers)}), "
                            f"got {activations!r}")
    clean["activations"] = [_choice("activation", a, ACTIVATIONS) for a in activations]
    plot = s["plot"]
    if not isinstance(plot, list) or len(plot) not in (0, 2) or not all(isinstance(p, str) for p in plot):
        raise SettingsError(f"plot must name the two CSV columns to draw, got {plot!r}")
    clean["plot"] = list(plot)
    return clean


__all__ = ["ACTIVATIONS", "DATASETS", "DEFAULTS", "FEATURES", "OUTPUTS", "SettingsError", "outputs_for", "validate"]
