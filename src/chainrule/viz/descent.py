"""Gradient descent on a function of one variable, drawn step by step on its curve.

The notes' example: f(x) = x^2 with ``x := x - lr * f'(x)``. Each step multiplies x by (1 - 2 lr):
lr = 0.3 shrinks it (x0 -> 0.4 x0 -> ...) and converges, lr = 1.5 multiplies it by -2 and diverges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from chainrule import creation
from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.dtypes import float64
from chainrule.viz._figures import NEGATIVE, POSITIVE, finish, new_figure, style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["gradient_descent_path", "plot_gradient_descent"]


def _value_and_slope(f: Callable[[Tensor], Tensor], x: float) -> tuple[float, float]:
    point = creation.tensor(x, dtype=float64, requires_grad=True)
    value = f(point)
    if not isinstance(value, Tensor) or value.numel() != 1:
        raise TypeError("plot_gradient_descent: f must map a one-element tensor to a one-element tensor, "
                        f"got {type(value).__name__} {getattr(value, 'shape', '')}")
    value.backward()
    slope = 0.0 if point.grad is None else float(point.grad.item())
    return float(value.item()), slope


def _curve(f: Callable[[Tensor], Tensor], grid: np.ndarray) -> np.ndarray:
    """f on every grid point: one call on the whole grid when f works elementwise, else point by point."""
    try:
        with no_grad():
            values = f(creation.tensor(grid, dtype=float64))
        if isinstance(values, Tensor) and values.shape == grid.shape:
            return values.data.astype(np.float64)
    except Exception:  # noqa: BLE001 - f only promises to handle one-element tensors
        pass
    return np.array([_value_and_slope(f, x)[0] for x in grid])


def gradient_descent_path(f: Callable[[Tensor], Tensor], x0: float, lr: float, steps: int) -> np.ndarray:
    """The points ``x_0, x_1, ..., x_steps`` of gradient descent ``x := x - lr * f'(x)``.

    ``f`` is a Python function of a chainrule tensor (``lambda x: x ** 2``); f'(x) comes from
    ``backward``. Returns an array of shape (steps + 1,). Stops early (and the array is shorter) if
    x stops being finite.

    >>> gradient_descent_path(lambda x: x ** 2, x0=1.0, lr=0.3, steps=2).round(4).tolist()
    [1.0, 0.4, 0.16]
    """
    if steps < 0:
        raise ValueError(f"gradient_descent_path: steps must be >= 0, got {steps}")
    if lr <= 0:
        raise ValueError(f"gradient_descent_path: lr (the learning rate alpha) must be positive, got {lr}")
    path = [float(x0)]
    for _ in range(steps):
        _, slope = _value_and_slope(f, path[-1])
        nxt = path[-1] - lr * slope
        if not np.isfinite(nxt):
            break
        path.append(nxt)
    return np.asarray(path)


def plot_gradient_descent(f: Callable[[Tensor], Tensor], x0: float, lr: float, steps: int = 10, *,
                          f_label: str = "f(x)") -> Figure:
    """Run ``steps`` of gradient descent on ``f`` from ``x0`` and draw it.

    Left: the curve of ``f`` with each step as a numbered point and an arrow to the next one.
    Right: ``f(x_k)`` against the step ``k`` (log scale when f > 0), where converging is a falling line and
    diverging a rising one. The title says which happened. Returns the Figure.

    >>> fig = plot_gradient_descent(lambda x: x ** 2, x0=1.0, lr=1.5, steps=5)
    >>> "diverges" in fig.axes[0].get_title()
    True
    """
    path = gradient_descent_path(f, x0, lr, steps)
    values = np.array([_value_and_slope(f, x)[0] for x in path])
    span = max(float(np.max(np.abs(path - path.mean()))), 1e-3)
    grid = np.linspace(path.min() - 0.25 * span - 0.25, path.max() + 0.25 * span + 0.25, 400)
    curve = _curve(f, grid)
    verdict = "converges" if values[-1] < values[0] else "diverges"
    with style():
        fig, (left, right) = new_figure(ncols=2, width=5.0, height=4.0)
        left.plot(grid, curve, color="0.35", linewidth=2, label=f_label)
        colours = POSITIVE if verdict == "converges" else NEGATIVE
        left.plot(path, values, "o", color=colours, markersize=6, zorder=3, label=r"$x_k$")
        for k in range(len(path) - 1):
            left.annotate("", xy=(path[k + 1], values[k + 1]), xytext=(path[k], values[k]),
                          arrowprops={"arrowstyle": "->", "color": colours, "lw": 1.3})
        # Number the steps, skipping any that would print on top of one already numbered.
        scale = np.array([np.ptp(grid), max(float(np.ptp(curve)), 1e-12)])
        numbered: list[np.ndarray] = []
        for k in range(len(path)):
            point = np.array([path[k], values[k]]) / scale
            if all(np.hypot(*(point - other)) > 0.05 for other in numbered):
                numbered.append(point)
                left.annotate(str(k), (path[k], values[k]), textcoords="offset points", xytext=(5, 6),
                              fontsize=9)
        left.set_title(rf"learning rate $\alpha$ = {lr:g}: {verdict}")
        left.set_xlabel("x")
        left.set_ylabel(f_label)
        left.legend(loc="upper left")
        right.plot(np.arange(len(values)), values, "o-", color=colours)
        if np.all(values > 0):  # a log scale turns steady convergence into a straight line
            right.set_yscale("log")
        right.set_title(f"{f_label} at each step")
        right.set_xlabel("step k")
        right.set_ylabel(f_label + (" (log scale)" if np.all(values > 0) else ""))
    return finish(fig)
