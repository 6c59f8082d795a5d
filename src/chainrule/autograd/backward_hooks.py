"""What the engine tells others about a backward pass: a parameter's gradient is complete, and the walk
has ended. This is how ``DistributedDataParallel`` averages gradients across processes during
``backward`` without the training loop doing anything (PyTorch's ``register_post_accumulate_grad_hook``
and the engine's ``queue_callback``).

- ``register_post_accumulate_grad_hook(tensor, hook)``: ``hook(tensor)`` runs each time a backward
  walk has added this walk's gradient into the leaf ``tensor.grad`` (once per walk, after every path
  through the graph has been summed). The engine stores leaf gradients in the order of its reversed
  topological walk, which need not be the reverse order of use.
- ``queue_callback(callback)``: during a backward walk (from a hook), ask for ``callback()`` once the
  walk has finished; the queue is emptied at the end of every walk, even one that fails.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chainrule.utils.hooks import RemovableHandle, add_hook

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor

# id(tensor) -> its hooks. A weakref finalizer drops the entry when the tensor dies, so an id that
# Python reuses for a new object never finds the old tensor's hooks.
post_accumulate_grad_hooks: dict[int, dict[int, Callable[[Any], None]]] = {}
queued_callbacks: list[Callable[[], None]] = []


def register_post_accumulate_grad_hook(tensor: Tensor, hook: Callable[[Any], None]) -> RemovableHandle:
    """Run ``hook(tensor)`` after each backward walk has accumulated into ``tensor.grad`` (a leaf)."""
    if tensor._ctx is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors (the result "
                           "of an operation has no .grad to accumulate into); register it on a leaf")
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a post accumulate grad hook on a tensor that does not require grad")
    key = id(tensor)
    hooks = post_accumulate_grad_hooks.get(key)
    if hooks is None:
        hooks = post_accumulate_grad_hooks[key] = {}
        weakref.finalize(tensor, post_accumulate_grad_hooks.pop, key, None)
    return add_hook(hooks, hook)


def run_post_accumulate_grad_hooks(tensor: Tensor) -> None:
    hooks = post_accumulate_grad_hooks.get(id(tensor))
    if hooks:
        for hook in list(hooks.values()):
            hook(tensor)


def queue_callback(callback: Callable[[], None]) -> None:
    """Run ``callback()`` when the backward walk in progress ends (call it from a hook during backward)."""
    queued_callbacks.append(callback)


def run_queued_callbacks(walk_succeeded: bool) -> None:
    """Empty the queue, running the callbacks in order only if the walk succeeded."""
    callbacks = queued_callbacks[:]
    queued_callbacks.clear()
    if walk_succeeded:
        for callback in callbacks:
            callback()
