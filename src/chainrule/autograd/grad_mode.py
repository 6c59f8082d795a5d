"""Gradient mode: whether operations record the graph that backpropagation walks.

``cr.no_grad()`` switches recording off (as a context manager or a decorator), which is what
inference and optimiser updates want: no graph is built, so nothing is kept alive for a backward
pass that will never come. ``cr.enable_grad()`` switches it back on inside a ``no_grad`` block, and
``cr.set_grad_enabled(mode)`` sets it explicitly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    # NOTE: a plain module-level object read on every op; a thread-local would be safer with threads,
    # but it costs a lookup per op in the hot path and chainrule trains in one thread.
    enabled: bool = True


_state = _State()


def is_grad_enabled() -> bool:
    """True when new operations are recorded in the computational graph."""
    return _state.enabled


class _GradModeContext:
    """Base for the three switches: a context manager that is also a decorator."""

    mode: bool = True

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(_state.enabled)
        _state.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _state.enabled = self._previous.pop()

    def __call__(self, function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _BareDecoratorMixin(_GradModeContext):
    """Lets ``@cr.no_grad`` be written without parentheses too, as PyTorch allows."""

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        if function is None:
            return super().__new__(cls)
        return cls()(function)

    def __init__(self, function: Callable[..., Any] | None = None) -> None:
        super().__init__()


class no_grad(_BareDecoratorMixin):  # noqa: N801 - PyTorch's name
    """Turn graph recording off. ``with cr.no_grad(): y = model(x)`` builds no graph.

    Also a decorator: ``@cr.no_grad()`` (or ``@cr.no_grad``) above a function runs its body without
    recording.
    """

    mode = False


class enable_grad(_BareDecoratorMixin):  # noqa: N801 - PyTorch's name
    """Turn graph recording back on, for example inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Set graph recording to ``mode``; takes effect at once, and as a context manager restores on exit."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._previous.append(_state.enabled)
        _state.enabled = self.mode

    def __enter__(self) -> None:
        # The switch already happened in __init__ (PyTorch behaves the same way).
        pass

    def __call__(self, function: F) -> F:
        mode = self.mode
        # Undo the immediate switch: as a decorator it only applies while the function runs.
        _state.enabled = self._previous.pop()

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class inference_mode(no_grad):  # noqa: N801 - PyTorch's name
    """PyTorch's faster no_grad for inference; in chainrule the same as ``no_grad`` (nothing is recorded)."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = not mode
