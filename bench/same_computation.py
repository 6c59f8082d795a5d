"""Before timing anything, check that the contenders compute the same thing.

Every contender starts from the same parameters; after a few training steps on the same batches the
losses they report and the parameters they end with must agree (to rounding: float64 to 1e-9,
float32 to 1e-4, relative), and so must their predictions. A contender that skipped part of the work
would fail here instead of winning the race.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from contenders import MAKERS

# (sizes, activation, loss, optimizer, dtype): every network and optimiser that run.py times.
CASES: list[tuple[list[int], str, str, str, Any]] = [
    ([784, 256, 128, 10], "relu", "cross_entropy", "sgd", np.float32),
    ([784, 256, 128, 10], "relu", "cross_entropy", "sgd", np.float64),
    ([784, 256, 128, 10], "relu", "cross_entropy", "adam", np.float64),
    ([784, 256, 128, 10], "relu", "cross_entropy", "sgd_momentum_wd", np.float64),
    ([2, 4, 1], "sigmoid", "mse", "sgd", np.float32),
    ([2, 4, 1], "sigmoid", "mse", "sgd", np.float64),
]


def _batches(sizes: list[int], loss: str, dtype: Any, steps: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(1)
    if loss == "mse":  # the four XOR points, full batch
        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
        return [(x, np.array([[0], [1], [1], [0]], dtype=dtype))] * steps
    return [(rng.random((64, sizes[0])).astype(dtype), rng.integers(0, sizes[-1], 64)) for _ in range(steps)]


def check_same_computation(contenders: list[str], steps: int = 3) -> list[str]:
    """Run every case on every contender (that implements it) and return a line per case; raise
    ``AssertionError`` naming the case, contender and quantity where two contenders disagree."""
    lines = []
    for sizes, activation, loss, optimizer, dtype in CASES:
        tolerance = 1e-9 if np.dtype(dtype) == np.float64 else 1e-4
        batches = _batches(sizes, loss, dtype, steps)
        results: dict[str, tuple[list[float], list[np.ndarray], np.ndarray]] = {}
        for name in contenders:
            if name == "numpy" and optimizer != "sgd":
                continue
            contender = MAKERS[name](sizes, dtype, optimizer=optimizer, activation=activation, loss=loss)
            losses = [contender.step(x, y) for x, y in batches]
            params = [np.array(p) for p in contender.parameters()]
            results[name] = (losses, params, np.array(contender.predict(batches[0][0])))
        case = f"{'-'.join(map(str, sizes))} {activation} {loss} {optimizer} {np.dtype(dtype).name}"
        first, (losses0, params0, predict0) = next(iter(results.items()))
        worst = 0.0
        for name, (losses, params, predicted) in results.items():
            for what, a, b in [("losses", losses, losses0), ("predictions", predicted, predict0),
                               *((f"parameter {i}", p, q) for i, (p, q) in enumerate(zip(params, params0,
                                                                                             strict=True)))]:
                a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
                if a.shape != b.shape:
                    raise AssertionError(f"{case}: {name} and {first} disagree on the shape of {what}: "
                                         f"{a.shape} vs {b.shape}")
                error = float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-30))
                if not error <= tolerance:
                    raise AssertionError(f"{case}: {name} and {first} disagree on {what} after {steps} steps "
                                         f"(max relative difference {error:.3g} > {tolerance:g})")
                worst = max(worst, error)
        lines.append(f"  same computation: {case:<45} {', '.join(results)}: max rel. diff {worst:.1e}")
    return lines
