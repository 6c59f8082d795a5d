"""The pieces ``chainrule train`` gives to ``cr.fit``: the network, the optimiser, the learning-rate
schedule, and the callbacks that checkpoint every epoch and stop cleanly on Ctrl-C.

There is no training loop here: ``cr.fit`` runs it, and these callbacks only look in at epoch ends.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import numpy as np

from chainrule.train.callbacks import Callback, EarlyStopping, Logs

CHECKPOINT_NAME = "checkpoint.safetensors"


def build_model(n_features: int, hidden: list[int], activation: str, n_outputs: int) -> Any:
    """``Linear(F, h1), act, Linear(h1, h2), act, ..., Linear(hk, n_outputs)`` (logits for classes)."""
    from chainrule import nn
    from chainrule.nn.registry import HIDDEN_ACTIVATIONS

    layer = HIDDEN_ACTIVATIONS[activation]
    layers: list[Any] = []
    width = n_features
    for size in hidden:
        layers += [nn.Linear(width, size), layer()]
        width = size
    layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


def build_optimizer(name: str, model: Any, lr: float, weight_decay: float, momentum: float) -> Any:
    from chainrule import optim

    parameters = list(model.parameters())
    if name == "sgd":
        return optim.SGD(parameters, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(parameters, lr=lr, momentum=momentum, weight_decay=weight_decay)
    classes = {"adam": optim.Adam, "adamw": optim.AdamW, "adagrad": optim.Adagrad}
    return classes[name](parameters, lr=lr, weight_decay=weight_decay)


def build_scheduler(name: str, optimizer: Any, epochs: int) -> Any:
    """None for a constant rate; else a ``cr.optim.lr_scheduler`` stepped once an epoch."""
    from chainrule.optim import lr_scheduler

    if name == "step":  # divide the rate by 10 twice, at 1/2 and 3/4 of the run
        return lr_scheduler.MultiStepLR(optimizer, milestones=[max(1, epochs // 2), max(2, 3 * epochs // 4)])
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    if name == "plateau":
        return lr_scheduler.ReduceLROnPlateau(optimizer, patience=5)
    return None


class ResumableEarlyStopping(EarlyStopping):
    """``EarlyStopping`` on val_loss that puts the best epoch's weights back when training ends (the
    model saved is the one that did best on the validation data, not the last), and whose counters and
    best weights are carried over from a checkpoint."""

    def __init__(self, patience: int, state: dict[str, Any] | None = None) -> None:
        super().__init__(monitor="val_loss", patience=patience, restore_best_weights=True)
        self.saved_state = state

    def on_train_begin(self, logs: Logs | None = None) -> None:
        super().on_train_begin(logs)
        if self.saved_state:
            self.counter.load_state_dict(self.saved_state)
            weights = self.saved_state.get("best_weights")
            self.best_weights = None if weights is None else {key: np.array(value) for key, value in weights.items()}

    def state(self) -> dict[str, Any]:
        from chainrule import backend

        # Host copies: the checkpoint stores host arrays, and the best weights may be on a GPU (--device).
        weights = self.best_weights
        host = None if weights is None else {key: backend.to_host(value) for key, value in weights.items()}
        return {**self.counter.state_dict(), "best_weights": host}


class Interrupt:
    """Ctrl-C (SIGINT) asks training to stop at the end of the current epoch; a second one stops at once.

    Used as a context manager around ``fit``; the previous handler comes back afterwards.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nchainrule: stopping at the end of this epoch (press Ctrl-C again to stop at once)",
              file=sys.stderr, flush=True)

    def __enter__(self) -> Interrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread (an embedding application): leave Ctrl-C alone
            self._previous = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


class EpochCheckpoint(Callback):
    """After every epoch: record the logs, write the checkpoint (atomically), honour a Ctrl-C.

    ``describe(epoch, logs)`` returns the metadata to store (settings, history, early-stopping state);
    the checkpoint itself holds the model, optimiser, scheduler and chainrule's generator state.
    """

    def __init__(self, directory: str | None, scheduler: Any, interrupt: Interrupt,
                 metadata: Callable[[int, dict[str, Any], bool], dict[str, Any]]) -> None:
        super().__init__()
        self.path = None if directory is None else os.path.join(directory, CHECKPOINT_NAME)
        self.scheduler = scheduler
        self.interrupt = interrupt
        self.metadata = metadata
        self.epochs_done = 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epochs_done = epoch + 1
        finished = self.epochs_done >= int(self.params.get("epochs", 0))
        metadata = self.metadata(epoch, dict(logs or {}), finished)
        from chainrule.distributed.process_group import is_main_process

        if self.path is not None and is_main_process():  # under mpiexec rank 0 writes
            from chainrule.io import save_checkpoint

            save_checkpoint(self.path, self.model, epoch=self.epochs_done, optimizer=self.optimizer,
                            scheduler=self.scheduler, metadata=metadata)
        if self.interrupt.requested:
            self.stop_training = True


def remove_stale_temporaries(directory: str) -> None:
    """Delete temporary files left by a write that was killed (the checkpoint itself is always whole)."""
    prefix = f".{CHECKPOINT_NAME}."
    for name in os.listdir(directory):
        if name.startswith(prefix) and name.endswith(".tmp"):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass
