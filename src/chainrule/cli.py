"""The ``chainrule`` command (for now: a short demo that trains XOR through the autograd engine)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

import chainrule as cr


def demo_xor(epochs: int = 2000, seed: int = 0) -> float:
    """Train a 2-4-1 sigmoid network on XOR with full-batch gradient descent; return the final loss."""
    cr.manual_seed(seed)
    x = cr.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = cr.tensor([[0.0], [1.0], [1.0], [0.0]])
    w1 = cr.randn(4, 2, requires_grad=True)
    b1 = cr.zeros(4, requires_grad=True)
    w2 = cr.randn(1, 4, requires_grad=True)
    b2 = cr.zeros(1, requires_grad=True)
    loss = cr.tensor(np.nan)
    for epoch in range(epochs):
        hidden = (x @ w1.T + b1).sigmoid()
        out = (hidden @ w2.T + b2).sigmoid()
        loss = ((out - y) ** 2).mean()
        for p in (w1, b1, w2, b2):
            p.grad = None
        loss.backward()
        with cr.no_grad():
            for p in (w1, b1, w2, b2):
                p -= 2.0 * p.grad
        if epoch % 500 == 0:
            print(f"epoch {epoch:5d}  loss {loss.item():.5f}")
    print(f"final loss {loss.item():.5f}; predictions {np.round(out.detach().numpy().ravel(), 3).tolist()}")
    return float(loss.item())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in ("train", "demo"):
        print(f"chainrule: error: unknown command {args[0]!r}; valid commands: train, demo", file=sys.stderr)
        return 2
    demo_xor()
    return 0
