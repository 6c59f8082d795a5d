"""Run every chainrule benchmark against PyTorch, scikit-learn and the NumPy reference.

    python bench/run.py              # all benchmarks, 3 interleaved rounds (about 2 minutes on 2 cores)
    python bench/run.py --quick      # 1 round, smaller sizes (a smoke run)
    python bench/run.py --only 1 2   # a subset
    python bench/run.py --threads 1 --cpu-time   # on a busy machine: one thread, CPU time not wall time

First it checks that the contenders compute the same thing (``same_computation.py``). Then contenders
run interleaved (A B C, then B C A, ...) so that a slow moment of the machine hits all of them alike;
each figure is the median over rounds with the min-max beside it, and every ratio compares figures
from the same run. Results go to bench/results/results.json, the summary table to
bench/results/summary.md and the scaling curves to bench/results/scaling.png. Nothing here asserts
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
from report import print_details, summary_markdown  # noqa: E402
from same_computation import check_same_computation  # noqa: E402

RESULTS: dict[str, Any] = {}
CLOCK: Callable[[], float] = time.perf_counter
MNIST_SIZES = [784, 256, 128, 10]


def _have_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _have_jax() -> bool:
    try:
        import jax  # noqa: F401
    except ImportError:
        return False
    return True


def _set_threads(threads: int | None) -> int:
    """Give NumPy's BLAS, PyTorch and JAX the same number of threads (``threads``, or BLAS's default)."""
    if threads is not None:  # read by XLA when JAX first starts (contenders import it later)
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false "
                                   f"intra_op_parallelism_threads={threads}").strip()
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        current = os.cpu_count() or 1
    else:
        if threads is not None:
            threadpool_limits(threads, user_api="blas")
        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        current = int(infos[0]["num_threads"]) if infos else os.cpu_count() or 1
    threads = threads or current
    if _have_torch():
        import torch

        torch.set_num_threads(threads)
    return threads


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _interleave(contenders: list[str], rounds: int, run: Callable[[str], float]) -> dict[str, dict[str, float]]:
    """Run ``run(name)`` for every contender, rotating the order each round; summarise per contender."""
    samples: dict[str, list[float]] = {c: [] for c in contenders}
    for r in range(rounds):
        shift = r % len(contenders)
        for name in contenders[shift:] + contenders[:shift]:
            samples[name].append(run(name))
    return {name: _summary(values) for name, values in samples.items()}


def _contenders(with_numpy: bool = True, compiled: bool = True, scan: bool = True) -> list[str]:
    """The contenders of a benchmark: chainrule eager and compiled, PyTorch, the NumPy reference, JAX's
    jitted step and JAX's whole epoch under ``lax.scan`` (those installed)."""
    jax = (["jax"] + (["jax_scan"] if scan else [])) if compiled and _have_jax() else []
    return (["chainrule"] + (["chainrule_compiled"] if compiled else []) + (["torch"] if _have_torch() else [])
            + (["numpy"] if with_numpy else []) + jax)


def _mnist_data(n: int, dtype: Any, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-shaped random data: n samples of 784 values in [0, 1), labels 0-9."""
    rng = np.random.default_rng(seed)
    return rng.random((n, 784)).astype(dtype), rng.integers(0, 10, n)


def _samples_per_second(maker: str, sizes: list[int], dtype: Any, x: np.ndarray, y: np.ndarray, batch: int,
                        optimizer: str = "sgd") -> float:
    """Train a fresh network for one epoch over (x, y) in mini-batches; samples per second."""
    contender = MAKERS[maker](sizes, dtype, optimizer=optimizer)
    step, epoch = contender.step, contender.epoch
    last = len(x) - batch + 1
    if epoch is not None:  # the whole epoch in one call; the warm-up epoch compiles it
        epoch(x, y, batch)
        start = CLOCK()
        epoch(x, y, batch)
        return len(range(0, last, batch)) * batch / (CLOCK() - start)
    for _ in range(3):  # warm-up: first-call allocations (and cr.compile's two traces) are not timed
        step(x[:batch], y[:batch])
    start = CLOCK()
    for i in range(0, last, batch):
        step(x[i:i + batch], y[i:i + batch])
    return len(range(0, last, batch)) * batch / (CLOCK() - start)


def bench_mnist(args: argparse.Namespace) -> None:
    """1. MLP 784-256-128-10, ReLU, softmax cross-entropy, SGD lr 0.1, batch 128, one epoch."""
    n = 12_000 if args.quick else 60_000
    for dtype in (np.float32, np.float64):
        x, y = _mnist_data(n, dtype)
        RESULTS[f"1_mnist_{np.dtype(dtype).name}_samples_per_s"] = _interleave(
            _contenders(), args.rounds,
            lambda m, dtype=dtype, x=x, y=y: _samples_per_second(m, MNIST_SIZES, dtype, x, y, 128))


def bench_tiny(args: argparse.Namespace) -> None:
    """2. 2-4-1 sigmoid MLP, MSE, the four XOR points, full-batch steps: microseconds per step."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    steps = 1000 if args.quick else 5000

    def run(maker: str) -> float:
        contender = MAKERS[maker]([2, 4, 1], np.float32, activation="sigmoid", loss="mse")
        step, epoch = contender.step, contender.epoch
        if epoch is not None:  # `steps` full-batch steps in one lax.scan; the first call compiles it
            xs, ys = np.tile(x, (steps, 1)), np.tile(y, (steps, 1))
            epoch(xs, ys, len(x))
            start = CLOCK()
            epoch(xs, ys, len(x))
            return (CLOCK() - start) / steps * 1e6
        for _ in range(50):
            step(x, y)
        start = CLOCK()
        for _ in range(steps):
            step(x, y)
        return (CLOCK() - start) / steps * 1e6

    RESULTS["2_tiny_us_per_step"] = _interleave(_contenders(), args.rounds, run)


def bench_inference(args: argparse.Namespace) -> None:
    """3. Forward pass under no_grad of 10,000 samples through network 1: samples per second."""
    x, _ = _mnist_data(10_000, np.float32)
    repeats = 5 if args.quick else 20

    def run(maker: str) -> float:
        predict = MAKERS[maker](MNIST_SIZES, np.float32).predict
        predict(x)
        start = CLOCK()
        for _ in range(repeats):
            predict(x)
        return repeats * len(x) / (CLOCK() - start)

    RESULTS["3_inference_samples_per_s"] = _interleave(_contenders(scan=False), args.rounds, run)


def bench_optimizers(args: argparse.Namespace) -> None:
    """4. Benchmark 1 with Adam (lr 1e-3) and with SGD + momentum 0.9 + weight decay 1e-4 (float32)."""
    n = 6_000 if args.quick else 20_000
    x, y = _mnist_data(n, np.float32)
    for optimizer in ("adam", "sgd_momentum_wd"):
        RESULTS[f"4_{optimizer}_samples_per_s"] = _interleave(
            _contenders(with_numpy=False), args.rounds,
            lambda m, o=optimizer: _samples_per_second(m, MNIST_SIZES, np.float32, x, y, 128, optimizer=o))


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
            estimator = cls(hidden_layer_sizes=(256, 128), solver=solver, batch_size=128, max_iter=2,
                            learning_rate_init=0.01 if solver == "sgd" else 0.001, random_state=0, tol=0.0,
                            n_iter_no_change=1000)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = CLOCK()
                estimator.fit(x, y)
            return (CLOCK() - start) / max(estimator.n_iter_, 1)

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
    for width, batch in [(w, 128) for w in widths] + [(256, b) for b in batches]:
        n = min(samples, batch * 512)  # at most 512 steps per point: batch 1 would take minutes otherwise
        result = _interleave(["chainrule", "torch"], args.rounds,
                             lambda m, w=width, b=batch, n=n: _samples_per_second(m, [784, w, w, 10], np.float32,
                                                                                   x[:n], y[:n], b))
        ratio = result["chainrule"]["median"] / result["torch"]["median"]
        points.append({"width": width, "batch": batch, "ratio": ratio,
                       **{name: value["median"] for name, value in result.items()}})
    RESULTS["6_scaling"] = points
    _plot_scaling(points[:len(widths)], points[len(widths):], args.out / "scaling.png")


def _plot_scaling(by_width: list[dict[str, Any]], by_batch: list[dict[str, Any]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, series, key, label in ((axes[0], by_width, "width", "hidden width (batch 128)"),
                                   (axes[1], by_batch, "batch", "batch size (width 256)")):
        ax.plot([p[key] for p in series], [p["ratio"] for p in series], "o-", label="chainrule")
        ax.axhline(1.0, color="grey", linestyle="--", label="PyTorch")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(label)
        ax.set_ylabel("chainrule / PyTorch throughput")
        ax.legend()
    fig.suptitle("784-w-w-10 MLP training throughput, float32")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def bench_memory(args: argparse.Namespace) -> None:
    """7. Peak resident memory of benchmark 1 per contender (a fresh process each), and RSS per epoch."""
    epochs = 2 if args.quick else 3
    results: dict[str, Any] = {}
    for maker in _contenders(compiled=False):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": str(RESULTS["machine"]["threads"]),
               "OMP_NUM_THREADS": str(RESULTS["machine"]["threads"])}
        out = subprocess.run([sys.executable, str(HERE / "memory_probe.py"), maker, str(epochs)],
                             capture_output=True, text=True, check=False, env=env)
        if out.returncode != 0:
            results[maker] = {"error": out.stderr.strip().splitlines()[-1:]}
            continue
        results[maker] = json.loads(out.stdout.strip().splitlines()[-1])
    RESULTS["7_memory"] = results


BENCHMARKS = {1: bench_mnist, 2: bench_tiny, 3: bench_inference, 4: bench_optimizers, 5: bench_sklearn,
              6: bench_scaling, 7: bench_memory}


def main() -> None:
    global CLOCK
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one round, smaller sizes")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 3, quick 1)")
    parser.add_argument("--only", type=int, nargs="*", choices=sorted(BENCHMARKS), help="benchmarks to run")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS and PyTorch threads (default: NumPy's BLAS default, given to PyTorch too)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with process CPU time instead of wall time (steadier on a busy machine, "
                             "with --threads 1)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.out.mkdir(parents=True, exist_ok=True)
    CLOCK = time.process_time if args.cpu_time else time.perf_counter
    threads = _set_threads(args.threads)
    RESULTS["machine"] = {"python": platform.python_version(), "numpy": np.__version__, "threads": threads,
                          "cpus": os.cpu_count(), "clock": "process CPU time" if args.cpu_time else "wall time",
                          "rounds": args.rounds, "quick": args.quick}
    if _have_torch():
        import torch

        RESULTS["machine"]["torch"] = torch.__version__
    for line in check_same_computation(_contenders()):
        print(line, flush=True)
    for number in args.only or sorted(BENCHMARKS):
        print(f"running benchmark {number}: {BENCHMARKS[number].__doc__.splitlines()[0]}", flush=True)
        BENCHMARKS[number](args)
        (args.out / "results.json").write_text(json.dumps(RESULTS, indent=2))  # keep what is done so far
    print_details(RESULTS)
    summary = summary_markdown(RESULTS)
    print("\n" + summary)
    (args.out / "summary.md").write_text(summary + "\n")
    print(f"\nresults written to {args.out / 'results.json'} and {args.out / 'summary.md'}")


if __name__ == "__main__":
    main()
