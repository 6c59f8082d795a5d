"""What ``fit`` accepts by name, turned into objects: losses, optimisers, metrics; and data turned into
the arrays the model and the loss need (done once, before training, never per batch)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from chainrule import dtypes
from chainrule.autograd.tensor import Tensor
from chainrule.nn import registry
from chainrule.train import metrics as metric_functions
from chainrule.train.evaluation import predict_arrays

# name -> class name in chainrule.optim
OPTIMIZERS: dict[str, str] = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
                              "adagrad": "Adagrad"}

# Accuracy reads a one-column output by what the loss was given: logits are split at 0, probabilities at 0.5.
_ACCURACY_THRESHOLDS = {"logits": 0.0, "probabilities": 0.5}


def get_loss(loss: Any) -> Callable[[Tensor, Tensor], Tensor]:
    """A loss module from a name of ``chainrule.nn.registry.LOSSES`` ('mse', 'cross_entropy', 'bce',
    'bce_with_logits', 'l1', 'huber', 'nll' and their aliases), or ``loss`` itself when it is already a
    module or a function ``f(output, target)``."""
    if isinstance(loss, str):
        return registry.LOSSES.lookup(loss, "fit", ", or pass a loss module such as cr.nn.MSELoss()")()
    if isinstance(loss, type):
        raise TypeError(f"fit: loss={loss.__name__} is a class; pass an instance: loss={loss.__name__}()")
    if not callable(loss):
        raise TypeError(f"fit: loss must be a name, a loss module or a function, got {type(loss).__name__}")
    return loss  # type: ignore[no-any-return]


def get_optimizer(optimizer: Any, model: Any, lr: float | None) -> Any:
    """An optimiser: ``optimizer`` itself when it already is one (then ``lr`` must be None), or one made
    for ``model.parameters()`` from a name ('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad') or a class,
    with ``lr=lr`` when given (the class's default otherwise)."""
    if hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad") and not isinstance(optimizer, type):
        if lr is not None:
            raise ValueError("fit: lr= is for an optimizer given by name or class (optimizer='sgd', lr=0.1); "
                             "this optimizer already has its learning rate: set it when creating it")
        return optimizer
    kwargs = {} if lr is None else {"lr": lr}
    if isinstance(optimizer, str):
        key = optimizer.lower()
        if key not in OPTIMIZERS:
            raise ValueError(f"fit: unknown optimizer {optimizer!r}; valid names: {', '.join(OPTIMIZERS)}, "
                             "or pass an optimizer such as cr.optim.SGD(model.parameters(), lr=0.1)")
        from chainrule import optim

        return getattr(optim, OPTIMIZERS[key])(model.parameters(), **kwargs)
    if callable(optimizer):
        return optimizer(model.parameters(), **kwargs)
    raise TypeError(f"fit: optimizer must be an optimizer, a name or an optimizer class, got "
                    f"{type(optimizer).__name__}")


def loss_name(loss_fn: Any) -> str:
    return type(loss_fn).__name__ if not hasattr(loss_fn, "__name__") else str(loss_fn.__name__)


def get_metrics(metrics: Iterable[Any], loss_fn: Any) -> list[tuple[str, Callable[..., Any]]]:
    """``(name, function)`` pairs. Accuracy learns from the loss how to read one-column outputs:
    logits (threshold 0) after BCEWithLogitsLoss, probabilities (threshold 0.5) after BCELoss."""
    resolved = []
    entry = registry.loss_entry(loss_fn)
    threshold = None if entry is None else _ACCURACY_THRESHOLDS.get(entry.input)
    for metric in metrics if not isinstance(metrics, str) else (metrics,):
        name, function = metric_functions.get_metric(metric)
        if function is metric_functions.accuracy and threshold is not None:
            function = functools.partial(metric_functions.accuracy, threshold=threshold)
        resolved.append((name, function))
    names = [name for name, _ in resolved]
    if len(set(names)) != len(names):
        raise ValueError(f"fit: metric names must be distinct, got {names}")
    return resolved


def model_dtype(model: Any) -> np.dtype:
    """The dtype of the model's first floating-point parameter (the default dtype if it has none)."""
    for param in getattr(model, "parameters", lambda: ())():
        if param.data.dtype.kind == "f":
            return param.data.dtype  # type: ignore[no-any-return]
    return dtypes.get_default_dtype()


# -- devices (issue 11): batches go to the model's device ---------------------------------------------
def check_model(model: Any, caller: str) -> None:
    """Refuse, with the reason, what cannot be trained: a class instead of an instance, or no module."""
    if isinstance(model, type):
        raise TypeError(f"{caller}: model={model.__name__} is a class; pass an instance, e.g. "
                        f"{model.__name__}(...)")
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(f"{caller}: model must be a chainrule nn.Module (such as nn.Sequential(nn.Linear(2, "
                        f"4), nn.ReLU(), nn.Linear(4, 1))), got {type(model).__name__}")


def _not_numbers_hint(name: str) -> str:
    if name.startswith("y"):
        return ("class names must be encoded as integers 0..C-1 first, e.g. "
                "classes, y = np.unique(y, return_inverse=True)")
    return "encode text columns as numbers first (for example one column per category, 0 or 1)"


def as_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a non-empty NumPy array of numbers with one row per sample, or an error saying why
    not (strings, ``None``, rows of different lengths, no samples)."""
    if isinstance(value, Tensor):
        array = value.data
    else:
        try:
            array = np.asarray(value)
        except ValueError as error:         # ragged nested lists
            raise ValueError(f"{name} must be an array with one row per sample, all rows the same length "
                             f"({error})") from None
    if array.ndim == 0:
        raise TypeError(f"{name} must be an array or tensor with one row per sample, got "
                        f"{type(value).__name__} {array!r}")
    if array.dtype == object:
        try:                                # e.g. a pandas column of numbers stored as objects
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            example = next((v for v in array.flat if not isinstance(v, (int, float, np.number))), None)
            raise TypeError(f"{name} must hold numbers, but it holds {type(example).__name__} values such as "
                            f"{example!r}; {_not_numbers_hint(name)}") from None
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype} (values such as "
                        f"{array.flat[0]!r}); {_not_numbers_hint(name)}")
    if len(array) == 0:
        raise ValueError(f"{name} has no samples (shape {array.shape}); give at least one row")
    return array


def prepare_inputs(X: Any, dtype: np.dtype, name: str = "X") -> np.ndarray:
    """``X`` as an array of the model's dtype (so float32 stays float32), checked for NaN/inf."""
    array = as_array(X, name)
    if array.ndim == 1:
        raise ValueError(f"{name} has shape {array.shape}: it needs one row per sample, shape (n_samples, "
                         f"n_features); for one feature per sample use {name}.reshape(-1, 1), for one sample "
                         f"{name}.reshape(1, -1)")
    if array.dtype != dtype:
        array = array.astype(dtype)
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        row = int(np.argwhere(~np.isfinite(array))[0][0])
        raise ValueError(f"{name} contains NaN or infinite values (first in row {row}); clean or impute them "
                         "before training")
    return array


def output_shape(model: Any, X: np.ndarray) -> tuple[int, ...]:
    """The shape of the model's output for the first sample, found by one forward pass in eval mode
    under no_grad (no graph, no dropout, no random draws)."""
    try:
        output = predict_arrays(model, X[:1], caller="fit")
    except (RuntimeError, ValueError) as error:
        if type(error) not in (RuntimeError, ValueError):
            raise
        # The probe runs on one row: say so, or "(shape (1, 2))" puzzles someone with 500 samples.
        raise type(error)(f"{error} [the model was run on the first row of X, which has shape "
                          f"{X.shape}]") from error
    return tuple(output.shape)


def prepare_targets(y: Any, loss_fn: Any, shape: tuple[int, ...], dtype: np.dtype,
                    name: str = "y") -> np.ndarray:
    """Targets in the form the loss expects, given the model's output shape ``shape`` (for one sample):

    - cross-entropy / NLL: int64 class labels of shape (N,) (class probabilities of shape (N, C) stay
      float);
    - every other loss: floats of the model's dtype, reshaped to the output's shape when they hold the
      same number of values per sample, so (N,) targets meet (N, 1) outputs value by value instead of
      broadcasting to (N, N).
    """
    array = as_array(y, name)
    per_sample = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    if registry.takes_class_indices(loss_fn):
        if array.ndim == 2 and array.shape[1] > 1:
            return array.astype(dtype, copy=False)
        labels = array.reshape(len(array))
        if labels.dtype.kind == "f":
            if not np.all(labels == np.round(labels)):
                raise ValueError(f"fit: {loss_name(loss_fn)} needs integer class labels, but {name} holds "
                                 f"fractional values such as {labels[labels != np.round(labels)][0]}")
        labels = labels.astype(np.int64, copy=False)
        n_classes = shape[1] if len(shape) > 1 else None
        if n_classes is not None and len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
            if n_classes == 1:
                hint = ("; a model with one output gives one logit: for two classes use "
                        "loss='bce_with_logits' with labels 0/1, or give the last Linear layer one output "
                        "per class")
            else:
                hint = " (map other labels to 0..C-1 first, e.g. classes, y = np.unique(y, return_inverse=True))"
            raise ValueError(f"fit: {name} holds class labels from {labels.min()} to {labels.max()}, but the "
                             f"model outputs {n_classes} class{'es' if n_classes != 1 else ''} (labels 0 to "
                             f"{n_classes - 1}){hint}")
        return labels
    array = array.astype(dtype, copy=False) if array.dtype != dtype else array
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        row = int(np.argwhere(~np.isfinite(array))[0][0])
        raise ValueError(f"{name} contains NaN or infinite values (first in row {row}); the loss would be "
                         "NaN")
    _check_binary_labels(array, loss_fn, name)
    if len(array) and array[0].size == per_sample and array.shape[1:] != tuple(shape[1:]):
        array = array.reshape((len(array), *shape[1:]))
    return array


def _check_binary_labels(array: np.ndarray, loss_fn: Any, name: str) -> None:
    """A binary cross-entropy trains on labels 0 and 1 only: a label 2 would give a loss that is still
    finite but a model that predicts nothing meaningful (PyTorch's BCELoss refuses such targets too)."""
    from chainrule import nn

    if not isinstance(loss_fn, (nn.BCELoss, nn.BCEWithLogitsLoss)) or not array.size:
        return
    odd = array[(array != 0) & (array != 1)]
    if odd.size:
        values = np.unique(array)
        shown = ", ".join(f"{v:g}" for v in values[:6]) + (", ..." if len(values) > 6 else "")
        raise ValueError(f"fit: {loss_name(loss_fn)} needs labels 0 and 1, but {name} holds {shown}; for more "
                         "than two classes use loss='cross_entropy' with one output per class (labels 0..C-1)")


def split_validation(arrays: Sequence[np.ndarray],
                     fraction: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Keras's ``validation_split``: the LAST ``fraction`` of the samples (before any shuffling)."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fit: validation_split={fraction} must be a fraction in [0, 1)")
    n = len(arrays[0])
    n_val = int(n * fraction)
    if n_val == 0 or n_val == n:
        raise ValueError(f"fit: validation_split={fraction} of {n} samples leaves an empty set")
    return [a[: n - n_val] for a in arrays], [a[n - n_val:] for a in arrays]
