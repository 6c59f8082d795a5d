"""Per-layer statistics over training, as recorded by ``cr.train.Diagnostics``: one panel per statistic
(gradient norm, update-to-weight ratio, dead and saturated shares, activation spread), one line per layer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule.viz._figures import finish, new_figure, style, unknown_name

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_diagnostics"]

# statistic -> (panel title, log scale)
PANELS: dict[str, tuple[str, bool]] = {
    "grad_norm": ("gradient norm ||dL/dW||", True),
    "update_ratio": ("update / weight ||dW|| / ||W||", True),
    "dead_fraction": ("dead ReLU units (share)", False),
    "saturated_fraction": ("saturated outputs (share)", False),
    "activation_std": ("activation std", False),
    "activation_mean": ("activation mean", False),
}


def _layer_columns(history: Any) -> dict[str, dict[str, list[float]]]:
    """``{statistic: {layer: [value per epoch]}}`` from the ``"<statistic>/<layer>"`` keys."""
    records = getattr(history, "history", history)
    if not isinstance(records, Mapping):
        raise TypeError("plot_diagnostics: expected a History (with .history) or a dict of per-epoch lists, "
                        f"got {type(history).__name__}")
    columns: dict[str, dict[str, list[float]]] = {}
    for key, values in records.items():
        statistic, slash, layer = str(key).partition("/")
        if slash and statistic in PANELS:
            columns.setdefault(statistic, {})[layer] = [float(v) for v in values]
    if not columns:
        raise ValueError("plot_diagnostics: the history holds no per-layer statistics; train with "
                         "callbacks=[cr.train.Diagnostics()] to record them")
    return columns


def plot_diagnostics(history: Any, *, statistics: Sequence[str] | None = None) -> Figure:
    """One panel per statistic, epochs on the x axis, one line per layer (named as in
    ``named_modules()``): how the gradients, the updates and the activations of each layer evolved.

    ``history``: what ``cr.fit(..., callbacks=[cr.train.Diagnostics()])`` returns, or its ``.history``
    dict. ``statistics`` picks and orders the panels among 'grad_norm', 'update_ratio',
    'dead_fraction', 'saturated_fraction', 'activation_std', 'activation_mean' (default: those
    recorded, except the activation mean). Gradient norms and update ratios are on a log scale.

    >>> fig = plot_diagnostics({"grad_norm/0": [0.5, 0.4], "grad_norm/2": [0.9, 0.7]})
    >>> fig.axes[0].get_title(), len(fig.axes[0].get_lines())
    ('gradient norm ||dL/dW||', 2)
    """
    from matplotlib.ticker import MaxNLocator

    columns = _layer_columns(history)
    if statistics is None:
        names = [name for name in PANELS if name in columns and name != "activation_mean"] or list(columns)
    else:
        for name in statistics:
            if name not in PANELS:
                raise unknown_name("statistic", name, list(PANELS))
        missing = [name for name in statistics if name not in columns]
        if missing:
            raise ValueError(f"plot_diagnostics: no values recorded for {missing}; recorded: "
                             f"{', '.join(columns)}")
        names = list(statistics)
    with style():
        fig, axes = new_figure(ncols=len(names), width=4.4, height=3.6)
        for ax, name in zip(axes, names, strict=True):
            title, log_scale = PANELS[name]
            for layer, values in columns[name].items():
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, marker="o" if len(values) <= 30 else None, markersize=3, linewidth=1.8,
                        label=f"layer {layer}")
            ax.set_title(title)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if log_scale and all(v > 0 for values in columns[name].values() for v in values if np.isfinite(v)):
                ax.set_yscale("log")
            ax.legend(fontsize="small")
        if len(names) > 1:
            fig.suptitle("Per-layer diagnostics")
    return finish(fig)
