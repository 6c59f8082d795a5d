"""Benchmark 7's measurement, run in a fresh process per contender:

    python bench/memory_probe.py chainrule 3

trains benchmark 1's network (float32, batch 128) for the given number of epochs over 60,000 samples
and prints one JSON line: the resident memory (MB) before training, after every epoch, and the peak
during training. The peak counter is reset after the data and the model exist (Linux's
``/proc/self/clear_refs``), so ``peak_training_mb - before_training_mb`` is what training itself
costs; ``peak_rss_mb`` is the process's whole peak (libraries and the 188 MB of data included;
PyTorch's libraries are large).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contenders import MAKERS  # noqa: E402


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB; NaN elsewhere."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # "5" resets VmHWM, the peak resident set size
        return True
    except OSError:
        return False


def main() -> None:
    maker, epochs = sys.argv[1], int(sys.argv[2])
    n, batch = 60_000, 128
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    contender = MAKERS[maker]([784, 256, 128, 10], np.float32)
    contender.step(x[:batch], y[:batch])  # imports and first-call allocations happen before the baseline
    peak_before = _status_mb("VmHWM")  # the peak so far: imports, data and model
    reset = _reset_peak()
    before = _status_mb("VmRSS")
    per_epoch = []
    for _ in range(epochs):
        for i in range(0, n - batch + 1, batch):
            contender.step(x[i:i + batch], y[i:i + batch])
        per_epoch.append(_status_mb("VmRSS"))
    peak_training = _status_mb("VmHWM") if reset else float("nan")
    # NOTE: not getrusage's ru_maxrss, which a child process inherits from its parent (the benchmark runner).
    peak_total = max(peak_before, peak_training) if reset else _status_mb("VmHWM")
    print(json.dumps({"before_training_mb": before, "per_epoch_rss_mb": per_epoch,
                      "peak_training_mb": peak_training, "peak_rss_mb": peak_total,
                      "training_cost_mb": peak_training - before,
                      "growth_after_first_epoch_mb": per_epoch[-1] - per_epoch[0]}))


if __name__ == "__main__":
    main()
