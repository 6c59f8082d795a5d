"""Progress display for ``fit``: a rich progress bar in a terminal, a few plain lines elsewhere.

``verbose=True`` (or 1) picks a rich bar when rich is installed and output goes to a terminal, and
otherwise prints one line per epoch, thinned to about 20 lines for long runs so a notebook or a log
file is not flooded. ``verbose=2`` prints a plain line after every epoch. ``verbose=False`` prints nothing.
Both say how long the run has taken and about how long it has left (from the mean time per epoch so far):

    epoch  5/100  loss 0.3127  val_loss 0.3301  accuracy 0.8750  (elapsed 1.2 s, about 22.8 s left)
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

from chainrule.train.callbacks import Callback, Logs, is_layer_statistic

_MAX_PLAIN_LINES = 20


def format_logs(logs: Logs) -> str:
    """``loss 0.1234  val_loss 0.2345  accuracy 0.9500`` (4 significant digits)."""
    return "  ".join(f"{key} {value:.4g}" for key, value in logs.items()
                     if isinstance(value, (int, float)) and not is_layer_statistic(key))


def format_duration(seconds: float) -> str:
    """``0.42 s``, ``12.3 s``, ``2 min 05 s``, ``1 h 02 min``: as precise as a person reads it."""
    if seconds < 10:
        return f"{seconds:.2f} s" if seconds < 1 else f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


# The clock the plain lines read (a name of its own so tests can give it fixed times).
_clock = time.perf_counter


class PlainProgress(Callback):
    """One line per epoch (``every``-th epoch, plus the first and the last), printed to ``stream``: the epoch
    out of all, the logs, the time since training began and an estimate of the time left."""

    def __init__(self, every: int | None = None, stream: Any = None) -> None:
        super().__init__()
        self.every = every
        self.stream = stream
        self._start = 0.0
        self._first = 0
        self._last = 0
        self._pending: tuple[int, Logs, float] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._first = int(self.params.get("initial_epoch", 0))
        epochs = int(self.params.get("epochs", 1)) - self._first
        if self.every is None:
            self.every = max(1, math.ceil(epochs / _MAX_PLAIN_LINES))
        self._last = int(self.params.get("epochs", 1)) - 1
        self._start = _clock()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._pending = (epoch, dict(logs or {}), _clock() - self._start)
        first = epoch == self.params.get("initial_epoch")
        if first or epoch == self._last or (epoch + 1) % (self.every or 1) == 0:
            self._print()

    def on_train_end(self, logs: Logs | None = None) -> None:
        # The epoch training stopped at (early stopping) is always shown.
        self._print()

    def _print(self) -> None:
        if self._pending is None:
            return
        epoch, logs, elapsed = self._pending
        width = len(str(self._last + 1))
        done, left = epoch + 1 - self._first, self._last - epoch
        timing = f"elapsed {format_duration(elapsed)}"
        if left > 0 and done > 0:
            timing += f", about {format_duration(elapsed / done * left)} left"
        line = f"epoch {epoch + 1:>{width}}/{self._last + 1}  {format_logs(logs)}  ({timing})"
        print(line, file=self.stream or sys.stdout, flush=True)
        self._pending = None


class RichProgress(Callback):
    """A rich progress bar over the epochs, with a second bar over the batches of the current epoch."""

    def __init__(self) -> None:
        super().__init__()
        self._progress: Any = None
        self._stride = 1

    def on_train_begin(self, logs: Logs | None = None) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
                                  TimeRemainingColumn(), TextColumn("{task.fields[logs]}"))
        initial, epochs = int(self.params.get("initial_epoch", 0)), int(self.params.get("epochs", 1))
        steps = int(self.params.get("steps", 1))
        # NOTE: update the batch bar ~50 times an epoch at most; the display refreshes 10 times a second.
        self._stride = max(1, steps // 50)
        self._epochs = self._progress.add_task("epochs ", total=epochs, completed=initial, logs="")
        self._batches = self._progress.add_task("batches", total=steps, logs="")
        self._progress.start()

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._progress.reset(self._batches)

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if (batch + 1) % self._stride == 0:
            self._progress.update(self._batches, completed=batch + 1)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._progress.update(self._batches, completed=self.params.get("steps", 1))
        self._progress.update(self._epochs, completed=epoch + 1, logs=format_logs(logs or {}))

    def on_train_end(self, logs: Logs | None = None) -> None:
        self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def progress_bar(verbose: bool | int) -> Callback | None:
    """The display ``fit`` shows for ``verbose`` (None for nothing)."""
    if not verbose:
        return None
    if verbose is True or verbose == 1:
        if _in_terminal():
            try:
                import rich.progress  # noqa: F401
            except ImportError:
                return PlainProgress()
            return RichProgress()
        return PlainProgress()
    return PlainProgress(every=1)


def _in_terminal() -> bool:
    """True for an interactive terminal; False for notebooks, pipes and log files."""
    try:
        return bool(sys.stdout.isatty()) and "ipykernel" not in sys.modules
    except (AttributeError, ValueError):
        return False


__all__ = ["PlainProgress", "RichProgress", "format_duration", "format_logs", "progress_bar"]
