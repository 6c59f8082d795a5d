"""Reading a file a user names, boundedly: regular files only, never more bytes than a stated limit.

Every file chainrule reads on a user's say-so (a model file, a checkpoint, a CSV, a config) goes through
:func:`read_regular_file`. A path that is a FIFO would block the reader until someone writes to it, and
a device such as ``/dev/zero`` or ``/dev/urandom`` never ends; a directory is not data. So the path is
checked before it is opened, opened without blocking, checked again on the open descriptor (the path
may have changed in between), and read only up to ``limit`` bytes: anything larger is refused with its
size rather than filling the memory.
"""

from __future__ import annotations

import os
import stat

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
MODEL_FILE_LIMIT = 4 * GIB   # chainrule's NumPy networks; a bigger "model file" is not one of ours
CSV_FILE_LIMIT = 1 * GIB     # parsed into Python strings, which take several times the file's size
CONFIG_FILE_LIMIT = 1 * MIB  # a TOML file of a few dozen options


class FileRefused(ValueError):
    """A path that is not a regular file, or a file larger than the reader's limit.

    The message says what the path is (``is a FIFO (named pipe), not a regular file``) without the path
    itself, so that each caller words the error its own way; ``kind`` is what the path is ("a directory",
    "a FIFO (named pipe)", ...), or None when it is a regular file that is too large.
    """

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind

    def explain(self, what: str) -> str:
        """``is a FIFO (named pipe), not a model file``: the message, naming what was expected."""
        return f"is {self.kind}, not {what}" if self.kind else str(self)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def size_text(count: int) -> str:
    """``512 bytes``, ``12.0 KiB``, ``3.2 GiB``."""
    for unit, size in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} bytes"


def refuse_irregular(mode: int) -> None:
    kind = _kind(mode)
    if kind is not None:
        raise FileRefused(f"is {kind}, not a regular file", kind)


def read_regular_file(path: str | os.PathLike[str], limit: int, head: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (only its first ``head`` bytes when given).

    Raises :class:`FileRefused` for a directory, FIFO, device or socket, and for a file of more than
    ``limit`` bytes; ``OSError`` (``FileNotFoundError``, ``PermissionError``) as ``open`` would.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> _ = open(path, "w").write("hello")
    >>> read_regular_file(path, limit=100)
    b'hello'
    >>> read_regular_file(os.path.dirname(path), limit=100)
    Traceback (most recent call last):
    ...
    chainrule.io.files.FileRefused: is a directory, not a regular file
    """
    refuse_irregular(os.stat(path).st_mode)  # before opening: opening some devices already does something
    # NOTE: O_NONBLOCK, so that a FIFO swapped in after the check above cannot block the open.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        status = os.fstat(descriptor)
        refuse_irregular(status.st_mode)
        if status.st_size > limit and head is None:
            raise FileRefused(f"is {size_text(status.st_size)}, more than the {size_text(limit)} this reader "
                              "accepts")
        wanted = limit + 1 if head is None else min(head, limit + 1)
        chunks, total = [], 0
        while total < wanted:  # a file that grows while it is read still stops at the limit
            # NOTE: ask for no more than the file holds: os.read allocates the whole request up front.
            chunk = os.read(descriptor, min(wanted - total, 64 * MIB, max(status.st_size - total, 0) + 4096))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(descriptor)
    if total > limit:
        raise FileRefused(f"is larger than the {size_text(limit)} this reader accepts")
    return b"".join(chunks)
