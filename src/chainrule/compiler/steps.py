"""The standard training step, compiled: what ``cr.fit(..., compile=True)`` runs for each batch."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.compiler.api import CompiledFunction


def training_step(model: Any, loss_fn: Any, optimizer: Any) -> CompiledFunction:
    """``step(inputs, target) -> (output, loss, finite)``: forward, loss, and, when the loss is finite,
    backward, ``optimizer.step()`` and ``zero_grad()``. A non-finite loss updates nothing (``finite`` is
    False), so the caller can stop with the parameters of the last finite step, as eager ``fit`` does."""

    def step(inputs: Tensor, target: Tensor) -> tuple[Tensor, Tensor, bool]:
        output = model(inputs)
        loss = loss_fn(output, target)
        with no_grad():
            # inf - inf and nan - nan are nan, and nan == 0 is False: a branch the replay checks.
            finite = bool((loss - loss) == 0)
        if not finite:  # detached: no graph leaves the compiled function
            return output.detach(), loss.detach(), False
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return output, loss, True

    return CompiledFunction(step)
