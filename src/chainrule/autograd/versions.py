"""Version counters: an in-place change after a value was saved for backward is an error, never a silently
wrong gradient (PyTorch's ``tensor._version`` and its "modified by an inplace operation" error).

Every in-place change of a tensor (``add_``, ``x[mask] = v``, ``zero_``, an optimiser's step, ...) calls
``bump``: the tensor's ``_version`` goes up by one, and a global in-place ``CLOCK`` ticks, with the change
written to a short log of recent changes. Each op records the clock when it runs (one integer, the
only cost on the hot path). At backward the engine compares that with the clock now: when nothing was
changed in place since the op ran (nearly always) there is nothing to check; otherwise
``check_saved`` looks through the changes made since, and refuses when one of them touched memory the
op saved for backward (a changed input, a changed output, or a view of either). An input the op did
not save may change freely (as in PyTorch: ``y = x + 1; x.add_(1)`` still backpropagates).
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chainrule.backend import is_array, namespace_of

if TYPE_CHECKING:
    from chainrule.autograd.function import Function
    from chainrule.autograd.tensor_base import TensorBase

# The number of in-place changes so far (a list so that the hot path reads one item, no global lookup).
CLOCK = [0]
# (clock after the change, the tensor, its version before): enough to name the version an op expected.
# Bounded: a graph older than the log's reach is not checked (a trade for memory, see ``check_saved``).
_LOG: deque[tuple[int, weakref.ref[Any], int]] = deque(maxlen=4096)


def version(tensor: TensorBase) -> int:
    """The tensor's version: how many times it was changed in place."""
    return getattr(tensor, "_version_count", 0)


def bump(tensor: TensorBase) -> None:
    """Record one in-place change of ``tensor``."""
    before = getattr(tensor, "_version_count", 0)
    tensor._version_count = before + 1
    CLOCK[0] += 1
    _LOG.append((CLOCK[0], weakref.ref(tensor), before))


def bump_updated(parameters: Iterable[Any]) -> None:
    """``bump`` each of ``parameters`` that has a gradient (what an optimiser's step changes in place),
    written out here because it runs once per parameter per training step."""
    clock = CLOCK[0]
    log = _LOG.append
    for tensor in parameters:
        if tensor.grad is None:
            continue
        before = getattr(tensor, "_version_count", 0)
        tensor._version_count = before + 1
        clock += 1
        log((clock, weakref.ref(tensor), before))
    CLOCK[0] = clock


def _saved_arrays(node: Function) -> list[Any]:
    arrays = []
    for value in node.saved:
        # a custom Function saves tensors, the engine's ops arrays (host or GPU; an array's own .data is a
        # buffer, not an array)
        data: Any = value if is_array(value) else getattr(value, "data", None)
        if is_array(data) and data.size:
            arrays.append(data)
    return arrays


def _may_share_memory(a: Any, b: Any) -> bool:
    xp = namespace_of(a)
    return xp is namespace_of(b) and bool(xp.may_share_memory(a, b))


def check_saved(node: Function, output: TensorBase) -> None:
    """Raise PyTorch's error when memory ``node`` saved for backward was changed in place after it ran.
    Called by the engine only when ``CLOCK`` moved since the node ran."""
    if not _LOG or _LOG[0][0] > node.clock + 1:
        return  # the changes since this node ran are no longer all in the log: nothing reliable to say
    saved = _saved_arrays(node)
    if not saved:
        return
    for clock, ref, before in _LOG:
        if clock <= node.clock:
            continue
        changed = ref()
        if changed is None:
            continue
        if any(_may_share_memory(changed.data, array) for array in saved):
            role = "output 0" if changed is output else "an input"
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [{_describe(changed)}], which is {role} of {node.name()}, is at version "
                f"{version(changed)}; expected version {before} instead. Hint: change it out of place "
                "(x = x + 1 instead of x += 1 or x.add_(1)), or make the in-place change before the "
                "forward pass that uses it (or on a .clone())."
            )


def _describe(tensor: TensorBase) -> str:
    kind = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor"}.get(str(tensor.dtype),
                                                                                           f"{tensor.dtype} tensor")
    return f"chainrule.{kind} {list(tensor.shape)}"
