"""Write the lecture notebooks (``NN_name.ipynb``) from their sources in ``src/`` (``NN_name.py``).

The sources are plain Python in the "percent" format that Jupytext, VS Code and Spyder understand:
``# %%`` starts a code cell, ``# %% [markdown]`` a Markdown cell whose lines start with ``# ``. Edit
the source, then run ``python notebooks/make_notebooks.py``; the notebooks are written without
outputs, and the test suite (``tests/notebooks``) runs each one top to bottom and checks that every
``.ipynb`` is what its source generates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def cells_of(source: str) -> list[tuple[str, str]]:
    """Split percent-format text into ``(kind, text)`` cells, kind "code" or "markdown"."""
    cells: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            cells[-1][1].append(line)
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            lines = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines]
        text = "\n".join(lines).strip("\n")
        if text:
            out.append((kind, text))
    return out


def notebook_of(source: str) -> nbformat.NotebookNode:
    """The notebook (version 4, no outputs) for one percent-format source."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for index, (kind, text) in enumerate(cells_of(source)):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = make(text)
        cell["id"] = f"cell-{index:02d}"  # stable ids: regenerating an unchanged source changes nothing
        nb.cells.append(cell)
    return nb


def render(source_path: Path) -> str:
    """The .ipynb text for a source file (what is written, and what the tests compare against)."""
    return nbformat.writes(notebook_of(source_path.read_text(encoding="utf-8"))) + "\n"


def main() -> int:
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    for path in sources:
        target = HERE / (path.stem + ".ipynb")
        target.write_text(render(path), encoding="utf-8")
        print(f"wrote {target.relative_to(HERE.parent)}")
    return 0 if sources else 1


if __name__ == "__main__":
    sys.exit(main())
