"""MkDocs hooks for the documentation site (mkdocs.yml names this file under ``hooks:``).

- The lecture notebooks are published from ``notebooks/`` as they are stored (executed, pictures
  embedded), with an index page listing them: nothing is copied into ``docs/``.
- The command-line reference is generated from ``chainrule``'s own argparse parser, so it cannot
  drift from what ``chainrule --help`` says.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
HELP_WIDTH = "88"


def _notebook_title(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = "".join(cells[0]["source"]) if cells else ""
    return first.splitlines()[0].lstrip("# ").strip() if first.startswith("#") else path.stem


def notebooks_index() -> str:
    lines = ["# Notebooks", "",
             "One notebook per topic of the lecture notes, shown here as stored in the repository's "
             "`notebooks/` folder: run top to bottom, with their outputs and pictures. To run them yourself:",
             "", "```bash", "python -m pip install -e '.[notebooks,sklearn]' && jupyter lab notebooks/", "```", "",
             "Each is generated from `notebooks/src/NN_name.py` by `python notebooks/make_notebooks.py`, which "
             "also executes it; the test suite re-runs every notebook and fails when the stored outputs are "
             "not what it prints now.", ""]
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        lines.append(f"- [{_notebook_title(path)}]({path.name})")
    return "\n".join(lines) + "\n"


def cli_reference() -> str:
    """``chainrule --help`` and every subcommand's help, as the parser prints them."""
    from chainrule.cli import build_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH  # argparse wraps to the terminal's width: fix it for the page
    try:
        parser = build_parser()
        sections = ["# Command-line reference", "",
                    "Generated from the `chainrule` command's own parser at build time: what `chainrule --help` "
                    "and `chainrule COMMAND --help` print. The [command-line guide](../guides/cli.md) shows it "
                    "in use.", "", "## chainrule", "", "```text", parser.format_help().rstrip(), "```", ""]
        subparsers = next(action for action in parser._actions if action.__class__.__name__ == "_SubParsersAction")
        for name, sub in subparsers.choices.items():  # type: ignore[attr-defined]
            sections += [f"## chainrule {name}", "", "```text", sub.format_help().rstrip(), "```", ""]
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(sections)


def on_config(config: Any) -> Any:
    """Put every notebook under the "Notebooks" entry of the navigation, after its index page."""
    pages = [f"notebooks/{path.name}" for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    for position, entry in enumerate(config["nav"] or []):
        if isinstance(entry, dict) and entry.get("Notebooks") == "notebooks/index.md":
            config["nav"][position] = {"Notebooks": ["notebooks/index.md", *pages]}
    return config


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns the .ipynb files into pages
def on_files(files: Files, config: Any) -> Files:
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        # A File whose src_dir is the repository root, not File.generated(abs_src_path=...): mkdocs-jupyter
        # finds a notebook's path from src_dir, which a generated file lacks.
        files.append(File(f"notebooks/{path.name}", src_dir=str(ROOT), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    files.append(File.generated(config, "notebooks/index.md", content=notebooks_index()))
    files.append(File.generated(config, "reference/cli.md", content=cli_reference()))
    return files
