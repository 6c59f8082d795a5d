"""Backpropagation: one topological sort of the recorded graph and one reversed walk over it.

``run_backward(root, seed)`` is what ``Tensor.backward`` calls. For every tensor between ``root`` and
the leaves it keeps dL/d(tensor), hands it to the node that produced the tensor, and adds what comes
back into that node's inputs: the multivariate chain rule, where a tensor used twice collects the sum
of both paths. Broadcasting is undone here (``unbroadcast``) and each gradient takes its input's
dtype, so that no op has to care about either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import backend
from chainrule.autograd import grad_mode, recording, versions
from chainrule.autograd.backward_hooks import (
    post_accumulate_grad_hooks,
    run_post_accumulate_grad_hooks,
    run_queued_callbacks,
)
from chainrule.autograd.function import Function, unbroadcast
from chainrule.autograd.tensor_base import TensorBase
from chainrule.autograd.values import to_array
from chainrule.backend import namespace_of

if TYPE_CHECKING:
    # Only for the annotations: tensor.py imports this module. Gradients are wrapped with the tensor's own
    # ``_wrap``, a plain Tensor even for a Parameter (as in PyTorch: ``p.grad`` is no Parameter).
    from chainrule.autograd.tensor import Tensor


def topological_order(*roots: Tensor) -> list[Tensor]:
    """The tensors ``roots`` depend on (through recorded ops), every input before its outputs.

    Iterative depth-first search: a graph thousands of ops deep must not hit Python's recursion limit.
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    # (tensor, expanded): a tensor is first expanded (its parents pushed above it), and appended to the
    # order when it comes back up, once all its parents are in; a leaf has nothing to expand.
    stack: list[tuple[Tensor, bool]] = [(root, False) for root in reversed(roots)]
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


def store_grad(tensor: Tensor, grad: Any, handed_out: set[int]) -> None:
    """Add ``grad`` into ``tensor.grad``. Copies when the array is shared or read-only, so that no two
    ``.grad`` tensors alias one array (changing one in place must never change another). Under
    ``create_graph`` ``grad`` is a tensor in the graph and is kept as it is (so it can be differentiated)."""
    if isinstance(grad, TensorBase):
        recorded: Any = grad  # a Tensor (TensorBase is what this module can import)
        tensor.grad = recorded if tensor.grad is None else tensor.grad + recorded
        return
    if grad.dtype != tensor.data.dtype:
        grad = grad.astype(tensor.data.dtype)
    if tensor.grad is None:
        # (a GPU array has no ``writeable`` flag: it always is)
        if grad.base is not None or id(grad) in handed_out or not getattr(grad.flags, "writeable", True):
            grad = grad.copy()
        handed_out.add(id(grad))
        tensor.grad = tensor._wrap(grad)
    else:
        # A new array rather than +=: the old .grad may be shared with someone who kept it.
        tensor.grad = tensor._wrap(tensor.grad.data + grad)


def clear_grads(tensors: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Forget the gradients ``backward`` added into ``.grad`` (``Module.zero_grad`` and
    ``Optimizer.zero_grad``): ``set_to_none=True`` (PyTorch's default) sets ``.grad = None``; ``False``
    gives each a new zero tensor, never zeroing the old array in place (it may be shared, see
    ``store_grad``)."""
    for tensor in tensors:
        if tensor.grad is None:
            continue
        tensor.grad = None if set_to_none else tensor._wrap(namespace_of(tensor.grad.data).zeros_like(tensor.grad.data))


def _fit_to_input(grad: Any, shape: tuple[int, ...], op_name: str) -> Any:
    """Sum a gradient in the broadcast shape back to its input's ``shape``; any other mismatch is a bug
    in the op's backward, reported with the op's name and both shapes."""
    if not isinstance(grad, TensorBase):
        fitted = unbroadcast(grad, shape) if grad.ndim >= len(shape) else grad
    else:
        from chainrule.autograd.graph_backward import sum_to

        recorded: Any = grad
        fitted = sum_to(recorded, shape) if grad.ndim >= len(shape) else grad
    if fitted.shape != shape:
        raise RuntimeError(f"{op_name}.backward returned a gradient of shape {grad.shape} for an input of "
                           f"shape {shape}; a gradient must have its input's shape (or broadcast to it)")
    return fitted


def run_backward(roots: Tensor | Sequence[Tensor], seeds: Any, retain_graph: bool,
                 inputs: Sequence[Tensor] | None = None, create_graph: bool = False,
                 accumulate: bool = True) -> list[Any]:
    """The engine: one reverse walk over the graph (``_walk``), accumulating dL/d(node) for every node,
    then the callbacks hooks queued during it (backward_hooks).

    ``seeds`` holds dL/d(root) per root (arrays; tensors under ``create_graph``). With ``accumulate``
    (``backward``) gradients go into ``.grad`` of the leaves (or of ``inputs``); without it
    (``autograd.grad``) nothing is stored and the gradients of ``inputs`` are returned, in order (None
    where an input was not reached). Under ``create_graph`` each op's tensor-level rule
    (graph_backward.py) computes the gradients, so they are themselves recorded in the graph.
    """
    if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): it walks and records
        return recording.tape.run_backward(roots, seeds, retain_graph, inputs, create_graph, accumulate)
    try:
        found = _walk(roots, seeds, retain_graph, inputs, create_graph, accumulate)
    except BaseException:
        run_queued_callbacks(False)
        raise
    run_queued_callbacks(True)
    return found


def _walk(roots: Tensor | Sequence[Tensor], seeds: Any, retain_graph: bool, inputs: Sequence[Tensor] | None,
          create_graph: bool, accumulate: bool) -> list[Any]:
    """One reverse walk over the graph (see ``run_backward``)."""
    grads: dict[int, Any]
    if isinstance(roots, (list, tuple)):
        order = topological_order(*roots)
        grads = {}
        for root, seed in zip(roots, seeds, strict=True):
            previous = grads.get(id(root))
            grads[id(root)] = seed if previous is None else previous + seed
    else:  # one root, as loss.backward() gives
        order = topological_order(roots)  # type: ignore[arg-type]  # not a sequence: one tensor
        grads = {id(roots): seeds}
    only = None if inputs is None else {id(t) for t in inputs}
    captured: dict[int, Any] = {}
    handed_out: set[int] = set()
    step = _graph_step if create_graph else None
    clock = versions.CLOCK  # read per node: a hook may change a tensor in place during the walk
    for node in reversed(order):
        grad = grads.pop(id(node), None)
        if grad is None:
            continue
        ctx = node._ctx
        if not accumulate:
            if id(node) in only:  # type: ignore[operator]  # autograd.grad always names its inputs
                captured[id(node)] = grad
        # Leaves keep their gradient, other tensors only when asked (retain_grad, or backward(inputs=...)).
        elif (ctx is None or node._retains_grad) if only is None else id(node) in only:
            store_grad(node, grad, handed_out)
            if ctx is None and post_accumulate_grad_hooks:
                run_post_accumulate_grad_hooks(node)
        if ctx is None:
            continue
        if ctx.released:
            raise RuntimeError(
                f"Trying to backward through the graph a second time: the values {ctx.op_name} saved were "
                "freed by the first backward(). Pass retain_graph=True to the first backward() if you need to "
                "go through the same graph twice, or run the forward pass again."
            )
        if ctx.clock != clock[0]:
            versions.check_saved(ctx, node)  # something changed in place since this op ran
        parent_grads = ctx.backward(grad) if step is None else step(ctx, grad)
        if not isinstance(parent_grads, tuple):
            parent_grads = (parent_grads,)
        try:
            # strict: a backward that returns more or fewer gradients than the op has inputs is a bug in
            # that op, refused below instead of silently dropping or ignoring gradients.
            for parent, parent_grad in zip(ctx.parents, parent_grads, strict=True):
                if parent_grad is None or not parent.requires_grad:
                    continue
                data = parent.data
                if parent_grad.shape != data.shape:
                    parent_grad = _fit_to_input(parent_grad, data.shape, ctx.op_name)
                if parent_grad.dtype != data.dtype:
                    # dL/dx has x's dtype (as in PyTorch): a float32 branch of a mixed graph keeps computing
                    # its backward in float32 instead of silently doing it in float64.
                    parent_grad = parent_grad.astype(data.dtype) if step is None else parent_grad._cast(data.dtype)
                key = id(parent)
                previous = grads.get(key)
                grads[key] = parent_grad if previous is None else previous + parent_grad
        except ValueError:
            # The count is compared only here, once zip has found a mismatch (nothing added per node);
            # any other ValueError goes on as it is.
            if len(parent_grads) != len(ctx.parents):
                raise RuntimeError(
                    f"{ctx.op_name}.backward returned {len(parent_grads)} gradient(s) for its "
                    f"{len(ctx.parents)} input(s); it must return exactly one per input, in order (None for an "
                    "input that needs no gradient)"
                ) from None
            raise
        if not retain_graph:
            ctx.release()
    return [] if accumulate else [captured.get(id(t)) for t in inputs or ()]


def initial_gradient(self: Tensor, gradient: Any, create_graph: bool, caller: str) -> Any:
    """dL/d(self) to start backpropagation from: ones for a scalar, else ``gradient`` (checked); a
    tensor under ``create_graph`` (so that a seed that requires grad stays in the graph)."""
    if not self.requires_grad:
        raise RuntimeError(f"{caller}: this tensor does not require grad and has no grad_fn; did you "
                           "forget requires_grad=True on the inputs, or compute it under cr.no_grad()?")
    if gradient is None:
        if self.data.size != 1:
            raise RuntimeError(
                f"{caller}: grad can be implicitly created only for scalar outputs, but this tensor "
                f"has shape {self.shape}. Reduce it first (loss.sum() or loss.mean()), or pass the "
                f"gradient of the final result with respect to it: t.backward(cr.ones_like(t))"
            )
        array = np.ones(self.data.shape, self.data.dtype)
        if namespace_of(self.data) is not np:
            # Made on the host and moved: a GPU library's ones() would allocate on the *current* GPU,
            # not necessarily this tensor's (cuda:1).
            array = backend.to_device(array, backend.device_of(self.data))
    else:
        given = gradient.data if isinstance(gradient, TensorBase) else gradient
        array = backend.to_device(to_array(given, dtype=self.dtype, copy=False), backend.device_of(self.data))
        if array.shape != self.shape:
            raise RuntimeError(f"{caller}: gradient has shape {array.shape} but the tensor has shape "
                               f"{self.shape}; they must match")
        if array.dtype != self.data.dtype:
            array = array.astype(self.data.dtype)
    if not create_graph:
        return array
    return gradient if isinstance(gradient, TensorBase) and gradient.dtype == self.dtype else self._wrap(array)


def _graph_step(ctx: Function, grad: Tensor) -> Any:
    """One op's backward under ``create_graph``: its tensor-level rule, recorded in the graph."""
    from chainrule.autograd.graph_backward import graph_backward  # imports tensor.py, which imports this module

    with grad_mode.enable_grad():
        return graph_backward(ctx, grad)
