"""A user's training script, unchanged for MPI: run alone, or as ``mpiexec -n N python -m mpi4py fit_job.py``.

    fit_job.py DIR full      4 epochs; a checkpoint after epoch 2; the final weights in DIR/final.safetensors
    fit_job.py DIR resume    from DIR/checkpoint.safetensors on to epoch 4; DIR/resumed.safetensors
"""

from __future__ import annotations

import sys
from pathlib import Path

import chainrule as cr

EPOCHS = 4


def data() -> tuple:
    # 203 samples, 20% held out: 163 to train in batches of 32, the last one of 3 rows (uneven shards).
    return cr.data.moons(n_samples=203, noise=0.2, seed=0)


def build() -> tuple:
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(2, 16), cr.nn.Tanh(), cr.nn.Linear(16, 2)).double()
    return model, cr.optim.Adam(model.parameters(), lr=0.05)


def is_rank_zero() -> bool:
    return not cr.distributed.is_initialized() or cr.distributed.get_rank() == 0


class CheckpointAfter(cr.train.Callback):
    def __init__(self, path: Path, epoch: int) -> None:
        super().__init__()
        self.path, self.epoch = path, epoch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if epoch + 1 == self.epoch and is_rank_zero():
            cr.io.save_checkpoint(self.path, self.model, epoch=epoch + 1, optimizer=self.optimizer)


def train(directory: Path, phase: str) -> cr.nn.Module:
    X, y = data()
    model, optimizer = build()
    initial_epoch, callbacks = 0, []
    if phase == "resume":
        checkpoint = cr.io.load_checkpoint(directory / "checkpoint.safetensors")
        model.load_state_dict(checkpoint.model.state_dict())
        optimizer.load_state_dict(checkpoint.optimizer_state)
        cr.set_rng_state(checkpoint.rng_state)
        initial_epoch = checkpoint.epoch
    else:
        callbacks = [CheckpointAfter(directory / "checkpoint.safetensors", 2),
                     cr.train.ModelCheckpoint(str(directory / "epoch{epoch}.safetensors"), save_weights_only=True)]
    history = cr.fit(model, X, y, loss="cross_entropy", optimizer=optimizer, epochs=EPOCHS, batch_size=32,
                     metrics=["accuracy"], validation_split=0.2, callbacks=callbacks, verbose=2,
                     initial_epoch=initial_epoch)
    if is_rank_zero():
        name = "final" if phase == "full" else "resumed"
        cr.save_state_dict(model.state_dict(), directory / f"{name}.safetensors",
                           metadata={"history": history.history, "params": history.params})
    return model


if __name__ == "__main__":
    train(Path(sys.argv[1]), sys.argv[2])
