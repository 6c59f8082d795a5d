"""Check backpropagation against the definition of the derivative.

``gradcheck(fn, inputs)`` perturbs every element of every input that requires grad by +-eps, measures
how each output changes (central differences, error O(eps^2)), and compares that numerical Jacobian
with the analytical one that ``backward`` computes, one output element at a time. Run it in float64:
in float32 the rounding error of the differences swamps eps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import enable_grad
from chainrule.autograd.tensor import Tensor


class GradcheckError(AssertionError):
    """The analytical and numerical Jacobians disagree (the message says where)."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Tensor]) -> list[Tensor]:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def numerical_jacobians(fn: Callable[..., Any], inputs: Sequence[Tensor], eps: float = 1e-6) -> list[list[np.ndarray]]:
    """J[o][i] of shape (outputs[o].numel(), inputs[i].numel()), by central differences."""
    outs = _outputs(fn, inputs)
    jacobians = [[np.zeros((o.numel(), t.numel())) for t in inputs] for o in outs]
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            continue
        # NOTE: .flat writes through to the tensor's own memory even when it is a non-contiguous view,
        # where reshape(-1) would silently perturb a copy and measure a zero derivative.
        flat = t.data.flat
        for k in range(t.data.size):
            original = flat[k]
            flat[k] = original + eps
            plus = [o.data.reshape(-1).astype(np.float64) for o in _outputs(fn, inputs)]
            flat[k] = original - eps
            minus = [o.data.reshape(-1).astype(np.float64) for o in _outputs(fn, inputs)]
            flat[k] = original
            for o in range(len(outs)):
                jacobians[o][i][:, k] = (plus[o] - minus[o]) / (2 * eps)
    return jacobians


def analytical_jacobians(fn: Callable[..., Any], inputs: Sequence[Tensor]) -> list[list[np.ndarray]]:
    """J[o][i] from backward: one backward pass per output element, with a one-hot gradient."""
    outs = _outputs(fn, inputs)
    jacobians = [[np.zeros((o.numel(), t.numel())) for t in inputs] for o in outs]
    for o, out in enumerate(outs):
        for row in range(out.numel()):
            for t in inputs:
                t.grad = None
            one_hot = np.zeros(out.numel(), dtype=out.dtype)
            one_hot[row] = 1
            if out.requires_grad:
                out.backward(one_hot.reshape(out.shape), retain_graph=True)
            for i, t in enumerate(inputs):
                if t.requires_grad and t.grad is not None:
                    jacobians[o][i][row] = t.grad.data.reshape(-1)
    for t in inputs:
        t.grad = None
    return jacobians


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True when backward agrees with central differences for every output and every input that
    requires grad: |analytical - numerical| <= atol + rtol * |numerical| element-wise.

    >>> import chainrule as cr
    >>> x = cr.randn(3, dtype=cr.float64, requires_grad=True)
    >>> cr.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    tensors = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"gradcheck: input {i} is a {type(t).__name__}, expected a chainrule Tensor")
        if t.requires_grad and t.dtype != np.float64:
            raise ValueError(f"gradcheck: input {i} is {t.dtype}; use float64 inputs (.double()), in lower "
                             "precision the finite differences are mostly rounding error")
    if not any(t.requires_grad for t in tensors):
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    with enable_grad():
        analytical = analytical_jacobians(fn, tensors)
        numerical = numerical_jacobians(fn, tensors, eps)
    for o, (row_a, row_n) in enumerate(zip(analytical, numerical, strict=True)):
        for i, (a, n) in enumerate(zip(row_a, row_n, strict=True)):
            if not tensors[i].requires_grad:
                continue
            if not np.allclose(a, n, atol=atol, rtol=rtol):
                worst = np.unravel_index(np.argmax(np.abs(a - n) - rtol * np.abs(n)), a.shape)
                message = (
                    f"gradcheck: Jacobian mismatch for output {o} with respect to input {i} "
                    f"(worst at output element {worst[0]}, input element {worst[1]}: analytical "
                    f"{a[worst]:.10g}, numerical {n[worst]:.10g})\nanalytical:\n{a}\nnumerical:\n{n}"
                )
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True
