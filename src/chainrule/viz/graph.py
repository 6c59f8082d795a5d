"""Draw the computational graph a tensor was computed by: every value, every op, every gradient.

``draw_graph(h)`` walks back from ``h`` through ``grad_fn.parents`` (the same links ``backward``
follows) and makes one node per tensor: the op that produced it (``type(grad_fn).__name__``), its
value (the numbers when there are few, else its shape) and, after ``backward``, its ``.grad``.
Edges run forward, from each input to the value computed from it, as the notes draw them.

Without Graphviz's ``dot`` program the graph cannot be turned into a picture, but it still exists as
DOT text: ``draw_graph`` always returns an object whose ``.source`` is that text. With the
``graphviz`` Python package installed it is a ``graphviz.Digraph`` (a :class:`ComputationalGraph`);
in a notebook it shows as SVG when ``dot`` is on the PATH and as the DOT text when it is not, and
``.render()``/``.pipe()`` then raise an error saying how to install Graphviz. Without the Python
package it is a :class:`DotSource` holding the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor

__all__ = ["ComputationalGraph", "DotNotFoundError", "DotSource", "draw_graph", "graph_nodes"]

_INSTALL_HINT = (
    "Graphviz's `dot` program was not found, so the graph cannot be rendered to a picture. Install "
    "Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; conda: conda "
    "install graphviz) or paste the DOT text from `.source` into any Graphviz viewer."
)



class DotNotFoundError(RuntimeError):
    """Rendering was asked for but Graphviz's ``dot`` program is not installed."""


# Fill colours: inputs the user made, constants, and values computed by an op.
_LEAF_COLOUR = "#cfe2f3"
_CONSTANT_COLOUR = "#eeeeee"
_OP_COLOUR = "#fff2cc"
_ROOT_COLOUR = "#d9ead3"


def _format_values(array: np.ndarray, precision: int, max_values: int) -> str:
    """The numbers themselves when there are at most ``max_values``, else the shape."""
    if array.size > max_values:
        return f"shape {tuple(array.shape)}"
    if array.ndim == 0:
        return f"{array.item():.{precision}g}"
    flat = ", ".join(f"{v:.{precision}g}" for v in array.ravel().tolist())
    return f"[{flat}]" if array.ndim == 1 else f"[{flat}] shape {tuple(array.shape)}"


def graph_nodes(tensor: Tensor) -> tuple[list[Tensor], list[tuple[int, int]]]:
    """The tensors of ``tensor``'s graph and its edges, without drawing anything.

    Returns ``(nodes, edges)``: ``nodes[0]`` is ``tensor`` itself, then every tensor it depends on in
    the order a depth-first walk meets them (each once, however often it is reused); ``edges`` are
    ``(i, j)`` index pairs meaning ``nodes[i]`` is an input of ``nodes[j]``, in the op's argument order.
    The walk is iterative, so graphs thousands of ops deep do not hit Python's recursion limit.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph: expected a chainrule Tensor, got {type(tensor).__name__}")
    index: dict[int, int] = {id(tensor): 0}
    nodes: list[Tensor] = [tensor]
    edges: list[tuple[int, int]] = []
    stack = [tensor]
    while stack:
        node = stack.pop()
        op = node.grad_fn
        if op is None:
            continue
        for parent in op.parents:
            if id(parent) not in index:
                index[id(parent)] = len(nodes)
                nodes.append(parent)
                stack.append(parent)
            edges.append((index[id(parent)], index[id(node)]))
    return nodes, edges


def _label(tensor: Tensor, name: str | None, show_grad: bool, precision: int, max_values: int) -> str:
    op = tensor.grad_fn
    if op is not None:
        title = f"{name} = {type(op).__name__}" if name else type(op).__name__
    elif name:
        title = name
    else:
        title = "input" if tensor.requires_grad else "constant"
    lines = [title, _format_values(tensor.data, precision, max_values)]
    if show_grad and tensor.grad is not None:
        lines.append("grad " + _format_values(tensor.grad.data, precision, max_values))
    return "\n".join(lines)


def _dot_source(tensor: Tensor, show_grad: bool, precision: int, max_values: int,
                params: Mapping[str, Tensor] | None) -> tuple[list[tuple[str, str, dict[str, str]]],
                                                               list[tuple[str, str]]]:
    names = {id(t): n for n, t in (params or {}).items()}
    nodes, edges = graph_nodes(tensor)
    drawn: list[tuple[str, str, dict[str, str]]] = []
    for i, t in enumerate(nodes):
        name = names.get(id(t)) or t.name
        if i == 0:
            colour = _ROOT_COLOUR
        elif t.grad_fn is not None:
            colour = _OP_COLOUR
        else:
            colour = _LEAF_COLOUR if t.requires_grad else _CONSTANT_COLOUR
        drawn.append((f"n{i}", _label(t, name, show_grad, precision, max_values), {"fillcolor": colour}))
    return drawn, [(f"n{a}", f"n{b}") for a, b in edges]


class DotSource:
    """The graph as DOT text, for when the ``graphviz`` Python package is not installed.

    ``.source`` is the text; ``str()`` gives it too; ``.render()`` and ``.pipe()`` raise an
    ``ImportError`` that says what to install.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"DotSource(<{self.source.count('->')} edges; install graphviz to render>)\n{self.source}"

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise ImportError("rendering the graph needs the graphviz Python package (pip install graphviz) and "
                          "Graphviz's `dot` program; the DOT text is in `.source`")

    render = _refuse
    pipe = _refuse


try:  # optional: without the graphviz package, draw_graph returns a DotSource
    import graphviz
except ImportError:  # pragma: no cover - graphviz is installed wherever the tests run
    graphviz = None

if graphviz is not None:

    class ComputationalGraph(graphviz.Digraph):  # type: ignore[misc]
        """A ``graphviz.Digraph`` that degrades to its DOT text when ``dot`` is missing."""

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                              **kwargs: Any) -> dict[str, Any]:
            try:
                return dict(super()._repr_mimebundle_(include, exclude, **kwargs))
            except DotNotFoundError:
                # Jupyter shows this text instead of a picture (and no traceback).
                return {"text/plain": "# " + _INSTALL_HINT + "\n" + self.source}

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as error:
                raise DotNotFoundError(_INSTALL_HINT) from error

        def render(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as error:
                raise DotNotFoundError(_INSTALL_HINT) from error


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def draw_graph(tensor: Tensor, show_grad: bool = True, *, precision: int = 4, max_values: int = 6,
               params: Mapping[str, Tensor] | None = None, rankdir: str = "LR") -> Any:
    """Draw the computational graph that produced ``tensor``.

    One node per tensor: leaves you made are blue and labelled by ``tensor.name`` (or by their key in
    ``params``, e.g. ``dict(model.named_parameters())``), constants grey, values computed by an op
    yellow and ``tensor`` itself green. Each node shows the op (``Add``, ``Mul``, ``PowScalar``, ...),
    the value (numbers for at most ``max_values`` elements, else the shape) and, when ``show_grad``
    and ``backward`` has filled it, ``.grad``. Intermediate values keep a gradient only if you called
    ``retain_grad()`` on them before ``backward``, as in PyTorch.

    Returns a ``graphviz.Digraph`` subclass (:class:`ComputationalGraph`) when the ``graphviz`` Python
    package is installed, else a :class:`DotSource`. Both have ``.source`` (the DOT text), so the graph
    is there even without Graphviz's ``dot`` program; see the module docstring for what rendering does
    then.

    >>> import chainrule as cr
    >>> x = cr.tensor(2.0, requires_grad=True); x.name = "x"
    >>> h = (2 * (x + 1)) ** 2
    >>> h.backward()
    >>> graph = draw_graph(h)          # shows as SVG in a notebook, or graph.render("h", format="png")
    >>> "grad 24" in graph.source      # h'(2) = 24 at the leaf x
    True
    """
    if rankdir not in {"LR", "RL", "TB", "BT"}:
        raise ValueError(f"draw_graph: rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    if precision < 1:
        raise ValueError(f"draw_graph: precision must be at least 1, got {precision}")
    nodes, edges = _dot_source(tensor, show_grad, precision, max_values, params)
    node_style = {"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "12"}
    if graphviz is not None:
        graph = ComputationalGraph("computational_graph", graph_attr={"rankdir": rankdir},
                                   node_attr=node_style)
        for node_id, label, attrs in nodes:
            graph.node(node_id, label, **attrs)
        for tail, head in edges:
            graph.edge(tail, head)
        return graph
    lines = ["digraph computational_graph {", f"\trankdir={rankdir}",
             "\tnode [" + " ".join(f'{k}="{v}"' for k, v in node_style.items()) + "]"]
    for node_id, label, attrs in nodes:
        extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
        lines.append(f'\t{node_id} [label="{_escape(label)}"{extra}]')
    lines.extend(f"\t{tail} -> {head}" for tail, head in edges)
    lines.append("}")
    return DotSource("\n".join(lines) + "\n")
