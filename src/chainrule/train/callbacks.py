"""Callbacks: code that ``cr.fit`` runs at fixed moments of training (Keras's names and hooks).

``fit`` calls, in order: ``on_train_begin``; for each epoch ``on_epoch_begin(epoch)``, for each batch
``on_batch_begin(batch, logs)`` before its forward pass (logs: the batch's ``size``) and
``on_batch_end(batch, logs)`` after its update (``loss``, ``size``), both only for callbacks that
define a batch hook, so the hot loop stays bare otherwise; ``on_epoch_end(epoch, logs)`` with
``logs`` the epoch's numbers (``loss``, ``val_loss``, metrics); finally ``on_train_end``. Every callback
sees ``self.model``, ``self.optimizer`` and ``self.params`` (epochs, steps, batch size, ...), and stops
training by setting ``self.stop_training = True`` (checked after each epoch, and after each batch for batch callbacks).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.train.no_improvement import NoImprovementCounter

Logs = dict[str, Any]


class Callback:
    """Base class: override the hooks you need; each does nothing by default."""

    model: Any = None
    optimizer: Any = None
    stop_training: bool = False

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def set_context(self, model: Any, optimizer: Any, params: dict[str, Any]) -> None:
        """Called by ``fit`` before training: what this callback may read (and change)."""
        self.model, self.optimizer, self.params = model, optimizer, params
        self.stop_training = False

    def on_train_begin(self, logs: Logs | None = None) -> None: ...

    def on_train_end(self, logs: Logs | None = None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None: ...

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None: ...

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...

    def close(self) -> None:
        """Release what the callback holds (a live display); ``fit`` calls it even when training fails."""


def defines_batch_hooks(callback: Callback) -> bool:
    """Whether ``callback`` overrides a per-batch hook (fit skips the per-batch calls otherwise)."""
    kind = type(callback)
    return (kind.on_batch_begin is not Callback.on_batch_begin
            or kind.on_batch_end is not Callback.on_batch_end)


def is_layer_statistic(key: str) -> bool:
    """Whether a logged key is a per-layer statistic (``"grad_norm/0"``, written by ``Diagnostics``):
    kept in History, left out of the progress line and of ``plot_history``'s panels."""
    return "/" in key


class History(Callback):
    """What ``fit`` returns: ``history[key]`` is the list of per-epoch values of each logged quantity
    (``loss``, ``val_loss``, metric names and ``val_`` + metric names), ``epoch`` the epoch indices
    trained, ``params`` the settings of the run.

    >>> import chainrule as cr
    >>> h = cr.History(); h.on_epoch_end(0, {'loss': 0.5}); h.on_epoch_end(1, {'loss': 0.25})
    >>> h.history, h.epoch
    ({'loss': [0.5, 0.25]}, [0, 1])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items() if v and not is_layer_statistic(k))
        return f"History({len(self.epoch)} epochs; last: {last})"


class _Monitor:
    """A logged quantity to watch, whether smaller or larger is better, and the counter of epochs that
    did not improve it (``NoImprovementCounter``, Keras's rule)."""

    def __init__(self, owner: str, monitor: str, mode: str, min_delta: float, patience: int = 0) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.owner, self.monitor = owner, monitor
        if mode == "auto":
            bigger_is_better = any(word in monitor for word in ("acc", "r2"))
            mode = "max" if bigger_is_better else "min"
        self.mode = mode
        self.counter = NoImprovementCounter(mode, min_delta, patience, owner=owner)

    def value(self, logs: Logs | None) -> float:
        """The monitored value; 'val_X' falls back to 'X' when training has no validation data."""
        logs = logs or {}
        if self.monitor in logs:
            return float(logs[self.monitor])
        fallback = self.monitor[4:] if self.monitor.startswith("val_") else None
        if fallback is not None and fallback in logs and not any(key.startswith("val_") for key in logs):
            return float(logs[fallback])
        raise KeyError(f"{self.owner}: monitor={self.monitor!r} is not among the logged values "
                       f"{sorted(logs)}; pass validation_data (for 'val_' names) or monitor one of those")


class _CounterField:
    """An attribute of a callback that is one of its ``counter``'s (read and written through)."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        return self if instance is None else getattr(instance.counter, self.field)

    def __set__(self, instance: Any, value: Any) -> None:
        setattr(instance.counter, self.field, value)


class EarlyStopping(Callback):
    """Stop training when the monitored quantity has stopped improving: the notes' "repeat until the
    loss stops decreasing".

    After each epoch, an improvement is a value better than the best so far by more than ``min_delta``.
    Training stops once ``patience`` epochs in a row bring none (``patience=0``: at the first, as
    ``patience=1``). The
    default ``monitor='val_loss'`` falls back to ``'loss'`` when fit has no validation data. ``mode``:
    'min', 'max' or 'auto' (max for accuracy/r2, min otherwise). ``restore_best_weights=True`` puts the
    parameters of the best epoch back into the model when training ends.
    ``stopped_epoch`` and ``best_epoch`` say what happened; ``best`` and ``wait`` are the counter's
    (``self.counter``, a ``NoImprovementCounter``).

    >>> import chainrule as cr
    >>> stop = cr.train.EarlyStopping(patience=5, restore_best_weights=True)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False, verbose: bool = False) -> None:
        super().__init__()
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be a non-negative integer, got {patience!r}")
        self.watch = _Monitor("EarlyStopping", monitor, mode, min_delta, patience)
        self.counter = self.watch.counter
        self.monitor, self.patience, self.min_delta = monitor, patience, float(min_delta)
        self.restore_best_weights, self.verbose = restore_best_weights, verbose
        self.stopped_epoch = -1

    # The counter's numbers under Keras's attribute names (settable: a resumed run restores them).
    best = _CounterField("best")
    wait = _CounterField("wait")
    best_epoch = _CounterField("best_epoch")
    best_weights = _CounterField("best_state")

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.counter.reset()
        self.stopped_epoch = -1

    def _weights(self) -> dict[str, np.ndarray]:
        # Copies: state_dict shares the live parameter arrays, which training keeps changing.
        return {k: v.data.copy() for k, v in self.model.state_dict().items()}

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        snapshot = self._weights if self.restore_best_weights else None
        if self.counter.update(self.watch.value(logs), epoch, snapshot):
            return
        if self.counter.exhausted:
            self.stopped_epoch = epoch
            self.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.model.load_state_dict(self.best_weights)
        if self.verbose and self.stopped_epoch >= 0:
            print(f"EarlyStopping: stopped after epoch {self.stopped_epoch + 1}; best {self.watch.monitor}="
                  f"{self.best:.6g} at epoch {self.best_epoch + 1}")


class ModelCheckpoint(Callback):
    """Save the model after each epoch with ``chainrule.io.save(model, path)``.

    ``filepath`` may hold ``str.format`` fields: ``{epoch}`` (counted from 1, as Keras) and any logged
    value, e.g. ``'model-{epoch:03d}-{val_loss:.3f}.safetensors'``. ``save_best_only=True`` saves only
    when ``monitor`` improves (same rules as EarlyStopping; 'val_loss' falls back to 'loss' without
    validation data). ``save_weights_only=True`` saves just the state dict
    (``chainrule.io.save_state_dict``).
    """

    def __init__(self, filepath: str | os.PathLike[str], monitor: str = "val_loss",
                 save_best_only: bool = False, mode: str = "auto", save_weights_only: bool = False,
                 verbose: bool = False) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.watch = _Monitor("ModelCheckpoint", monitor, mode, 0.0)
        self.save_best_only, self.save_weights_only, self.verbose = save_best_only, save_weights_only, verbose
        self.saved: list[str] = []

    @property
    def best(self) -> float:
        """The best monitored value so far (what ``save_best_only`` compares with)."""
        return self.watch.counter.best

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.watch.counter.reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.save_best_only and not self.watch.counter.update(self.watch.value(logs), epoch):
            return
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError) as error:
            raise KeyError(f"ModelCheckpoint: filepath {self.filepath!r} names {error}, which is not among "
                           f"epoch and the logged values {sorted(logs)}") from None
        from chainrule import io  # imported here: io is only needed when a checkpoint is written
        from chainrule.distributed.process_group import is_main_process

        if is_main_process():  # under mpiexec every process holds the same model: rank 0 writes it
            if self.save_weights_only:
                io.save_state_dict(self.model.state_dict(), path)
            else:
                io.save(self.model, path)
        self.saved.append(path)
        if self.verbose and is_main_process():
            print(f"ModelCheckpoint: epoch {epoch + 1}: saved {path}")


class LearningRateScheduler(Callback):
    """Change the learning rate between epochs.

    ``scheduler`` is a ``cr.optim.lr_scheduler`` scheduler (its ``step()`` is called after every
    epoch; ``ReduceLROnPlateau.step`` gets the value of ``monitor``, with 'val_loss' falling back to
    'loss' without validation data), or a Keras-style function ``schedule(epoch, lr) -> new lr`` applied
    to every parameter group before each epoch. The learning rate used in each epoch is logged as 'lr'.

    >>> import chainrule as cr
    >>> callback = cr.train.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** (epoch // 10))
    """

    def __init__(self, scheduler: Any, monitor: str = "val_loss", verbose: bool = False) -> None:
        super().__init__()
        is_scheduler = hasattr(scheduler, "step")
        if not is_scheduler and not callable(scheduler):
            raise TypeError(f"LearningRateScheduler: expected a cr.optim.lr_scheduler scheduler or a "
                            f"function schedule(epoch, lr) -> lr, got {type(scheduler).__name__}")
        self.scheduler = scheduler
        self.function: Callable[[int, float], float] | None = None if is_scheduler else scheduler
        self.watch = _Monitor("LearningRateScheduler", monitor, "auto", 0.0)
        self.verbose = verbose

    def _groups(self) -> list[dict[str, Any]]:
        optimizer = (self.optimizer if self.function is not None
                     else getattr(self.scheduler, "optimizer", None))
        if optimizer is None:
            raise RuntimeError("LearningRateScheduler: no optimizer to change the learning rate of")
        return list(optimizer.param_groups)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        if self.function is None:
            return
        groups = self._groups()
        new_lr = float(self.function(epoch, float(groups[0]["lr"])))
        if not math.isfinite(new_lr) or new_lr < 0:
            raise ValueError(f"LearningRateScheduler: the schedule returned lr={new_lr} at epoch {epoch}; "
                             "a learning rate must be a finite number >= 0")
        for group in groups:
            group["lr"] = new_lr

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        groups = self._groups()
        if logs is not None:
            logs["lr"] = float(groups[0]["lr"])
        if self.function is not None:
            return
        if _is_plateau(self.scheduler):
            self.scheduler.step(self.watch.value(logs))
        else:
            self.scheduler.step()
        if self.verbose:
            print(f"LearningRateScheduler: epoch {epoch + 1}: lr -> {groups[0]['lr']:.6g}")


def _is_plateau(scheduler: Any) -> bool:
    """ReduceLROnPlateau needs the monitored value in ``step``; the other schedulers take none."""
    try:
        from chainrule.optim.lr_scheduler import ReduceLROnPlateau
    except ImportError:
        return type(scheduler).__name__ == "ReduceLROnPlateau"
    return isinstance(scheduler, ReduceLROnPlateau)


__all__ = ["Callback", "EarlyStopping", "History", "LearningRateScheduler", "ModelCheckpoint"]
