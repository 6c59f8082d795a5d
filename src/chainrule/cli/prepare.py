"""From a CSV file or a named data set to training arrays: the task, the label encoding and the
feature standardisation, all of which are stored in the model file so ``predict`` applies them again.

Standardisation: ``x' = (x - mean) / std`` per feature, with mean and std taken from the training
part only (a zero std, a constant column, is replaced by 1). Classification targets become class
indices 0..K-1 (``classes[k]`` is the original label); regression targets are standardised as well,
so the loss has the same scale whatever the units, and predictions are mapped back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.cli.csvdata import Table, check_missing, numeric_columns, read_table, require_columns
from chainrule.cli.errors import CommandError
from chainrule.cli.options import needs_class_labels

DEFAULT_DATASET = "spirals"
# The embedded default job: three interleaved spiral arms, which no linear model can separate.
DEFAULT_OPTIONS: dict[str, Any] = {"n_samples": 600, "n_arms": 3, "noise": 0.03, "turns": 1.0}
MAX_CLASSES = 20  # more distinct whole numbers than this: a quantity, not class labels


@dataclass
class Prepared:
    """Training data, ready for ``fit``, and what is needed to treat new data the same way."""

    X: np.ndarray                      # (N, F) float32, standardised
    y: np.ndarray                      # (N,) int64 class indices, or (N, 1) float32 standardised target
    task: str                          # "classification" or "regression"
    feature_names: list[str]
    classes: list[Any] | None          # original labels, for classification
    source: str                        # where the data came from, for messages and the model file
    target: str


def _is_integer_text(cell: str) -> bool:
    try:
        return float(cell).is_integer()
    except ValueError:
        return False


def label_value(cell: str) -> Any:
    """A class label as stored: an int for integer labels ('1', '2.0'), else the text itself."""
    return int(float(cell)) if _is_integer_text(cell) else cell


def target_task(cells: list[str], loss: str, where: str) -> str:
    """Classification for class names or a few integer values; regression for other numbers."""
    numeric = all(_is_number(cell) for cell in cells)
    labels = needs_class_labels(loss)
    if labels is True:
        if numeric and not all(_is_integer_text(cell) for cell in cells):
            raise CommandError(f"{where} holds fractional numbers, which are not class labels",
                               "use a regression loss (--loss mse) or a column of class labels")
        return "classification"
    if labels is False:
        if not numeric:
            bad = next(cell for cell in cells if not _is_number(cell))
            raise CommandError(f"{where} holds class names such as {bad!r}, but --loss {loss} needs numbers",
                               "use --loss cross_entropy (or auto) to classify")
        return "regression"
    if not numeric:
        return "classification"
    distinct = len(set(cells))
    integers = all(_is_integer_text(cell) for cell in cells)
    return "classification" if integers and distinct <= min(MAX_CLASSES, max(2, len(cells) // 2)) else "regression"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def encode_labels(cells: list[Any], where: str) -> tuple[np.ndarray, list[Any]]:
    """Class indices and the sorted list of original labels (``classes[index] == label``)."""
    labels = [label_value(cell) if isinstance(cell, str) else cell for cell in cells]
    classes = sorted(set(labels), key=lambda label: (isinstance(label, str), label))
    if len(classes) < 2:
        raise CommandError(f"{where} has only one class ({classes[0]!r}); a classifier needs at least two",
                           "check --target, or add rows of the other classes")
    index = {label: position for position, label in enumerate(classes)}
    return np.array([index[label] for label in labels], dtype=np.int64), classes


def from_csv(path: str, target: str, loss: str, ignore: list[str] | None = None) -> Prepared:
    """The columns of ``path``: ``target`` to predict, every other one except ``ignore`` as a feature."""
    table = read_table(path)
    target = target.strip()  # the header's names are stripped too
    ignore = [name.strip() for name in ignore or []]
    require_columns(table, [target], "target column")
    require_columns(table, ignore, "--ignore column")
    if target in ignore:
        raise CommandError(f"--target {target!r} is also in --ignore", "leave it out of --ignore")
    features = [name for name in table.columns if name != target and name not in ignore]
    if not features:
        raise CommandError(f"{path!r} has no feature columns besides the target {target!r}",
                           "add feature columns to learn from (and check --ignore)")
    return from_table(table, target, features, loss)


def from_table(table: Table, target: str, features: list[str], loss: str) -> Prepared:
    # A column with no number in it at all is an id or a name, not a measurement: say how to skip it.
    X = numeric_columns(table, features, "column {name!r} holds text, not numbers: leave it out with "
                                         "--ignore {name} (or predict it with --target {name})")
    check_missing(table, target)
    cells = table.column(target)
    where = f"target column {target!r} of {table.path!r}"
    task = target_task(cells, loss, where)
    if task == "classification":
        y, classes = encode_labels(cells, where)
        return Prepared(X, y, task, features, classes, table.path, target)
    y_values = np.array([float(cell) for cell in cells], dtype=np.float64).reshape(-1, 1)
    if not np.all(np.isfinite(y_values)):
        raise CommandError(f"{where} holds a value that is not a finite number")
    return Prepared(X, y_values, task, features, None, table.path, target)


def from_dataset(name: str, seed: int, options: dict[str, Any] | None = None) -> Prepared:
    from chainrule.data import list_datasets, load_dataset

    known = list_datasets()
    key = name.lower().replace("-", "_")
    if key not in known:
        raise CommandError(f"unknown data set {name!r}", f"known data sets: {', '.join(known)} "
                           "(or give your own file with --data CSV --target COLUMN)")
    options = dict(options or {})
    try:
        try:
            X, y = load_dataset(key, **options, seed=seed)  # generated sets follow --seed
        except TypeError:
            X, y = load_dataset(key, **options)  # fixed sets (truth tables, scikit-learn's) take no seed
    except ImportError as error:
        raise CommandError(str(error)) from None
    X = np.asarray(X, dtype=np.float64)
    features = [f"x{index + 1}" for index in range(X.shape[1])]
    y = np.asarray(y)
    if y.dtype.kind in "iub" and y.ndim == 1:
        codes, classes = encode_labels(list(y.tolist()), f"data set {name!r}")
        return Prepared(X, codes, "classification", features, classes, f"{key} (built-in)", "y")
    return Prepared(X, y.astype(np.float64).reshape(len(y), -1), "regression", features, None,
                    f"{key} (built-in)", "y")


@dataclass
class Scaling:
    """Per-column ``(x - mean) / std``; stored in the model file as plain lists."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> Scaling:
        # NOTE: mean and std of values / max|value| (then scaled back), so that columns of huge numbers
        # (1e300) do not overflow when squared; a constant column gets std 1 (no division by zero).
        size = np.max(np.abs(values), axis=0) if len(values) else np.ones(values.shape[1:])
        size = np.where(size > 0, size, 1.0)
        unit = values / size
        std = unit.std(axis=0) * size
        return cls(unit.mean(axis=0) * size, np.where(std > 0, std, 1.0))

    def apply(self, values: np.ndarray) -> np.ndarray:
        """``(values - mean) / std`` in float32; values far outside the training range may give inf
        (callers check with :func:`first_non_finite`)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return ((values - self.mean) / self.std).astype(np.float32)

    def invert(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return values.astype(np.float64) * self.std + self.mean

    def to_json(self) -> dict[str, list[float]]:
        return {"mean": [float(v) for v in self.mean], "std": [float(v) for v in self.std]}

    @classmethod
    def from_json(cls, data: Any, size: int, what: str) -> Scaling:
        try:
            mean = np.asarray(data["mean"], dtype=np.float64)
            std = np.asarray(data["std"], dtype=np.float64)
        except (KeyError, TypeError, ValueError):
            raise CommandError(f"the model file's {what} scaling is malformed") from None
        if mean.shape != (size,) or std.shape != (size,):
            raise CommandError(f"the model file's {what} scaling has {mean.shape} values, expected {size}")
        return cls(mean, std)
