"""Ctrl-C while the ``chainrule`` command is still starting: one line and exit code 130, no traceback.

Importing NumPy and chainrule takes a moment, and a Ctrl-C in that moment would otherwise end in a
``KeyboardInterrupt`` traceback from deep inside some import. So, when (and only when) this process is
the ``chainrule`` command (``chainrule ...`` or ``python -m chainrule ...``), the first thing
``import chainrule`` does is to take over SIGINT; :func:`chainrule.cli.main` hands it back as soon as
it runs, and from then on its own handling applies. A program that imports chainrule as a library is
never affected. This module imports nothing but the standard library's ``os``, ``signal`` and ``sys``.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def started_as_command() -> bool:
    """Whether this process is the ``chainrule`` command rather than a program importing chainrule."""
    if sys.argv and os.path.splitext(os.path.basename(sys.argv[0]))[0] == "chainrule":
        return True  # the console script
    arguments = list(getattr(sys, "orig_argv", []))
    return "-m" in arguments and arguments[arguments.index("-m") + 1:][:1] == ["chainrule"]


def interrupted(signum: int, frame: FrameType | None) -> None:
    """Stop at once: nothing has been written yet, so there is nothing to clean up."""
    try:
        os.write(2, b"\nchainrule: interrupted while starting\n")
    finally:
        os._exit(130)  # 128 + SIGINT, as a shell reports a process stopped by Ctrl-C


def take_over_interrupts() -> None:
    if started_as_command() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        try:
            signal.signal(signal.SIGINT, interrupted)
        except ValueError:  # not the main thread: leave Ctrl-C alone
            pass


def hand_back_interrupts() -> None:
    """Called by ``main``: Ctrl-C raises ``KeyboardInterrupt`` again, which ``main`` reports."""
    if signal.getsignal(signal.SIGINT) is interrupted:
        signal.signal(signal.SIGINT, signal.default_int_handler)


take_over_interrupts()
