"""Warnings the page shows while a network trains: a loss that diverges, neurons that died.

One small function on purpose: when ``cr.diagnose`` (the training diagnostics) is available, this is the
one place that calls it instead.
"""

from __future__ import annotations

import math

import numpy as np


def training_warnings(losses: list[float], hidden: list[tuple[str, np.ndarray]]) -> list[str]:
    """Plain-language warnings for the page.

    Args:
        losses: the training loss after each epoch so far, oldest first.
        hidden: per hidden layer, its activation name and its outputs on every training point
            (shape (N, neurons)).
    """
    warnings = []
    if losses and not math.isfinite(losses[-1]):
        warnings.append(f"the loss is {losses[-1]}: training diverged. Lower the learning rate and press reset.")
    elif len(losses) >= 6 and all(b > a for a, b in zip(losses[-6:], losses[-5:], strict=False)) \
            and losses[-1] > 1.5 * min(losses):
        warnings.append("the training loss has grown for 5 epochs in a row: the learning rate may be too "
                        "large (the steps overshoot the minimum).")
    for layer, (activation, outputs) in enumerate(hidden, start=1):
        if activation != "relu" or outputs.size == 0:
            continue
        dead = np.flatnonzero(np.all(outputs <= 0, axis=0))
        if len(dead):
            neurons = ", ".join(str(k + 1) for k in dead[:8]) + (" ..." if len(dead) > 8 else "")
            warnings.append(f"layer {layer}: {len(dead)} of {outputs.shape[1]} ReLU neurons are dead (output 0 "
                            f"on every training point, so their gradient is 0 and they stop learning): "
                            f"neuron(s) {neurons}. Try leaky ReLU, a lower learning rate, or reset.")
    return warnings


__all__ = ["training_warnings"]
