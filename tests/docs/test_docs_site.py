"""The documentation site builds with ``mkdocs build --strict`` (no broken link, no missing reference, no
failing Learn page), and its key pages are there with their pictures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
               NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return out


def _page(site: Path, path: str) -> str:
    page = site / path / "index.html"
    assert page.exists(), f"missing page {path}"
    return page.read_text(encoding="utf-8")


def _images(html: str) -> int:
    return len(re.findall(r"<img[^>]+src=\"data:image/(?:png|svg)", html))


LEARN = ["01_neuron", "02_perceptron_and_xor", "03_mlp", "04_activations_and_losses", "05_backprop_by_hand",
         "06_gradient_descent", "07_regularisation", "08_softmax", "09_representation_learning"]


def test_learn_pages_are_executed_with_their_pictures(site: Path) -> None:
    for name in LEARN:
        html = _page(site, f"learn/{name}")
        assert _images(html) >= 1, f"learn/{name} has no picture"
    assert "tensor(24.)" in _page(site, "learn/05_backprop_by_hand")  # printed by the page's code at build time
    assert "529,411" in _page(site, "learn/03_mlp")


def test_notebooks_are_published_with_their_stored_outputs(site: Path) -> None:
    stored = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    index = _page(site, "notebooks")
    for name in stored:
        assert f"{name}.ipynb" in index or f"{name}/" in index
        assert _images(_page(site, f"notebooks/{name}")) >= 1, f"notebooks/{name} has no picture"


def test_guides_notes_and_references(site: Path) -> None:
    for guide in ("pytorch", "sklearn", "cli", "model-files", "playground", "gpus-and-clusters"):
        _page(site, f"guides/{guide}")
    assert "529,411" in _page(site, "notes")  # README's notes section, included by the site
    cli = _page(site, "reference/cli")
    for command in ("chainrule train", "chainrule evaluate", "chainrule predict", "chainrule demo"):
        assert command in cli
    assert "--hidden N [N ...]" in cli and "backprop-step" in cli
    api = {name: _page(site, f"reference/api/{name}") for name in
           ("chainrule", "nn", "functional", "optim", "data", "train", "io", "viz", "sklearn", "explain")}
    assert 'id="chainrule.nn.Linear"' in api["nn"] and 'id="chainrule.optim.Adam"' in api["optim"]
    assert 'id="chainrule.viz.plot_graph"' in api["viz"]
