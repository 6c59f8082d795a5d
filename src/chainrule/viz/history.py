"""Training curves (loss and metrics per epoch, train against validation) and the confusion matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule.viz._figures import NEGATIVE, POSITIVE, finish, new_figure, style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_confusion_matrix", "plot_history"]

_VALIDATION_PREFIX = "val_"


def _as_columns(history: Any) -> dict[str, list[float]]:
    """``{name: [value per epoch]}`` from a History (``.history``), a dict of lists or a list of dicts."""
    records = getattr(history, "history", history)
    if isinstance(records, Mapping):
        # Per-layer statistics ("grad_norm/0", from Diagnostics) have their own plot, plot_diagnostics.
        columns = {str(k): list(v) for k, v in records.items()
                   if isinstance(v, (list, tuple, np.ndarray)) and k != "epoch" and "/" not in str(k)}
    elif isinstance(records, Sequence) and records and all(isinstance(r, Mapping) for r in records):
        names = [k for k in records[0] if k != "epoch"]
        columns = {str(k): [r.get(k, np.nan) for r in records] for k in names}
    else:
        raise TypeError("plot_history: expected a History (with .history), a dict of per-epoch lists or a "
                        f"list of per-epoch dicts, got {type(history).__name__}")
    columns = {k: [float(x) if x is not None else np.nan for x in v] for k, v in columns.items() if len(v)}
    if not columns:
        raise ValueError("plot_history: the history is empty (train for at least one epoch first)")
    return columns


def plot_history(history: Any, *, metrics: Sequence[str] | None = None, log_loss: bool = False) -> Figure:
    """One panel per quantity (``loss`` first, then each metric), epochs on the x axis.

    ``history``: what ``cr.fit`` returns (``history.history`` is ``{"loss": [...], "val_loss": [...],
    "accuracy": [...], ...}``, Keras's layout), or such a dict itself. Training values are a solid
    blue line, validation values (keys starting ``val_``) a dashed red one in the same panel.
    ``metrics`` picks and orders the panels; ``log_loss`` puts the loss on a log scale.

    >>> fig = plot_history({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]})
    >>> fig.axes[0].get_title(), len(fig.axes[0].get_lines())
    ('loss', 2)
    """
    from matplotlib.ticker import MaxNLocator

    columns = _as_columns(history)
    bases = [k for k in columns if not k.startswith(_VALIDATION_PREFIX)]
    bases += [k[len(_VALIDATION_PREFIX):] for k in columns
              if k.startswith(_VALIDATION_PREFIX) and k[len(_VALIDATION_PREFIX):] not in bases]
    bases = [k for k in bases if k not in {"lr", "time", "seconds"}] or bases
    if metrics is not None:
        missing = [m for m in metrics if m not in bases]
        if missing:
            raise ValueError(f"plot_history: no values recorded for {missing}; recorded: {', '.join(bases)}")
        bases = list(metrics)
    else:
        order = list(bases)
        bases.sort(key=lambda k: (k != "loss", order.index(k)))  # the loss first, the rest as recorded
    with style():
        fig, axes = new_figure(ncols=len(bases), width=4.6, height=3.6)
        for ax, name in zip(axes, bases, strict=True):
            for key, colour, dash, label in ((name, POSITIVE, "-", "train"),
                                             (_VALIDATION_PREFIX + name, NEGATIVE, "--", "validation")):
                if key in columns:
                    values = columns[key]
                    ax.plot(np.arange(1, len(values) + 1), values, dash, color=colour, linewidth=2,
                            marker="o" if len(values) <= 30 else None, markersize=4, label=label)
            ax.set_title(name)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
            ax.set_ylabel(name)
            if name == "loss" and log_loss:
                ax.set_yscale("log")
            ax.legend()
        if len(bases) > 1:
            fig.suptitle("Training history")
    return finish(fig)


def plot_confusion_matrix(y_true: Any, y_pred: Any, *, labels: Sequence[str] | None = None,
                          normalize: bool = False, ax: Axes | None = None,
                          title: str | None = None) -> Figure:
    """Show the confusion matrix: rows are the true class, columns the predicted one.

    ``y_true``: class labels (or one-hot rows); ``y_pred``: predicted labels, or the model's logits or
    probabilities (the counting is ``chainrule.train.metrics.confusion_matrix``). Each cell shows its
    count (or, with ``normalize=True``, the fraction of its row, i.e. the recall of that class). The
    title gives the accuracy, the share of samples on the diagonal.

    >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    >>> fig.axes[0].get_title()
    'Confusion matrix (accuracy 0.75)'
    """
    from chainrule.train.metrics import confusion_matrix

    counts = confusion_matrix(y_pred, y_true, num_classes=None if labels is None else len(labels))
    n = counts.shape[0]
    if labels is not None and len(labels) != n:
        raise ValueError(f"plot_confusion_matrix: {len(labels)} labels given for {n} classes")
    names = list(labels) if labels is not None else [str(i) for i in range(n)]
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    with style():
        size = max(4.0, 0.45 * n + 2.5)
        fig, (axis,) = new_figure(width=size + 0.8, height=size, ax=ax)
        image = axis.imshow(shown, cmap="Blues", vmin=0)
        fig.colorbar(image, ax=axis, label="fraction of the row" if normalize else "count", shrink=0.8)
        threshold = shown.max() / 2
        for i in range(n):
            for j in range(n):
                text = f"{shown[i, j]:.2f}" if normalize else str(counts[i, j])
                axis.text(j, i, text, ha="center", va="center", fontsize=9 if n > 6 else 11,
                          color="white" if shown[i, j] > threshold else "black")
        axis.set_xticks(range(n), names)
        axis.set_yticks(range(n), names)
        axis.set_xlabel("predicted class")
        axis.set_ylabel("true class")
        axis.grid(False)
        axis.set_title(title if title is not None else f"Confusion matrix (accuracy {accuracy:.2f})")
    return finish(fig, owned=ax is None)
