"""The data a page trains on: the notes' toy problems (from ``chainrule.data``) or a CSV file, split into
training and test points, and the feature maps (x1^2, sin(x1), the notes' polar r and theta, ...).

Coordinates stay as the generators make them (no rescaling of toy data), so the plane the page draws
is the plane the notes draw. A CSV file's columns are standardised (mean 0, standard deviation 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule import data as crdata
from chainrule.playground.csv_data import CsvData

CLASSIFICATION, REGRESSION = "classification", "regression"


@dataclass
class Problem:
    """Training and test points. ``X`` columns 0 and 1 are the plotted pair (x1, x2); further columns
    (a wide CSV file) go to the network as they are and are held at 0 (their mean) on the drawn plane."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    kind: str
    n_classes: int
    class_names: list[str]
    axis_names: list[str]
    extra_names: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def extent(self) -> list[float]:
        """``[x1_min, x1_max, x2_min, x2_max]`` of the drawn plane: every point, with a margin."""
        points = np.concatenate([self.X_train[:, :2], self.X_test[:, :2]])
        low, high = points.min(axis=0), points.max(axis=0)
        centre, half = (low + high) / 2, np.maximum((high - low) / 2, 0.5) * 1.15
        return [float(centre[0] - half[0]), float(centre[0] + half[0]),
                float(centre[1] - half[1]), float(centre[1] + half[1])]


def _gate(name: str, n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` noisy copies of a logic gate's four truth-table rows."""
    X, y = crdata.logic_gate(name)
    corners = rng.integers(0, len(X), size=n)
    return X[corners] + rng.normal(0.0, noise, size=(n, 2)), y[corners]


def _toy(s: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str]:
    name, n, noise, seed = s["dataset"], s["samples"], s["noise"], s["seed"]
    if name == "xor":
        X, y = crdata.xor(n, noise=noise / 2, seed=seed)
        return 2 * X - 1, y, CLASSIFICATION           # corners at +-1: the plane is centred on 0
    if name == "gate":
        X, y = _gate(s["gate"], n, noise / 2, np.random.default_rng(seed))
        return 2 * X - 1, y, CLASSIFICATION
    if name == "circles":
        return (*crdata.circles(n, noise=noise, factor=0.5, seed=seed), CLASSIFICATION)
    if name == "moons":
        return (*crdata.moons(n, noise=noise, seed=seed), CLASSIFICATION)
    if name == "spirals":
        return (*crdata.spirals(n, n_arms=s["arms"], noise=noise, seed=seed), CLASSIFICATION)
    if name == "blobs":
        X, y = crdata.blobs(n, centers=s["classes"], cluster_std=0.2 + 2 * noise, center_box=(-3, 3), seed=seed)
        return X, y, CLASSIFICATION
    if name == "rings":
        return (*crdata.rings(n, n_rings=s["classes"], noise=noise, seed=seed), CLASSIFICATION)
    X, y = crdata.linear(n, slope=[1.5, -1.0], intercept=0.5, noise=noise, seed=seed)   # "plane"
    return X, y.reshape(-1), REGRESSION


def build(s: dict[str, Any], csv: CsvData | None = None) -> Problem:
    """The problem a page's settings describe (``csv`` when ``s['dataset'] == 'csv'``)."""
    notices: list[str] = []
    extra_names: list[str] = []
    if s["dataset"] == "csv":
        if csv is None:
            raise ValueError("no CSV file is loaded: upload one (Data > CSV file) or pick a generated data set")
        table = csv.select(s["target"], s["plot"])
        X, y, kind, class_names = table.X, table.y, table.kind, table.class_names
        axis_names, extra_names, notices = table.feature_names[:2], table.feature_names[2:], list(table.notices)
    else:
        X, y, kind = _toy(s)
        class_names = [str(k) for k in range(int(y.max()) + 1)] if kind == CLASSIFICATION else []
        axis_names = ["x1", "x2"]
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64 if kind == CLASSIFICATION else np.float64)
    X_train, X_test, y_train, y_test = crdata.train_test_split(X, y, test_size=1 - s["train_ratio"], seed=s["seed"])
    if s["points"]:
        added = np.array(s["points"], dtype=np.float64)
        extra = np.zeros((len(added), X.shape[1] - 2))
        X_train = np.concatenate([X_train, np.concatenate([added[:, :2], extra], axis=1)])
        labels = added[:, 2]
        if kind == CLASSIFICATION:
            labels = np.clip(np.round(labels), 0, len(class_names) - 1)
        y_train = np.concatenate([y_train, labels.astype(y_train.dtype)])
    n_classes = len(class_names) if kind == CLASSIFICATION else 0
    if kind == CLASSIFICATION and len(np.unique(y_train)) < 2:
        raise ValueError("the training points hold one class only; a classifier needs at least two "
                         "(add points of another class, or raise the training share)")
    return Problem(X_train, y_train, X_test, y_test, kind, n_classes, class_names, axis_names, extra_names, notices)


def feature_matrix(X: np.ndarray, features: list[str]) -> np.ndarray:
    """The network's inputs: the chosen maps of the plotted pair (x1, x2), then any further CSV columns.

    ``X`` has shape (N, 2 + extra); the result (N, len(features) + extra), float32.
    """
    x1, x2 = X[:, 0], X[:, 1]
    columns: list[np.ndarray] = []
    polar = crdata.polar(X[:, :2]) if {"r", "theta"} & set(features) else None
    maps = {"x1": lambda: x1, "x2": lambda: x2, "x1^2": lambda: x1 * x1, "x2^2": lambda: x2 * x2,
            "x1*x2": lambda: x1 * x2, "sin(x1)": lambda: np.sin(x1), "sin(x2)": lambda: np.sin(x2),
            "r": lambda: polar[:, 0], "theta": lambda: polar[:, 1]}  # type: ignore[index]
    columns = [maps[name]() for name in features]
    columns.extend(X[:, 2 + k] for k in range(X.shape[1] - 2))
    return np.stack(columns, axis=1).astype(np.float32)


__all__ = ["CLASSIFICATION", "REGRESSION", "Problem", "build", "feature_matrix"]
