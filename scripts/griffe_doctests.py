"""A griffe extension for the API reference (mkdocs.yml names it under mkdocstrings' ``extensions``).

chainrule's docstrings hold doctest examples (``>>> ...`` lines, checked by the test suite). Written as
they are, Markdown would run them into one paragraph and read ``ds[1]`` as a link, so each example is
fenced as a ``pycon`` code block before the docstring is rendered.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Wrap each run of doctest lines (``>>>``/``...`` prompts and the output after them) in a fence."""
    out: list[str] = []
    in_example = False
    for line in text.splitlines():
        stripped = line.strip()
        if not in_example and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out += ["", f"{indent}```pycon"]
            in_example = True
        elif in_example and not stripped:
            out += [f"{indent}```", ""]
            in_example = False
        out.append(line)
    if in_example:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
