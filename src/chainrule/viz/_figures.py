"""What every plot in ``chainrule.viz`` shares: a lazily imported pyplot, one readable style, and
turning tensors (or anything array-like) into NumPy arrays.

matplotlib is imported here, on the first plot, never by ``import chainrule``: a learner who only
trains pays nothing for plotting.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# One style for every figure: fonts a projector can show, a light grid to read values off.
STYLE: dict[str, Any] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "figure.titlesize": 13,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "savefig.bbox": "tight",
    "savefig.dpi": 120,
}

_NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}

# Colours with a meaning, used by every plot: positive / class 1 blue, negative / class 0 red.
POSITIVE = "#1f77b4"
NEGATIVE = "#d62728"


def pyplot() -> Any:
    """``matplotlib.pyplot``, imported on first use.

    On a machine without a display (a server, CI, a test run) the non-interactive Agg backend is
    chosen before pyplot loads, so plotting never fails for want of a window; figures still save to
    PNG/SVG. Jupyter sets ``MPLBACKEND`` itself and is left alone.
    """
    if "matplotlib.pyplot" not in sys.modules:
        headless = sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if headless and "MPLBACKEND" not in os.environ:
            import matplotlib

            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def style() -> Iterator[None]:
    """Apply :data:`STYLE` while artists are made (text sizes are fixed when an artist is created)."""
    with pyplot().rc_context(STYLE):
        yield


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 5.0, height: float = 4.0,
               ax: Axes | None = None) -> tuple[Figure, list[Axes]]:
    """A figure with ``nrows * ncols`` axes (``width`` x ``height`` inches each), or ``ax``'s figure.

    Call inside :func:`style`.
    """
    plt = pyplot()
    if ax is not None:
        return ax.figure, [ax]  # type: ignore[return-value]
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                             layout="constrained")
    return fig, list(axes.ravel())


def finish(fig: Figure, owned: bool = True) -> Figure:
    """Hand a finished figure back to the caller.

    Under Jupyter's inline backend, a figure we made is let go of by pyplot (``plt.close``): the
    returned Figure is then shown exactly once, by the notebook's display of the cell's value,
    instead of twice (once by pyplot at the end of the cell and once as the value). The same happens
    under non-interactive backends (Agg), where nothing is ever shown. With a window backend pyplot
    keeps it, so ``plt.show()`` works in scripts. A figure the caller owns (``ax=`` given) is
    never closed.
    """
    plt = pyplot()
    backend = plt.get_backend().lower()
    # A non-interactive backend (Agg on a server) never shows a window, so pyplot has no reason to keep
    # the figure either: letting go avoids "more than 20 figures" warnings and leaks in loops.
    if owned and ("inline" in backend or backend in _NON_INTERACTIVE):
        plt.close(fig)
    return fig


def to_numpy(values: Any, name: str = "values") -> np.ndarray:
    """A NumPy array from a Tensor, an array, a list, or anything with ``.numpy()``/``__array__``."""
    data = getattr(values, "data", None)
    if isinstance(data, np.ndarray):  # a chainrule Tensor (no grad check needed: we only read)
        return data
    try:
        return np.asarray(values)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name}: expected an array or tensor, got {type(values).__name__} "
                        f"({error})") from None


def unknown_name(what: str, name: Any, valid: Sequence[str]) -> ValueError:
    """The error for a name not in a table: says what was asked and lists what is valid."""
    return ValueError(f"unknown {what} {name!r}; valid names: {', '.join(sorted(valid))}")
