"""The loss functions of ``chainrule.nn.functional`` (``F.mse_loss``, ``F.cross_entropy``, ...): argument
checks with errors that name the shapes, then one fused op each (``chainrule.autograd.losses``). This is
the only place loss arguments are checked: the ``nn`` loss modules store theirs and call these.

One difference from PyTorch, on purpose: for the element-wise losses (L1, MSE, Huber, BCE) a target
whose shape differs from the input's is refused with the reshape that fixes it. PyTorch only warns and
broadcasts, so an output of shape (N, 1) against targets of shape (N,) silently becomes an (N, N) loss,
the most common bug of a first regression network.

``reduction`` is ``'mean'`` (default), ``'sum'`` or ``'none'`` (one loss per element / sample). The
arguments after ``target`` (and ``weight``) are keyword-only: PyTorch's deprecated ``size_average`` and
``reduce`` sit in those positions, so a positional call would mean something else there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import backend
from chainrule.autograd import losses
from chainrule.autograd.losses import REDUCTIONS
from chainrule.autograd.tensor import Tensor, to_array


def check_reduction(name: str, reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: {reduction!r} is not a valid value for reduction; valid values are "
                         + ", ".join(repr(r) for r in REDUCTIONS))
    return reduction


def _check_label_smoothing(name: str, label_smoothing: float) -> None:
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")


def _input(name: str, input: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: input must be a chainrule Tensor (the model's output), "
                        f"got {type(input).__name__}")
    if input.data.dtype.kind != "f":
        raise TypeError(f"{name}: input must be floating point, got {input.dtype}; convert with .float()")
    return input


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor._wrap(to_array(value, copy=False))


def _same_shape_target(name: str, input: Tensor, target: Any) -> Tensor:  # noqa: A002
    """The target as a tensor of the input's dtype and shape (a differentiable cast if it needs one)."""
    target_t = _as_tensor(target)
    if target_t.shape != input.shape:
        hint = ""
        if input.ndim == 2 and input.shape[1] == 1 and target_t.shape == input.shape[:1]:
            hint = " (for one output per sample, reshape the target: target.reshape(-1, 1))"
        elif target_t.ndim == 2 and target_t.shape[1] == 1 and input.shape == target_t.shape[:1]:
            hint = " (reshape the target: target.reshape(-1), or keep the output's (N, 1) shape)"
        raise ValueError(f"{name}: input has shape {input.shape} but target has shape {target_t.shape}; "
                         f"they must be the same{hint}")
    if target_t.data.dtype != input.data.dtype:
        target_t = target_t.to(input.data.dtype)
    return target_t


def _on_input_device(value: Any, input: Tensor) -> Any:  # noqa: A002 - PyTorch's name
    """A weight (tensor, array or list) as an array of the input's dtype on the input's device."""
    data = value.data if isinstance(value, Tensor) else np.asarray(value)
    return backend.to_device(data, input.device).astype(input.data.dtype, copy=False)


def _constant(name: str, what: str, value: Any, input: Tensor, shape: tuple[int, ...] | None) -> Any:  # noqa: A002
    """``weight``/``pos_weight`` as an array of the input's dtype, checked to broadcast onto ``shape``."""
    if value is None:
        return None
    array = _on_input_device(value, input)
    target_shape = input.shape if shape is None else shape
    try:
        broadcast = np.broadcast_shapes(array.shape, target_shape)
    except ValueError:
        broadcast = None
    if broadcast != target_shape:
        raise ValueError(f"{name}: {what} of shape {array.shape} cannot be broadcast to the input's shape "
                         f"{input.shape}")
    return array


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error: l = |x - y|."""
    x = _input("l1_loss", input)
    return losses.AbsoluteError.apply(x, _same_shape_target("l1_loss", x, target),
                                 reduction=check_reduction("l1_loss", reduction))


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: l = (x - y)^2 (the notes' L2 loss; dl/dx = 2 (x - y))."""
    x = _input("mse_loss", input)
    return losses.SquaredError.apply(x, _same_shape_target("mse_loss", x, target),
                                  reduction=check_reduction("mse_loss", reduction))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:  # noqa: A002
    """Huber loss: (x - y)^2 / 2 where |x - y| < delta, else delta (|x - y| - delta / 2)."""
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    x = _input("huber_loss", input)
    return losses.Huber.apply(x, _same_shape_target("huber_loss", x, target),
                                    reduction=check_reduction("huber_loss", reduction), delta=float(delta))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         *, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities p (after a sigmoid): l = -w [y ln p + (1 - y) ln(1 - p)].
    Prefer ``binary_cross_entropy_with_logits`` on the logits: it is exact where p rounds to 0 or 1."""
    x = _input("binary_cross_entropy", input)
    y = _same_shape_target("binary_cross_entropy", x, target)
    if x.data.size and (x.data.min() < 0 or x.data.max() > 1):
        raise RuntimeError(f"binary_cross_entropy: all elements of input should be between 0 and 1 (they are "
                           f"probabilities), got values from {x.data.min():.4g} to {x.data.max():.4g}; for "
                           "logits use binary_cross_entropy_with_logits (nn.BCEWithLogitsLoss)")
    if y.data.size and (y.data.min() < 0 or y.data.max() > 1):
        raise RuntimeError(f"binary_cross_entropy: all elements of target should be between 0 and 1 (labels 0/1 "
                           f"or probabilities), got values from {y.data.min():.4g} to {y.data.max():.4g}; for "
                           "more than two classes use cross_entropy with one output per class")
    return losses.BinaryCrossEntropy.apply(x, y, weight=_constant("binary_cross_entropy", "weight", weight, x, None),
                                  reduction=check_reduction("binary_cross_entropy", reduction))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                     *, reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of logits z with the sigmoid fused in (stable at z = +-1e4):
    l = -w [pw y ln s(z) + (1 - y) ln(1 - s(z))]; ``pos_weight`` (per class, the last dim) weighs the
    positive examples."""
    name = "binary_cross_entropy_with_logits"
    x = _input(name, input)
    y = _same_shape_target(name, x, target)
    pos = _constant(name, "pos_weight", pos_weight, x, None)
    return losses.BinaryCrossEntropyWithLogits.apply(x, y, weight=_constant(name, "weight", weight, x, None),
                                            pos_weight=pos, reduction=check_reduction(name, reduction))


def _class_weight(name: str, weight: Any, input: Tensor, n_classes: int) -> Any:  # noqa: A002
    if weight is None:
        return None
    array = _on_input_device(weight, input)
    if array.shape != (n_classes,):
        raise ValueError(f"{name}: weight must hold one value per class, shape ({n_classes},), "
                         f"got {array.shape}")
    return array


def _class_targets(name: str, input: Tensor, target: Tensor, ignore_index: int) -> None:  # noqa: A002
    class_dim = 1 if input.ndim > 1 else 0
    expected = input.shape[:class_dim] + input.shape[class_dim + 1:]
    n_classes = input.shape[class_dim]
    if target.shape != expected:
        raise ValueError(f"{name}: input has shape {input.shape} (classes along dim {class_dim}) so "
                         f"class-index targets must have shape {expected}, got {target.shape}")
    t = target.data
    # Two reductions settle the common, valid batch; the element-wise search runs only when one fails.
    if t.size == 0 or (t.min() >= 0 and t.max() < n_classes):
        return
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"{name}: target {t[bad].flat[0]} is out of bounds: with {n_classes} classes the "
                         f"valid class indices are 0 to {n_classes - 1} (or ignore_index={ignore_index})")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  *, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits (N, C) or (N, C, d1, ...) or (C,) against integer classes (N, d1, ...) or
    class probabilities (the input's shape): log-softmax fused in, gradient softmax - onehot."""
    name = "cross_entropy"
    x = _input(name, input)
    if x.ndim == 0:
        raise ValueError(f"{name}: input must have a class dim, shape (N, C) or (C,), got a 0-d tensor")
    check_reduction(name, reduction)
    _check_label_smoothing(name, label_smoothing)
    n_classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    w = _class_weight(name, weight, x, n_classes)
    target_t = _as_tensor(target)
    if target_t.data.dtype.kind in "iu":
        _class_targets(name, x, target_t, ignore_index)
        return losses.CrossEntropy.apply(x, target_t, weight=w, ignore_index=ignore_index,
                                                         reduction=reduction, label_smoothing=label_smoothing)
    if target_t.data.dtype.kind != "f" or target_t.shape != x.shape:
        index_shape = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
        raise ValueError(f"{name}: with input of shape {x.shape}, the target must be integer class indices "
                         f"of shape {index_shape} (use target.long()) or class probabilities of shape "
                         f"{x.shape}; got {target_t.dtype} of shape {target_t.shape}")
    if ignore_index >= 0:
        raise ValueError(f"{name}: ignore_index is not supported for floating point (probability) targets")
    if target_t.data.dtype != x.data.dtype:
        target_t = target_t.to(x.data.dtype)
    return losses.CrossEntropyWithProbabilities.apply(x, target_t, weight=w, reduction=reduction,
                                                                  label_smoothing=label_smoothing)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             *, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities (after ``log_softmax``) at integer classes:
    l = -w_t input[t]. ``nll_loss(log_softmax(z, 1), t)`` equals ``cross_entropy(z, t)``."""
    name = "nll_loss"
    x = _input(name, input)
    if x.ndim == 0:
        raise ValueError(f"{name}: input must have a class dim, shape (N, C) or (C,), got a 0-d tensor")
    check_reduction(name, reduction)
    target_t = _as_tensor(target)
    if target_t.data.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold integer class indices, got {target_t.dtype}; use .long()")
    _class_targets(name, x, target_t, ignore_index)
    w = _class_weight(name, weight, x, x.shape[1] if x.ndim > 1 else x.shape[0])
    return losses.NegativeLogLikelihood.apply(x, target_t, weight=w, ignore_index=ignore_index,
                                            reduction=reduction)
