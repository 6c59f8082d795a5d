"""Activation functions next to their derivatives, the derivative computed by the autograd engine.

Each curve on the right is ``z.grad`` after ``g(z).sum().backward()``: the same backward pass that
trains a network, so the picture also shows what backpropagation multiplies the error signal by at
each ``z`` (``sigma'(z) <= 0.25`` is why deep sigmoid networks learn slowly).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from chainrule import creation
from chainrule.autograd import functional
from chainrule.autograd.tensor import Tensor
from chainrule.dtypes import float64
from chainrule.nn import functional as F
from chainrule.viz._figures import NEGATIVE, POSITIVE, finish, new_figure, style, to_numpy, unknown_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ACTIVATIONS", "activation_and_derivative", "plot_activation"]


def _step(z: Tensor) -> Tensor:
    # NOTE: written as where(z > 0, (z - z) + 1, z - z) so the graph reaches z: autograd then reports the
    # true derivative, 0 on both sides of the jump, which is why the perceptron needs its own learning rule.
    zero = z - z
    return functional.where(z.data > 0, zero + 1, zero)


# name -> (function of a tensor, formula of g, formula of g'): the library's own activations
# (chainrule.nn.functional); the derivative is never hand-coded.
ACTIVATIONS: dict[str, tuple[Callable[[Tensor], Tensor], str, str]] = {
    "sigmoid": (F.sigmoid, r"$\sigma(z) = 1/(1+e^{-z})$", r"$\sigma'(z) = \sigma(z)(1-\sigma(z))$"),
    "tanh": (F.tanh, r"$\tanh(z)$", r"$\tanh'(z) = 1-\tanh^2(z)$"),
    "relu": (F.relu, r"$\mathrm{ReLU}(z) = \max(0, z)$", r"$\mathrm{ReLU}'(z) = 1$ if $z>0$ else $0$"),
    "leaky_relu": (lambda z: F.leaky_relu(z, negative_slope=0.1),
                   r"$\mathrm{lReLU}(z) = \max(0.1z, z)$", r"$\mathrm{lReLU}'(z) = 1$ if $z>0$ else $0.1$"),
    "elu": (lambda z: F.elu(z, alpha=1.0),
            r"$\mathrm{ELU}(z) = z$ if $z>0$ else $e^z-1$", r"$\mathrm{ELU}'(z) = 1$ if $z>0$ else $e^z$"),
    "softplus": (F.softplus,
                 r"$\mathrm{softplus}(z) = \ln(1+e^z)$", r"$\mathrm{softplus}'(z) = \sigma(z)$"),
    "gelu": (F.gelu, r"$\mathrm{GELU}(z) = z\,\Phi(z)$",
             r"$\mathrm{GELU}'(z) = \Phi(z) + z\,\phi(z)$"),
    "step": (_step, r"$\mathrm{step}(z) = 1$ if $z>0$ else $0$", r"$\mathrm{step}'(z) = 0$ ($z \neq 0$)"),
}


def activation_and_derivative(name: str, z: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(g(z), g'(z))`` for the activation called ``name``, the derivative by backpropagation.

    ``z`` is any array-like; it is taken as float64 so the curves are exact to plotting precision.

    >>> value, slope = activation_and_derivative("sigmoid", [0.0])
    >>> float(value[0]), float(slope[0])
    (0.5, 0.25)
    """
    if name not in ACTIVATIONS:
        raise unknown_name("activation", name, list(ACTIVATIONS))
    function = ACTIVATIONS[name][0]
    z_tensor = creation.tensor(np.asarray(to_numpy(z, "z"), dtype=np.float64), dtype=float64,
                               requires_grad=True)
    out = function(z_tensor)
    # Each output depends only on its own z, so the gradient of the sum is g'(z) element by element.
    out.sum().backward()
    assert z_tensor.grad is not None  # backward always fills a leaf that requires grad
    return out.data.copy(), z_tensor.grad.data.copy()


def plot_activation(name: str, z_range: tuple[float, float] = (-5.0, 5.0), *, num: int = 401,
                    axes: tuple[Axes, Axes] | None = None) -> Figure:
    """Plot activation ``name`` (left) and its derivative (right) over ``z_range``.

    Names: ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu`` (slope 0.1 for z < 0, as in the notes),
    ``elu``, ``softplus``, ``gelu``, ``step``. The derivative comes from the autograd engine.
    ``axes`` draws into two existing axes instead of a new figure. Returns the Figure; save it with
    ``fig.savefig("relu.png")``.

    >>> fig = plot_activation("relu")
    >>> [ax.get_title() for ax in fig.axes][0]
    'relu'
    """
    if name not in ACTIVATIONS:
        raise unknown_name("activation", name, list(ACTIVATIONS))
    low, high = float(z_range[0]), float(z_range[1])
    if not low < high:
        raise ValueError(f"plot_activation: z_range must be (low, high) with low < high, got {z_range}")
    z = np.linspace(low, high, num)
    value, slope = activation_and_derivative(name, z)
    _, formula, derivative_formula = ACTIVATIONS[name]
    with style():
        if axes is None:
            fig, (left, right) = new_figure(ncols=2, width=4.6, height=3.6)
        else:
            fig, (left, right) = cast("Figure", axes[0].figure), list(axes)
        left.plot(z, _break_jumps(value), color=POSITIVE, linewidth=2.2, zorder=3)
        right.plot(z, _break_jumps(slope), color=NEGATIVE, linewidth=2.2, zorder=3)
        left.set_title(name)
        right.set_title(f"{name}' (by autograd)")
        for ax, text, ylabel in ((left, formula, "g(z)"), (right, derivative_formula, "g'(z)")):
            ax.axhline(0, color="black", linewidth=0.8, zorder=1)
            ax.axvline(0, color="black", linewidth=0.8, zorder=1)
            ax.set_xlabel("z")
            ax.set_ylabel(ylabel)
            ax.text(0.03, 0.96, text, transform=ax.transAxes, va="top", ha="left", fontsize=10,
                    bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "edgecolor": "0.8"})
        _pad_limits(left, value)
        _pad_limits(right, slope)
    return finish(fig, owned=axes is None)


def _break_jumps(values: np.ndarray) -> np.ndarray:
    """NaN between two points where the curve jumps (step, the derivative of ReLU), so matplotlib leaves
    a gap there instead of drawing a vertical line that is not part of the function."""
    span = float(np.max(values) - np.min(values))
    jumps = np.abs(np.diff(values)) > 0.2 * span if span > 0 else np.zeros(len(values) - 1, dtype=bool)
    if not jumps.any():
        return values
    out = values.astype(np.float64, copy=True)
    out[1:][jumps] = np.nan  # the first point after a jump is dropped: the gap marks the jump
    return out


def _pad_limits(ax: Axes, values: np.ndarray) -> None:
    """Leave room above the curve for the formula box (and a sensible scale for a flat curve)."""
    low, high = float(np.min(values)), float(np.max(values))
    span = high - low if high - low > 1e-6 else 1.0
    ax.set_ylim(low - 0.1 * span, high + 0.35 * span)
