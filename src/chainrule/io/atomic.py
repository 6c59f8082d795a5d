"""Atomic file writes: a crash (or a kill) at any moment leaves either the old file or the new one.

The bytes go to a temporary file in the same directory (so the rename never crosses file systems),
are flushed and fsync'ed to the disk, then ``os.replace`` swaps the name over in one step and the
directory itself is fsync'ed so the rename survives a power cut. A reader never sees half a file.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile


def _default_mode() -> int:
    # NOTE: mkstemp creates files readable by the owner only; a model file should get the usual
    # permissions (0o666 minus the umask), as open(path, "wb") would give it. The umask can only be
    # read by setting it, so set it back at once.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def is_read_only(path: str) -> bool:
    """Whether the existing file ``path`` is read-only: no write permission bit is set for anyone, or
    this process may not write it. (The bits matter even to root, who may write anything: a file made
    read-only says "do not replace me", and an atomic rename needs only the folder to be writable.)"""
    return not stat.S_IMODE(os.stat(path).st_mode) & 0o222 or not os.access(path, os.W_OK)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that the file is always either the old one or the complete new one.

    An existing read-only file is never replaced (``PermissionError``), and any ``OSError`` while
    writing (a full disk: ``ENOSPC``) names ``path``, not the temporary file.

    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> atomic_write_bytes(target, b"hello")
    >>> open(target, "rb").read()
    b'hello'
    """
    path = os.fspath(path)
    if os.path.islink(path):
        # Write through a link to the file it names (as open(path, "wb") would), rather than replacing
        # the link itself with a regular file.
        path = os.path.realpath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write {path}: it is a directory")
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path}: the directory {directory} does not exist")
    if os.path.exists(path) and is_read_only(path):
        raise PermissionError(errno.EACCES, "the file is read-only and is never replaced", path)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    except OSError as error:
        # Name the file the caller asked for, not the temporary one nobody has heard of.
        raise OSError(error.errno, error.strerror, path) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else _default_mode()
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        # Any failure (disk full, Ctrl-C) removes the temporary file; the old file was never touched.
        if os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.filename != path:
            raise OSError(error.errno, error.strerror or str(error), path) from None
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable. Not every platform can open a directory (Windows cannot): skip there."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
