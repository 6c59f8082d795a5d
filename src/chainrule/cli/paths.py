"""The one guard on the files a command writes, run before the work rather than after it.

Rules, for every command that writes (``train``, ``predict``, ``demo``):

- an output never replaces an input of the same command, nor another of its outputs: the same file is
  found whatever the spelling (``./a.csv``, a symbolic link, a hard link) with ``os.path.samefile``;
- an existing read-only file is never replaced (an atomic rename only needs the folder to be writable,
  so this is checked, not left to the operating system);
- an output the user did not name (a default such as ``model.safetensors``) never replaces a file that
  chainrule did not write itself: chainrule marks what it writes (a model file records the ``chainrule
  train`` command, a PNG figure names chainrule as its Software) and reads the mark back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from chainrule.cli.errors import CommandError

# The figure formats matplotlib writes without extra packages.
PLOT_FORMATS = ("png", "pdf", "svg", "jpg", "jpeg", "eps", "ps", "tif", "tiff")
FIGURE_SOFTWARE = "chainrule (matplotlib)"  # the mark in the PNG figures chainrule writes
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Output:
    """A file a command will write: its path, the flag that named it, and whether the user named it."""

    path: str
    what: str            # "--out"
    example: str         # a file name to suggest, "model.safetensors"
    asked: bool = True   # False: a default path chosen on the user's behalf


def check_output_path(path: str, what: str, example: str) -> None:
    """Refuse a result path that cannot be written: a directory, a missing or read-only parent directory."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CommandError(f"{what} {path!r} is a directory", f"give {what} a file name, e.g. {example}")
    if not os.path.isdir(directory):
        raise CommandError(f"cannot write {what} {path!r}: the directory {directory!r} does not exist",
                           "create it first or choose another path")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write {what} {path!r}: the directory {directory!r} is not writable",
                           "choose a directory you can write to")


def same_file(first: str, second: str) -> bool:
    """Whether two paths name one file (through links too); for a path not yet written, by its resolved name."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)


def check_outputs(outputs: list[Output], inputs: dict[str, str | None]) -> None:
    """Refuse, before any work, an output that would replace an input (``inputs``: flag -> path), another
    output, a read-only file, or (for an output the user did not name) a file chainrule did not write."""
    from chainrule.io.atomic import is_read_only

    for index, output in enumerate(outputs):
        check_output_path(output.path, output.what, output.example)
        for what, path in [*inputs.items(), *((other.what, other.path) for other in outputs[:index])]:
            if path is not None and same_file(output.path, path):
                raise CommandError(f"{output.what} {output.path!r} is the same file as {what} {path!r}; writing it "
                                   f"would destroy that {'input' if what in inputs else 'output'}",
                                   f"give {output.what} another path, e.g. {output.example}")
        if not os.path.lexists(output.path):
            continue
        if os.path.exists(output.path) and not os.path.isfile(output.path):
            raise CommandError(f"{output.what} {output.path!r} exists and is not a regular file",
                               f"give {output.what} the path of a file, e.g. {output.example}")
        if os.path.exists(output.path) and is_read_only(output.path):
            raise CommandError(f"{output.what} {output.path!r} exists and is read-only; chainrule never replaces "
                               "a read-only file", f"choose another path for {output.what}, or make the file "
                               "writable (chmod u+w) if it may be replaced")
        if not output.asked and not made_by_chainrule(output.path):
            raise CommandError(f"{output.path!r} exists and was not written by chainrule; the default "
                               f"{output.what} never replaces such a file",
                               f"name the file to write with {output.what} PATH (or move {output.path!r} away)")


def made_by_chainrule(path: str) -> bool:
    """Whether ``path`` carries chainrule's mark: a model file of ``chainrule train``, a figure of chainrule."""
    from chainrule.io import ModelFileError
    from chainrule.io.files import FileRefused, read_regular_file
    from chainrule.io.model_file import read_document

    try:
        head = read_regular_file(path, limit=1 << 20, head=1 << 16)
    except (OSError, FileRefused):
        return False
    if head.startswith(PNG_SIGNATURE):
        return FIGURE_SOFTWARE.encode() in _png_text(head).get(b"Software", b"")
    try:
        document = read_document(path)
    except ModelFileError:
        return False
    metadata = (document or {}).get("metadata")
    training = metadata.get("training") if isinstance(metadata, dict) else None
    command = training.get("command") if isinstance(training, dict) else None
    return isinstance(command, str) and command.startswith("chainrule train")


def _png_text(data: bytes) -> dict[bytes, bytes]:
    """The tEXt chunks (keyword -> text) before the image data of a PNG file's first bytes."""
    texts, position = {}, len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = int.from_bytes(data[position:position + 4], "big"), data[position + 4:position + 8]
        if kind in (b"IDAT", b"IEND"):
            break
        if kind == b"tEXt":
            keyword, _, text = data[position + 8:position + 8 + length].partition(b"\0")
            texts[keyword] = text
        position += 12 + length  # length, type, data, CRC
    return texts


def figure_metadata(path: str) -> dict[str, str] | None:
    """The ``savefig(metadata=...)`` that marks a figure as chainrule's (PNG keeps a Software text)."""
    return {"Software": FIGURE_SOFTWARE} if path.lower().endswith(".png") else None


def check_plot_path(path: str) -> None:
    """A plot path must be writable and end in a figure format matplotlib can write."""
    check_output_path(path, "--plot", "boundary.png")
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension not in PLOT_FORMATS:
        raise CommandError(f"--plot {path!r} does not end in a figure format",
                           f"use one of: {', '.join('.' + name for name in PLOT_FORMATS)} (e.g. boundary.png)")


def check_checkpoint_directory(directory: str) -> None:
    """--checkpoint-dir may be missing (it is created) but not a file or a read-only directory."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise CommandError(f"--checkpoint-dir {directory!r} is a file, not a directory",
                           "give --checkpoint-dir the name of a directory (it is created if missing)")
    existing = os.path.abspath(directory)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise CommandError(f"cannot create --checkpoint-dir {directory!r}: {existing!r} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write checkpoints in {directory!r}: {existing!r} is not writable",
                           "choose a --checkpoint-dir you can write to")
