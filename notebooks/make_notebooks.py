"""Write the lecture notebooks (``NN_name.ipynb``) from their sources in ``src/`` (``NN_name.py``), executed.

The sources are plain Python in the "percent" format that Jupytext, VS Code and Spyder understand:
``# %%`` starts a code cell, ``# %% [markdown]`` a Markdown cell whose lines start with ``# ``. Edit
the source, then run ``python notebooks/make_notebooks.py`` (or name some: ``... 04 08``): each
notebook is built from its source, run top to bottom, and written with its outputs, pictures
included, so it reads well on a code-hosting site without running it. A notebook with no source is
re-executed as it is. ``--check`` writes nothing and says which notebooks are stale; the test suite
(``tests/notebooks``) does the same check, so stored outputs never fall behind the code.

Outputs are kept deterministic, so that a re-run changes nothing: the notebooks seed their random
numbers and print no timings, and no execution timestamps are recorded.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
CELL_TIMEOUT_S = 300
# Outputs that hold a picture; a re-run is compared on their number and place, not their bytes (the
# pixels of a PNG depend on the matplotlib and FreeType versions that drew it).
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg", "application/pdf")
TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")


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


def cell_sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """``(kind, source)`` per cell: what a notebook says, whatever its outputs."""
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def notebook_paths() -> list[Path]:
    """Every lecture notebook: those with a source in ``src/`` and those stored without one."""
    names = {p.stem for p in SOURCES.glob("[0-9][0-9]_*.py")} | {p.stem for p in HERE.glob("[0-9][0-9]_*.ipynb")}
    return [HERE / f"{name}.ipynb" for name in sorted(names)]


@contextmanager
def _kernel_environment() -> Any:
    """Figures inline as PNG, and hash randomisation off, for every kernel started inside."""
    saved = {key: os.environ.get(key) for key in ("MPLBACKEND", "PYTHONHASHSEED")}
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Run ``nb`` top to bottom in a fresh kernel started in ``notebooks/`` (as a learner would); fill its
    outputs in place and return it. An error in a cell raises ``nbclient``'s ``CellExecutionError``."""
    from nbclient import NotebookClient

    with _kernel_environment():
        NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": str(HERE)}}).execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:  # one output per run of a stream, however the kernel cut it (stable files)
        if cell.cell_type == "code":
            merged: list[Any] = []
            for output in cell.outputs:
                if (output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                        and merged[-1].get("name") == output.get("name")):
                    merged[-1]["text"] += output.get("text", "")
                else:
                    merged.append(output)
            cell.outputs = merged
    return nb


def built(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` with no outputs: from its source when it has one, else as stored."""
    source = SOURCES / (path.stem + ".py")
    if source.exists():
        return notebook_of(source.read_text(encoding="utf-8"))
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def output_summary(nb: nbformat.NotebookNode) -> list[list[tuple[str, str]]]:
    """Per code cell, what its outputs say: the text of each (stream text, plain/HTML/Markdown/LaTeX
    representations, error names), and ``("image", "")`` in place of each picture's bytes."""
    summary = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs: list[tuple[str, str]] = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                name, text = output.get("name", "stdout"), output.get("text", "")
                if outputs and outputs[-1][0] == name:
                    # NOTE: the kernel cuts a cell's printing into stream messages at moments that depend
                    # on timing, so consecutive pieces of one stream are one output for the comparison.
                    outputs[-1] = (name, outputs[-1][1] + text)
                else:
                    outputs.append((name, text))
            elif kind == "error":
                outputs.append(("error", f"{output.get('ename')}: {output.get('evalue')}"))
            else:
                data = output.get("data", {})
                if any(mime in data for mime in IMAGE_TYPES):
                    outputs.append(("image", ""))
                for mime in TEXT_TYPES:
                    if mime in data:
                        outputs.append((mime, data[mime]))
        summary.append(outputs)
    return summary


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _close(stored: str, fresh: str) -> bool:
    """Two printed numbers agree to the digits printed: whole numbers exactly, others to one unit in the
    last digit, so a last-digit rounding flip from another CPU's arithmetic is not a change."""
    a, b = float(stored), float(fresh)
    if not any(mark in stored.lower() for mark in ".e"):
        return a == b  # counts, epochs, indices: exact
    mantissa = stored.lower().split("e")[0]
    digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(stored.lower().split("e")[1]) if "e" in stored.lower() else 0
    return abs(a - b) <= 1.5 * 10.0 ** (exponent - digits) or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def same_text(stored: str, fresh: str) -> bool:
    """The same text, numbers compared to the digits printed (see :func:`_close`)."""
    words_a, words_b = _NUMBER.split(stored), _NUMBER.split(fresh)
    numbers_a, numbers_b = _NUMBER.findall(stored), _NUMBER.findall(fresh)
    return (words_a == words_b and len(numbers_a) == len(numbers_b)
            and all(_close(a, b) for a, b in zip(numbers_a, numbers_b, strict=True)))


def differences(stored: nbformat.NotebookNode, fresh: nbformat.NotebookNode) -> list[str]:
    """Where a fresh run's outputs differ from the stored ones (empty when the stored ones are current)."""
    found = []
    if cell_sources(stored) != cell_sources(fresh):
        found.append("the cells differ from their source (the notebook was edited, or its source was)")
    for index, (old, new) in enumerate(zip(output_summary(stored), output_summary(fresh), strict=False)):
        if [kind for kind, _ in old] != [kind for kind, _ in new]:
            found.append(f"code cell {index}: outputs {[k for k, _ in old]} stored, {[k for k, _ in new]} now")
        else:
            found += [f"code cell {index}: {kind} output differs:\n--- stored\n{a}\n--- now\n{b}"
                      for (kind, a), (_, b) in zip(old, new, strict=True) if not same_text(a, b)]
    return found


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if a != "--check"]
    paths = notebook_paths()
    if names:  # "04" or "04_backprop_by_hand": only those
        paths = [p for p in paths if any(p.stem == a or p.stem.startswith(a + "_") for a in names)]
    stale = 0
    for path in paths:
        nb = execute(built(path))
        if check:
            found = differences(nbformat.read(path, as_version=4), nb)
            stale += bool(found)
            print(f"{path.relative_to(HERE.parent)}: " + ("stale\n  " + "\n  ".join(found) if found else "current"))
            continue
        write(nb, path)
        images = sum(kind == "image" for outputs in output_summary(nb) for kind, _ in outputs)
        print(f"wrote {path.relative_to(HERE.parent)} (executed, {images} pictures)")
    return 0 if paths and not stale else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
