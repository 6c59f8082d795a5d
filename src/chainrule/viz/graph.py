"""Draw the computational graph a tensor was computed by: every value, every op, every gradient.

``draw_graph(h)`` walks back from ``h`` through ``grad_fn.parents`` (the same links ``backward``
follows) and makes one node per tensor: the op that produced it (``type(grad_fn).__name__``), its
value (the numbers when there are few, else its shape) and, after ``backward``, its ``.grad``.
Edges run forward, from each input to the value computed from it, as the notes draw them.

``draw_graph`` always returns an object whose ``.source`` is the graph's DOT text. With the
``graphviz`` Python package installed it is a ``graphviz.Digraph`` (a :class:`ComputationalGraph`),
drawn by Graphviz's ``dot`` program when that is on the PATH. Without ``dot`` (or without the Python
package, when it is a :class:`DotSource`) the same graph is drawn by matplotlib
(``chainrule.viz.graph_picture``): a notebook still shows a picture, and ``.render()``/``.pipe()``
still write PNG, SVG or PDF; only Graphviz's other formats then raise an error saying how to install it.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor

__all__ = ["ComputationalGraph", "DotNotFoundError", "DotSource", "draw_graph", "graph_drawing", "graph_nodes"]

_INSTALL_HINT = (
    "Graphviz's `dot` program was not found: without it the graph is drawn by matplotlib, as png, svg or "
    "pdf only. For other formats install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew "
    "install graphviz; conda: conda install graphviz) or paste the DOT text from `.source` into any "
    "Graphviz viewer."
)


class DotNotFoundError(RuntimeError):
    """A format only Graphviz draws was asked for, and its ``dot`` program is not installed."""


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


def graph_drawing(tensor: Tensor, show_grad: bool, precision: int, max_values: int,
                  params: Mapping[str, Tensor] | None) -> tuple[list[tuple[str, str, dict[str, str]]],
                                                                 list[tuple[str, str]]]:
    """What is drawn, whoever draws it: ``(node id, label, {"fillcolor": ...})`` per tensor, and the
    ``(input id, output id)`` edges."""
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


class _MatplotlibFallback:
    """Drawing with matplotlib what ``dot`` would draw (used when ``dot`` is missing)."""

    _drawing: tuple[list[tuple[str, str, dict[str, str]]], list[tuple[str, str]], str]

    def _picture(self, format: str | None) -> bytes:
        from chainrule.viz.graph_picture import PICTURE_FORMATS, picture_bytes

        format = (format or "png").lower()
        if format not in PICTURE_FORMATS:
            raise DotNotFoundError(f"cannot draw the graph as {format!r}. " + _INSTALL_HINT)
        nodes, edges, rankdir = self._drawing
        return picture_bytes(nodes, edges, rankdir, format)

    def _fallback_pipe(self, format: str | None, encoding: str | None) -> bytes | str:
        data = self._picture(format)
        return data.decode(encoding) if encoding else data

    def _fallback_render(self, filename: Any, directory: Any, format: str | None, outfile: Any,
                         source: str) -> str:
        """Write the picture where Graphviz would (``outfile``, else ``directory/filename.format``)."""
        if outfile is not None:
            target = Path(outfile)
            format = format or target.suffix.lstrip(".") or None
        else:
            base = Path(directory or ".") / (filename or "computational_graph.gv")
            base.parent.mkdir(parents=True, exist_ok=True)
            base.write_text(source, encoding="utf-8")  # Graphviz keeps the DOT text beside the picture
            target = base.with_name(f"{base.name}.{(format or 'png').lower()}")
        data = self._picture(format)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return str(target)

    def _fallback_bundle(self, picture: bool = True) -> dict[str, Any]:
        # Jupyter shows the PNG; the text is what a plain terminal shows.
        nodes, edges, _ = self._drawing
        text = {"text/plain": f"<computational graph: {len(nodes)} values, {len(edges)} edges>"}
        return {"image/png": self._picture("png"), **text} if picture else text


class DotSource(_MatplotlibFallback):
    """The graph as DOT text, for when the ``graphviz`` Python package is not installed.

    ``.source`` is the text; ``str()`` gives it too; a notebook shows the graph drawn by matplotlib, and
    ``.render()``/``.pipe()`` write that drawing as PNG, SVG or PDF.
    """

    def __init__(self, source: str, drawing: tuple[list[tuple[str, str, dict[str, str]]],
                                                   list[tuple[str, str]], str] | None = None) -> None:
        self.source = source
        self._drawing = drawing or ([], [], "LR")

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"DotSource(<{self.source.count('->')} edges; .render() draws it>)\n{self.source}"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        return self._fallback_bundle()

    def pipe(self, format: str | None = None, *args: Any, encoding: str | None = None, **kwargs: Any) -> Any:
        return self._fallback_pipe(format, encoding)

    def render(self, filename: Any = None, directory: Any = None, view: bool = False, cleanup: bool = False,
               format: str | None = None, *args: Any, outfile: Any = None, **kwargs: Any) -> str:
        return self._fallback_render(filename, directory, format, outfile, self.source)


try:  # optional: without the graphviz package, draw_graph returns a DotSource
    import graphviz
except ImportError:  # pragma: no cover - graphviz is installed wherever the tests run
    graphviz = None

if graphviz is not None:

    class ComputationalGraph(_MatplotlibFallback, graphviz.Digraph):  # type: ignore[misc]
        """A ``graphviz.Digraph`` drawn by matplotlib when Graphviz's ``dot`` program is missing."""

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                              **kwargs: Any) -> dict[str, Any]:
            # Checked first: graphviz would otherwise reach our pipe(), and a notebook would get an SVG
            # whose look depends on the viewer's fonts instead of the fallback's PNG.
            if shutil.which("dot") is None:
                return self._fallback_bundle()
            try:
                bundle = dict(super()._repr_mimebundle_(include, exclude, **kwargs))
            except graphviz.ExecutableNotFound:
                return self._fallback_bundle()
            # The same text as without dot (not a repr with a memory address): a notebook's stored
            # outputs then do not depend on whether the machine that ran it had Graphviz.
            return {**bundle, "text/plain": self._fallback_bundle(picture=False)["text/plain"]}

        def pipe(self, format: str | None = None, *args: Any, encoding: str | None = None,
                 **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, format=format, encoding=encoding, **kwargs)
            except graphviz.ExecutableNotFound:
                return self._fallback_pipe(format or self.format, encoding)

        def render(self, filename: Any = None, directory: Any = None, view: bool = False,
                   cleanup: bool = False, format: str | None = None, *args: Any, outfile: Any = None,
                   **kwargs: Any) -> Any:
            try:
                return super().render(filename, *args, directory=directory, view=view, cleanup=cleanup,
                                      format=format, outfile=outfile, **kwargs)
            except graphviz.ExecutableNotFound:
                return self._fallback_render(filename or self.filename, directory or self.directory,
                                             format or (None if outfile else self.format), outfile, self.source)


def check_graph_options(rankdir: str, precision: int) -> None:
    """The errors for options no drawing can use."""
    if rankdir not in {"LR", "RL", "TB", "BT"}:
        raise ValueError(f"draw_graph: rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    if precision < 1:
        raise ValueError(f"draw_graph: precision must be at least 1, got {precision}")


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
    package is installed, else a :class:`DotSource`. Both have ``.source`` (the DOT text), show as a
    picture in a notebook and write one with ``.render("h", format="png")``: drawn by Graphviz's
    ``dot`` program when it is installed, else by matplotlib (:func:`~chainrule.viz.plot_graph`).

    >>> import chainrule as cr
    >>> x = cr.tensor(2.0, requires_grad=True); x.name = "x"
    >>> h = (2 * (x + 1)) ** 2
    >>> h.backward()
    >>> graph = draw_graph(h)          # a picture in a notebook, or graph.render("h", format="png")
    >>> "grad 24" in graph.source      # h'(2) = 24 at the leaf x
    True
    """
    check_graph_options(rankdir, precision)
    nodes, edges = graph_drawing(tensor, show_grad, precision, max_values, params)
    node_style = {"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "12"}
    if graphviz is not None:
        graph = ComputationalGraph("computational_graph", graph_attr={"rankdir": rankdir},
                                   node_attr=node_style)
        for node_id, label, attrs in nodes:
            graph.node(node_id, label, **attrs)
        for tail, head in edges:
            graph.edge(tail, head)
        graph._drawing = (nodes, edges, rankdir)
        return graph
    lines = ["digraph computational_graph {", f"\trankdir={rankdir}",
             "\tnode [" + " ".join(f'{k}="{v}"' for k, v in node_style.items()) + "]"]
    for node_id, label, attrs in nodes:
        extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
        lines.append(f'\t{node_id} [label="{_escape(label)}"{extra}]')
    lines.extend(f"\t{tail} -> {head}" for tail, head in edges)
    lines.append("}")
    return DotSource("\n".join(lines) + "\n", (nodes, edges, rankdir))
