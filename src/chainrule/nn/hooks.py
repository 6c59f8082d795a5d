"""Forward hooks: functions a module calls before or after its ``forward`` (PyTorch's
``register_forward_hook``/``register_forward_pre_hook``), e.g. to record every layer's activations."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainrule.nn.module import Module

_hook_ids = count()


class RemovableHandle:
    """Returned by ``register_forward_hook``; ``handle.remove()`` takes the hook off again."""

    def __init__(self, hooks: dict[int, Any], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


def add_hook(hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]) -> RemovableHandle:
    """Store ``hook`` under a fresh key (hooks run in the order they were added)."""
    key = next(_hook_ids)
    hooks[key] = hook
    return RemovableHandle(hooks, key)


def call_with_hooks(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module.forward(*args, **kwargs)`` with its pre-hooks before and its hooks after; a hook that
    returns something other than None replaces the inputs (pre-hook) or the output (hook)."""
    for hook in list(module._forward_pre_hooks.values()):
        changed = hook(module, args)
        if changed is not None:
            args = changed if isinstance(changed, tuple) else (changed,)
    output = module.forward(*args, **kwargs)
    for hook in list(module._forward_hooks.values()):
        changed = hook(module, args, output)
        if changed is not None:
            output = changed
    return output
