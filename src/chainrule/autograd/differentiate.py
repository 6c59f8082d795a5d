"""``cr.autograd.grad`` and ``cr.autograd.backward``: PyTorch's functional entry points to the engine,
and the legacy ``Variable``.

``grad(outputs, inputs)`` returns d(outputs)/d(inputs) without touching any ``.grad``; with
``create_graph=True`` the result is itself in the graph, so it can be differentiated again::

    x = cr.tensor(2.0, dtype=cr.float64, requires_grad=True)
    (dy,) = cr.autograd.grad(x ** 3, x, create_graph=True)     # 3x^2 = 12
    (d2y,) = cr.autograd.grad(dy, x)                           # 6x = 12
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chainrule.autograd.engine import initial_gradient, run_backward
from chainrule.autograd.tensor import Tensor


def _as_tuple(value: Any, what: str) -> tuple[Any, ...]:
    items = (value,) if isinstance(value, Tensor) or value is None else tuple(value)
    if what != "grad_outputs":
        for i, t in enumerate(items):
            if not isinstance(t, Tensor):
                raise TypeError(f"autograd: {what}[{i}] is a {type(t).__name__}, expected a chainrule Tensor")
    return items


def _seeds(outputs: tuple[Tensor, ...], grad_outputs: Any, create_graph: bool, caller: str) -> list[Any]:
    given = (None,) * len(outputs) if grad_outputs is None else _as_tuple(grad_outputs, "grad_outputs")
    if len(given) != len(outputs):
        raise RuntimeError(f"{caller}: got {len(given)} grad_outputs for {len(outputs)} outputs; give one per "
                           "output (None for a scalar output)")
    return [initial_gradient(out, g, create_graph, caller) for out, g in zip(outputs, given, strict=True)]


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` (weighted by ``grad_outputs``) with respect to each of ``inputs``,
    as a tuple; no ``.grad`` is changed. ``create_graph=True`` records them for higher derivatives."""
    outs = _as_tuple(outputs, "outputs")
    ins = _as_tuple(inputs, "inputs")
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"autograd.grad: inputs[{i}] does not require grad, so it has no gradient; "
                               "create it with requires_grad=True")
    seeds = _seeds(outs, grad_outputs, create_graph, "autograd.grad")
    retain = create_graph if retain_graph is None else retain_graph
    found = run_backward(list(outs), seeds, bool(retain), ins, create_graph=create_graph, accumulate=False)
    result: list[Tensor | None] = []
    for i, (t, g) in enumerate(zip(ins, found, strict=True)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"autograd.grad: inputs[{i}] was not used to compute the outputs, so it has no "
                                   "gradient; pass allow_unused=True to get None for it instead")
            result.append(None)
        else:
            result.append(g if isinstance(g, Tensor) else t._wrap(g.astype(t.dtype, copy=False)))
    return tuple(result)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
    """``tensors[i].backward(grad_tensors[i])`` for all of them in one walk of the graph."""
    outs = _as_tuple(tensors, "tensors")
    seeds = _seeds(outs, grad_tensors, create_graph, "autograd.backward")
    retain = create_graph if retain_graph is None else retain_graph
    run_backward(list(outs), seeds, bool(retain), inputs, create_graph=create_graph)


def Variable(data: Any, requires_grad: bool = False) -> Tensor:  # noqa: N802 - PyTorch's legacy name
    """Legacy PyTorch (before 0.4): ``Variable(t)`` is the tensor itself now; kept so old code runs."""
    tensor = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor
