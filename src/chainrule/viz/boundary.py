"""Two-feature data sets and the regions a classifier assigns to each class.

``plot_decision_boundary`` evaluates the model on a ``resolution x resolution`` grid over the data
(one batched forward pass, no loop over points), colours the plane by the predicted probability of
class 1 (two classes) or by the predicted class (more), draws the boundary P = 0.5 as a black line,
and puts the data on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule.viz._figures import NEGATIVE, POSITIVE, finish, new_figure, pyplot, style, to_numpy

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_data", "plot_decision_boundary", "predict_grid"]

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
# Last layers whose output is already a probability (or a 0/1 decision), not a logit.
_PROBABILITY_LAYERS = {"Sigmoid", "Softmax", "Step", "Heaviside", "Threshold"}


def _labels(y: Any) -> np.ndarray:
    labels = to_numpy(y, "y")
    if labels.ndim == 2 and labels.shape[1] > 1:  # one-hot rows
        return labels.argmax(axis=1)
    labels = labels.reshape(-1)
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError("plot: y must hold class labels (0, 1, ...), got non-integer values "
                             f"such as {labels[labels != np.round(labels)][:3].tolist()}")
        labels = labels.astype(np.int64)
    return labels


def _features(X: Any, what: str) -> np.ndarray:
    features = to_numpy(X, "X")
    if features.ndim != 2 or features.shape[1] != 2:
        raise ValueError(f"{what}: X must have shape (n_samples, 2) (two features to put on the axes), "
                         f"got shape {features.shape}")
    return features.astype(np.float64, copy=False)


def _legend_below(ax: Axes, n_entries: int) -> None:
    """The class legend under the plot, where it can never hide a data point."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=min(n_entries, 5), frameon=False)


def _scatter_classes(ax: Axes, X: np.ndarray, labels: np.ndarray, class_names: Sequence[str] | None) -> None:
    classes = np.unique(labels)
    binary = len(classes) <= 2 and set(classes.tolist()) <= {0, 1}
    cmap = pyplot().get_cmap("tab10")
    size = 90 if len(X) <= 20 else 36 if len(X) <= 500 else 16  # a truth table's 4 points must stand out
    for i, cls in enumerate(classes):
        mask = labels == cls
        colour = (NEGATIVE if cls == 0 else POSITIVE) if binary else cmap(int(cls) % 10)
        name = class_names[int(cls)] if class_names is not None else f"class {cls}"
        ax.scatter(X[mask, 0], X[mask, 1], s=size, c=[colour], marker=_MARKERS[i % len(_MARKERS)],
                   edgecolors="black", linewidths=0.6, label=name, zorder=3)


def plot_data(X: Any, y: Any, *, ax: Axes | None = None, title: str | None = "Data",
              feature_names: Sequence[str] = ("$x_1$", "$x_2$"),
              class_names: Sequence[str] | None = None) -> Figure:
    """Scatter a two-feature data set, one colour and marker per class (class 0 red, class 1 blue).

    ``X``: (n_samples, 2) array or tensor; ``y``: class labels (n_samples,) or one-hot rows.

    >>> fig = plot_data([[0, 0], [1, 1]], [0, 1])
    >>> len(fig.axes[0].collections)   # one scatter per class
    2
    """
    features, labels = _features(X, "plot_data"), _labels(y)
    with style():
        fig, (axis,) = new_figure(width=5.0, height=4.4, ax=ax)
        _scatter_classes(axis, features, labels, class_names)
        axis.set_xlabel(feature_names[0])
        axis.set_ylabel(feature_names[1])
        if title:
            axis.set_title(title)
        _legend_below(axis, len(np.unique(labels)))
    return finish(fig, owned=ax is None)


def _last_layer_name(model: Any) -> str:
    modules = getattr(model, "modules", None)
    if not callable(modules):
        return ""
    last = None
    for last in modules():  # noqa: B007 - we want the last one
        pass
    return type(last).__name__ if last is not None else ""


def predict_grid(model: Any, points: np.ndarray,
                 output: str = "auto") -> tuple[np.ndarray, np.ndarray | None]:
    """Evaluate ``model`` on ``points`` (n, 2): returns ``(classes, probability_of_class_1)``.

    The probability is None when the model gives only classes (``predict``) or more than two.
    ``model`` may be a chainrule ``nn.Module`` (run in eval mode under ``no_grad``), or anything with
    ``predict_proba`` (scikit-learn style) or ``predict`` (``cr.Perceptron``). For a module,
    ``output`` says whether it returns ``"logits"`` or a ``"probability"``; ``"auto"`` decides by the
    last layer (Sigmoid or Softmax: probability) and otherwise by whether every output lies in [0, 1].
    """
    if output not in {"auto", "logits", "probability"}:
        raise ValueError("plot_decision_boundary: output must be 'auto', 'logits' or 'probability', "
                         f"got {output!r}")
    if hasattr(model, "predict_proba"):
        proba = to_numpy(model.predict_proba(points), "predict_proba")
        if proba.ndim == 1 or proba.shape[1] == 1:
            p1 = proba.reshape(-1)
            return (p1 > 0.5).astype(np.int64), p1
        if proba.shape[1] == 2:
            return proba.argmax(axis=1), proba[:, 1]
        return proba.argmax(axis=1), None
    if callable(model) and hasattr(model, "parameters"):
        from chainrule.autograd import Tensor
        from chainrule.autograd.functional import softmax
        from chainrule.train.evaluation import predict_arrays  # eval mode: no Dropout noise in the picture
        from chainrule.train.resolve import model_dtype

        inputs = np.asarray(to_numpy(points, "points"), dtype=model_dtype(model))
        out = predict_arrays(model, inputs, caller="plot_decision_boundary").astype(np.float64)
        is_probability = output == "probability" or (output == "auto" and (
            _last_layer_name(model) in _PROBABILITY_LAYERS or bool(np.all((out >= 0) & (out <= 1)))))
        if out.ndim == 2 and out.shape[1] == 2:  # two classes as two logits (cross-entropy) or softmax
            p = out if is_probability else softmax(Tensor._wrap(out), dim=1).numpy()
            return out.argmax(axis=1), p[:, 1]
        if out.ndim == 2 and out.shape[1] > 2:
            return out.argmax(axis=1), None
        scores = out.reshape(-1)
        probability = is_probability
        p1 = scores if probability else 1.0 / (1.0 + np.exp(-np.clip(scores, -500, 500)))
        return (p1 > 0.5).astype(np.int64), p1
    if hasattr(model, "predict"):
        return _labels(model.predict(points)), None
    raise TypeError(f"plot_decision_boundary: cannot get predictions from {type(model).__name__}; pass a "
                    "chainrule nn.Module or an object with predict_proba(X) or predict(X)")


def _decision_scores(model: Any, points: np.ndarray) -> np.ndarray | None:
    """``model.decision_function`` on the grid for a two-class model that has one (its sign is the
    class), else None."""
    decision_function = getattr(model, "decision_function", None)
    if not callable(decision_function):
        return None
    scores = to_numpy(decision_function(points), "decision_function").astype(np.float64)
    return scores.reshape(-1) if scores.size == len(points) else None


def plot_decision_boundary(model: Any, X: Any, y: Any, ax: Axes | None = None, resolution: int = 200, *,
                           output: str = "auto", title: str | None = "Decision boundary",
                           feature_names: Sequence[str] = ("$x_1$", "$x_2$"),
                           class_names: Sequence[str] | None = None, margin: float = 0.1) -> Figure:
    """Colour the plane by what ``model`` predicts and draw the data ``X`` (n, 2), ``y`` on top.

    Two classes: background = predicted probability of class 1 (red 0 ... blue 1) and a black line
    where it is 0.5, the decision boundary. More classes: one colour per predicted class. A model that
    only has ``predict`` (e.g. ``cr.Perceptron``) gives hard regions. ``resolution`` points per axis;
    ``margin`` is the fraction of the data's range added around it. Returns the Figure (``ax``'s
    figure when ``ax`` is given).

    >>> import numpy as np
    >>> class Above:                       # any object with predict() works
    ...     def predict(self, X): return (X[:, 1] > X[:, 0]).astype(int)
    >>> X = np.array([[0., 1.], [1., 0.]]); y = np.array([1, 0])
    >>> fig = plot_decision_boundary(Above(), X, y, resolution=50)
    >>> fig.axes[0].get_title()
    'Decision boundary'
    """
    features, labels = _features(X, "plot_decision_boundary"), _labels(y)
    if len(labels) != len(features):
        raise ValueError(f"plot_decision_boundary: X has {len(features)} rows but y has {len(labels)} labels")
    if not 2 <= resolution <= 2000:
        raise ValueError(f"plot_decision_boundary: resolution must be between 2 and 2000, got {resolution}")
    low, high = features.min(axis=0), features.max(axis=0)
    pad = np.maximum((high - low) * margin, 0.25)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    classes, p1 = predict_grid(model, points, output)
    with style():
        fig, (axis,) = new_figure(width=5.6, height=4.6, ax=ax)
        if p1 is not None:
            filled = axis.contourf(grid_x, grid_y, p1.reshape(grid_x.shape), levels=np.linspace(0, 1, 11),
                                   cmap="RdBu", vmin=0, vmax=1, alpha=0.55)
            fig.colorbar(filled, ax=axis, label="P(class 1)")
            if p1.min() < 0.5 < p1.max():
                axis.contour(grid_x, grid_y, p1.reshape(grid_x.shape), levels=[0.5], colors="black",
                             linewidths=2)
        else:
            n_classes = int(max(classes.max(), labels.max())) + 1
            region = classes.reshape(grid_x.shape)
            if n_classes <= 2:
                axis.contourf(grid_x, grid_y, region, levels=[-0.5, 0.5, 1.5], colors=[NEGATIVE, POSITIVE],
                              alpha=0.3)
            else:
                cmap = pyplot().get_cmap("tab10")
                axis.contourf(grid_x, grid_y, region, levels=np.arange(n_classes + 1) - 0.5,
                              colors=[cmap(i % 10) for i in range(n_classes)], alpha=0.3)
            score = _decision_scores(model, points)
            if score is not None and score.min() < 0 < score.max():
                # A smooth line where w.x + b = 0, instead of the staircase between grid cells.
                axis.contour(grid_x, grid_y, score.reshape(grid_x.shape), levels=[0.0], colors="black",
                             linewidths=1.5)
            elif len(np.unique(region)) > 1:
                axis.contour(grid_x, grid_y, region, levels=np.arange(n_classes) + 0.5, colors="black",
                             linewidths=1.5)
        _scatter_classes(axis, features, labels, class_names)
        axis.set_xlim(xs[0], xs[-1])
        axis.set_ylim(ys[0], ys[-1])
        axis.set_xlabel(feature_names[0])
        axis.set_ylabel(feature_names[1])
        axis.grid(False)
        if title:
            axis.set_title(title)
        _legend_below(axis, len(np.unique(labels)))
    return finish(fig, owned=ax is None)
