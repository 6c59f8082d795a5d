"""What the ``Diagnostics`` callback costs per epoch, on benchmark 1's setting: an MLP 784-256-128-10
with ReLU, softmax cross-entropy, SGD lr 0.1, batch 128, one epoch of MNIST-shaped data, via ``cr.fit``.

    python bench/diagnostics_cost.py            # 60000 samples, 5 interleaved rounds
    python bench/diagnostics_cost.py --quick    # 12000 samples, 3 rounds
    OPENBLAS_NUM_THREADS=1 python bench/diagnostics_cost.py --cpu-time   # on a busy machine

Runs ``cr.fit`` for one epoch without and with ``cr.train.Diagnostics()``, alternating which goes first
in each round, and prints the median seconds per epoch of each (min-max beside it) and the overhead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from run import MNIST_SIZES, _mnist_data  # noqa: E402

import chainrule as cr  # noqa: E402

CLOCK = time.perf_counter


def one_epoch(X: np.ndarray, y: np.ndarray, with_diagnostics: bool) -> float:
    cr.manual_seed(0)
    layers: list[cr.nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(MNIST_SIZES[:-1], MNIST_SIZES[1:], strict=True)):
        layers.append(cr.nn.Linear(n_in, n_out))
        if i < len(MNIST_SIZES) - 2:
            layers.append(cr.nn.ReLU())
    model = cr.nn.Sequential(*layers)
    callbacks = [cr.train.Diagnostics(verbose=False)] if with_diagnostics else []
    start = CLOCK()
    cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=1, batch_size=128, shuffle=True,
           seed=0, callbacks=callbacks, verbose=False)
    return CLOCK() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cpu-time", action="store_true", help="CPU seconds of this process, not wall time")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    global CLOCK
    if args.cpu_time:
        CLOCK = time.process_time
    n, rounds = (12_000, 3) if args.quick else (60_000, 5)
    rounds = args.rounds or rounds
    X, y = _mnist_data(n, np.float32)
    one_epoch(X[:1024], y[:1024], True)  # warm-up
    times: dict[bool, list[float]] = {False: [], True: []}
    for r in range(rounds):
        for flag in ((False, True) if r % 2 == 0 else (True, False)):
            times[flag].append(one_epoch(X, y, flag))
    plain, watched = statistics.median(times[False]), statistics.median(times[True])
    for label, flag, value in (("without Diagnostics", False, plain), ("with Diagnostics", True, watched)):
        print(f"{label:<20} {value:7.3f} s/epoch  (min {min(times[flag]):.3f}, max {max(times[flag]):.3f}; "
              f"{n} samples, {n // 128 + (n % 128 > 0)} batches)")
    print(f"overhead: {watched - plain:+.3f} s/epoch ({100 * (watched / plain - 1):+.1f}%)")


if __name__ == "__main__":
    main()
