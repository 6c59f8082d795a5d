"""``chainrule train``: data in, a trained model file (and a decision-boundary plot) out.

With no arguments it runs the main job on an embedded default, three generated spiral arms. Every
setting can come from a flag or a TOML file (``--config``). With ``--checkpoint-dir`` a checkpoint is
written after every epoch, and ``--resume`` continues a run that was stopped (Ctrl-C) or killed,
ending with exactly the weights of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
import time
from typing import Any

import numpy as np

from chainrule.cli import prepare, report
from chainrule.cli.diagnosis import Diagnosis
from chainrule.cli.errors import CommandError
from chainrule.cli.folder_lock import FolderLock
from chainrule.cli.model_metadata import model_metadata
from chainrule.cli.options import TrainSettings, needs_class_labels
from chainrule.cli.paths import Output, check_checkpoint_directory, check_outputs, check_plot_path, made_by_chainrule
from chainrule.cli.training import (
    CHECKPOINT_NAME,
    EpochCheckpoint,
    Interrupt,
    ResumableEarlyStopping,
    build_model,
    build_optimizer,
    build_scheduler,
    remove_stale_temporaries,
)
from chainrule.distributed.process_group import is_main_process

DEFAULT_PLOT = "decision_boundary.png"
MIN_VALIDATION_SAMPLES = 10


def load_data(settings: TrainSettings) -> prepare.Prepared:
    if settings.data is not None and settings.target is not None:  # resolve() requires both or neither
        return prepare.from_csv(settings.data, settings.target, settings.loss, settings.ignore)
    if settings.dataset is not None:
        data = prepare.from_dataset(settings.dataset, settings.seed)
    else:
        data = prepare.from_dataset(prepare.DEFAULT_DATASET, settings.seed, prepare.DEFAULT_OPTIONS)
    labels = needs_class_labels(settings.loss)
    if labels is True and data.task != "classification":
        raise CommandError(f"--loss {settings.loss} needs class labels, but {data.source} is a regression data "
                           "set", "use --loss mse, l1 or huber")
    if labels is False and data.task == "classification":
        raise CommandError(f"--loss {settings.loss} needs numbers, but {data.source} has class labels",
                           "use --loss cross_entropy (or auto)")
    return data


def split(data: prepare.Prepared, fraction: float, seed: int) -> tuple[np.ndarray, ...]:
    """Train/validation split (stratified for classes when possible), the same for the same seed."""
    from chainrule.data import train_test_split

    n = len(data.X)
    if fraction == 0 or n * fraction < 1 or n < MIN_VALIDATION_SAMPLES:
        return data.X, data.y, data.X[:0], data.y[:0]
    stratify = None
    if data.task == "classification":
        counts = np.bincount(data.y)
        n_test = int(np.ceil(n * fraction))
        if counts.min() >= 2 and n_test >= len(counts) and n - n_test >= len(counts):
            stratify = data.y
    try:
        X_train, X_val, y_train, y_val = train_test_split(data.X, data.y, test_size=fraction, seed=seed,
                                                          stratify=stratify)
    except ValueError as error:  # the split's own count says what is left; only an empty side fails
        raise CommandError(f"--val-split {fraction} of {n} samples leaves no sample to train on ({error})",
                           "use a smaller --val-split, such as 0.2 (or --val-split 0 for no validation)") from None
    return X_train, y_train, X_val, y_val


def fingerprint(*arrays: np.ndarray) -> str:
    """SHA-256 of the training data: a resumed run must train on the same data."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def run_train(settings: TrainSettings) -> int:
    """Load and prepare the data, build the network, train it with ``cr.fit`` (checkpointing and
    resuming when asked), save the model with everything ``predict`` needs, and plot; return the exit code."""
    started = time.perf_counter()
    training_device(settings)  # before anything is written: no GPU, no run
    plot_path = plan_outputs(settings)
    # One run at a time writes checkpoints in a folder; under mpiexec rank 0 writes them, so it holds the lock.
    with FolderLock(settings.checkpoint_dir if is_main_process() else None):
        return train_and_save(settings, plot_path, started)


def train_and_save(settings: TrainSettings, plot_path: str | None, started: float) -> int:
    """The body of :func:`run_train`, once the outputs are checked and the checkpoint folder locked."""
    data = load_data(settings)
    X_train, y_train, X_val, y_val = split(data, settings.val_split, settings.seed)
    scaling = prepare.Scaling.fit(X_train)
    target_scaling = prepare.Scaling.fit(y_train) if data.task == "regression" else None
    classification = data.task == "classification"
    inputs = scaling.apply(X_train), scaling.apply(X_val)
    targets = (y_train, y_val) if target_scaling is None else (target_scaling.apply(y_train),
                                                                target_scaling.apply(y_val))
    has_validation = len(X_val) > 0
    if settings.early_stopping and not has_validation and settings.given("early_stopping"):
        raise CommandError("--early-stopping watches the validation loss, but there is no validation data",
                           "set --val-split to a fraction such as 0.2 (and use at least 10 samples)")
    loss = settings.loss if settings.loss != "auto" else ("cross_entropy" if classification else "mse")
    n_outputs = len(data.classes or []) if classification else 1

    import chainrule as cr

    cr.manual_seed(settings.seed)
    # Built (and its random weights drawn) on the host, then moved: the same seed, the same model on a GPU.
    model = build_model(X_train.shape[1], settings.hidden, settings.activation, n_outputs).to(settings.device)
    optimizer = build_optimizer(settings.optimizer, model, settings.lr, settings.weight_decay,
                                settings.momentum)
    scheduler = build_scheduler(settings.scheduler, optimizer, settings.epochs)
    run = settings.run_settings()
    data_hash = fingerprint(inputs[0], targets[0], inputs[1], targets[1])

    directory = settings.checkpoint_dir
    restored = open_checkpoints(settings, model, optimizer, scheduler, run, data_hash)
    history: dict[str, list[float]] = restored.get("history", {})
    initial_epoch, finished = int(restored.get("epochs_done", 0)), bool(restored.get("finished", False))

    report.announce(settings, data, model, len(X_train), len(X_val))
    # NOTE: early stopping is on by default; without validation data (tiny sets, --val-split 0) it has
    # nothing to watch, so the default quietly stands down (an explicit --early-stopping is refused above).
    early = (ResumableEarlyStopping(settings.early_stopping, restored.get("early_stopping"))
             if settings.early_stopping and has_validation else None)
    interrupt = Interrupt()

    def metadata(epoch: int, logs: dict[str, Any], last_epoch: bool) -> dict[str, Any]:
        for key, value in logs.items():
            if "/" not in key:  # per-layer statistics of --diagnose stay out of the model file
                history.setdefault(key, []).append(float(value))
        stopped = early is not None and early.stop_training
        return {"run": run, "data_hash": data_hash, "history": history, "epochs_done": epoch + 1,
                "finished": last_epoch or stopped, "early_stopping": None if early is None else early.state()}

    checkpoint = EpochCheckpoint(directory, scheduler, interrupt, metadata)
    callbacks: list[Any] = []
    if scheduler is not None:
        callbacks.append(cr.train.LearningRateScheduler(scheduler))
    callbacks += [*([early] if early is not None else []), checkpoint]
    verbose = not settings.quiet and sys.stdout.isatty()
    epochs_done = initial_epoch
    diagnosis = Diagnosis(settings, model, inputs[0], targets[0], loss, optimizer)
    callbacks += diagnosis.callbacks()
    if not finished and initial_epoch < settings.epochs:
        try:
            # NOTE: overflow warnings from a diverging run would bury the one clear message fit raises.
            with interrupt, np.errstate(over="ignore", invalid="ignore"):
                cr.fit(model, inputs[0], targets[0], loss=loss, optimizer=optimizer, epochs=settings.epochs,
                       batch_size=settings.batch_size, callbacks=callbacks, initial_epoch=initial_epoch,
                       validation_data=(inputs[1], targets[1]) if has_validation else None,
                       metrics=["accuracy"] if classification else [], verbose=verbose)
        except FloatingPointError as error:
            diagnosis.failed()
            raise CommandError(f"training diverged: {error}".replace("fit: ", ""),
                               "nothing was saved; lower --lr (and check the data)") from None
        diagnosis.check_diverged()
        epochs_done = max(epochs_done, checkpoint.epochs_done)
    if interrupt.requested and epochs_done < settings.epochs and not (early and early.stop_training):
        return report.interrupted(settings, epochs_done, directory)

    report.warn_overfitting(history, early is not None)
    scores = report.final_scores(model, loss, (inputs[0], targets[0], y_train), (inputs[1], targets[1], y_val),
                                 target_scaling)
    info = model_metadata(data, scaling, target_scaling, loss, settings, history, epochs_done, scores,
                          len(X_train), len(X_val))
    from chainrule.io import save

    if is_main_process():  # under mpiexec every process holds the same model: rank 0 writes the files
        save(model, settings.out, metadata=info)
    report.finish(settings, scores, epochs_done, time.perf_counter() - started)
    diagnosis.after_training()
    if plot_path is not None and is_main_process():
        report.plot(settings, plot_path, model, data, scaling)
    return 0


def training_device(settings: TrainSettings) -> Any:
    """The device of --device, once it is known to exist (a GPU without CuPy or without a GPU: the error
    says how to install the GPU extra)."""
    from chainrule import backend

    try:
        device = backend.usable_device(settings.device)
    except RuntimeError as error:
        raise CommandError(f"--device {settings.device}: {error}") from None
    if settings.diagnose and device != backend.CPU:
        # cr.diagnose and its per-layer statistics compute on host arrays only (so far)
        raise CommandError(f"--diagnose works on the CPU only; it cannot watch a run on --device {settings.device}",
                           "drop --diagnose, or train with --device cpu to diagnose")
    return device


def plan_outputs(settings: TrainSettings) -> str | None:
    """Check every file the run will write before it starts (see :mod:`chainrule.cli.paths`); return the
    plot path: --plot, or for the main job (no --data, no --dataset) the default decision_boundary.png
    unless a file of that name that chainrule did not write is in the way."""
    outputs = [Output(settings.out, "--out", "model.safetensors", asked=settings.given("out"))]
    plot_path = settings.plot
    if plot_path is None and settings.data is None and settings.dataset is None:
        plot_path = DEFAULT_PLOT
        if os.path.lexists(plot_path) and not made_by_chainrule(plot_path):
            report.say(settings, f"note: {plot_path} exists and was not written by chainrule, so it is left as it "
                                 "is and no plot is drawn (choose a file with --plot PNG)")
            plot_path = None
    if plot_path is not None:
        check_plot_path(plot_path)
        outputs.append(Output(plot_path, "--plot", "boundary.png", asked=settings.plot is not None))
    if settings.checkpoint_dir is not None:
        check_checkpoint_directory(settings.checkpoint_dir)
        if os.path.isdir(settings.checkpoint_dir):
            outputs.append(Output(os.path.join(settings.checkpoint_dir, CHECKPOINT_NAME), "the checkpoint",
                                  "a new --checkpoint-dir"))
    check_outputs(outputs, {"--data": settings.data, "--config": settings.config})
    return plot_path


def open_checkpoints(settings: TrainSettings, model: Any, optimizer: Any, scheduler: Any, run: dict[str, Any],
                     data_hash: str) -> dict[str, Any]:
    """Prepare --checkpoint-dir; with --resume, restore its checkpoint and return its metadata ({} if none)."""
    directory = settings.checkpoint_dir
    if directory is None:
        return {}
    os.makedirs(directory, exist_ok=True)
    remove_stale_temporaries(directory)
    path = os.path.join(directory, CHECKPOINT_NAME)
    if settings.resume and os.path.exists(path):
        state = resume_from(path, model, optimizer, scheduler, run, data_hash)
        report.say(settings, f"resuming from {path} after epoch {state['epochs_done']}/{settings.epochs}")
        return state
    if settings.resume:
        report.say(settings, f"no checkpoint in {directory} yet: starting from the beginning")
    elif os.path.exists(path) and not finished_run(path):
        raise CommandError(f"{path} holds the checkpoint of an unfinished run (or a damaged one)",
                           "add --resume to continue it, or choose another --checkpoint-dir")
    return {}


def finished_run(path: str) -> bool:
    """Whether the checkpoint at ``path`` is of a run that ended (so a new run may replace it)."""
    from chainrule.io import ModelFileError, read_file

    try:
        _, document = read_file(path)
    except ModelFileError:
        return False
    metadata = (document or {}).get("metadata")
    return isinstance(metadata, dict) and metadata.get("finished") is True


def resume_from(path: str, model: Any, optimizer: Any, scheduler: Any, run: dict[str, Any],
                data_hash: str) -> dict[str, Any]:
    """Put the checkpoint's weights, optimiser, scheduler and random state back; return its metadata."""
    import chainrule as cr
    from chainrule.io import ModelFileError, load_checkpoint

    try:
        checkpoint = load_checkpoint(path)
    except ModelFileError as error:
        raise CommandError(str(error), "delete the checkpoint directory to start again") from None
    saved = checkpoint.metadata
    if saved.get("run") != run:
        changed = [key for key in run if saved.get("run", {}).get(key) != run[key]]
        was = ", ".join(f"--{key.replace('_', '-')} {shlex.quote(str(saved.get('run', {}).get(key)))}"
                        for key in changed)
        raise CommandError(f"the checkpoint in {os.path.dirname(path)} was made with different settings ({was})",
                           "resume with the same command as the interrupted run, or use another --checkpoint-dir")
    if saved.get("data_hash") != data_hash:
        raise CommandError(f"the checkpoint in {os.path.dirname(path)} was trained on different data",
                           "resume on the same data, or use another --checkpoint-dir")
    model.load_state_dict(checkpoint.model.state_dict())
    if checkpoint.optimizer_state is not None:
        optimizer.load_state_dict(checkpoint.optimizer_state)
    if scheduler is not None and checkpoint.scheduler_state is not None:
        scheduler.load_state_dict(checkpoint.scheduler_state)
    if checkpoint.rng_state is not None:
        cr.set_rng_state(checkpoint.rng_state)
    return dict(saved, epochs_done=checkpoint.epoch)
