"""The playground's speed on the server: one frame (the 100x100 boundary plus every input's and neuron's
50x50 map, weights, gradients, encoded for the page) and training epochs, for a 2-8-8-2 network on
300 spiral points (softmax + cross-entropy, Adam, mini-batches of 16). Epochs are timed with the training step
through ``cr.compile`` (what the playground runs) and eagerly, in the same run; and the health check
(``cr.diagnose``) that a frame runs when the weights changed.

For scale, the same frame's forward pass and the same epoch are timed with PyTorch (CPU) in the same run.

    OPENBLAS_NUM_THREADS=1 python bench/playground_bench.py [--repeats N]

The matrices are small (10,000 x 8 at most here): on a machine busy with other work, a multi-threaded BLAS
spends more time waking its threads than multiplying (a frame measured 15-20 ms that way with 8 other jobs on
2 cores, 1.7 ms with one BLAS thread), so set one thread to measure the playground itself.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from chainrule.playground.health import HealthCheck
from chainrule.playground.session import Session

SETTINGS = {"dataset": "spirals", "samples": 300, "noise": 0.1, "layers": [8, 8], "activations": ["tanh", "tanh"],
            "output": "softmax_ce", "optimizer": "adam", "lr": 0.03, "batching": "mini", "batch_size": 16}


def best_of(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def torch_reference(session: Session, repeats: int) -> tuple[float, float]:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Tanh(),
                                torch.nn.Linear(8, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    loss_fn = torch.nn.CrossEntropyLoss()
    grid = torch.from_numpy(session.grid())
    X, y = torch.from_numpy(session.inputs_train), torch.from_numpy(session.targets_train)
    rng = np.random.default_rng(0)

    def forward() -> None:
        with torch.no_grad():
            hidden = grid
            for layer in model:
                hidden = layer(hidden)

    def epoch() -> None:
        for batch in np.array_split(rng.permutation(len(X)), max(1, len(X) // 16)):
            optimizer.zero_grad()
            loss_fn(model(X[batch]), y[batch]).backward()
            optimizer.step()

    return best_of(forward, repeats), best_of(epoch, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    session = Session()
    session.configure(SETTINGS)
    session.frame()
    frame = best_of(session.frame, args.repeats)
    forward = best_of(lambda: session.predict(session.grid()), args.repeats)
    eager = Session(use_compile=False)
    eager.configure(SETTINGS)
    eager_epoch = best_of(eager.run_epoch, args.repeats)
    epoch = best_of(session.run_epoch, args.repeats)

    def health_check() -> None:
        session.health = HealthCheck()          # a fresh one: it checks once per change of the weights
        session.check_health()

    diagnosis = best_of(health_check, args.repeats)
    print(f"network 2-8-8-2, {len(session.inputs_train)} training points, batches of 16 (Adam)")
    print(f"frame (boundary 100x100 + {sum(session.settings['layers']) + 2} maps, encoded): {frame * 1e3:.2f} ms "
          f"-> {1 / frame:.0f} frames/s   (target: < 20 ms)")
    print(f"epoch (training + loss/accuracy on train and test): {epoch * 1e3:.2f} ms -> {1 / epoch:.0f} epochs/s "
          f"with cr.compile; eager {eager_epoch * 1e3:.2f} ms -> {1 / eager_epoch:.0f} epochs/s "
          f"(speed-up {eager_epoch / epoch:.2f}x)")
    print(f"health check (cr.diagnose on the training set, with each frame after training): {diagnosis * 1e3:.2f} ms")
    try:
        torch_forward, torch_epoch = torch_reference(session, args.repeats)
    except ImportError:
        print("PyTorch not installed: no reference timings")
        return
    print(f"grid forward pass: chainrule {forward * 1e3:.2f} ms, PyTorch {torch_forward * 1e3:.2f} ms "
          f"(ratio {forward / torch_forward:.2f})")
    print(f"training epoch: chainrule {epoch * 1e3:.2f} ms (with evaluation), PyTorch {torch_epoch * 1e3:.2f} ms "
          f"(training only; ratio {epoch / torch_epoch:.2f})")


if __name__ == "__main__":
    main()
