"""Backpropagation: one topological sort of the recorded graph and one reversed walk over it.

``run_backward(root, seed)`` is what ``Tensor.backward`` calls. For every tensor between ``root`` and
the leaves it keeps dL/d(tensor), hands it to the node that produced the tensor, and adds what comes
back into that node's inputs: the multivariate chain rule, where a tensor used twice collects the sum
of both paths. Broadcasting is undone here (``unbroadcast``) and each gradient takes its input's
dtype, so that no op has to care about either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from chainrule.autograd import function as function_module
from chainrule.autograd import recording
from chainrule.autograd.function import unbroadcast

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor


def _plain_tensor(array: np.ndarray) -> Tensor:
    """A gradient is a plain Tensor, even for a Parameter (as in PyTorch: ``p.grad`` is no Parameter)."""
    # NOTE: the class that tensor.py hands to function.py (tensor.py imports this module, so this module
    # cannot import it at the top, and an import here would cost a microsecond per leaf).
    return function_module.Tensor._wrap(array)


def topological_order(root: Tensor) -> list[Tensor]:
    """The tensors ``root`` depends on (through recorded ops), every input before its outputs.

    Iterative depth-first search: a graph thousands of ops deep must not hit Python's recursion limit.
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    # (tensor, expanded): a tensor is first expanded (its parents pushed above it), and appended to the
    # order when it comes back up, once all its parents are in; a leaf has nothing to expand.
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        key = id(node)
        if key in visited:
            continue
        visited.add(key)
        ctx = node._ctx
        if ctx is None:
            order.append(node)
            continue
        stack.append((node, True))
        for parent in ctx.parents:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    return order


def store_grad(tensor: Tensor, grad: np.ndarray, handed_out: set[int]) -> None:
    """Add ``grad`` into ``tensor.grad``. Copies when the array is shared or read-only, so that no two
    ``.grad`` tensors alias one array (changing one in place must never change another)."""
    if grad.dtype != tensor.data.dtype:
        grad = grad.astype(tensor.data.dtype)
    if tensor.grad is None:
        if grad.base is not None or id(grad) in handed_out or not grad.flags.writeable:
            grad = np.array(grad)
        handed_out.add(id(grad))
        tensor.grad = _plain_tensor(grad)
    else:
        # A new array rather than +=: the old .grad may be shared with someone who kept it.
        tensor.grad = _plain_tensor(tensor.grad.data + grad)


def _fit_to_input(grad: np.ndarray, shape: tuple[int, ...], op_name: str) -> np.ndarray:
    """Sum a gradient in the broadcast shape back to its input's ``shape``; any other mismatch is a bug
    in the op's backward, reported with the op's name and both shapes."""
    fitted = unbroadcast(grad, shape) if grad.ndim >= len(shape) else grad
    if fitted.shape != shape:
        raise RuntimeError(f"{op_name}.backward returned a gradient of shape {grad.shape} for an input of "
                           f"shape {shape}; a gradient must have its input's shape (or broadcast to it)")
    return fitted


def run_backward(root: Tensor, seed: np.ndarray, retain_graph: bool, inputs: Sequence[Tensor] | None = None) -> None:
    """The engine: one reverse walk over the graph, accumulating dL/d(node) for every node."""
    if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): it walks and records
        return recording.tape.run_backward(root, seed, retain_graph, inputs)
    order = topological_order(root)
    only = None if inputs is None else {id(t) for t in inputs}
    grads: dict[int, np.ndarray] = {id(root): seed}
    handed_out: set[int] = set()
    for node in reversed(order):
        grad = grads.pop(id(node), None)
        if grad is None:
            continue
        ctx = node._ctx
        # Leaves keep their gradient, other tensors only when asked (retain_grad, or backward(inputs=...)).
        if (ctx is None or node._retains_grad) if only is None else id(node) in only:
            store_grad(node, grad, handed_out)
        if ctx is None:
            continue
        if ctx.released:
            raise RuntimeError(
                f"Trying to backward through the graph a second time: the values {ctx.name} saved were freed "
                "by the first backward(). Pass retain_graph=True to the first backward() if you need to go "
                "through the same graph twice, or run the forward pass again."
            )
        parent_grads = ctx.backward(grad)
        if not isinstance(parent_grads, tuple):
            parent_grads = (parent_grads,)
        for parent, parent_grad in zip(ctx.parents, parent_grads, strict=False):
            if parent_grad is None or not parent.requires_grad:
                continue
            data = parent.data
            if parent_grad.shape != data.shape:
                parent_grad = _fit_to_input(parent_grad, data.shape, ctx.name)
            if parent_grad.dtype != data.dtype:
                # dL/dx has x's dtype (as in PyTorch): a float32 branch of a mixed graph keeps computing
                # its backward in float32 instead of silently doing it in float64.
                parent_grad = parent_grad.astype(data.dtype)
            key = id(parent)
            previous = grads.get(key)
            grads[key] = parent_grad if previous is None else previous + parent_grad
        if not retain_graph:
            ctx.release()
