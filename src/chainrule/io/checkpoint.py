"""Training checkpoints: everything needed to continue a run exactly where it stopped.

A checkpoint is a chainrule model file (``cr.load`` opens it) with more in its metadata: the
optimiser's and the learning-rate scheduler's ``state_dict`` (their arrays as extra tensors), the
number of epochs done and the state of chainrule's random generator. Restoring all of them and
training on from ``epoch`` gives, bit for bit, the weights of a run that was never interrupted.
Written atomically, so a kill during the write leaves the previous checkpoint whole.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.io.atomic import atomic_write_bytes
from chainrule.io.model_file import (
    ModelFileError,
    _state_arrays,
    encode_file,
    model_document,
    read_file,
    rebuild,
)
from chainrule.io.packing import PackingError, pack, unpack


@dataclass
class Checkpoint:
    """What :func:`load_checkpoint` returns; apply the states with ``optimizer.load_state_dict`` etc."""

    model: Any
    epoch: int
    optimizer_state: dict[str, Any] | None
    scheduler_state: dict[str, Any] | None
    rng_state: dict[str, Any] | None
    metadata: dict[str, Any]


def save_checkpoint(path: str | os.PathLike[str], model: Any, *, epoch: int, optimizer: Any = None,
                    scheduler: Any = None, metadata: Mapping[str, Any] | None = None) -> None:
    """Write a checkpoint after ``epoch`` epochs: model, optimiser, scheduler, rng state, ``metadata``.

    >>> import chainrule as cr, tempfile, os
    >>> model = cr.nn.Linear(2, 1)
    >>> optimizer = cr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> path = os.path.join(tempfile.mkdtemp(), "last.safetensors")
    >>> save_checkpoint(path, model, epoch=3, optimizer=optimizer)
    >>> load_checkpoint(path).epoch
    3
    """
    import chainrule

    arrays = _state_arrays(model.state_dict(), "save_checkpoint")
    extras: dict[str, np.ndarray] = {}
    document = model_document(model, arrays, metadata, extras, kind="checkpoint")
    try:
        document.update(
            epoch=int(epoch),
            optimizer=None if optimizer is None else pack(optimizer.state_dict(), extras, "optimizer"),
            scheduler=None if scheduler is None else pack(scheduler.state_dict(), extras, "scheduler"),
            rng_state=pack(chainrule.get_rng_state(), extras, "rng"),
        )
    except PackingError as error:
        raise ValueError(f"save_checkpoint: {error}") from None
    atomic_write_bytes(path, encode_file({**arrays, **extras}, document))


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint` (checked and rebuilt without unpickling)."""
    name = os.fspath(path)
    arrays, document = read_file(path)
    if document is None or document.get("kind") != "checkpoint":
        kind = "a safetensors file without chainrule metadata" if document is None else f"a {document.get('kind')}"
        raise ModelFileError(f"{name}: is {kind} file, not a training checkpoint")
    model = rebuild(name, arrays, document)
    try:
        states = {key: unpack(document.get(key), arrays) for key in ("optimizer", "scheduler", "rng_state")}
        metadata = unpack(document.get("metadata", {}), arrays)
    except PackingError as error:
        raise ModelFileError(f"{name}: is corrupted: {error}") from None
    epoch = document.get("epoch")
    if not isinstance(epoch, int) or epoch < 0:
        raise ModelFileError(f"{name}: is corrupted: its epoch {epoch!r} is not a non-negative integer")
    return Checkpoint(model, epoch, states["optimizer"], states["scheduler"], states["rng_state"], metadata)
