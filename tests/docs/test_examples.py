"""Every Python example in README.md and on the documentation site's pages runs, exactly as written, as a
script (in a fresh process, in an empty directory), and prints what its comments say it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)

# What an example's output must contain, by a line that identifies the example: the values its comments
# claim (from the lecture notes, or the library's documented behaviour), not values it computed.
CLAIMS = {
    "h = (2 * (x + 1)) ** 2          # the notes' computational graph": ["tensor(24.)"],
    "print(list(model.state_dict()))": ["['0.weight', '0.bias', '2.weight', '2.bias']"],
    "scheduler = cr.optim.lr_scheduler.StepLR": ["[0.0125]"],
    'X, y = cr.data.load_dataset("digits")': ["'accuracy': 0.9"],
    "record = cr.explain.step(": ["-0.04207, -0.29447", "0.82103, 0.34724", "0.42505"],
    "figures = {": ["graph.png, leaky_relu.png, huber.png, descent.png, boundary.png, network.png"],
    "search = GridSearchCV(": ["{'mlpclassifier__hidden_layer_sizes': (", "Sequential(", "Linear(in_features=64"],
    "cr.save(model, path, metadata=": ["{'trained_on': 'xor'}", "Linear(in_features=2, out_features=8"],
    "X = X * [1, 500]": ["[('unscaled_inputs', '0'), ('saturated', '1'), ('learning_rate', '2'), "
                         "('double_softmax', '3')]\nTrue"],
    "diagnostics = cr.train.Diagnostics()": ["'grad_norm/0'", "stopped: None"],
    "data[-5] ^= 0xFF": ["refused: is corrupted: its contents do not match its checksum",
                         "kept: the file is read-only and is never replaced"],
}


def _examples() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for number, block in enumerate(FENCE.findall(page.read_text(encoding="utf-8")), start=1):
            found.append((f"{page.relative_to(ROOT)}#{number}", block))
    return found


EXAMPLES = _examples()


def test_the_readme_examples_are_found() -> None:
    readme = [name for name, _ in EXAMPLES if name.startswith("README.md#")]
    assert len(readme) >= 7
    every_block = "\n".join(block for _, block in EXAMPLES)
    missing = [key for key in CLAIMS if key not in every_block]
    assert not missing, f"examples named in CLAIMS but no longer in README.md or docs/: {missing}"


@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_example_runs_as_a_script_and_prints_its_claims(name: str, code: str, tmp_path: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{name} failed:\n{result.stderr[-3000:]}"
    assert result.stdout.strip(), f"{name} printed nothing: a script shows only what it prints"
    for key, claims in CLAIMS.items():
        if key in code:
            for claim in claims:
                assert claim in result.stdout, f"{name}: expected {claim!r} in its output:\n{result.stdout[-2000:]}"
