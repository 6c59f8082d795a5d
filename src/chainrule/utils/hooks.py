"""Hook handles shared by modules and the autograd engine (``torch.utils.hooks``'s place).

A hook is stored in a dict under a fresh key; the handle returned to the user removes it again.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

_hook_ids = count()


class RemovableHandle:
    """Returned by ``register_*_hook``; ``handle.remove()`` takes the hook off again."""

    def __init__(self, hooks: dict[int, Any], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


def add_hook(hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]) -> RemovableHandle:
    """Store ``hook`` under a fresh key (hooks run in the order they were added)."""
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    key = next(_hook_ids)
    hooks[key] = hook
    return RemovableHandle(hooks, key)
