"""The fused affine map of ``nn.Linear`` and ``F.linear``: out = x @ W^T + b as one op of the engine."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.backend import namespace_of


class LinearFunction(Function):
    """out = x @ W^T + b, the affine map of a layer (``weight`` of shape (out, in), rows are samples).

    Fused so that the forward is one matrix product plus an in-place bias add, and the backward is
    two matrix products and a column sum:  dL/dx = g @ W,  dL/dW = g^T @ x,  dL/db = sum of g's rows.
    The gradient for x is skipped when x needs none (the input layer), which saves a whole product.
    """

    def forward(self, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        self.save_for_backward(x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        x, weight = self.saved
        needs = self.needs_input_grad
        grad_x = grad @ weight if needs[0] else None
        # Samples as rows: a batch of any leading shape (*, features) is seen as (samples, features).
        grad_2d = grad if grad.ndim == 2 else grad.reshape(-1, grad.shape[-1])
        x_2d = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        grad_weight = grad_2d.T @ x_2d if needs[1] else None
        if len(needs) == 3:
            # add.reduce is .sum without its Python wrapper (a microsecond per step, every step)
            xp = namespace_of(grad)
            return grad_x, grad_weight, (xp.add.reduce(grad_2d, axis=0) if needs[2] else None)
        return grad_x, grad_weight
