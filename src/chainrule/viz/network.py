"""Draw a small multi-layer perceptron: neurons as circles, weights as lines.

Line width grows with |w| and colour gives the sign (blue positive, red negative), so the notes'
hand-set networks can be read off the picture: in the XOR network the large weights into each hidden
neuron show which corner it votes for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule.viz._figures import NEGATIVE, POSITIVE, finish, new_figure, style, to_numpy

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["network_layers", "plot_network"]

MAX_NEURONS = 24  # per layer; more circles than this are unreadable (use cr.summary instead)


@dataclass
class Layer:
    """One fully connected layer as drawn: ``weight`` (out, in), ``bias`` (out,) or None, activation."""

    weight: np.ndarray
    bias: np.ndarray | None
    activation: str


def _array(value: Any) -> np.ndarray:
    return np.asarray(to_numpy(value), dtype=np.float64)


def network_layers(model: Any) -> list[Layer]:
    """The fully connected layers of ``model`` in order, each with the activation that follows it.

    ``model``: a chainrule ``nn.Module`` (a ``Sequential`` of ``Linear`` layers and activations, or a
    single ``Linear``), or anything with a ``weight`` (and ``bias``) such as ``cr.Perceptron``.
    A layer is any module with a 2-D ``weight``; a parameter-free module after it is its activation.
    """
    layers: list[Layer] = []
    modules = getattr(model, "modules", None)
    if callable(modules):
        for module in modules():
            weight = getattr(module, "weight", None)
            children = getattr(module, "children", None)
            has_children = callable(children) and any(True for _ in children())
            if weight is not None and _array(weight).ndim == 2:
                bias = getattr(module, "bias", None)
                layers.append(Layer(_array(weight), None if bias is None else _array(bias).reshape(-1), ""))
            elif layers and not has_children and weight is None and not layers[-1].activation:
                layers[-1].activation = type(module).__name__
    elif getattr(model, "weight", None) is not None:  # e.g. the perceptron: one neuron
        weight = _array(model.weight)
        bias = getattr(model, "bias", None)
        activation = "step" if type(model).__name__ == "Perceptron" else ""
        layers.append(Layer(weight.reshape(-1, weight.shape[-1]) if weight.ndim else weight.reshape(1, 1),
                            None if bias is None else _array(bias).reshape(-1), activation))
    if not layers:
        raise TypeError(f"plot_network: found no layer with a 2-D weight in {type(model).__name__}; pass an "
                        "nn.Sequential of nn.Linear layers, an nn.Linear, or an object with .weight")
    for k in range(1, len(layers)):
        out_prev, in_next = layers[k - 1].weight.shape[0], layers[k].weight.shape[1]
        if out_prev != in_next:
            raise ValueError(f"plot_network: layer {k} has {out_prev} outputs but layer {k + 1} expects "
                             f"{in_next} inputs; only a plain chain of fully connected layers can be drawn")
    return layers


def _positions(n: int) -> np.ndarray:
    return (np.arange(n) - (n - 1) / 2)[::-1]  # first neuron on top


def plot_network(model: Any, *, show_values: bool | None = None, ax: Axes | None = None,
                 title: str | None = None) -> Figure:
    """Draw the network: one column of circles per layer, one line per weight.

    Width is proportional to |weight| (relative to the largest in the network), colour is the sign:
    blue positive, red negative. ``show_values`` writes each weight on its line and each bias inside
    its neuron (default: when the network has at most 16 weights). At most ``MAX_NEURONS`` (24)
    neurons per layer. Returns the Figure.

    >>> import numpy as np
    >>> class Neuron:                        # anything with weight and bias works
    ...     weight = np.array([[30.0, 30.0]]); bias = np.array([-20.0])
    >>> fig = plot_network(Neuron())
    >>> fig.axes[0].get_title()
    'Network 2-1'
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    layers = network_layers(model)
    sizes = [layers[0].weight.shape[1]] + [layer.weight.shape[0] for layer in layers]
    if max(sizes) > MAX_NEURONS:
        raise ValueError(f"plot_network: a layer has {max(sizes)} neurons (sizes {sizes}); at most "
                         f"{MAX_NEURONS} per layer can be drawn readably; use cr.summary(model) for large "
                         "networks")
    n_weights = sum(layer.weight.size for layer in layers)
    if show_values is None:
        show_values = n_weights <= 16
    largest = max(float(np.abs(layer.weight).max()) for layer in layers) or 1.0
    spacing_x = 2.6
    with style():
        # Size the figure to the drawing (equal aspect), plus room for the title and the legend.
        width = 1.7 * len(sizes) + 1.6
        low = _positions(max(sizes))[-1]
        data_height, data_width = (-low + 0.45) - (low - 1.25), (len(sizes) - 1) * spacing_x + 1.6
        fig, (axis,) = new_figure(width=width, height=width * data_height / data_width + 1.3, ax=ax)
        for k, layer in enumerate(layers):
            source_y, target_y = _positions(sizes[k]), _positions(sizes[k + 1])
            segments, widths, colours = [], [], []
            for j in range(sizes[k + 1]):
                for i in range(sizes[k]):
                    w = layer.weight[j, i]
                    segments.append([(k * spacing_x, source_y[i]), ((k + 1) * spacing_x, target_y[j])])
                    widths.append(0.4 + 4.6 * abs(w) / largest)
                    colours.append(POSITIVE if w >= 0 else NEGATIVE)
                    if show_values:
                        # Near the source, where lines from one source fan apart; alternate sources write
                        # at different distances so labels on crossing lines do not land on each other.
                        t = 0.25 if i % 2 == 0 else 0.6
                        x = k * spacing_x + t * spacing_x
                        y = source_y[i] + t * (target_y[j] - source_y[i])
                        axis.text(x, y, f"{w:.3g}", fontsize=9, ha="center", va="center", zorder=4,
                                  bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                        "edgecolor": "none", "alpha": 0.85})
            axis.add_collection(LineCollection(segments, linewidths=widths, colors=colours, alpha=0.8,
                                               zorder=1))
        for k, n in enumerate(sizes):
            bias = layers[k - 1].bias if k > 0 else None
            for i, y in enumerate(_positions(n)):
                axis.add_patch(Circle((k * spacing_x, y), 0.28, facecolor="#eeeeee" if k == 0 else "white",
                                      edgecolor="black", linewidth=1.4, zorder=3))
                if k == 0:  # inputs by name, other neurons by their bias
                    inside = f"$x_{{{i + 1}}}$"
                else:
                    inside = f"{bias[i]:.3g}" if show_values and bias is not None else ""
                if inside:
                    axis.text(k * spacing_x, y, inside, fontsize=10 if k == 0 else 8, ha="center",
                              va="center", zorder=5)
            if k == 0:
                caption = f"input\n({n})"
            else:
                role = "output" if k == len(sizes) - 1 else f"hidden {k}"
                activation = layers[k - 1].activation
                caption = f"{role}\n({n}{', ' + activation if activation else ''})"
            axis.text(k * spacing_x, low - 0.45, caption, ha="center", va="top", fontsize=10)
        axis.set_xlim(-0.8, (len(sizes) - 1) * spacing_x + 0.8)
        axis.set_ylim(low - 1.25, -low + 0.45)
        axis.set_aspect("equal")
        axis.axis("off")
        axis.set_title(title if title is not None else "Network " + "-".join(str(n) for n in sizes))
        handles = [Line2D([], [], color=POSITIVE, linewidth=3, label="positive weight"),
                   Line2D([], [], color=NEGATIVE, linewidth=3, label="negative weight")]
        note = "width ~ |weight|" + ("; bias inside each neuron" if show_values else "")
        axis.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False,
                    title=note, title_fontsize=9)
    return finish(fig, owned=ax is None)
