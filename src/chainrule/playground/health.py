"""The page's health check: what ``cr.diagnose`` finds in the network as it trains, and a loss that diverges.

``cr.diagnose`` (the training diagnostics) is the one judge of dead ReLUs, saturated units, vanishing or
exploding gradients, unscaled inputs and a learning rate out of range; this module only decides when to
ask it and names its findings in the page's words (``hidden layer 2 (ReLU)``). Divergence is read from
the loss history, which ``diagnose`` (one pass on the current weights) does not see.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule import nn, optim
from chainrule.train import Finding, diagnose

# Rows of the training set diagnose looks at; its own default (512) covers every built-in problem.
SAMPLE = 512


def training_warnings(losses: list[float]) -> list[str]:
    """Plain-language warnings from the training loss after each epoch so far (oldest first)."""
    if losses and not math.isfinite(losses[-1]):
        return [f"the loss is {losses[-1]}: training diverged. Lower the learning rate and press reset."]
    if len(losses) >= 6 and all(b > a for a, b in zip(losses[-6:], losses[-5:], strict=False)) \
            and losses[-1] > 1.5 * min(losses):
        return ["the training loss has grown for 5 epochs in a row: the learning rate may be too large "
                "(the steps overshoot the minimum)."]
    return []


def layer_title(module: str, plan: list[tuple[str, dict[str, Any]]], n_hidden: int) -> str:
    """A ``Sequential`` module's name (``"2"``) in the page's words: ``"hidden layer 2 (Linear)"``.

    >>> plan = [("Linear", {}), ("ReLU", {}), ("Linear", {}), ("Sigmoid", {})]
    >>> layer_title("1", plan, 1), layer_title("2", plan, 1), layer_title("", plan, 1)
    ('hidden layer 1 (ReLU)', 'output layer (Linear)', 'the network')
    """
    if not module.isdigit() or int(module) >= len(plan):
        return "the network"
    index = int(module)
    where = f"hidden layer {index // 2 + 1}" if index < 2 * n_hidden else "output layer"
    return f"{where} ({plan[index][0]})"


def describe(finding: Finding, plan: list[tuple[str, dict[str, Any]]], n_hidden: int) -> dict[str, Any]:
    """A finding as the page shows it: kind, layer in the page's words, module name, figure, message."""
    value = finding.value if math.isfinite(finding.value) else str(finding.value)
    return {"kind": finding.kind, "layer": layer_title(finding.layer, plan, n_hidden), "module": finding.layer,
            "value": value, "message": finding.message}


def as_logits(model: nn.Module, loss_fn: nn.Module) -> tuple[nn.Module, nn.Module]:
    """The network and loss that ``diagnose`` judges: a final Sigmoid feeding ``BCELoss`` as
    ``BCEWithLogitsLoss`` on the logits before it (the same modules, names and parameters).

    Why: the two are the same loss with the same gradients (the notes' delta = y_hat - y at the output),
    and a sigmoid output near 0 or 1 is a confident prediction, not a saturated unit that stops the error
    signal, which is what ``saturated`` means for the layers inside the network.
    """
    if isinstance(model, nn.Sequential) and len(model) > 1 and isinstance(loss_fn, nn.BCELoss) \
            and isinstance(model[-1], nn.Sigmoid):
        return nn.Sequential(*list(model)[:-1]), nn.BCEWithLogitsLoss()
    return model, loss_fn


class HealthCheck:
    """``cr.diagnose`` on the page's network, once per frame that follows a change of the weights.

    Cheap enough for that: the server draws at most about 20 frames a second with 50 ms of training
    between them, and one check takes about 0.5 ms for a 2-8-8-2 network on 209 points and 2.3 ms for
    the largest (6 hidden layers of 32 ReLUs, 512 sampled points), with one BLAS thread. Checking every
    such frame, rather than every N epochs, keeps the findings shown those of the weights drawn, also
    after one step while paused. ``findings`` holds the latest answer (as ``describe`` gives it),
    ``checked_step`` the training step it was taken at; a new network or optimiser gets a new one.
    """

    def __init__(self) -> None:
        self.findings: list[dict[str, Any]] = []
        self.checked_step: int | None = None
        self.problem: str | None = None

    def update(self, step: int, model: nn.Module, inputs: np.ndarray, targets: np.ndarray, loss_fn: nn.Module,
               optimizer: optim.Optimizer, plan: list[tuple[str, dict[str, Any]]], n_hidden: int) -> None:
        """Diagnose the network if it changed since the last check (``step`` differs); its parameters,
        gradients and optimiser state are left exactly as they were."""
        if step == self.checked_step or len(inputs) == 0:
            return
        try:
            judged, loss = as_logits(model, loss_fn)
            report = diagnose(judged, inputs, targets, loss=loss, optimizer=optimizer, sample=SAMPLE)
        except RuntimeError:
            # A Step layer cannot be backpropagated: the session shows the engine's message already.
            self.findings, self.problem = [], None
        except (ValueError, TypeError) as error:
            self.findings, self.problem = [], f"the health check could not run: {error}"
        else:
            self.findings, self.problem = [describe(f, plan, n_hidden) for f in report.findings], None
        self.checked_step = step


__all__ = ["HealthCheck", "as_logits", "describe", "layer_title", "training_warnings"]
