"""``chainrule.nn.utils``: gradient clipping, as PyTorch's ``torch.nn.utils``.

Clipping keeps one bad batch (a huge gradient) from throwing the weights far away: after
``loss.backward()`` and before ``optimizer.step()``, the gradients are scaled down so that their total
norm is at most ``max_norm`` (``clip_grad_norm_``), or each value is cut to ``[-clip_value,
clip_value]`` (``clip_grad_value_``). The direction of the update is kept by the first, not by the
second.

Each ``.grad`` is REPLACED by a new tensor, never written in place: gradient arrays may be shared
(the engine hands the same array to several tensors when it can), so scaling one in place could change
another.

>>> import chainrule as cr
>>> w = cr.tensor([3.0, 4.0], requires_grad=True)
>>> (w * w).sum().backward()                    # grad = 2w = (6, 8), norm 10
>>> cr.nn.utils.clip_grad_norm_([w], max_norm=1.0)
tensor(10.)
>>> w.grad                                       # now of norm 1 (up to the 1e-6 that avoids 0/0)
tensor([0.6000, 0.8000])
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from chainrule import backend
from chainrule.autograd import recording
from chainrule.autograd.tensor import Tensor

_Parameters = Tensor | Iterable[Tensor]


def _with_grad(parameters: _Parameters, name: str) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters] if parameters.grad is not None else []
    if callable(getattr(parameters, "parameters", None)):
        raise TypeError(f"{name}: got the model itself ({type(parameters).__name__}); pass its "
                        f"parameters: {name}(model.parameters(), ...)")
    tensors = list(parameters)
    for tensor in tensors:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{name}: expected tensors (model.parameters()), got {type(tensor).__name__}")
    return [tensor for tensor in tensors if tensor.grad is not None]


def clip_grad_norm_(parameters: _Parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their total norm is at most ``max_norm``.

    ``total = || (||g_1||, ..., ||g_k||) ||`` (the ``norm_type``-norm of all gradient values as one
    vector; ``inf`` is the largest absolute value); every gradient is multiplied by
    ``min(1, max_norm / (total + 1e-6))``. Returns ``total`` (before clipping) as a 0-d tensor.
    ``foreach`` is accepted for PyTorch code and changes nothing.
    """
    if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): replays call this again
        return recording.tape.record_call(clip_grad_norm_, parameters, max_norm, norm_type, error_if_nonfinite)
    grads = _with_grad(parameters, "clip_grad_norm_")
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return Tensor._wrap(np.asarray(0.0, dtype=np.float32))
    arrays = [g.grad.data for g in grads]  # type: ignore[union-attr]
    xp = backend.namespace_of(arrays[0])
    if math.isinf(norm_type):
        norms = [xp.abs(a).max() if a.size else xp.zeros((), a.dtype) for a in arrays]
        total = xp.max(xp.stack(norms))
    else:
        norms = [xp.linalg.norm(a.reshape(-1), ord=norm_type) for a in arrays]
        total = xp.linalg.norm(xp.stack(norms), ord=norm_type)
    total = xp.asarray(total, dtype=arrays[0].dtype)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           f"non-finite ({float(total)}), so it cannot be clipped. To disable this error "
                           "and scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    coefficient = max_norm / (float(total) + 1e-6)
    if coefficient < 1.0:
        for tensor in grads:
            grad = tensor.grad.data  # type: ignore[union-attr]
            tensor.grad = Tensor._wrap(grad * grad.dtype.type(coefficient))
    return Tensor._wrap(total)


def clip_grad_value_(parameters: _Parameters, clip_value: float, foreach: bool | None = None) -> None:
    """Cut every gradient value to ``[-clip_value, clip_value]``."""
    if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): replays call this again
        return recording.tape.record_call(clip_grad_value_, parameters, clip_value)
    clip_value = float(clip_value)
    for tensor in _with_grad(parameters, "clip_grad_value_"):
        grad = tensor.grad.data  # type: ignore[union-attr]
        clipped = backend.namespace_of(grad).clip(grad, -clip_value, clip_value)
        tensor.grad = Tensor._wrap(clipped.astype(grad.dtype, copy=False))


__all__ = ["clip_grad_norm_", "clip_grad_value_"]
