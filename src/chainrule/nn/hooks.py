"""Forward hooks: functions a module calls before or after its ``forward`` (PyTorch's
``register_forward_hook``/``register_forward_pre_hook``), e.g. to record every layer's activations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainrule.utils.hooks import RemovableHandle, add_hook

if TYPE_CHECKING:
    from chainrule.nn.module import Module

__all__ = ["RemovableHandle", "add_hook", "call_with_hooks"]


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
