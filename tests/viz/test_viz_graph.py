"""draw_graph: the notes' computational graph h(x) = (2(x + 1))^2 as DOT text, with and without Graphviz."""

from __future__ import annotations

import re
from pathlib import Path

import graphviz
import numpy as np
import pytest

import chainrule as cr
from chainrule.viz import DotNotFoundError, DotSource, draw_graph, graph_nodes
from chainrule.viz import graph as graph_module

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _notes_graph(retain: bool = False) -> tuple[cr.Tensor, dict[str, cr.Tensor]]:
    """h = g^2, g = 2 f, f = x + 1 at x = 2: f = 3, g = 6, h = 36; dh/dg = 12, dh/df = dh/dx = 24."""
    x = cr.tensor(2.0, requires_grad=True)
    x.name = "x"
    f = x + 1
    g = 2 * f
    h = g**2
    if retain:
        f.retain_grad()
        g.retain_grad()
    h.backward()
    return h, {"x": x, "f": f, "g": g, "h": h}


def _labels(source: str) -> dict[str, str]:
    """node id -> label, from DOT text (graphviz writes labels with literal newlines)."""
    found = re.findall(r'(n\d+) \[label="((?:[^"\\]|\\.)*)"', source)
    return {node: label.replace("\\n", "\n") for node, label in found}


def _edges(source: str) -> set[tuple[str, str]]:
    return set(re.findall(r"(n\d+) -> (n\d+)", source))


def _node_by_first_line(labels: dict[str, str], first: str) -> list[str]:
    return [node for node, label in labels.items() if label.split("\n")[0] == first]


def test_notes_graph_has_every_value_and_op() -> None:
    h, _ = _notes_graph()
    source = draw_graph(h).source
    labels = _labels(source)
    assert len(labels) == 6  # x, constant 1, f, constant 2, g, h
    (x_node,) = _node_by_first_line(labels, "x")
    (add,) = _node_by_first_line(labels, "Add")
    (mul,) = _node_by_first_line(labels, "Mul")
    (power,) = _node_by_first_line(labels, "PowScalar")
    constants = _node_by_first_line(labels, "constant")
    assert labels[x_node] == "x\n2\ngrad 24"  # h'(2) = 8x + 8 = 24
    assert labels[add].split("\n")[1] == "3"
    assert labels[mul].split("\n")[1] == "6"
    assert labels[power].split("\n")[1] == "36"
    assert sorted(labels[c].split("\n")[1] for c in constants) == ["1", "2"]
    one = next(c for c in constants if labels[c].endswith("\n1"))
    two = next(c for c in constants if labels[c].endswith("\n2"))
    assert _edges(source) == {(x_node, add), (one, add), (add, mul), (two, mul), (mul, power)}


def test_retained_intermediate_gradients_are_shown() -> None:
    h, _ = _notes_graph(retain=True)
    labels = _labels(draw_graph(h).source)
    (add,) = _node_by_first_line(labels, "Add")
    (mul,) = _node_by_first_line(labels, "Mul")
    assert labels[mul].endswith("grad 12")  # dh/dg = 2g = 12, the notes' first backward step
    assert labels[add].endswith("grad 24")  # dh/df = 12 * 2


def test_show_grad_false_and_names_of_intermediates() -> None:
    h, parts = _notes_graph()
    parts["g"].name = "g"
    labels = _labels(draw_graph(h, show_grad=False).source)
    assert not any("grad" in label for label in labels.values())
    assert _node_by_first_line(labels, "g = Mul")


def test_large_values_show_their_shape_and_params_name_leaves() -> None:
    weight = cr.randn(3, 4, requires_grad=True)
    bias = cr.zeros(3, requires_grad=True)
    x = cr.randn(5, 4)
    out = (x @ weight.T + bias).sum()
    out.backward()
    source = draw_graph(out, params={"weight": weight, "bias": bias}).source
    labels = _labels(source)
    (w_node,) = _node_by_first_line(labels, "weight")
    assert "shape (3, 4)" in labels[w_node]
    assert "grad shape (3, 4)" in labels[w_node]
    (b_node,) = _node_by_first_line(labels, "bias")
    assert labels[b_node].split("\n")[1] == "[0, 0, 0]"


def test_reused_tensor_is_one_node_with_two_edges() -> None:
    x = cr.tensor(3.0, requires_grad=True)
    y = x * x
    nodes, edges = graph_nodes(y)
    assert len(nodes) == 2
    assert edges == [(1, 0), (1, 0)]


def test_deep_graph_needs_no_recursion() -> None:
    x = cr.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y + 1
    nodes, edges = graph_nodes(y)
    assert len(nodes) == 3000 + 3000 + 1  # 3000 sums, the constant 1 of each (a new tensor each time), x
    assert len(edges) == 6000


def test_not_a_tensor_is_refused() -> None:
    with pytest.raises(TypeError, match="expected a chainrule Tensor, got ndarray"):
        draw_graph(np.ones(3))  # type: ignore[arg-type]


def test_bad_options_are_refused() -> None:
    h, _ = _notes_graph()
    with pytest.raises(ValueError, match="rankdir must be one of"):
        draw_graph(h, rankdir="up")
    with pytest.raises(ValueError, match="precision must be at least 1"):
        draw_graph(h, precision=0)


def test_without_dot_program_a_picture_is_still_drawn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere on the PATH
    h, _ = _notes_graph()
    graph = draw_graph(h)
    assert isinstance(graph, graphviz.Digraph)
    bundle = graph._repr_mimebundle_()  # what a notebook shows
    assert bundle["image/png"].startswith(PNG_SIGNATURE)
    assert "6 values, 5 edges" in bundle["text/plain"]
    written = graph.render(str(tmp_path / "h"), format="png")
    assert written == str(tmp_path / "h.png")
    assert (tmp_path / "h.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "digraph computational_graph" in (tmp_path / "h").read_text()  # the DOT text beside it, as Graphviz
    svg = graph.pipe(format="svg", encoding="utf-8")
    assert "grad 24" in svg and "PowScalar" in svg  # labels kept as text in the SVG
    assert graph.pipe(format="svg") == graph.pipe(format="svg")  # no dates or random ids
    graph.render(outfile=str(tmp_path / "out" / "h.pdf"))
    assert (tmp_path / "out" / "h.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(DotNotFoundError, match="png, svg or pdf only.*apt-get install graphviz"):
        graph.pipe(format="gif")


def test_without_graphviz_package_returns_dot_text(monkeypatch: pytest.MonkeyPatch) -> None:
    h, _ = _notes_graph()
    with_package = _labels(draw_graph(h).source)
    monkeypatch.setattr(graph_module, "graphviz", None)
    graph = draw_graph(h)
    assert isinstance(graph, DotSource)
    assert str(graph) == graph.source
    assert _labels(graph.source) == with_package
    assert len(_edges(graph.source)) == 5
    assert graph._repr_mimebundle_()["image/png"].startswith(PNG_SIGNATURE)
    assert graph.pipe(format="png").startswith(PNG_SIGNATURE)
