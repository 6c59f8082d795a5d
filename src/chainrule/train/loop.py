"""``fit``, ``evaluate``, ``predict``: the notes' training algorithm as one call, Keras-style.

One epoch is the notes' loop: for each batch, a forward pass, the loss, a backward pass that
accumulates gradients, and every ``accumulate`` batches an update ``W <- W - lr * grad`` followed by
resetting the accumulators (``optimizer.zero_grad()``). Repeat for ``epochs`` epochs, or until the loss
stops decreasing (``EarlyStopping``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from chainrule import backend
from chainrule import random as cr_random
from chainrule.autograd.tensor import Tensor
from chainrule.train import data_parallel, resolve
from chainrule.train.callbacks import Callback, History, defines_batch_hooks
from chainrule.train.evaluation import model_device, on_device, predict_arrays, restore_modes, saved_modes
from chainrule.train.progress import progress_bar
from chainrule.utils.data.loader import DataLoader

Metrics = Sequence[str | Callable[..., float]]


def _positive_int(value: Any, name: str, allow_none: bool = False) -> None:
    if allow_none and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        allowed = "a positive integer or None" if allow_none else "a positive integer"
        raise ValueError(f"fit: {name} must be {allowed}, got {value!r}")


def fit(model: Any, X: Any, y: Any, *, loss: Any, optimizer: Any, epochs: int, batch_size: int | None = 32,
        shuffle: bool = True, validation_data: tuple[Any, Any] | None = None, validation_split: float = 0.0,
        callbacks: Iterable[Callback] = (), accumulate: int = 1, metrics: Metrics = (),
        verbose: bool | int = True, initial_epoch: int = 0, seed: int | np.random.Generator | None = None,
        lr: float | None = None, compile: bool = False) -> History:  # noqa: A002 - torch.compile's word
    """Train ``model`` on ``(X, y)`` and return the per-epoch record (``History``).

    Args:
        model: an ``nn.Module`` (put in ``train()`` mode for training, ``eval()`` under ``no_grad`` for
            validation, and each of its modules back in the mode it had when fit returns).
        X, y: NumPy arrays or Tensors, one row per sample. ``X`` is converted once to the model's
            dtype; ``y`` to what the loss needs: int64 labels for cross-entropy/NLL, floats shaped like
            the output (N,) -> (N, 1) for the other losses.
        loss: a loss module (``cr.nn.MSELoss()``), a function ``f(output, target)``, or a name: 'mse',
            'cross_entropy', 'bce', 'bce_with_logits', 'l1', 'huber', 'nll'.
        optimizer: an optimiser (``cr.optim.SGD(model.parameters(), lr=0.1)``), or a name ('sgd',
            'adam', 'adamw', 'rmsprop', 'adagrad') or class, made for ``model.parameters()`` with ``lr``.
        epochs: the index of the last epoch + 1 (Keras's meaning): ``initial_epoch=3, epochs=10`` trains
            epochs 3..9, to resume a run.
        batch_size: ``None`` is full-batch gradient descent (one batch of all N samples), ``1`` is
            stochastic gradient descent, anything else mini-batch.
        shuffle: draw a new sample order every epoch, from chainrule's shared generator
            (``cr.manual_seed``) or from ``seed`` when given. With the shared generator, saving
            ``cr.get_rng_state()`` (plus model and optimiser state) at an epoch end and restoring it
            before ``fit(..., initial_epoch=...)`` reproduces the rest of the run exactly.
        validation_data: ``(X_val, y_val)`` evaluated after every epoch (logged as 'val_loss',
            'val_' + metric). ``validation_split``: instead, hold out the last fraction of ``X, y``.
        callbacks: ``Callback`` objects (``EarlyStopping``, ``ModelCheckpoint``, ...).
        accumulate: add up the gradients of ``accumulate`` batches before one update (the notes'
            algorithm). Each batch's loss is divided by the number of batches in its group before
            ``backward``, so the update uses the MEAN of the batch gradients: with mean-reduced losses
            and equal batch sizes, ``batch_size=b, accumulate=B`` makes exactly the update of
            ``batch_size=b*B``. Groups never span epochs; an epoch's last, shorter group of k batches
            is divided by k.
        metrics: names ('accuracy', 'mae', 'mse', 'r2') or functions ``f(output, target) -> float``,
            computed over each epoch's outputs (and on the validation data).
        verbose: True/1 a progress bar (rich in a terminal, a few plain lines elsewhere), 2 a line
            per epoch, False nothing.
        seed: an int or Generator for the shuffling order alone (None: the shared generator).
        lr: the learning rate of an optimiser given by name or class.
        compile: run each batch's step through ``cr.compile`` (the same numbers, faster on small
            networks; with ``accumulate > 1`` the steps run eagerly).

    Under ``mpiexec -n N`` (or after ``chainrule.distributed.init_process_group``) the same call trains
    data-parallel: each of the N processes computes on its share of every batch, the gradients are
    averaged, and N processes make one process's updates; only rank 0 prints. See train/data_parallel.py.

    Returns:
        ``History``: ``history.history['loss']`` (mean training loss per epoch, weighted by batch
        size), 'val_loss', metrics; ``history.epoch``; ``history.params``; ``history.optimizer``.

    Raises:
        FloatingPointError: when the loss becomes NaN or infinite (naming the epoch and batch; the
            parameters keep their last finite values).

    >>> import chainrule as cr
    >>> X, y = cr.data.xor()
    >>> _ = cr.manual_seed(0)
    >>> model = cr.nn.Sequential(cr.nn.Linear(2, 4), cr.nn.Tanh(), cr.nn.Linear(4, 1))
    >>> history = cr.fit(model, X, y, loss='bce_with_logits', optimizer='adam', lr=0.05, epochs=300,
    ...                  batch_size=None, verbose=False)
    >>> history.history['loss'][-1] < 0.05
    True
    """
    _positive_int(epochs, "epochs")
    _positive_int(batch_size, "batch_size", allow_none=True)
    _positive_int(accumulate, "accumulate")
    if (isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer))
            or initial_epoch < 0):
        raise ValueError(f"fit: initial_epoch must be a non-negative integer, got {initial_epoch!r}")
    resolve.check_model(model, "fit")
    loss_fn = resolve.get_loss(loss)
    optimizer = resolve.get_optimizer(optimizer, model, lr)
    metric_fns = resolve.get_metrics(metrics, loss_fn)
    # Several processes (mpiexec -n N): shard every batch, average gradients, print on rank 0 only.
    callbacks = list(callbacks)
    parallel = data_parallel.start(model, loss_fn, callbacks)
    if parallel is not None and parallel.rank != 0:
        verbose = False

    dtype = resolve.model_dtype(model)
    X_array = resolve.prepare_inputs(X, dtype)
    shape = resolve.output_shape(model, X_array)
    y_array = resolve.prepare_targets(y, loss_fn, shape, dtype)
    if len(X_array) != len(y_array):
        raise ValueError(f"fit: X has {len(X_array)} samples but y has {len(y_array)}; they must match")
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("fit: validation_data must be a pair (X_val, y_val)")
        validation = (resolve.prepare_inputs(validation_data[0], dtype, "X_val"),
                      resolve.prepare_targets(validation_data[1], loss_fn, shape, dtype, "y_val"))
        if validation[0].shape[1:] != X_array.shape[1:]:
            raise ValueError(f"fit: validation_data's X_val has shape {validation[0].shape} but X has shape "
                             f"{X_array.shape}; each sample must have the same shape {X_array.shape[1:]}")
        if len(validation[0]) != len(validation[1]):
            raise ValueError(f"fit: X_val has {len(validation[0])} samples but y_val has {len(validation[1])}; "
                             "they must match")
    elif validation_split:
        (X_array, y_array), (X_val, y_val) = resolve.split_validation((X_array, y_array), validation_split)
        validation = (X_val, y_val)

    n_samples = len(X_array)
    size = n_samples if batch_size is None else min(int(batch_size), n_samples)
    generator = None if seed is None else cr_random.make_rng(seed)
    loader = DataLoader((X_array, y_array), batch_size=size, shuffle=shuffle, generator=generator)
    if parallel is not None:
        loader = parallel.loader(loader)
    history = History()
    history.params = {"epochs": int(epochs), "initial_epoch": int(initial_epoch), "steps": len(loader),
                      "batch_size": size, "samples": n_samples, "accumulate": int(accumulate),
                      "shuffle": bool(shuffle), "loss": resolve.loss_name(loss_fn),
                      "metrics": [name for name, _ in metric_fns], "verbose": verbose,
                      "validation": validation is not None}
    if parallel is not None:
        history.params["world_size"] = parallel.size
    display = progress_bar(verbose)
    # User callbacks first: what they add to the logs (a learning rate) reaches History and the display.
    all_callbacks = [*callbacks, history, *([display] if display is not None else [])]
    for callback in all_callbacks:
        callback.set_context(model, optimizer, history.params)
    history.optimizer = optimizer

    modes = saved_modes(model)
    optimizer.zero_grad()
    step = None
    if compile and accumulate == 1 and parallel is None:  # under MPI the loss is weighted per rank: eager
        from chainrule.compiler.steps import training_step

        step = training_step(model, loss_fn, optimizer)
    try:
        for callback in all_callbacks:
            callback.on_train_begin()
        logs: dict[str, Any] = {}
        for epoch in range(initial_epoch, epochs):
            for callback in all_callbacks:
                callback.on_epoch_begin(epoch)
            model.train()
            logs = _train_epoch(model if parallel is None else parallel.model, loader, loss_fn, optimizer,
                                int(accumulate), epoch, int(epochs), metric_fns,
                                [cb for cb in all_callbacks if defines_batch_hooks(cb)], parallel, step)
            if validation is not None:
                scores = _evaluate_arrays(model, *validation, loss_fn, metric_fns, None)
                logs.update({f"val_{key}": value for key, value in scores.items()})
            for callback in all_callbacks:
                callback.on_epoch_end(epoch, logs)
            stop = any(callback.stop_training for callback in all_callbacks)
            if parallel is not None:
                stop = parallel.agree_to_stop(stop)
            if stop:
                break
        for callback in all_callbacks:
            callback.on_train_end(logs)
    finally:
        for callback in all_callbacks:
            callback.close()
        optimizer.zero_grad()
        restore_modes(modes)
    return history


def _train_epoch(model: Any, loader: DataLoader, loss_fn: Any, optimizer: Any, accumulate: int, epoch: int,
                 epochs: int, metric_fns: list[tuple[str, Callable[..., float]]],
                 batch_callbacks: list[Callback], parallel: data_parallel.DataParallel | None = None,
                 step: Callable[..., Any] | None = None) -> dict[str, Any]:
    """One epoch over ``loader``; returns its logs (mean loss weighted by batch size, metrics).
    ``step``: the compiled training step (``compiler.steps.training_step``), or None to run eagerly."""
    steps = len(loader)
    total, count = 0.0, 0
    outputs: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    keep = bool(metric_fns)
    # The last group of an epoch may hold fewer than `accumulate` batches: its losses are divided by
    # its own size, so every update uses a mean of batch gradients.
    last_group_start = (steps - 1) // accumulate * accumulate
    scale = 1.0 / accumulate
    device = model_device(model)
    for batch, (inputs, target) in enumerate(loader):
        weight, size = 1.0, len(inputs.data)
        if parallel is not None:  # this process's rows of the batch, and its loss's weight
            sync = accumulate == 1 or (batch + 1) % accumulate == 0 or batch == steps - 1
            inputs, target, weight, size = parallel.shard(inputs, target, sync)
        if device is not backend.CPU:  # each batch goes to the model's device (a GPU)
            inputs, target = inputs.to(device), target.to(device)
        for callback in batch_callbacks:
            callback.on_batch_begin(batch, {"size": size})
        if step is not None:
            output, loss, finite = step(inputs, target)
        else:
            output = model(inputs)
            loss = loss_fn(output, target)
            finite = True
        value = float(loss.data)
        if not (finite and math.isfinite(value)):
            # A callback watching for divergence (Diagnostics) may stop here with its own account.
            for callback in batch_callbacks:
                callback.on_batch_end(batch, {"loss": value, "size": size})
            if not any(callback.stop_training for callback in batch_callbacks):
                raise _non_finite(value, epoch, epochs, batch, steps, optimizer)
            break
        if weight != 1.0:
            loss = loss * weight
        if step is None and accumulate == 1:
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        elif step is None:
            if batch == last_group_start:
                scale = 1.0 / (steps - last_group_start)
            (loss * scale).backward()
            if (batch + 1) % accumulate == 0 or batch == steps - 1:
                optimizer.step()
                optimizer.zero_grad()
        total += value * size
        count += size
        if keep:
            outputs.append(backend.to_host(output.data[:size]))
            targets.append(backend.to_host(target.data[:size]))
        if batch_callbacks:
            batch_logs = {"loss": value, "size": size}
            for callback in batch_callbacks:
                callback.on_batch_end(batch, batch_logs)
            stop = any(callback.stop_training for callback in batch_callbacks)
            if parallel is not None:
                stop = parallel.agree_to_stop(stop, batch_level=True)
            if stop:
                break
    if parallel is not None:
        total, count, outputs, targets = parallel.combine(total, count, outputs, targets)
    logs: dict[str, Any] = {"loss": total / max(count, 1)}
    if keep:
        all_outputs, all_targets = np.concatenate(outputs), np.concatenate(targets)
        for name, function in metric_fns:
            logs[name] = float(function(all_outputs, all_targets))
    return logs


def _non_finite(value: float, epoch: int, epochs: int, batch: int, steps: int,
                optimizer: Any) -> FloatingPointError:
    groups = getattr(optimizer, "param_groups", None)
    lr = groups[0].get("lr") if groups else None
    advice = (f"the learning rate lr={lr:g} is probably too large: try a smaller one (e.g. lr={lr / 10:g})"
              if isinstance(lr, (int, float)) else "try a smaller learning rate")
    return FloatingPointError(
        f"fit: the loss became {value} at epoch {epoch + 1}/{epochs}, batch {batch + 1}/{steps}; training "
        f"stopped before this batch's update. {advice[0].upper()}{advice[1:]}, and check the data for huge "
        "values (standardise the features)."
    )


def _evaluate_arrays(model: Any, X: np.ndarray, y: np.ndarray, loss_fn: Any,
                     metric_fns: list[tuple[str, Callable[..., float]]],
                     batch_size: int | None) -> dict[str, float]:
    """Loss and metrics of ``model`` on arrays already prepared, in eval mode under no_grad."""
    total = 0.0

    def add_loss(output: Tensor, rows: slice) -> None:
        nonlocal total
        total += float(loss_fn(output, on_device(y[rows], output.device)).data) * len(output.data)

    all_outputs = predict_arrays(model, X, batch_size, on_batch=None if loss_fn is None else add_loss,
                                 caller="evaluate")
    scores: dict[str, float] = {}
    if loss_fn is not None:
        scores["loss"] = total / max(len(X), 1)
    for name, function in metric_fns:
        scores[name] = float(function(all_outputs, y))
    return scores


def evaluate(model: Any, X: Any, y: Any, *, loss: Any = None, metrics: Metrics = (),
             batch_size: int | None = None) -> dict[str, float]:
    """Loss and metrics of ``model`` on ``(X, y)`` in eval mode, without building a graph.

    ``loss`` and ``metrics`` are given as in ``fit``; ``batch_size=None`` evaluates all samples at
    once (the loss of several batches is their mean weighted by batch size).

    >>> import chainrule as cr
    >>> model = cr.nn.Linear(1, 1)
    >>> sorted(cr.evaluate(model, [[0.0], [1.0]], [0.0, 2.0], loss='mse', metrics=['mae']))
    ['loss', 'mae']
    """
    _positive_int(batch_size, "batch_size", allow_none=True)
    loss_fn = None if loss is None else resolve.get_loss(loss)
    metric_fns = resolve.get_metrics(metrics, loss_fn)
    dtype = resolve.model_dtype(model)
    X_array = resolve.prepare_inputs(X, dtype)
    y_array = resolve.prepare_targets(y, loss_fn, resolve.output_shape(model, X_array), dtype)
    if len(X_array) != len(y_array):
        raise ValueError(f"evaluate: X has {len(X_array)} samples but y has {len(y_array)}; they must match")
    return _evaluate_arrays(model, X_array, y_array, loss_fn, metric_fns, batch_size)


def predict(model: Any, X: Any, batch_size: int | None = None) -> np.ndarray:
    """The model's outputs for ``X`` as a NumPy array, in eval mode under no_grad (no graph kept).

    >>> import chainrule as cr
    >>> predict(cr.nn.Linear(3, 2), cr.zeros(5, 3)).shape
    (5, 2)
    """
    _positive_int(batch_size, "batch_size", allow_none=True)
    X_array = resolve.prepare_inputs(X, resolve.model_dtype(model))
    return predict_arrays(model, X_array, batch_size)
