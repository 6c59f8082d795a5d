"""chainrule.sklearn against sklearn.neural_network, side by side: test score and training time per epoch.

    python bench/sklearn_table.py                 # 5 seeds, every data set and solver (a few minutes)
    python bench/sklearn_table.py --seeds 2       # quicker
    python bench/sklearn_table.py --dtype float32 # both trained on float32 data

Both libraries get the same data (a stratified 75/25 split, standardised on the training part; regression
targets standardised too), the same hyperparameters (scikit-learn's defaults: one hidden layer of 100
ReLU units, alpha=1e-4, batch_size=min(200, n), max_iter=200, tol=1e-4, n_iter_no_change=10; only the
solver changes) and the same seeds (random_state=0, 1, ...). They run interleaved, one BLAS thread each,
and the time is CPU time (``time.process_time``), so a busy machine slows both alike. Time per epoch is
the fit time over ``n_iter_`` (for lbfgs: per L-BFGS iteration, each one or more loss evaluations).
The score is accuracy (classifiers) or R^2 (regressors) on the held-out quarter: mean +- standard
deviation over the seeds. Nothing here asserts anything; tests/sklearn/test_sklearn_parity.py does.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn import datasets, neural_network
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from chainrule import sklearn as cr_sklearn


def _regression(n_samples: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    return datasets.make_regression(n_samples=n_samples, n_features=20, n_informative=10, noise=10.0,
                                    random_state=0)


DATA: dict[str, tuple[str, Callable[[], tuple[np.ndarray, np.ndarray]]]] = {
    "iris": ("classifier", lambda: datasets.load_iris(return_X_y=True)),
    "wine": ("classifier", lambda: datasets.load_wine(return_X_y=True)),
    "breast_cancer": ("classifier", lambda: datasets.load_breast_cancer(return_X_y=True)),
    "digits": ("classifier", lambda: datasets.load_digits(return_X_y=True)),
    "diabetes": ("regressor", lambda: datasets.load_diabetes(return_X_y=True)),
    "make_regression": ("regressor", _regression),
}
SOLVERS = ("adam", "sgd", "lbfgs")


def _prepared(name: str, dtype: str) -> tuple[str, tuple[np.ndarray, ...]]:
    kind, load = DATA[name]
    X, y = load()
    if kind == "regressor":
        y = (y - y.mean()) / y.std()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y if kind == "classifier" else None)
    scaler = StandardScaler().fit(X_train)
    return kind, (scaler.transform(X_train).astype(dtype), scaler.transform(X_test).astype(dtype), y_train, y_test)


def _run(estimator: Any, split: tuple[np.ndarray, ...]) -> tuple[float, float, int]:
    """(test score, CPU seconds per epoch, epochs) of one fit."""
    X_train, X_test, y_train, y_test = split
    start = time.process_time()
    estimator.fit(X_train, y_train)
    seconds = time.process_time() - start
    return float(estimator.score(X_test, y_test)), seconds / max(estimator.n_iter_, 1), int(estimator.n_iter_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("--only", nargs="*", default=list(DATA), choices=list(DATA))
    args = parser.parse_args()

    rows = []
    for name in args.only:
        kind, split = _prepared(name, args.dtype)
        libraries = {
            "scikit-learn": getattr(neural_network, "MLPClassifier" if kind == "classifier" else "MLPRegressor"),
            "chainrule": getattr(cr_sklearn, "MLPClassifier" if kind == "classifier" else "MLPRegressor"),
        }
        for solver in SOLVERS:
            results: dict[str, list[tuple[float, float, int]]] = {library: [] for library in libraries}
            for seed in range(args.seeds):
                # Alternate who goes first, so that a slow moment of the machine hits both alike.
                order = list(libraries) if seed % 2 == 0 else list(reversed(libraries))
                for library in order:
                    with warnings.catch_warnings(), threadpool_limits(limits=1):
                        warnings.simplefilter("ignore", ConvergenceWarning)
                        estimator = libraries[library](solver=solver, random_state=seed)
                        results[library].append(_run(estimator, split))
            rows.append((name, solver, results))
            print(_line(name, solver, results), flush=True)

    print()
    print(f"| data set | solver | scikit-learn score | chainrule score | scikit-learn ms/epoch | chainrule ms/epoch "
          f"| time ratio |   ({args.seeds} seeds, {args.dtype}, CPU time, 1 thread)")
    print("|---|---|---|---|---|---|---|")
    for name, solver, results in rows:
        print(_line(name, solver, results))


def _line(name: str, solver: str, results: dict[str, list[tuple[float, float, int]]]) -> str:
    def score(library: str) -> str:
        values = [r[0] for r in results[library]]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        return f"{statistics.mean(values):.3f} ± {spread:.3f}"

    def per_epoch(library: str) -> float:
        return statistics.median(r[1] for r in results[library]) * 1000

    ratio = per_epoch("chainrule") / per_epoch("scikit-learn")
    return (f"| {name} | {solver} | {score('scikit-learn')} | {score('chainrule')} | {per_epoch('scikit-learn'):.2f} "
            f"| {per_epoch('chainrule'):.2f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
