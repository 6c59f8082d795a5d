"""The lecture notebooks: each runs top to bottom without an error, draws its pictures, is what its source
in notebooks/src says, and is stored with the outputs it prints now (so a reader of the stored notebook
sees what running it gives). Every notebooks/NN_*.ipynb is checked, whoever added it."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# The notes' topics, one notebook each (more may be added; these may not go missing).
LECTURE_NOTEBOOKS = [
    "01_single_neuron", "02_perceptron", "03_xor_hidden_layer", "04_backprop_by_hand", "05_gradient_descent",
    "06_activations_and_losses", "07_representation_learning", "08_digits_softmax", "09_one_layer_networks",
    "10_why_not_learning",
]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _generator()
ALL = [path.stem for path in MAKE.notebook_paths()]


def test_the_lecture_notebooks_and_their_sources_exist() -> None:
    assert set(LECTURE_NOTEBOOKS) <= set(ALL)
    for name in LECTURE_NOTEBOOKS:
        assert (NOTEBOOKS / f"{name}.ipynb").exists() and (NOTEBOOKS / "src" / f"{name}.py").exists()


def test_percent_format_parsing() -> None:
    cells = MAKE.cells_of("# %% [markdown]\n# # Title\n# text\n\n# %%\nx = 1\n\n# %%\n\n")
    assert cells == [("markdown", "# Title\ntext"), ("code", "x = 1")]


def test_printed_numbers_are_compared_to_the_digits_printed() -> None:
    assert MAKE.same_text("loss 0.42505 after 3 epochs", "loss 0.42506 after 3 epochs")  # last-digit flip
    assert not MAKE.same_text("loss 0.42505", "loss 0.42508")
    assert not MAKE.same_text("loss 0.42505 after 3 epochs", "loss 0.42505 after 4 epochs")
    assert MAKE.same_text("grad 1.275e-16", "grad 1.276e-16")
    assert not MAKE.same_text("grad 1.275e-16", "grad 1.275e-15")
    assert not MAKE.same_text("accuracy 0.97", "accuracy 0.97 (best)")


def test_a_stale_output_is_found() -> None:
    nb = MAKE.notebook_of("# %%\nprint(1 + 1)\n\n# %%\n1 + 2\n")
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=2)]
    fresh = copy.deepcopy(nb)
    assert MAKE.differences(nb, fresh) == []
    fresh.cells[1].outputs[0]["data"] = {"text/plain": "4"}
    assert "code cell 1: text/plain output differs" in MAKE.differences(nb, fresh)[0]
    fresh.cells[1].outputs[0]["data"] = {"image/png": "iVBOR", "text/plain": "3"}
    assert MAKE.differences(nb, fresh) == ["code cell 1: outputs ['text/plain'] stored, ['image', 'text/plain'] now"]


@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_and_its_stored_outputs_are_current(name: str) -> None:
    path = NOTEBOOKS / f"{name}.ipynb"
    fresh = MAKE.execute(MAKE.built(path))  # from its source, in a fresh kernel, where the notebook lives
    assert fresh.cells[0].cell_type == "markdown" and fresh.cells[0].source.startswith("# ")
    summary = [kind for outputs in MAKE.output_summary(fresh) for kind, _ in outputs]
    assert "error" not in summary
    assert "image" in summary, f"{name}: expected its plots in the outputs, found no image"
    stale = MAKE.differences(nbformat.read(path, as_version=4), fresh)
    assert not stale, (f"{name}.ipynb is not what running it gives now; run python notebooks/make_notebooks.py "
                       f"{name[:2]}\n" + "\n".join(stale))
