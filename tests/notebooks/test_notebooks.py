"""The nine lecture notebooks: each runs top to bottom without an error, and each .ipynb is exactly what
its source in notebooks/src generates (so the two cannot drift apart)."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = [
    "01_single_neuron", "02_perceptron", "03_xor_hidden_layer", "04_backprop_by_hand", "05_gradient_descent",
    "06_activations_and_losses", "07_representation_learning", "08_digits_softmax", "09_one_layer_networks",
    "10_why_not_learning",
]
CELL_TIMEOUT_S = 120
NOTEBOOK_BUDGET_S = 90  # "well under a minute on a laptop"; this machine's 2 cores are shared


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_all_nine_notebooks_and_sources_exist() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) == EXPECTED
    assert sorted(p.stem for p in (NOTEBOOKS / "src").glob("[0-9][0-9]_*.py")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_matches_its_source(name: str) -> None:
    rendered = _generator().render(NOTEBOOKS / "src" / f"{name}.py")
    on_disk = (NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8")
    assert on_disk == rendered, f"{name}.ipynb is stale: run python notebooks/make_notebooks.py"


def test_percent_format_parsing() -> None:
    cells = _generator().cells_of("# %% [markdown]\n# # Title\n# text\n\n# %%\nx = 1\n\n# %%\n\n")
    assert cells == [("markdown", "# Title\ntext"), ("code", "x = 1")]


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_top_to_bottom(name: str, tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    # Run where the notebook lives (as a learner would), with no display and no Graphviz requirement.
    env_backup = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
        start = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - start
    finally:
        if env_backup is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_backup
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    images = sum(1 for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
                 if "image/png" in o.get("data", {}))
    assert images >= 1, f"{name}: expected its plots in the outputs, found no image"
    assert elapsed < NOTEBOOK_BUDGET_S, f"{name} took {elapsed:.0f} s"
