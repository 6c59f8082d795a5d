"""Loss functions of one prediction next to their derivative dL/d(prediction), by autograd.

The regression losses (L1, L2, Huber) are drawn against the prediction ``y_hat`` for a target
``y = 0``, so the x axis is also minus the residual ``y - y_hat``; binary cross-entropy is drawn
against the predicted probability for both targets, ``y = 1`` and ``y = 0``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import creation
from chainrule.autograd.tensor import Tensor
from chainrule.dtypes import float64
from chainrule.nn import functional as F
from chainrule.viz._figures import NEGATIVE, POSITIVE, finish, new_figure, style, to_numpy, unknown_name

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["LOSSES", "loss_and_derivative", "plot_loss"]


def _l1(prediction: Tensor, target: Tensor, delta: float) -> Tensor:
    return F.l1_loss(prediction, target, reduction="none")


def _l2(prediction: Tensor, target: Tensor, delta: float) -> Tensor:
    return F.mse_loss(prediction, target, reduction="none")


def _huber(prediction: Tensor, target: Tensor, delta: float) -> Tensor:
    return F.huber_loss(prediction, target, reduction="none", delta=delta)


def _bce(prediction: Tensor, target: Tensor, delta: float) -> Tensor:
    return F.binary_cross_entropy(prediction, target, reduction="none")


# name -> (loss of one prediction, formula of L, formula of dL/dy_hat): the library's own losses
# (chainrule.nn.functional, reduction="none"); derivatives by autograd.
LOSSES: dict[str, tuple[Callable[[Tensor, Tensor, float], Tensor], str, str]] = {
    "l1": (_l1, r"$L = |y-\hat y|$", r"$\partial L/\partial \hat y = -\mathrm{sign}(y-\hat y)$"),
    "l2": (_l2, r"$L = (y-\hat y)^2$", r"$\partial L/\partial \hat y = -2(y-\hat y)$"),
    "huber": (_huber, r"$L = \frac{1}{2}(y-\hat y)^2$ if $|y-\hat y|\leq\delta$" "\n"
              r"else $\delta|y-\hat y| - \frac{1}{2}\delta^2$",
              r"$\partial L/\partial \hat y = -(y-\hat y)$ clipped to $[-\delta, \delta]$"),
    "bce": (_bce, r"$L = -(y\log\hat y + (1-y)\log(1-\hat y))$",
            r"$\partial L/\partial \hat y = -y/\hat y + (1-y)/(1-\hat y)$"),
}


def loss_and_derivative(name: str, prediction: Any, target: float, delta: float = 1.0) -> tuple[np.ndarray,
                                                                                                 np.ndarray]:
    """``(L, dL/d prediction)`` of loss ``name`` at each prediction, for one ``target``.

    >>> loss, slope = loss_and_derivative("l2", [3.0], target=1.0)
    >>> float(loss[0]), float(slope[0])          # (1 - 3)^2 and -2 (1 - 3)
    (4.0, 4.0)
    """
    if name not in LOSSES:
        raise unknown_name("loss", name, list(LOSSES))
    if delta <= 0:
        raise ValueError(f"loss_and_derivative: delta must be positive, got {delta}")
    prediction_t = creation.tensor(np.asarray(to_numpy(prediction, "prediction"), dtype=np.float64),
                                   dtype=float64, requires_grad=True)
    target_t = creation.full_like(prediction_t, float(target))
    loss = LOSSES[name][0](prediction_t, target_t, float(delta))
    loss.sum().backward()  # each loss depends on its own prediction only: the gradient is elementwise
    assert prediction_t.grad is not None  # backward always fills a leaf that requires grad
    return loss.data.copy(), prediction_t.grad.data.copy()


def plot_loss(name: str, *, delta: float = 1.0, prediction_range: tuple[float, float] | None = None,
              num: int = 401) -> Figure:
    """Plot loss ``name`` (left) and its derivative with respect to the prediction (right).

    Names: ``l1``, ``l2``, ``huber`` (with ``delta``, 1 by default) and ``bce`` (binary cross-entropy).
    L1, L2 and Huber are drawn for target ``y = 0`` over predictions in ``prediction_range``
    (default -3 to 3); BCE for targets 1 and 0 over probabilities in (0, 1). The derivative comes
    from the autograd engine. Returns the Figure.

    >>> fig = plot_loss("l2")
    >>> fig.axes[0].get_title()
    'l2 loss'
    """
    if name not in LOSSES:
        raise unknown_name("loss", name, list(LOSSES))
    _, formula, derivative_formula = LOSSES[name]
    if name == "bce":
        low, high = prediction_range or (0.01, 0.99)
        if not 0 < low < high < 1:
            raise ValueError(f"plot_loss('bce'): prediction_range must lie inside (0, 1), got {(low, high)}")
        targets = [1.0, 0.0]
    else:
        low, high = prediction_range or (-3.0, 3.0)
        if not low < high:
            raise ValueError("plot_loss: prediction_range must be (low, high) with low < high, "
                             f"got {(low, high)}")
        targets = [0.0]
    prediction = np.linspace(low, high, num)
    with style():
        fig, (left, right) = new_figure(ncols=2, width=4.8, height=3.8)
        for target, colour in zip(targets, (POSITIVE, NEGATIVE), strict=False):
            loss, slope = loss_and_derivative(name, prediction, target, delta)
            label = f"y = {target:g}"
            left.plot(prediction, loss, color=colour, linewidth=2.2, label=label)
            if name == "bce":  # dL/dy_hat runs off to +-infinity at the edges: show the middle, |slope| <= 12
                slope = np.where(np.abs(slope) <= 12, slope, np.nan)
            right.plot(prediction, slope, color=colour, linewidth=2.2, label=label)
        title = f"{name} loss ($\\delta$ = {delta:g})" if name == "huber" else f"{name} loss"
        left.set_title(title)
        right.set_title(f"{name} derivative (by autograd)")
        xlabel = (r"predicted probability $\hat y$" if name == "bce"
                  else r"prediction $\hat y$ (target $y = 0$)")
        slope_label = r"$\partial L/\partial \hat y$"
        for ax, text, ylabel in ((left, formula, "L"), (right, derivative_formula, slope_label)):
            ax.axhline(0, color="black", linewidth=0.8, zorder=1)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            # The formula sits in a band above the curves kept free by the y limits below.
            ax.text(0.5, 0.97, text, transform=ax.transAxes, va="top", ha="center", fontsize=9.5,
                    bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.9, "edgecolor": "0.8"})
            low, high = ax.get_ylim()
            if name == "bce":
                # -log(y_hat) and 1/y_hat run off to infinity at the edges
                low, high = (0.0, 5.0) if ax is left else (-12.0, 12.0)
            ax.set_ylim(low, high + 0.4 * (high - low))
        if len(targets) > 1:
            left.legend(loc="center", bbox_to_anchor=(0.5, 0.45))
            right.legend(loc="lower right")
        if name == "huber":
            for ax in (left, right):
                for edge in (-delta, delta):
                    ax.axvline(edge, color="0.5", linestyle=":", linewidth=1)
    return finish(fig)
