"""The documentation site builds with ``mkdocs build --strict`` (no broken link, no missing reference, no
failing Learn page), and its key pages are there with their pictures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

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


GUIDES = ("pytorch", "sklearn", "cli", "model-files", "playground", "diagnose", "gpus-and-clusters", "speed")
# The API pages and, on each, entries that must be there (mkdocstrings' anchors).
API = {
    "chainrule": [], "nn": ["chainrule.nn.Linear"], "functional": [], "optim": ["chainrule.optim.Adam"], "data": [],
    "train": [], "io": [], "viz": ["chainrule.viz.plot_graph"], "sklearn": [], "explain": [],
    "devices": ["chainrule.device", "chainrule.cuda.is_available", "chainrule.set_default_device",
                "chainrule.nn.Module.to"],
    "compiler": ["chainrule.compiler.compile", "chainrule.compiler.CompileWarning"],
    "diagnose": ["chainrule.train.diagnose.diagnose", "chainrule.train.diagnostics.Diagnostics",
                 "chainrule.train.findings.DEAD_FRACTION"],
    "distributed": ["chainrule.distributed.init_process_group", "chainrule.distributed.all_reduce"],
    "parallel": ["chainrule.nn.parallel.DistributedDataParallel"],
    "utils-data": ["chainrule.utils.data.DistributedSampler", "chainrule.utils.data.DataLoader"],
    "playground": ["chainrule.playground.serve"],
}


def test_guides_notes_and_references(site: Path) -> None:
    for guide in GUIDES:
        html = _page(site, f"guides/{guide}")
        assert "Being built" not in html, f"guides/{guide} still describes a plan"
    assert "529,411" in _page(site, "notes")  # README's notes section, included by the site
    cli = _page(site, "reference/cli")
    for command in ("chainrule train", "chainrule evaluate", "chainrule predict", "chainrule demo"):
        assert command in cli
    assert "--hidden N [N ...]" in cli and "backprop-step" in cli
    for name, entries in API.items():
        html = _page(site, f"reference/api/{name}")
        missing = [entry for entry in entries if f'id="{entry}"' not in html]
        assert not missing, f"reference/api/{name} lacks {missing}"
    assert "JAX jit" in _page(site, "guides/speed")   # README's Speed section and its tables, included


def test_the_diagnose_guide_quotes_the_thresholds_in_the_code() -> None:
    from chainrule.train import findings

    page = (ROOT / "docs" / "guides" / "diagnose.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in page.splitlines() if line.startswith("| `")}
    assert set(rows) == set(findings.KINDS), "the guide's table must have one row per kind"
    for kind, values in {"dead_relu": [findings.DEAD_FRACTION], "saturated": [findings.SATURATED_FRACTION],
                         "vanishing_gradients": [findings.VANISHING_RATIO],
                         "exploding_gradients": [findings.EXPLODING_RATIO],
                         "unscaled_inputs": [findings.INPUT_SCALE, findings.INPUT_SCALE_RATIO],
                         "learning_rate": [findings.UPDATE_RATIO_HIGH, findings.UPDATE_RATIO_LOW]}.items():
        alarm = rows[kind].split("|")[3]
        quoted = [float(number) for number in re.findall(r"\d+(?:\.\d+)?(?:e-?\d+)?", alarm)]
        assert quoted == [float(value) for value in values], f"{kind}: the guide says {alarm.strip()!r}"


# A formula left as TeX in a page's text (not in code): the renderer did not run on it.
RAW_TEX = r"""() => {
  const walker = document.createTreeWalker(document.querySelector("article") || document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("pre, code, script, style, .katex")) continue;
    if (/\$\$|\\frac|\\operatorname|\\begin\{|\$[^$\s]/.test(node.textContent)) raw.push(node.textContent.slice(0, 80));
  }
  return raw;
}"""


def test_formulas_render_in_a_browser_with_the_network_blocked(site: Path, browser: Any) -> None:
    """KaTeX ships with the site: a Learn page, a notebook and a guide show typeset formulas offline."""
    page = browser.new_page()  # in the one session-wide browser (tests/conftest.py)
    outside: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (outside.append(route.request.url), route.abort()))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for name, at_least in (("learn/05_backprop_by_hand", 10), ("notebooks/04_backprop_by_hand", 10),
                               ("guides/diagnose", 2)):
            page.goto((site / name / "index.html").as_uri())
            page.wait_for_selector(".katex", state="attached", timeout=10_000)
            assert page.locator(".katex").count() >= at_least, f"{name}: too few formulas typeset"
            assert page.locator(".katex-error").count() == 0, f"{name}: KaTeX could not parse a formula"
            assert page.evaluate(RAW_TEX) == [], f"{name}: formulas left as TeX"
            # the fonts came with the site: KaTeX's main font is loaded, not a fallback
            assert page.evaluate("document.fonts.check('16px KaTeX_Main')"), f"{name}: KaTeX's fonts missing"
    finally:
        page.close()
    assert outside == [], f"the site asked the network for {outside}"
    assert errors == [], errors
