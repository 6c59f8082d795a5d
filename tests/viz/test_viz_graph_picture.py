"""plot_graph: the computational graph drawn by matplotlib, laid out by depth (no Graphviz needed)."""

from __future__ import annotations

import pytest

import chainrule as cr
from chainrule.viz import plot_graph
from chainrule.viz.graph_picture import graph_depths


def _notes_graph() -> cr.Tensor:
    """h = (2(x + 1))^2 at x = 2, the notes' computational graph."""
    x = cr.tensor(2.0, requires_grad=True)
    x.name = "x"
    h = (2 * (x + 1)) ** 2
    h.backward()
    return h


def _boxes(fig: object) -> dict[str, tuple[float, float]]:
    """first label line -> box centre (data coordinates), for labels that occur once."""
    texts = fig.axes[0].texts  # type: ignore[attr-defined]
    return {t.get_text(): t.get_position() for t in texts if type(t).__name__ != "Annotation"}


def test_every_value_is_a_box_and_every_edge_an_arrow() -> None:
    fig = plot_graph(_notes_graph())
    boxes = _boxes(fig)
    assert sorted(boxes) == ["Add\n3", "Mul\n6", "PowScalar\n36", "constant\n1", "constant\n2", "x\n2\ngrad 24"]
    arrows = [child for child in fig.axes[0].get_children() if type(child).__name__ == "Annotation"]
    assert len(arrows) == 5


def test_values_flow_left_to_right_one_column_per_depth() -> None:
    boxes = _boxes(plot_graph(_notes_graph()))
    x = {label.split("\n")[0] + label.split("\n")[1]: pos[0] for label, pos in boxes.items()}
    assert x["x2"] < x["Add3"] < x["Mul6"] < x["PowScalar36"]
    assert x["constant1"] == x["x2"]  # both inputs of Add sit in the column just before it
    assert x["constant2"] == x["Add3"]  # the constant 2 sits just before Mul, not at the far left


@pytest.mark.parametrize(("rankdir", "axis", "sign"), [("RL", 0, -1), ("TB", 1, -1), ("BT", 1, 1)])
def test_other_directions(rankdir: str, axis: int, sign: int) -> None:
    boxes = _boxes(plot_graph(_notes_graph(), rankdir=rankdir))
    assert sign * boxes["x\n2\ngrad 24"][axis] < sign * boxes["PowScalar\n36"][axis]


def test_depths_of_a_diamond_and_of_reused_values() -> None:
    # 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4 and a leaf 5 used only by 4
    assert graph_depths(6, [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (5, 4)]) == [0, 1, 1, 2, 3, 2]
    assert graph_depths(2, [(1, 0), (1, 0)]) == [1, 0]  # y = x * x: x used twice


def test_options_are_checked_as_for_draw_graph() -> None:
    with pytest.raises(ValueError, match="rankdir must be one of"):
        plot_graph(_notes_graph(), rankdir="up")
