"""Running ``python -m chainrule`` as a user would, and small CSV files to run it on."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

COMMAND = [sys.executable, "-m", "chainrule"]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    return env


def run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``chainrule ARGS`` in ``cwd``, output captured (so stdout is not a terminal: no progress bars)."""
    return subprocess.run([*COMMAND, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=environment())


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*COMMAND, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=environment())


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def classification_csv(path: Path, n: int = 120, seed: int = 0) -> Path:
    """Three numeric features; the label ('low'/'mid'/'high') depends on the first two."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, 0.0]   # very different scales
    score = X[:, 0] + (X[:, 1] - 50.0) / 10.0
    labels = np.where(score < -0.7, "low", np.where(score < 0.7, "mid", "high"))
    rows = [[f"{a:.5f}", f"{b:.5f}", f"{c:.5f}", label] for (a, b, c), label in zip(X, labels, strict=True)]
    return write_csv(path, ["sepal", "petal", "noise", "species"], rows)


def regression_csv(path: Path, n: int = 120, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = 1000.0 + 300.0 * X[:, 0] - 200.0 * X[:, 1] + rng.normal(scale=5.0, size=n)
    rows = [[f"{a:.5f}", f"{b:.5f}", f"{t:.4f}"] for (a, b), t in zip(X, y, strict=True)]
    return write_csv(path, ["rooms", "distance", "price"], rows)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The stderr lines of a failed command, checked to be the one or two promised lines."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, result.stderr
    assert all(line.startswith("chainrule: error:") for line in lines), result.stderr
    return lines
