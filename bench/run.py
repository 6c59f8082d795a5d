"""Run every chainrule benchmark against PyTorch, scikit-learn and the NumPy reference.

    python bench/run.py            # all benchmarks, 3 interleaved rounds (several minutes on 2 cores)
    python bench/run.py --quick    # 1 round, smaller sizes (a smoke run)
    python bench/run.py --only 1 2 # a subset

Contenders run interleaved (A B C, then B C A, ...) so that a slow moment of the machine hits all of
them alike; each figure is the median over rounds with the min-max beside it. Results go to
bench/results/results.json and the scaling curves to bench/results/scaling.png. Nothing here asserts
a time: benchmarks measure, tests check correctness.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from contenders import MAKERS  # noqa: E402

RESULTS: dict[str, Any] = {}


def _have_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        return int(infos[0]["num_threads"]) if infos else os.cpu_count() or 1
    except ImportError:
        return os.cpu_count() or 1


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _interleave(contenders: list[str], rounds: int, run: Callable[[str], float]) -> dict[str, dict[str, float]]:
    """Run ``run(name)`` for every contender, rotating the order each round; summarise per contender."""
    samples: dict[str, list[float]] = {c: [] for c in contenders}
    for r in range(rounds):
        order = contenders[r % len(contenders):] + contenders[:r % len(contenders)]
        for name in order:
            samples[name].append(run(name))
    return {name: _summary(values) for name, values in samples.items()}


def _mnist_data(n: int, dtype: Any, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float64).astype(dtype)
    y = rng.integers(0, 10, n).astype(np.int64)
    return x, y


def _epoch_seconds(maker: str, sizes: list[int], dtype: Any, x: np.ndarray, y: np.ndarray, batch: int,
                   optimizer: str = "sgd") -> float:
    step, _ = MAKERS[maker](sizes, dtype, optimizer=optimizer)
    step(x[:batch], y[:batch])  # warm-up: first-call allocations are not part of the steady state
    start = time.perf_counter()
    for i in range(0, len(x) - batch + 1, batch):
        step(x[i:i + batch], y[i:i + batch])
    return time.perf_counter() - start


def _contenders(with_numpy: bool = True) -> list[str]:
    names = ["chainrule"]
    if _have_torch():
        names.append("torch")
    if with_numpy:
        names.append("numpy")
    return names


def bench_mnist(args: argparse.Namespace) -> None:
    """1. MLP 784-256-128-10, ReLU, softmax cross-entropy, SGD lr 0.1, batch 128, one epoch."""
    n = 12_000 if args.quick else 60_000
    for dtype in (np.float32, np.float64):
        x, y = _mnist_data(n, dtype)
        result = _interleave(_contenders(), args.rounds,
                             lambda m: n / _epoch_seconds(m, [784, 256, 128, 10], dtype, x, y, 128))
        RESULTS[f"1_mnist_{np.dtype(dtype).name}_samples_per_s"] = result


def bench_tiny(args: argparse.Namespace) -> None:
    """2. 2-4-1 sigmoid MLP, MSE, the four XOR points, full-batch steps: microseconds per step."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    steps = 1000 if args.quick else 5000

    def run(maker: str) -> float:
        step, _ = MAKERS[maker]([2, 4, 1], np.float32, activation="sigmoid", loss="mse")
        for _ in range(50):
            step(x, y)
        start = time.perf_counter()
        for _ in range(steps):
            step(x, y)
        return (time.perf_counter() - start) / steps * 1e6

    RESULTS["2_tiny_us_per_step"] = _interleave(_contenders(), args.rounds, run)


def bench_inference(args: argparse.Namespace) -> None:
    """3. Forward pass under no_grad of 10,000 samples through network 1: samples per second."""
    x, _ = _mnist_data(10_000, np.float32)
    repeats = 5 if args.quick else 20

    def run(maker: str) -> float:
        _, predict = MAKERS[maker]([784, 256, 128, 10], np.float32)
        predict(x)
        start = time.perf_counter()
        for _ in range(repeats):
            predict(x)
        return repeats * len(x) / (time.perf_counter() - start)

    RESULTS["3_inference_samples_per_s"] = _interleave(_contenders(), args.rounds, run)


def bench_optimizers(args: argparse.Namespace) -> None:
    """4. Benchmark 1 with Adam and with SGD + momentum + weight decay (float32, 20,000 samples)."""
    n = 6_000 if args.quick else 20_000
    x, y = _mnist_data(n, np.float32)
    for optimizer in ("adam", "sgd_momentum_wd"):
        result = _interleave(_contenders(with_numpy=False), args.rounds,
                             lambda m, o=optimizer: n / _epoch_seconds(m, [784, 256, 128, 10], np.float32, x, y,
                                                                       128, optimizer=o))
        RESULTS[f"4_{optimizer}_samples_per_s"] = result


def bench_sklearn(args: argparse.Namespace) -> None:
    """5. chainrule.sklearn.MLPClassifier against sklearn's MLPClassifier: seconds per epoch."""
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier as SkMLP

        from chainrule.sklearn import MLPClassifier as CrMLP
    except ImportError as error:
        RESULTS["5_sklearn_s_per_epoch"] = {"skipped": str(error)}
        return
    n = 5_000 if args.quick else 20_000
    x, y = _mnist_data(n, np.float32)
    results: dict[str, Any] = {}
    for solver in ("adam", "sgd"):
        def run(name: str, solver: str = solver) -> float:
            cls = CrMLP if name == "chainrule" else SkMLP
            est = cls(hidden_layer_sizes=(256, 128), solver=solver, batch_size=128, max_iter=2,
                      learning_rate_init=0.01 if solver == "sgd" else 0.001, random_state=0, tol=0.0,
                      n_iter_no_change=1000)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                est.fit(x, y)
            return (time.perf_counter() - start) / max(est.n_iter_, 1)

        results[solver] = _interleave(["chainrule", "sklearn"], args.rounds, run)
    RESULTS["5_sklearn_s_per_epoch"] = results


def bench_scaling(args: argparse.Namespace) -> None:
    """6. Throughput ratio chainrule / PyTorch over hidden width (batch 128) and batch size (width 256)."""
    if not _have_torch():
        RESULTS["6_scaling"] = {"skipped": "torch not installed"}
        return
    widths = [32, 128, 512, 2048]
    batches = [1, 4, 16, 64, 256, 1024]
    samples = 2048 if args.quick else 8192
    x, y = _mnist_data(samples, np.float32)
    points: list[dict[str, Any]] = []
    grid = [(w, 128) for w in widths] + [(256, b) for b in batches]
    for width, batch in grid:
        n = min(samples, max(batch * 8, 256 if batch == 1 else samples))
        result = _interleave(["chainrule", "torch"], args.rounds,
                             lambda m, w=width, b=batch, n=n: n / _epoch_seconds(m, [784, w, w, 10], np.float32,
                                                                                   x[:n], y[:n], b))
        ratio = result["chainrule"]["median"] / result["torch"]["median"]
        points.append({"width": width, "batch": batch, "ratio": ratio, **{k: v["median"] for k, v in result.items()}})
    RESULTS["6_scaling"] = points
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        by_width = points[:len(widths)]
        by_batch = points[len(widths):]
        for ax, series, key, label in ((axes[0], by_width, "width", "hidden width (batch 128)"),
                                       (axes[1], by_batch, "batch", "batch size (width 256)")):
            ax.plot([p[key] for p in series], [p["ratio"] for p in series], "o-")
            ax.axhline(1.0, color="grey", linestyle="--", label="PyTorch")
            ax.set_xscale("log", base=2)
            ax.set_xlabel(label)
            ax.set_ylabel("chainrule / PyTorch throughput")
            ax.legend()
        fig.suptitle("784-w-w-10 MLP training throughput, float32")
        fig.tight_layout()
        fig.savefig(args.out / "scaling.png", dpi=120)
    except ImportError:
        pass


_MEMORY_CHILD = r"""
import resource, sys, time, numpy as np
sys.path.insert(0, {here!r})
from contenders import MAKERS
def rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS'):
                return int(line.split()[1]) / 1024
    return float('nan')
maker = sys.argv[1]
rng = np.random.default_rng(0)
x = rng.random((60000, 784), dtype=np.float64).astype(np.float32); y = rng.integers(0, 10, 60000)
step, _ = MAKERS[maker]([784, 256, 128, 10], np.float32)
base = rss_mb(); per_epoch = []
for epoch in range({epochs}):
    for i in range(0, 60000 - 127, 128):
        step(x[i:i + 128], y[i:i + 128])
    per_epoch.append(rss_mb())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print({{"baseline_mb": base, "per_epoch_rss_mb": per_epoch, "peak_rss_mb": peak}})
"""


def bench_memory(args: argparse.Namespace) -> None:
    """7. Peak resident memory of benchmark 1 per contender (own process each), and RSS after each epoch."""
    epochs = 2 if args.quick else 3
    results: dict[str, Any] = {}
    for maker in _contenders():
        code = _MEMORY_CHILD.format(here=str(HERE), epochs=epochs)
        out = subprocess.run([sys.executable, "-c", code, maker], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            results[maker] = {"error": out.stderr.strip().splitlines()[-1:]}
            continue
        import ast

        results[maker] = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    RESULTS["7_memory"] = results


BENCHMARKS = {1: bench_mnist, 2: bench_tiny, 3: bench_inference, 4: bench_optimizers, 5: bench_sklearn,
              6: bench_scaling, 7: bench_memory}


def print_table() -> None:
    def fmt(v: dict[str, float]) -> str:
        return f"{v['median']:>12.4g}  [{v['min']:.4g} - {v['max']:.4g}]"

    for key, value in RESULTS.items():
        print(f"\n== {key}")
        if key == "6_scaling" and isinstance(value, list):
            print(f"{'width':>6} {'batch':>6} {'chainrule/s':>12} {'torch/s':>12} {'ratio':>7}")
            for p in value:
                print(f"{p['width']:>6} {p['batch']:>6} {p['chainrule']:>12.0f} {p['torch']:>12.0f} {p['ratio']:>7.2f}")
            continue
        if key == "7_memory":
            for name, m in value.items():
                print(f"  {name:<10} {m}")
            continue
        if key == "5_sklearn_s_per_epoch" and "skipped" not in value:
            for solver, res in value.items():
                for name, v in res.items():
                    print(f"  {solver:<5} {name:<10} {fmt(v)}")
                print(f"  {solver:<5} sklearn / chainrule time ratio: {res['sklearn']['median'] / res['chainrule']['median']:.2f}x")
            continue
        if not isinstance(value, dict) or "skipped" in value:
            print(f"  {value}")
            continue
        for name, v in value.items():
            print(f"  {name:<10} {fmt(v)}")
        if "chainrule" in value:
            lower_is_better = key.startswith("2_")
            for other in value:
                if other != "chainrule":
                    a, b = value["chainrule"]["median"], value[other]["median"]
                    ratio = b / a if lower_is_better else a / b
                    print(f"  chainrule vs {other}: {ratio:.2f}x {'(speed-up)' if ratio >= 1 else '(slower)'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one round, smaller sizes")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 3, quick 1)")
    parser.add_argument("--only", type=int, nargs="*", help="benchmark numbers to run (1-7)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.out.mkdir(parents=True, exist_ok=True)
    threads = _blas_threads()
    if _have_torch():
        import torch

        torch.set_num_threads(threads)
    RESULTS["machine"] = {"python": platform.python_version(), "numpy": np.__version__, "threads": threads,
                          "cpus": os.cpu_count()}
    for number in args.only or sorted(BENCHMARKS):
        print(f"running benchmark {number}: {BENCHMARKS[number].__doc__.splitlines()[0]}", flush=True)
        BENCHMARKS[number](args)
    print_table()
    (args.out / "results.json").write_text(json.dumps(RESULTS, indent=2))
    print(f"\nresults written to {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
