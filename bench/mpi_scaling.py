"""Benchmark 1 (MLP 784-256-128-10, ReLU, cross-entropy, SGD lr 0.1, float32) data-parallel over MPI
with 1, 2 and 4 processes: samples per second, and the time per step spent averaging gradients.

    python bench/mpi_scaling.py                 # 1, 2, 4 processes (launches mpiexec itself)
    python bench/mpi_scaling.py --ranks 1 2 8   # other counts
    python bench/mpi_scaling.py --quick         # fewer samples (a smoke run)

Two ways to use more processes, both measured:
- strong scaling: the global batch stays 128, each of N processes computes on 128/N rows;
- weak scaling: each process keeps a batch of 128 (the global batch grows to 128 N).
Every process uses one BLAS thread (``--threads`` to change it), so that the processes, not threads,
share the cores; beyond one process per core the machine is oversubscribed.
"all-reduce" is the time per step in DistributedDataParallel's end-of-backward work (start the bucket
all-reduces, wait for them, divide, hand out the gradients); "all-reduce alone" times a bare all-reduce of
the model's 235,146 float32 gradients (0.94 MB) and gives the bandwidth it reached. Results go to
bench/results/mpi_scaling.json. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SIZES = [784, 256, 128, 10]


def _step(i: int, model: Any, optimizer: Any, loss_fn: Any, x: Any, y: Any, global_batch: int, first: int,
          rows: int) -> None:
    """One SGD step of one process: its ``rows`` rows of the i-th global batch."""
    import chainrule as cr

    chosen = slice(i * global_batch + first, i * global_batch + first + rows)
    optimizer.zero_grad()
    loss_fn(model(cr.from_numpy(x[chosen])), cr.from_numpy(y[chosen])).backward()
    optimizer.step()


def _worker(samples: int, out: str) -> None:
    """One process of the MPI job: time both scalings; rank 0 writes the figures."""
    import numpy as np

    import chainrule as cr
    import chainrule.distributed as dist
    from chainrule.nn.parallel import DistributedDataParallel

    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(0)
    x, y = rng.random((samples, 784)).astype(np.float32), rng.integers(0, 10, samples)
    results: dict[str, Any] = {"ranks": size, "threads_per_rank": int(os.environ.get("OMP_NUM_THREADS", "0"))}
    for scaling, per_rank in (("strong", 128 // size), ("weak", 128)):
        cr.manual_seed(0)
        layers: list[Any] = []
        for a, b in zip(SIZES[:-1], SIZES[1:], strict=True):
            layers += [cr.nn.Linear(a, b), cr.nn.ReLU()]
        model = DistributedDataParallel(cr.nn.Sequential(*layers[:-1]))
        optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = cr.nn.CrossEntropyLoss()
        reduce_time = [0.0]
        finalize = model._finalize

        def timed_finalize(finalize: Any = finalize, reduce_time: list[float] = reduce_time) -> None:
            start = time.perf_counter()
            finalize()
            reduce_time[0] += time.perf_counter() - start

        model._finalize = timed_finalize
        global_batch = per_rank * size
        steps = samples // global_batch
        parts = (model, optimizer, loss_fn, x, y, global_batch, rank * per_rank, per_rank)

        _step(0, *parts)  # warm-up
        reduce_time[0] = 0.0
        dist.barrier()
        start = time.perf_counter()
        for i in range(steps):
            _step(i, *parts)
        dist.barrier()
        elapsed = time.perf_counter() - start
        results[scaling] = {"batch_per_rank": per_rank, "global_batch": global_batch, "steps": steps,
                            "samples_per_s": steps * global_batch / elapsed,
                            "ms_per_step": 1e3 * elapsed / steps,
                            "allreduce_ms_per_step": 1e3 * reduce_time[0] / steps}
    flat = np.ones(sum(a * b + b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True)), dtype=np.float32)
    dist.all_reduce(flat)
    repeats = 50
    dist.barrier()
    start = time.perf_counter()
    for _ in range(repeats):
        dist.all_reduce(flat)
    seconds = (time.perf_counter() - start) / repeats
    # A ring all-reduce moves 2 (N-1)/N of the array in and out of every process.
    moved = 2 * (size - 1) / size * flat.nbytes
    results["allreduce_alone"] = {"bytes": flat.nbytes, "ms": 1e3 * seconds,
                                  "GB_per_s": moved / seconds / 1e9 if size > 1 else None}
    if rank == 0:
        Path(out).write_text(json.dumps(results))
    dist.destroy_process_group()


def _mpiexec() -> str:
    candidate = Path(sysconfig.get_path("scripts")) / "mpiexec"
    return str(candidate) if candidate.exists() else "mpiexec"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads per process (default 1)")
    parser.add_argument("--worker", nargs=2, metavar=("SAMPLES", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(int(args.worker[0]), args.worker[1])
        return
    samples = 8_192 if args.quick else 30_720
    cores = os.cpu_count() or 1
    rows = []
    out = HERE / "results" / "mpi_scaling.json"
    out.parent.mkdir(exist_ok=True)
    for n in args.ranks:
        threads = str(args.threads)
        env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        part = out.with_suffix(f".{n}.json")
        subprocess.run([_mpiexec(), "-n", str(n), sys.executable, "-m", "mpi4py", __file__, "--worker",
                        str(samples), str(part)], check=True, env=env, timeout=600)
        rows.append(json.loads(part.read_text()))
        part.unlink()
    out.write_text(json.dumps({"cores": cores, "samples": samples, "runs": rows}, indent=1))
    base = {scaling: rows[0][scaling]["samples_per_s"] for scaling in ("strong", "weak")}
    print(f"benchmark 1 over MPI on {cores} cores ({samples} samples per run; speed-up against {rows[0]['ranks']} "
          "rank(s))")
    print("ranks threads | strong: batch 128 in all     samples/s  speed-up  all-reduce ms/step | weak: 128 per rank"
          "   samples/s  speed-up  all-reduce ms/step | all-reduce alone (0.94 MB)")
    for row in rows:
        strong, weak, alone = row["strong"], row["weak"], row["allreduce_alone"]
        bandwidth = f"{alone['ms']:.3f} ms" + (f", {alone['GB_per_s']:.2f} GB/s" if alone["GB_per_s"] else "")
        print(f"{row['ranks']:5d} {row['threads_per_rank']:7d} | {strong['batch_per_rank']:4d} rows per rank"
              f"{strong['samples_per_s']:22,.0f} {strong['samples_per_s'] / base['strong']:8.2f}x"
              f"{strong['allreduce_ms_per_step']:12.3f} of {strong['ms_per_step']:.2f} |"
              f"{weak['samples_per_s']:31,.0f} {weak['samples_per_s'] / base['weak']:8.2f}x"
              f"{weak['allreduce_ms_per_step']:12.3f} of {weak['ms_per_step']:.2f} | {bandwidth}")
    print(f"written to {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
