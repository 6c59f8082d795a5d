"""Held-out scores of ``chainrule train`` with its default settings, beside scikit-learn on the same split.

    python bench/cli_defaults.py                 # 5 splits of each data set, the README's table
    python bench/cli_defaults.py --splits 1      # a quick look
    python bench/cli_defaults.py -- --epochs 50  # other chainrule train flags, to compare settings

For each of scikit-learn's bundled diabetes (regression, R^2), breast-cancer and wine (classification,
accuracy) data sets, each split (25% held out, stratified for classes, ``random_state`` = split number)
is written to CSV files; ``chainrule train --data train.csv --target y`` runs with its defaults and
``chainrule evaluate MODEL --data test.csv --target y --json`` scores the held-out part. Beside it, on
the same rows: scikit-learn's ``MLPRegressor``/``MLPClassifier`` with their defaults and a linear
baseline (``Ridge``/``LogisticRegression``), each after ``StandardScaler`` (chainrule standardises its
features, and a regression target, too; so the MLP regressor's target is standardised as well). The
table gives the mean (min-max) over the splits. Nothing here asserts anything.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import statistics
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from chainrule.cli import main

DATASETS = {"diabetes": (load_diabetes, "R^2"), "breast_cancer": (load_breast_cancer, "accuracy"),
            "wine": (load_wine, "accuracy")}


def write(path: Path, X: np.ndarray, y: np.ndarray) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"x{index}" for index in range(X.shape[1])] + ["y"])
        writer.writerows([*row, target] for row, target in zip(X.tolist(), y.tolist(), strict=True))


def chainrule_score(folder: Path, extra: list[str], classification: bool) -> float:
    model = str(folder / "model.safetensors")
    loss = [] if classification else ["--loss", "mse"]   # diabetes targets are whole numbers: say "quantity"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["train", "--data", str(folder / "train.csv"), "--target", "y", "--quiet", "--out", model,
                     *loss, *extra]) == 0
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(io.StringIO()):
        assert main(["evaluate", model, "--data", str(folder / "test.csv"), "--target", "y", "--json"]) == 0
    scores = json.loads(output.getvalue().strip().splitlines()[-1])
    return float(scores["accuracy"] if classification else scores["r2"])


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--only", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("extra", nargs="*", help="chainrule train flags (after --)")
    args = parser.parse_args()
    rows = []
    for name in args.only:
        loader, metric = DATASETS[name]
        X, y = loader(return_X_y=True)
        classification = metric == "accuracy"
        results: dict[str, list[float]] = {"chainrule train (defaults)": [], "scikit-learn MLP (defaults)": [],
                                           "linear baseline": []}
        for split in range(args.splits):
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=split,
                                                                stratify=y if classification else None)
            with tempfile.TemporaryDirectory() as directory:
                folder = Path(directory)
                write(folder / "train.csv", X_train, y_train)
                write(folder / "test.csv", X_test, y_test)
                results["chainrule train (defaults)"].append(chainrule_score(folder, args.extra, classification))
            # NOTE: the regressor's target is standardised too (as chainrule train does); on raw diabetes
            # targets (25..346) MLPRegressor's defaults stop far from a fit (held-out R^2 about -1.3).
            mlp = (MLPClassifier(random_state=split) if classification else
                   TransformedTargetRegressor(MLPRegressor(random_state=split), transformer=StandardScaler()))
            linear = LogisticRegression(max_iter=1000) if classification else Ridge()
            for label, estimator in (("scikit-learn MLP (defaults)", mlp), ("linear baseline", linear)):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    pipeline = make_pipeline(StandardScaler(), estimator).fit(X_train, y_train)
                results[label].append(float(pipeline.score(X_test, y_test)))
        rows.append((f"{name} ({metric})", results))
    labels = list(rows[0][1])
    print("| data set (held-out score) | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for title, results in rows:
        cells = [f"{statistics.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})" for values in results.values()]
        print(f"| {title} | " + " | ".join(cells) + " |")
    print(f"\nmean (min-max) over {args.splits} splits; linear baseline: Ridge / LogisticRegression;"
          f" chainrule flags: {' '.join(args.extra) or '(defaults)'}")


if __name__ == "__main__":
    main_bench()
