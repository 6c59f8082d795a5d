"""One training at a time in a --checkpoint-dir: a lock file records who holds the folder.

Two runs writing checkpoints into one folder would replace each other's checkpoint and delete each
other's temporary files. So ``chainrule train --checkpoint-dir DIR`` first creates ``DIR/train.lock``
(atomically: creating it fails if it exists) holding its process id, host name and start time, keeps it
while it trains, and deletes it when it ends. A second run finds the lock and is refused with who holds
it. A lock left by a run that was killed (``kill -9``, a power cut) is stale: its process no longer runs
on this host, so the next run takes the folder over (a lock from another host cannot be checked: the
message says how to remove it).
"""

from __future__ import annotations

import json
import os
import socket
import time
from types import TracebackType

from chainrule.cli.errors import CommandError

LOCK_NAME = "train.lock"
UNREADABLE_GRACE_SECONDS = 10.0  # a lock being written right now may be empty for a moment


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by another user
        return True
    except (OSError, OverflowError, ValueError):
        return False
    return True


class FolderLock:
    """``with FolderLock(directory):`` holds ``directory/train.lock`` (nothing at all for None)."""

    def __init__(self, directory: str | None) -> None:
        self.path = None if directory is None else os.path.join(directory, LOCK_NAME)
        self.record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}

    def __enter__(self) -> FolderLock:
        if self.path is not None:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            self._acquire(self.path)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self.path is not None and self._holder(self.path) == self.record:
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def _acquire(self, path: str) -> None:
        for _ in range(3):
            try:
                descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder(path)
                if self._stale(path, holder):
                    try:
                        os.unlink(path)
                    except FileNotFoundError:
                        pass
                    continue
                raise CommandError(self._held_by(path, holder),
                                   f"wait for that run to end, or choose another --checkpoint-dir (if no such run "
                                   f"exists, delete {path})") from None
            with os.fdopen(descriptor, "w") as handle:
                json.dump(self.record, handle)
            return
        raise CommandError(f"could not lock --checkpoint-dir {os.path.dirname(path)!r}: {path} keeps reappearing",
                           "is another chainrule train starting there?")

    @staticmethod
    def _holder(path: str) -> dict[str, object] | None:
        try:
            with open(path, encoding="utf-8") as handle:
                record = json.loads(handle.read(4096))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    @staticmethod
    def _stale(path: str, holder: dict[str, object] | None) -> bool:
        if holder is None:  # empty or garbled: a run killed while writing it, unless it is being written now
            try:
                return time.time() - os.stat(path).st_mtime > UNREADABLE_GRACE_SECONDS
            except FileNotFoundError:
                return True
        pid = holder.get("pid")
        return holder.get("host") == socket.gethostname() and type(pid) is int and not _running(pid)

    @staticmethod
    def _held_by(path: str, holder: dict[str, object] | None) -> str:
        folder = os.path.dirname(path)
        if holder is None:
            return f"--checkpoint-dir {folder!r} is locked by a run that is starting ({path})"
        started = holder.get("started")
        since = (time.strftime(" since %Y-%m-%d %H:%M:%S", time.localtime(started))
                 if isinstance(started, (int, float)) else "")
        return (f"--checkpoint-dir {folder!r} is in use by another chainrule train (process {holder.get('pid')} "
                f"on {holder.get('host')}{since})")
