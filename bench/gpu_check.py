"""Check chainrule on a GPU: every op's value and gradient against the CPU in float64, then the speed of
training the MNIST-shaped MLP of ``bench/`` (784-256-128-10, float32) beside PyTorch CUDA's.

    python bench/gpu_check.py              # on a machine with an NVIDIA GPU and chainrule[cuda12]
    python bench/gpu_check.py --standin    # anywhere: the stand-in GPU of tests/devices (no speed figure)

The op list is the test suite's (tests/autograd/test_autograd_ops.py and tests/devices/test_device_ops.py),
so run it from a source checkout with the test dependencies installed. Exits 1 on any mismatch. Nothing
here asserts a time: the samples/s figures are printed for the reader.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "devices"), str(ROOT / "tests" / "autograd")]

import chainrule as cr  # noqa: E402
from chainrule import backend, nn, optim  # noqa: E402


def check_ops(rtol: float) -> list[str]:
    """Every op of the test tables on "cuda" against the CPU (float64); the ids that differ."""
    from autograd_helpers import first, random_inputs
    from test_autograd_ops import CASES
    from test_device_ops import EXTRA, _inputs

    cases = [(c.id, c.fn, random_inputs(c.shapes, c.domain, seed=len(c.id) + 5)) for c in CASES]
    cases += [(name, fn, _inputs(shapes, domain, seed=len(name))) for name, fn, shapes, domain in EXTRA]
    failed = []
    for name, fn, arrays in cases:
        results = []
        for device in ("cpu", "cuda"):
            cr.set_default_device(device)
            try:
                inputs = [cr.tensor(a, dtype=cr.float64, requires_grad=True) for a in arrays]
                out = first(fn(cr, *inputs))
                if out.requires_grad:
                    out.backward(cr.tensor(np.random.default_rng(1).standard_normal(out.shape), dtype=cr.float64))
                grads = [None if t.grad is None else t.grad.cpu().numpy() for t in inputs]
                results.append((out.device.type, out.detach().cpu().numpy(), grads))
            except Exception as error:  # noqa: BLE001 - report every op, then fail
                results.append(("error", repr(error), []))
            finally:
                cr.set_default_device(None)
        (_, value_cpu, grads_cpu), (where, value_gpu, grads_gpu) = results
        same = where == "cuda" and np.allclose(value_gpu, value_cpu, rtol=rtol, atol=1e-12) and all(
            (g is None and c is None) or (g is not None and c is not None and np.allclose(g, c, rtol=rtol, atol=1e-12))
            for g, c in zip(grads_gpu, grads_cpu, strict=True)) and len(grads_gpu) == len(grads_cpu)
        if not same:
            failed.append(f"{name}: {value_gpu if where == 'error' else 'value or gradient differs from the CPU'}")
    print(f"ops: {len(cases) - len(failed)}/{len(cases)} agree with the CPU (float64, rtol {rtol})")
    return failed


def _samples_per_second(step: Any, synchronize: Any, steps: int, batch: int) -> float:
    """One warm-up step, then ``steps`` timed ones, waiting for the GPU at both ends."""
    step()
    synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize()
    return steps * batch / (time.perf_counter() - start)


def train_speed(steps: int, batch: int = 128) -> float:
    """Samples per second of SGD steps of the MNIST-shaped MLP on "cuda" in float32."""
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)).cuda()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = cr.randn(batch, 784, device="cuda")
    y = cr.randint(0, 10, (batch,), device="cuda")

    def step() -> None:
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return _samples_per_second(step, cr.cuda.synchronize, steps, batch)


def torch_speed(steps: int, batch: int = 128) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10)).cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(batch, 784, device="cuda"), torch.randint(0, 10, (batch,), device="cuda")

    def step() -> Any:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return _samples_per_second(step, torch.cuda.synchronize, steps, batch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--standin", action="store_true", help="use the stand-in GPU of tests/devices")
    parser.add_argument("--steps", type=int, default=200, help="timed training steps")
    args = parser.parse_args(argv)
    if args.standin:
        from standin_cuda import BACKEND

        backend.register_cuda(BACKEND)
    if not cr.cuda.is_available():
        print("gpu_check: no CUDA device (install chainrule[cuda12] on a machine with an NVIDIA GPU, "
              "or pass --standin)")
        return 2
    print(f"device: {backend.cuda_backend().name} ({cr.cuda.device_count()} GPU(s))")  # type: ignore[union-attr]
    failed = check_ops(rtol=1e-12 if args.standin else 1e-9)
    for line in failed:
        print("  MISMATCH", line)
    ours = train_speed(args.steps)
    theirs = None if args.standin else torch_speed(args.steps)
    print(f"MLP 784-256-128-10, float32, batch 128: chainrule {ours:,.0f} samples/s"
          + ("" if theirs is None else f", PyTorch CUDA {theirs:,.0f} samples/s (ratio {ours / theirs:.2f})"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
