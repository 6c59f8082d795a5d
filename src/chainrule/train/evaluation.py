"""Running a model to read its outputs rather than to train it: the one evaluation helper.

Evaluating differs from training in two ways, and forgetting either is a classic bug: the model must be
in eval mode (``Dropout`` passes its input through instead of drawing a random mask) and no graph may be
built (``no_grad``: nothing is kept for a backward pass that will never come). Afterwards every module
must be back in the train/eval mode it had, so that evaluating in the middle of training (validation
after each epoch) leaves training as it was. ``evaluate``, ``predict``, the output-shape probe of
``fit``, validation, ``summary``, the decision-boundary plot and the scikit-learn estimators all go
through here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from chainrule import backend
from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor

__all__ = ["evaluation_mode", "predict_arrays", "restore_modes", "saved_modes"]


def saved_modes(model: Any) -> list[tuple[Any, bool]]:
    """``(module, its training flag)`` for ``model`` and every submodule, for ``restore_modes``."""
    if callable(getattr(model, "modules", None)):
        return [(module, module.training) for module in model.modules()]
    # a module-like object without submodules: only its own flag
    return [(model, model.training)] if isinstance(getattr(model, "training", None), bool) else []


def restore_modes(modes: list[tuple[Any, bool]]) -> None:
    """Put each module back in the mode ``saved_modes`` recorded (not one mode for all: a submodule
    the user keeps in eval mode while the rest trains stays in eval mode)."""
    for module, mode in modes:
        module.training = mode


@contextmanager
def evaluation_mode(model: Any) -> Iterator[None]:
    """Inside the block: ``model`` in eval mode, under ``no_grad``. On leaving (even by an error): each
    submodule back in its own previous mode.

    >>> import chainrule as cr
    >>> model = cr.nn.Sequential(cr.nn.Linear(2, 2), cr.nn.Dropout(0.5))
    >>> with evaluation_mode(model):
    ...     model.training, cr.is_grad_enabled()
    (False, False)
    >>> model.training
    True
    """
    modes = saved_modes(model)
    if callable(getattr(model, "eval", None)):
        model.eval()
    try:
        with no_grad():
            yield
    finally:
        restore_modes(modes)


def model_device(model: Any) -> Any:
    """The device of the model's first parameter (the CPU if it has none)."""
    for param in getattr(model, "parameters", lambda: ())():
        return param.device
    return backend.CPU


def on_device(array: Any, device: Any) -> Tensor:
    """A batch (a host array) as a tensor on ``device`` (the model's), for its forward pass."""
    return Tensor._wrap(array if device is backend.CPU else backend.to_device(array, device))


def predict_arrays(model: Any, X: np.ndarray, batch_size: int | None = None, *,
                   on_batch: Callable[[Tensor, slice], None] | None = None, caller: str = "predict") -> np.ndarray:
    """The outputs of ``model`` for the rows of ``X`` (an array already of the model's dtype), computed
    in ``evaluation_mode`` in batches of ``batch_size`` rows (None: all at once) and joined.

    ``on_batch(output, rows)`` is called with each batch's output Tensor and the slice of ``X`` it came
    from (to add up a loss batch by batch). A model that returns anything but a Tensor is refused with
    an error naming ``caller``.
    """
    size = batch_size or max(len(X), 1)
    parts: list[np.ndarray] = []
    device = model_device(model)
    with evaluation_mode(model):
        for start in range(0, max(len(X), 1), size):
            rows = slice(start, start + size)
            output = model(on_device(X[rows], device))
            if not isinstance(output, Tensor):
                raise TypeError(f"{caller}: the model returned {type(output).__name__}; it must return a Tensor")
            if on_batch is not None:
                on_batch(output, rows)
            parts.append(backend.to_host(output.data))  # host arrays, whatever the model's device
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
