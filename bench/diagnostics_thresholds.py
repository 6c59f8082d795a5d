"""Measure the figures ``cr.diagnose`` puts thresholds on, on healthy and on broken networks, and show
where each threshold falls between them.

    python bench/diagnostics_thresholds.py           # a few minutes on one core
    python bench/diagnostics_thresholds.py --quick   # fewer networks (a smoke run)

Healthy: sigmoid, tanh and ReLU MLPs with 1 to 3 hidden layers (plus 4-layer ReLU and tanh nets) on
blobs, moons, spirals, iris, wine and digits, with standardised inputs and (for the data sets whose raw
scale is moderate, and digits as pixels / 16) without, measured before training and after 30 epochs
of Adam (lr 0.01); a network
counts as healthy only if that training reached 90% training accuracy (85% on spirals). The learning
rate figure is measured at initialisation for a grid of SGD and Adam learning rates on moons, spirals and
digits (standardised), each then used for 20 epochs to see whether it trains. Broken: each failure
built on purpose. The table gives each figure's range on both sides and the
threshold in ``chainrule.train.findings``; nothing here asserts anything.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import chainrule as cr  # noqa: E402
from chainrule import nn  # noqa: E402
from chainrule.train import findings  # noqa: E402

ACTIVATIONS: dict[str, Callable[[], Any]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


def standardise(X: np.ndarray) -> np.ndarray:
    std = X.std(axis=0)
    return ((X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)).astype(np.float32)


def datasets(quick: bool) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    sets = {
        "blobs": cr.data.blobs(n_samples=300, centers=3, seed=0),
        "moons": cr.data.moons(n_samples=300, noise=0.1, seed=0),
        "spirals": cr.data.spirals(n_samples=300, noise=0.05, seed=0),
        "iris": cr.data.load_dataset("iris"),
        "wine": cr.data.load_dataset("wine"),
        "digits": cr.data.load_dataset("digits"),
    }
    if quick:
        sets = {k: sets[k] for k in ("blobs", "moons", "digits")}
    return {k: (np.asarray(X, np.float32), np.asarray(y).reshape(-1)) for k, (X, y) in sets.items()}


def mlp(n_in: int, n_out: int, activation: str, depth: int, width: int = 32) -> nn.Sequential:
    layers: list[Any] = []
    size = n_in
    for _ in range(depth):
        layers += [nn.Linear(size, width), ACTIVATIONS[activation]()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, n_out))


def accuracy(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(cr.train.predict(model, X).argmax(axis=1) == y))


def figures_of(model: Any, X: np.ndarray, y: np.ndarray, **kwargs: Any) -> dict[str, float]:
    return cr.diagnose(model, X, y, loss="cross_entropy", **kwargs).figures


def healthy(quick: bool) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]]]:
    """Figures of every network that then trained well (before and after training), the list of
    configurations that did not train (reported, not used), and digits with 0-16 pixels (reported apart)."""
    rows: list[dict[str, Any]] = []
    apart: list[dict[str, Any]] = []
    failed: list[str] = []
    depths = (1, 2) if quick else (1, 2, 3, 4)
    for name, (X_raw, y) in datasets(quick).items():
        n_classes = int(y.max()) + 1
        # Raw wine has features in the hundreds: it is one of the broken cases, not a healthy one. Digits
        # are used as the README does, pixels / 16 in [0, 1]; the 0-16 pixels are reported apart.
        scalings = {"standardised": standardise(X_raw)}
        if name == "digits":
            scalings["raw"] = X_raw / 16
            scalings["0-16"] = X_raw
        elif name != "wine":
            scalings["raw"] = X_raw
        for scaling, X in scalings.items():
            for activation in ACTIVATIONS:
                for depth in depths:
                    if depth == 4 and activation == "sigmoid":
                        continue  # 4 sigmoid layers is the start of the vanishing-gradient regime
                    cr.manual_seed(depth)
                    model = mlp(X.shape[1], n_classes, activation, depth)
                    before = {}
                    before = figures_of(model, X, y)
                    watch = cr.train.Diagnostics(divergence=1e12, blowup=1e12, verbose=False)
                    cr.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=30,
                           batch_size=32, verbose=False, seed=0, callbacks=[watch])
                    score = accuracy(model, X, y)
                    label = f"{name}/{scaling}/{activation}x{depth}"
                    if score < (0.85 if name == "spirals" else 0.9):
                        failed.append(f"{label} (accuracy {score:.2f})")
                        continue
                    after = figures_of(model, X, y)
                    before["case"], after["case"] = f"{label} before training", f"{label} after training"
                    after["loss_ratio"] = watch.max_loss_ratio
                    if scaling == "0-16":
                        apart += [before, after]
                    else:
                        rows += [before, after]
    return rows, failed, apart


LEARNING_RATES = (("sgd", 1e-5), ("sgd", 1e-3), ("sgd", 0.01), ("sgd", 0.1), ("sgd", 0.5), ("sgd", 5.0),
                  ("sgd", 50.0), ("adam", 1e-6), ("adam", 1e-4), ("adam", 1e-3), ("adam", 0.01), ("adam", 0.1),
                  ("adam", 1.0))


def learning_rates(quick: bool) -> list[tuple[str, float, bool, float, tuple[float, bool]]]:
    """(case, update ratio at initialisation, trained?, lr) for a grid of optimiser settings, each then
    used for 20 epochs: 'trained' means 90% training accuracy (85% on spirals) and no divergence."""
    results = []
    sets = datasets(quick)
    for name in ("moons", "spirals", "digits"):
        if name not in sets:
            continue
        X, y = standardise(sets[name][0]), sets[name][1]
        for activation in ACTIVATIONS:
            for optimizer, lr in LEARNING_RATES:
                cr.manual_seed(0)
                model = mlp(X.shape[1], int(y.max()) + 1, activation, 2)
                ratio = figures_of(model, X, y, optimizer=optimizer, lr=lr)["update_ratio"]
                watch = cr.train.Diagnostics(divergence=1e12, blowup=1e12, verbose=False)
                try:
                    cr.fit(model, X, y, loss="cross_entropy", optimizer=optimizer, lr=lr, epochs=20, batch_size=32,
                           verbose=False, seed=0, callbacks=[watch])
                    score = accuracy(model, X, y)
                except FloatingPointError:
                    score = 0.0
                diverged = watch.stopped is not None or not np.isfinite(score) or score == 0.0
                results.append((f"{name}/{activation}x2 {optimizer} lr {lr:g}", ratio,
                                score >= (0.85 if name == "spirals" else 0.9), lr,
                                (watch.max_loss_ratio, diverged)))
    return results


def broken() -> dict[str, list[tuple[str, float]]]:
    """The figure each failure is meant to raise, per kind: (case, value)."""
    X, y = datasets(False)["moons"]
    Xs = standardise(X)
    cases: dict[str, list[tuple[str, float]]] = {k: [] for k in ("dead_fraction", "saturated_fraction",
                                                                  "error_signal_ratio_min", "error_signal_ratio_max",
                                                                  "input_scale", "input_scale_ratio")}
    for depth in (1, 2, 3):
        for bias in (-1.0, -2.0, -3.0):
            cr.manual_seed(depth)
            model = mlp(2, 2, "relu", depth)
            model[0].bias.data[...] = bias
            cases["dead_fraction"].append((f"relu x{depth}, first bias {bias:g}",
                                           figures_of(model, Xs, y)["dead_fraction"]))
        cr.manual_seed(depth)
        model = mlp(2, 2, "relu", depth)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                cr.fit(model, Xs, y, loss="cross_entropy", optimizer="sgd", lr=20.0, epochs=1, batch_size=32,
                       verbose=False, seed=0)
            except FloatingPointError:
                pass
        value = figures_of(model, Xs, y)["dead_fraction"]
        if math.isfinite(value):
            cases["dead_fraction"].append((f"relu x{depth}, after an epoch of SGD lr 20", value))
    for activation in ("sigmoid", "tanh"):
        for depth in (1, 2):
            cr.manual_seed(depth)
            model = mlp(2, 2, activation, depth)
            cases["saturated_fraction"].append((f"{activation} x{depth}, inputs x100",
                                                figures_of(model, Xs * 100, y)["saturated_fraction"]))
            cr.manual_seed(depth)
            model = mlp(2, 2, activation, depth)
            for p in model.parameters():
                if p.dim() == 2:
                    nn.init.normal_(p, std=5.0)
            cases["saturated_fraction"].append((f"{activation} x{depth}, weights std 5",
                                                figures_of(model, Xs, y)["saturated_fraction"]))
    for depth in (6, 8, 10):
        cr.manual_seed(depth)
        deep = mlp(2, 2, "sigmoid", depth)
        cases["error_signal_ratio_min"].append((f"sigmoid x{depth}", figures_of(deep, Xs, y)["error_signal_ratio_min"]))
        cr.manual_seed(depth)
        model = mlp(2, 2, "relu", depth - 2)
        for p in model.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=1.0)
        cases["error_signal_ratio_max"].append((f"relu x{depth - 2}, weights std 1",
                                                figures_of(model, Xs, y)["error_signal_ratio_max"]))
    for name in ("wine", "breast_cancer"):
        Xr, yr = cr.data.load_dataset(name)
        figures = figures_of(mlp(Xr.shape[1], int(np.max(yr)) + 1, "relu", 1), np.asarray(Xr, np.float32),
                             np.asarray(yr).reshape(-1))
        cases["input_scale"].append((f"{name} as loaded", figures["input_scale"]))
        cases["input_scale_ratio"].append((f"{name} as loaded", figures["input_scale_ratio"]))
    for scale in (100.0, 1000.0):
        mixed = Xs * np.array([1.0, scale], np.float32)
        figures = figures_of(mlp(2, 2, "relu", 1), mixed, y)
        cases["input_scale"].append((f"moons, 2nd feature x{scale:g}", figures["input_scale"]))
        cases["input_scale_ratio"].append((f"moons, 2nd feature x{scale:g}", figures["input_scale_ratio"]))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worst", action="store_true", help="name the healthy networks nearest each threshold")
    parser.add_argument("--worst-count", type=int, default=4)
    args = parser.parse_args()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        rows, failed, apart = healthy(args.quick)
        bad = broken()
        rates = learning_rates(args.quick)
    t = findings.THRESHOLDS
    table = [  # figure, healthy values, broken values, threshold, alarm above (True) or below
        ("dead_fraction", "dead_fraction", "dead_fraction", t["dead_fraction"], True),
        ("saturated_fraction", "saturated_fraction", "saturated_fraction", t["saturated_fraction"], True),
        ("delta ratio (vanishing)", "error_signal_ratio_min", "error_signal_ratio_min", t["vanishing_ratio"], False),
        ("delta ratio (exploding)", "error_signal_ratio_max", "error_signal_ratio_max", t["exploding_ratio"], True),
        ("input rms", "input_scale", "input_scale", t["input_scale"], True),
        ("input std / median std", "input_scale_ratio", "input_scale_ratio", t["input_scale_ratio"], True),
    ]
    if args.worst:
        for label, key, _, _, above in table:
            ranked = sorted((r for r in rows if math.isfinite(r.get(key, math.nan))), key=lambda r: r[key],
                            reverse=above)
            print(f"healthy, {label}: " + "; ".join(f"{r['case']} {r[key]:.3g}" for r in ranked[:args.worst_count]))
    print(f"healthy networks: {len(rows) // 2} (figures before and after training); did not train: "
          f"{len(failed)} {failed}")
    print("\n| figure | healthy range | broken range | threshold | in the gap | alarms, healthy | alarms, broken |")
    print("|---|---|---|---|---|---|---|")

    def line(label: str, good: list[float], worse: list[float], threshold: float, above: bool) -> None:
        good = [v for v in good if math.isfinite(v)]
        worse = [v for v in worse if math.isfinite(v)]
        def alarms(values: list[float]) -> int:
            return sum((v > threshold) if above else (v < threshold) for v in values)

        gap = (max(good) < threshold < min(worse)) if above else (min(good) > threshold > max(worse))
        print(f"| {label} | {min(good):.3g} .. {max(good):.3g} | {min(worse):.3g} .. {max(worse):.3g} | "
              f"{'>' if above else '<'} {threshold:g} | {'yes' if gap else 'overlap'} | "
              f"{alarms(good)}/{len(good)} | {alarms(worse)}/{len(worse)} |")

    for label, key, bad_key, threshold, above in table:
        line(label, [r[key] for r in rows if key in r], [v for _, v in bad[bad_key]], threshold, above)
    trained = [ratio for _, ratio, ok, _, _ in rates if ok]
    # A failure is "lr too large" above the largest rate that trained the same network with the same
    # optimiser, "too small" below the smallest one.
    # (Networks no setting trained are left out.)
    working: dict[str, list[float]] = {}
    for case, _, ok, lr, _ in rates:
        if ok:
            working.setdefault(case.rsplit(" lr ", 1)[0], []).append(lr)
    failed_rates = [(working[case.rsplit(" lr ", 1)[0]], r, lr) for case, r, ok, lr, _ in rates
                    if not ok and case.rsplit(" lr ", 1)[0] in working]
    too_large = [r for good_rates, r, lr in failed_rates if lr > max(good_rates)]
    too_small = [r for good_rates, r, lr in failed_rates if lr < min(good_rates)]
    line("update ratio (lr too large)", trained, too_large, t["update_ratio_high"], True)
    line("update ratio (lr too small)", trained, too_small, t["update_ratio_low"], False)
    print("\nlearning rates (update ratio at initialisation; trained in 20 epochs?):")
    for case, ratio, ok, _, (loss_ratio, _) in rates:
        print(f"  {case:<36} {ratio:9.2g}  {'trained' if ok else 'FAILED':<8} largest loss / starting loss "
              f"{loss_ratio:9.3g}")
    # The Diagnostics callback's divergence factor: batch loss / starting loss.
    calm = [r for r in rows if "loss_ratio" in r]
    calm_rates = [extra for _, _, ok, _, extra in rates if ok]
    print("\nDiagnostics callback: largest batch loss / starting loss")
    print(f"  healthy runs ({len(calm) + len(calm_rates)}): up to "
          f"{max([r['loss_ratio'] for r in calm] + [e[0] for e in calm_rates]):.3g}")
    wild = [extra for case, _, ok, lr, extra in rates if not ok and (lr >= 5 or case.endswith("adam lr 1"))]
    print(f"  runs at SGD lr >= 5 or Adam lr 1 that failed ({len(wild)}): "
          f"{min(e[0] for e in wild):.3g} .. {max(e[0] for e in wild):.3g} (those that stall rather than "
          "diverge stay low)")
    print("\ndigits with 0-16 pixels (not scaled; trains, reported apart):")
    for row in apart:
        print(f"  {row['case']:<44} " + "  ".join(f"{k} {row[k]:.3g}" for k, *_ in
              [(key,) for _, key, *_ in table]))
    print("\nbroken cases:")
    for key, cases in bad.items():
        for case, value in cases:
            print(f"  {key:<24} {case:<40} {value:.3g}")


if __name__ == "__main__":
    main()
