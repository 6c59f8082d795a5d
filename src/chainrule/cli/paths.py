"""Checks on the files a command will write, made before the work rather than after it."""

from __future__ import annotations

import os

from chainrule.cli.errors import CommandError

# The figure formats matplotlib writes without extra packages.
PLOT_FORMATS = ("png", "pdf", "svg", "jpg", "jpeg", "eps", "ps", "tif", "tiff")


def check_output_path(path: str, what: str, example: str) -> None:
    """Refuse, before any training, a result path that cannot be written: a directory, a missing or
    read-only parent directory. ``example`` is a file name to suggest (``model.safetensors``)."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CommandError(f"{what} {path!r} is a directory", f"give {what} a file name, e.g. {example}")
    if not os.path.isdir(directory):
        raise CommandError(f"cannot write {what} {path!r}: the directory {directory!r} does not exist",
                           "create it first or choose another path")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write {what} {path!r}: the directory {directory!r} is not writable",
                           "choose a directory you can write to")


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
