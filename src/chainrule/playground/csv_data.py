"""A user's CSV file in the playground: read with the command line's CSV reader (same rules, same
messages naming the line and column), then a target column and two columns to draw are picked.

A column that holds no number at all (a name or an id) is left out with a notice; a missing or
non-numeric cell in a feature column, or a target with one class, is refused with a message naming it.
More than :data:`MAX_ROWS` rows are sampled down (the page redraws every point many times a second).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from chainrule.cli.csvdata import Table, _is_number, check_missing, numeric_columns, read_table
from chainrule.cli.errors import CommandError

MAX_ROWS = 5000
MAX_BYTES = 20_000_000
MAX_CLASSES = 10


def _message(error: CommandError, temporary: str, name: str) -> str:
    return " ".join(filter(None, [error.message, error.hint])).replace(temporary, name)


@dataclass
class Selection:
    """The numbers to train on: ``X`` (standardised, plotted pair first), ``y``, and what they mean."""

    X: np.ndarray
    y: np.ndarray
    kind: str
    class_names: list[str]
    feature_names: list[str]
    notices: list[str] = field(default_factory=list)


class CsvData:
    """One CSV file's table (kept as text until a target is chosen)."""

    def __init__(self, table: Table, name: str) -> None:
        self.table, self.name = table, name

    @classmethod
    def from_path(cls, path: str) -> CsvData:
        """Read a file; a bad file raises ``ValueError`` with the reader's message."""
        try:
            return cls(read_table(path), os.path.basename(path))
        except CommandError as error:
            raise ValueError(_message(error, path, path)) from None

    @classmethod
    def from_text(cls, text: str, name: str) -> CsvData:
        """Read the text of an uploaded file (``name`` is how messages call it)."""
        if len(text) > MAX_BYTES:
            raise ValueError(f"{name} is {len(text) / 1e6:.0f} MB; the playground takes CSV files up to "
                             f"{MAX_BYTES // 1_000_000} MB")
        if "\x00" in text or "\ufffd" in text:     # the browser decodes any bytes; these mark a binary file
            raise ValueError(f"{name} is not UTF-8 text (is it a CSV file?); save it as CSV (UTF-8) and try again")
        handle, temporary = tempfile.mkstemp(suffix=".csv")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            table = read_table(temporary)
        except CommandError as error:
            raise ValueError(_message(error, temporary, name)) from None
        finally:
            os.unlink(temporary)
        table.path = name
        return cls(table, name)

    @property
    def columns(self) -> list[str]:
        return list(self.table.columns)

    def select(self, target: str, plot: list[str]) -> Selection:
        """Features and target for ``target`` (default: the last column), ``plot`` drawn (default: the
        first two feature columns)."""
        table, notices = self.table, []
        target = target or table.columns[-1]
        if target not in table.columns:
            raise ValueError(f"target column {target!r} is not in {self.name}; its columns: {', '.join(table.columns)}")
        candidates = [c for c in table.columns if c != target]
        text_only = [c for c in candidates if not any(_is_number(cell) for cell in table.column(c))]
        if text_only:
            notices.append(f"left out column(s) holding text, not numbers: {', '.join(text_only)}")
        features = [c for c in candidates if c not in text_only]
        if len(features) < 2:
            raise ValueError(f"{self.name} has {len(features)} numeric feature column(s) besides the target "
                             f"{target!r}; the playground draws two, so it needs at least two")
        plot = plot or features[:2]
        for name in plot:
            if name not in features:
                raise ValueError(f"cannot draw column {name!r}; numeric feature columns: {', '.join(features)}")
        if plot[0] == plot[1]:
            raise ValueError(f"pick two different columns to draw (both are {plot[0]!r})")
        features = plot + [c for c in features if c not in plot]
        try:
            X = numeric_columns(table, features, "column {name!r} holds text; remove it or make it the target")
            check_missing(table, target)
        except CommandError as error:
            raise ValueError(_message(error, table.path, self.name)) from None
        X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        y, kind, class_names = self._target(target)
        if len(X) > MAX_ROWS:
            keep = np.sort(np.random.default_rng(0).choice(len(X), MAX_ROWS, replace=False))
            X, y = X[keep], y[keep]
            notices.append(f"{self.name} has {len(table.rows)} rows; the playground uses a random {MAX_ROWS} of them")
        return Selection(X, y, kind, class_names, features, notices)

    def _target(self, target: str) -> tuple[np.ndarray, str, list[str]]:
        cells = self.table.column(target)
        distinct = sorted(set(cells))
        numeric = all(_is_number(cell) for cell in distinct)
        if numeric and len(distinct) > MAX_CLASSES:          # many numbers: a quantity to predict
            values = np.array(cells, dtype=np.float64)
            if not np.all(np.isfinite(values)):
                raise ValueError(f"target column {target!r} of {self.name} holds a value that is not finite")
            return (values - values.mean()) / (values.std() or 1.0), "regression", []
        if len(distinct) < 2:
            raise ValueError(f"target column {target!r} of {self.name} holds one class only ({distinct[0]!r}); "
                             "a classifier needs at least two classes")
        if len(distinct) > MAX_CLASSES:
            raise ValueError(f"target column {target!r} of {self.name} has {len(distinct)} different text values; "
                             f"the playground colours up to {MAX_CLASSES} classes")
        if numeric:
            distinct.sort(key=float)
        index = {name: k for k, name in enumerate(distinct)}
        return np.array([index[cell] for cell in cells], dtype=np.int64), "classification", distinct


__all__ = ["MAX_ROWS", "CsvData", "Selection"]
