"""The computational graph as a matplotlib picture: no Graphviz program needed.

``draw_graph`` hands its graph to Graphviz's ``dot`` program when that is installed. When it is not,
this module draws the same boxes and arrows with matplotlib (a core dependency), so a learner always
sees a picture. The layout is the one the notes use: values flow left to right, and each value sits
one column after the latest of its inputs (its *depth* in the graph). Leaves (inputs and constants)
sit just before the op that first uses them; inside a column, values are ordered by the average
position of their inputs, a standard way to keep arrows from crossing.

``plot_graph(h)`` returns the ``Figure``; ``draw_graph(h)`` uses it for ``.render``, ``.pipe`` and a
notebook's display whenever ``dot`` is missing.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from chainrule.autograd.tensor import Tensor
from chainrule.viz._figures import finish, pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PICTURE_FORMATS", "graph_depths", "picture_bytes", "plot_graph"]

# The formats matplotlib writes without extra packages (what `.render()`/`.pipe()` accept without dot).
PICTURE_FORMATS = ("png", "svg", "pdf")

# Sizes in inches: a character of the 9-point monospaced labels, a text line, the gaps between boxes.
_CHAR_WIDTH = 0.078
_LINE_HEIGHT = 0.17
_COLUMN_GAP = 0.55
_ROW_GAP = 0.3

Node = tuple[str, str, dict[str, str]]


def graph_depths(count: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """The column of each node: 1 + the deepest input for a computed value, and for a leaf the column
    just before the first op that uses it. ``edges`` are ``(input, output)`` index pairs."""
    inputs: list[list[int]] = [[] for _ in range(count)]
    users: list[list[int]] = [[] for _ in range(count)]
    for a, b in edges:
        inputs[b].append(a)
        users[a].append(b)
    # Kahn's algorithm: a node's depth is known once all its inputs' depths are.
    waiting = [len(set(parents)) for parents in inputs]
    seen_inputs: list[set[int]] = [set() for _ in range(count)]
    depth = [0] * count
    ready = [i for i in range(count) if not inputs[i]]
    while ready:
        node = ready.pop()
        for user in users[node]:
            if node in seen_inputs[user]:
                continue
            seen_inputs[user].add(node)
            depth[user] = max(depth[user], depth[node] + 1)
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)
    for i in range(count):
        if not inputs[i] and users[i]:
            depth[i] = min(depth[u] for u in users[i]) - 1
    return depth


def _columns(depth: list[int], edges: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Nodes by column, each column ordered by the mean row of the nodes it is joined to."""
    columns: list[list[int]] = [[] for _ in range(max(depth, default=0) + 1)]
    for node, d in enumerate(depth):
        columns[d].append(node)
    neighbours: dict[int, list[int]] = {i: [] for i in range(len(depth))}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    row = {node: r for column in columns for r, node in enumerate(column)}
    for sweep in range(4):  # left to right, right to left, twice: enough for graphs a learner draws
        order = columns if sweep % 2 == 0 else columns[::-1]
        for column in order:
            def key(node: int) -> tuple[float, int]:
                joined = neighbours[node]
                return (sum(row[n] for n in joined) / len(joined) if joined else row[node], node)
            column.sort(key=key)
            for r, node in enumerate(column):
                row[node] = r
    return columns


def _figure(nodes: Sequence[Node], edges: Sequence[tuple[str, str]], rankdir: str) -> Figure:
    index = {node_id: i for i, (node_id, _, _) in enumerate(nodes)}
    pairs = [(index[a], index[b]) for a, b in edges]
    columns = _columns(graph_depths(len(nodes), pairs), pairs)
    lines = [label.split("\n") for _, label, _ in nodes]
    box_width = [max(len(line) for line in text) * _CHAR_WIDTH + 0.2 for text in lines]
    box_height = [len(text) * _LINE_HEIGHT + 0.16 for text in lines]
    horizontal = rankdir in ("LR", "RL")
    # Along the flow: each column as wide (LR) or tall (TB) as its largest box; across: rows of boxes.
    along = [max((box_width if horizontal else box_height)[n] for n in column) for column in columns]
    across = max(box_height if horizontal else box_width) + (_ROW_GAP if horizontal else _COLUMN_GAP)
    starts = [sum(along[:i]) + i * _COLUMN_GAP for i in range(len(columns))]
    length = starts[-1] + along[-1]
    breadth = max(len(column) for column in columns) * across
    centre: dict[int, tuple[float, float]] = {}
    for c, column in enumerate(columns):
        offset = (breadth - len(column) * across) / 2
        for r, node in enumerate(column):
            flow = starts[c] + along[c] / 2
            if rankdir in ("RL", "BT"):
                flow = length - flow
            side = breadth - (offset + (r + 0.5) * across)
            centre[node] = (flow, side) if horizontal else (side, length - flow)
    width, height = (length, breadth) if horizontal else (breadth, length)
    plt = pyplot()
    with plt.rc_context({"svg.fonttype": "none"}):  # SVG keeps the labels as text (searchable, small)
        fig = plt.figure(figsize=(width + 0.2, height + 0.2))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(-0.1, width + 0.1)
        ax.set_ylim(-0.1, height + 0.1)
        ax.axis("off")
        texts = []
        for i, (_, label, attrs) in enumerate(nodes):
            x, y = centre[i]
            texts.append(ax.text(x, y, label, ha="center", va="center", family="monospace", fontsize=9,
                                 linespacing=1.3, bbox={"boxstyle": "round,pad=0.4",
                                                        "facecolor": attrs.get("fillcolor", "white"),
                                                        "edgecolor": "#555555"}))
        for a, b in pairs:
            ax.annotate("", xy=centre[b], xytext=centre[a],
                        arrowprops={"arrowstyle": "-|>", "color": "#444444", "shrinkA": 0, "shrinkB": 0,
                                    "patchA": texts[a].get_bbox_patch(), "patchB": texts[b].get_bbox_patch()})
    return fig


def picture_bytes(nodes: Sequence[Node], edges: Sequence[tuple[str, str]], rankdir: str, format: str) -> bytes:
    """The graph drawn by matplotlib, as the bytes of a ``format`` file (one of :data:`PICTURE_FORMATS`)."""
    fig = _figure(nodes, edges, rankdir)
    buffer = io.BytesIO()
    # No date or random ids in the file: the same graph always gives the same bytes.
    metadata: dict[str, Any] = {"Date": None} if format == "svg" else {}
    with pyplot().rc_context({"svg.hashsalt": "chainrule", "svg.fonttype": "none"}):
        fig.savefig(buffer, format=format, dpi=100, metadata=metadata)
    pyplot().close(fig)
    return buffer.getvalue()


def plot_graph(tensor: Tensor, show_grad: bool = True, *, precision: int = 4, max_values: int = 6,
               params: Mapping[str, Tensor] | None = None, rankdir: str = "LR") -> Figure:
    """The computational graph of ``tensor`` as a matplotlib ``Figure``, without Graphviz.

    The same boxes as :func:`~chainrule.viz.draw_graph` (same arguments, same labels and colours), laid
    out by depth: each value one column after the latest of its inputs.

    >>> import chainrule as cr
    >>> x = cr.tensor(2.0, requires_grad=True); x.name = "x"
    >>> h = (2 * (x + 1)) ** 2
    >>> h.backward()
    >>> fig = plot_graph(h)            # fig.savefig("h.png")
    >>> sorted(t.get_text().split("\\n")[0] for t in fig.axes[0].texts if t.get_text())
    ['Add', 'Mul', 'PowScalar', 'constant', 'constant', 'x']
    """
    from chainrule.viz.graph import check_graph_options, graph_drawing

    check_graph_options(rankdir, precision)
    nodes, edges = graph_drawing(tensor, show_grad, precision, max_values, params)
    return finish(_figure(nodes, edges, rankdir))
