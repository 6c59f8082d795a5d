"""What fit's progress display says: the epoch out of all, the logs, the time taken and the time left."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from chainrule.train import progress


def _fixed_clock(times: list[float]) -> object:
    values: Iterator[float] = iter(times)
    return lambda: next(values)


def _run(display: progress.PlainProgress, epochs: int, initial_epoch: int = 0) -> list[str]:
    stream = io.StringIO()
    display.stream = stream
    display.set_context(None, None, {"epochs": epochs, "initial_epoch": initial_epoch, "steps": 1})
    display.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        display.on_epoch_begin(epoch)
        display.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 0.5})
    display.on_train_end()
    return stream.getvalue().splitlines()


def test_plain_line_has_elapsed_and_remaining_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "_clock", _fixed_clock([100.0, 102.0, 104.0, 106.0, 108.0]))
    lines = _run(progress.PlainProgress(every=1), epochs=4)
    assert lines[0] == "epoch 1/4  loss 1  val_loss 0.5  (elapsed 2.0 s, about 6.0 s left)"
    assert lines[2] == "epoch 3/4  loss 0.3333  val_loss 0.5  (elapsed 6.0 s, about 2.0 s left)"
    assert lines[3] == "epoch 4/4  loss 0.25  val_loss 0.5  (elapsed 8.0 s)"  # nothing left to estimate


def test_a_resumed_run_estimates_from_its_own_epochs(monkeypatch: pytest.MonkeyPatch) -> None:
    # Resumed at epoch 8 of 10: 2 epochs run here, 30 s each; 60 s must not be spread over 9 epochs.
    monkeypatch.setattr(progress, "_clock", _fixed_clock([0.0, 30.0, 60.0]))
    lines = _run(progress.PlainProgress(every=1), epochs=10, initial_epoch=8)
    assert lines == ["epoch  9/10  loss 0.1111  val_loss 0.5  (elapsed 30 s, about 30 s left)",
                     "epoch 10/10  loss 0.1  val_loss 0.5  (elapsed 1 min 00 s)"]


@pytest.mark.parametrize(("seconds", "text"), [(0.0421, "0.04 s"), (3.21, "3.2 s"), (42.4, "42 s"),
                                               (125.0, "2 min 05 s"), (3725.0, "1 h 02 min")])
def test_durations_read_like_a_person_writes_them(seconds: float, text: str) -> None:
    assert progress.format_duration(seconds) == text


def test_rich_bar_has_a_time_remaining_column(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.progress import TimeRemainingColumn

    bar = progress.RichProgress()
    bar.set_context(None, None, {"epochs": 3, "initial_epoch": 0, "steps": 2})
    bar.on_train_begin()
    try:
        assert any(isinstance(column, TimeRemainingColumn) for column in bar._progress.columns)
    finally:
        bar.close()
