"""The 'sgd' and 'adam' solvers: mini-batch gradient descent with scikit-learn's schedule and stopping rules.

One epoch (scikit-learn's "iteration") is the notes' training algorithm: shuffle the samples, and for
each mini-batch of ``batch_size`` of them compute the loss, backpropagate (``loss.backward()``) and take
one optimiser step. After each epoch:

* ``loss_`` is the mean of the batch losses weighted by batch size, appended to ``loss_curve_``;
* with ``early_stopping`` the score (accuracy or R^2) on the held-out ``validation_fraction`` is
  appended to ``validation_scores_`` (and its loss to ``validation_loss_curve_``), and the weights of
  the best epoch are kept;
* an epoch that fails to improve the training loss (or validation score) by ``tol`` counts as one
  without improvement; after more than ``n_iter_no_change`` of them in a row training stops, or with
  ``learning_rate='adaptive'`` the learning rate is divided by 5 (stopping once it is below 1e-6);
* with ``learning_rate='invscaling'`` the rate becomes ``learning_rate_init / (t + 1) ** power_t``,
  ``t`` the number of samples seen.

The updates are chainrule's ``optim.SGD`` and ``optim.Adam`` configured to give scikit-learn's rules
exactly (see ``make_optimizer``). ``backward`` differentiates the data loss; the L2 term's gradient
``alpha * W / S`` (``S`` the batch's total sample weight) enters as the optimiser's ``weight_decay`` on
the weights, PyTorch's way of writing the same penalty, set batch by batch since ``S`` changes.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from chainrule import backend, nn, optim
from chainrule.autograd.tensor import Tensor
from chainrule.compiler import CompiledFunction
from chainrule.data import DataLoader
from chainrule.sklearn.losses import data_loss, reported
from chainrule.sklearn.network import export_weights, linear_layers
from chainrule.sklearn.params import seed_from
from chainrule.train.evaluation import model_device, on_device, predict_arrays
from chainrule.train.no_improvement import NoImprovementCounter

if TYPE_CHECKING:
    from chainrule.sklearn.base import BaseMLP

__all__ = ["fit_stochastic", "make_optimizer", "set_learning_rate"]


def make_optimizer(estimator: BaseMLP, weights: list[nn.Parameter], biases: list[nn.Parameter]) -> optim.Optimizer:
    """``optim.SGD`` or ``optim.Adam`` with the estimator's hyperparameters: two parameter groups, the
    weights (whose ``weight_decay`` carries the L2 term) and the biases (not penalised).

    scikit-learn's SGD keeps a velocity ``v <- momentum * v - lr * g`` and adds ``momentum * v - lr * g``
    (Nesterov) or ``v`` to the weights; PyTorch's buffer ``b <- momentum * b + g`` is ``-v / lr``, so
    the two rules are the same step for step while the learning rate is constant, and ``set_learning_rate``
    keeps them the same when it changes. scikit-learn's Adam adds ``epsilon`` to ``sqrt(v_t)`` before the
    bias correction ``sqrt(1 - beta_2^t)``, PyTorch's after; each step is given ``eps = epsilon /
    sqrt(1 - beta_2^t)`` (``_adam_epsilon``) so that it is scikit-learn's step exactly.
    """
    groups: list[dict[str, Any]] = [{"params": weights}, {"params": biases}]
    if estimator.solver == "sgd":
        momentum = float(estimator.momentum)
        return optim.SGD(groups, lr=estimator.learning_rate_init, momentum=momentum,
                         nesterov=bool(estimator.nesterovs_momentum) and momentum > 0)
    return optim.Adam(groups, lr=estimator.learning_rate_init, betas=(estimator.beta_1, estimator.beta_2),
                      eps=estimator.epsilon)


def set_learning_rate(optimizer: optim.Optimizer, learning_rate: float) -> None:
    """Change the SGD learning rate as scikit-learn does: its velocity already holds ``lr * g``, so the
    momentum buffers (which hold ``g``) are rescaled by ``old / new`` to keep the same velocity."""
    ratio = optimizer.param_groups[0]["lr"] / learning_rate
    for group in optimizer.param_groups:
        group["lr"] = learning_rate
    for state in optimizer.state.values():
        buffer = state.get("momentum_buffer")
        if buffer is not None:
            state["momentum_buffer"] = Tensor._wrap(buffer.data * ratio)


def _adam_epsilon(estimator: BaseMLP, step: int) -> float:
    """The eps that makes PyTorch's Adam step ``step`` equal to scikit-learn's (see make_optimizer)."""
    return float(estimator.epsilon) / math.sqrt(1.0 - float(estimator.beta_2) ** step)


def _split(estimator: BaseMLP, X: Any, target: np.ndarray, labels: np.ndarray, sample_weight: np.ndarray | None,
           generator: np.random.Generator) -> tuple[Any, ...]:
    """Hold out ``validation_fraction`` of the samples (stratified for single-output classification)."""
    stratify = labels if estimator._stratify_validation(target) else None
    arrays = [X, target, labels] + ([] if sample_weight is None else [sample_weight])
    parts = train_test_split(*arrays, random_state=seed_from(generator), test_size=estimator.validation_fraction,
                             stratify=stratify)
    if parts[1].shape[0] < 2:
        raise ValueError(f"{type(estimator).__name__}: the validation set is too small ({parts[1].shape[0]} "
                         f"sample(s)). Increase 'validation_fraction' (now {estimator.validation_fraction}) or "
                         "use more data")
    X_train, X_val, t_train, t_val, _, y_val = parts[:6]
    w_train, w_val = (parts[6], parts[7]) if sample_weight is not None else (None, None)
    return X_train, t_train, w_train, X_val, t_val, y_val, w_val


def fit_stochastic(estimator: BaseMLP, network: nn.Sequential, X: Any, target: np.ndarray, labels: np.ndarray,
                   sample_weight: np.ndarray | None, incremental: bool, generator: np.random.Generator) -> None:
    """Train ``network`` in place for up to ``max_iter`` epochs (one with ``incremental``, partial_fit),
    recording scikit-learn's attributes on ``estimator``. ``labels`` are the targets as the score sees
    them (class labels or values), used for the validation score."""
    weights = [layer.weight for layer in linear_layers(network)]
    biases = [layer.bias for layer in linear_layers(network)]
    parameters = weights + biases
    optimizer = make_optimizer(estimator, weights, biases)  # type: ignore[arg-type]
    saved = getattr(estimator, "_optimizer_state", None)
    if incremental and saved is not None:
        optimizer.load_state_dict(saved)  # partial_fit continues the same optimiser, as scikit-learn's
    adam_steps = int(optimizer.state[parameters[0]].get("step", 0)) if estimator.solver == "adam" else 0

    if estimator.early_stopping:
        if incremental:
            raise ValueError(f"{type(estimator).__name__}: partial_fit does not support early_stopping=True "
                             "(there is no held-out set in a stream of batches)")
        X_train, t_train, w_train, X_val, t_val, y_val, w_val = _split(
            estimator, X, target, labels, sample_weight, generator)
        X_val = X_val if isinstance(X_val, np.ndarray) else X_val.toarray()
    else:
        X_train, t_train, w_train = X, target, sample_weight
    n_samples = X_train.shape[0]
    batch_size = estimator._batch_size(n_samples)
    dense = isinstance(X_train, np.ndarray)
    columns = (np.arange(n_samples), t_train) + (() if w_train is None else (w_train,))
    loader = DataLoader(columns, batch_size=batch_size, shuffle=bool(estimator.shuffle), generator=generator)
    out_activation = estimator.out_activation_
    alpha = float(estimator.alpha)
    device = model_device(network)  # each batch goes there (sklearn.base moved the network)

    def penalty(weight_sum: float) -> float:
        """alpha / 2 * sum ||W||^2 / S, the L2 term's value (its gradient is the optimiser's weight_decay)."""
        if alpha == 0:
            return 0.0
        vdot = backend.namespace_of(weights[0].data).vdot  # on the weights' device
        return 0.5 * alpha * sum(float(vdot(w.data, w.data)) for w in weights) / weight_sum

    def loss_value(z: np.ndarray, t_batch: np.ndarray, w_batch: np.ndarray | None) -> float:
        """The reported loss of the logits ``z`` of a batch at the current weights (for the validation set)."""
        data_term = data_loss(out_activation, Tensor._wrap(z), t_batch, w_batch).item()
        weight_sum = len(t_batch) if w_batch is None else float(w_batch.sum())
        return reported(out_activation, data_term, penalty(weight_sum), t_batch, w_batch)

    def gradients(X_batch: np.ndarray, t_batch: np.ndarray, w_batch: np.ndarray | None) -> float:
        """Fill every parameter's .grad with the data loss's gradient; returns the loss."""
        optimizer.zero_grad()
        loss = data_loss(out_activation, network(on_device(X_batch, device)), t_batch, w_batch)
        loss.backward()
        return loss.item()

    # Unweighted batches are replayed by cr.compile (the same numbers, less Python per batch); the
    # weighted loss builds its weights with NumPy inside the step, which a replay cannot follow, and
    # cr.compile replays host arrays only.
    eager = w_train is not None or device != backend.CPU
    gradients_of = gradients if eager else CompiledFunction(gradients)

    def snapshot() -> list[np.ndarray]:
        return [p.data.copy() for p in parameters]

    counter = _counter(estimator)
    if estimator.early_stopping:
        counter.best_state = snapshot()  # scikit-learn starts from the initial weights
    try:
        estimator.n_iter_ = 0
        for _ in range(estimator.max_iter):
            accumulated = 0.0
            for batch in loader:
                index, t_batch = batch[0].data, batch[1].data
                w_batch = batch[2].data if w_train is not None else None
                weight_sum = len(index) if w_batch is None else float(w_batch.sum())
                if weight_sum == 0:
                    continue  # a batch of zero weight carries no information (and would divide by 0)
                X_batch = X_train[index] if dense else X_train[index].toarray()
                # The loss scikit-learn reports is the one before the step.
                value = reported(out_activation, gradients_of(X_batch, t_batch, w_batch), penalty(weight_sum),
                                 t_batch, w_batch)
                optimizer.param_groups[0]["weight_decay"] = alpha / weight_sum
                if estimator.solver == "adam":
                    adam_steps += 1
                    epsilon = _adam_epsilon(estimator, adam_steps)
                    for group in optimizer.param_groups:
                        group["eps"] = epsilon
                optimizer.step()
                accumulated += value * len(index)

            estimator.n_iter_ += 1
            estimator.loss_ = accumulated / n_samples
            estimator.t_ += n_samples
            estimator.loss_curve_.append(estimator.loss_)
            if estimator.verbose:
                print(f"Iteration {estimator.n_iter_}, loss = {estimator.loss_:.8f}")

            if estimator.early_stopping:
                _record_validation(estimator, counter, network, X_val, t_val, y_val, w_val, loss_value, snapshot)
            else:
                counter.update(estimator.loss_)

            if estimator.solver == "sgd" and estimator.learning_rate == "invscaling":
                rate = float(estimator.learning_rate_init) / (estimator.t_ + 1) ** float(estimator.power_t)
                set_learning_rate(optimizer, rate)

            if counter.exhausted:
                if _stop_or_slow_down(estimator, optimizer):
                    break
                counter.wait = 0

            if incremental:
                break
            if estimator.n_iter_ == estimator.max_iter:
                warnings.warn(f"Stochastic Optimizer: Maximum iterations ({estimator.max_iter}) reached and the "
                              "optimization hasn't converged yet.", ConvergenceWarning, stacklevel=4)
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=4)
    finally:
        _store_counter(estimator, counter)

    if estimator.early_stopping:
        for parameter, best in zip(parameters, counter.best_state, strict=True):
            parameter.data[...] = best  # type: ignore[union-attr]
    estimator._optimizer_state = _plain(optimizer.state_dict())
    estimator.coefs_, estimator.intercepts_ = export_weights(linear_layers(network))


def _counter(estimator: BaseMLP) -> NoImprovementCounter:
    """scikit-learn's count of epochs without improvement (of the training loss, or of the validation
    score with early_stopping), continued from the estimator's ``best_loss_`` / ``best_validation_score_``
    and ``_no_improvement_count`` (a warm start or partial_fit goes on counting)."""
    early = bool(estimator.early_stopping)
    counter = NoImprovementCounter("max" if early else "min", float(estimator.tol), estimator.n_iter_no_change,
                                   rule="sklearn", owner=type(estimator).__name__)
    best = estimator.best_validation_score_ if early else estimator.best_loss_
    counter.best = counter.best if best is None else float(best)
    counter.wait = int(estimator._no_improvement_count)
    return counter


def _store_counter(estimator: BaseMLP, counter: NoImprovementCounter) -> None:
    """The counter's numbers back into scikit-learn's attributes."""
    if estimator.early_stopping:
        estimator.best_validation_score_ = counter.best
    else:
        estimator.best_loss_ = counter.best
    estimator._no_improvement_count = counter.wait


def _record_validation(estimator: BaseMLP, counter: NoImprovementCounter, network: nn.Sequential,
                       X_val: np.ndarray, t_val: np.ndarray, y_val: np.ndarray, w_val: np.ndarray | None,
                       loss_value: Any, snapshot: Any) -> None:
    """Score the held-out set (one forward pass for its loss and its score) and count the epoch; the
    counter keeps a snapshot of the weights of the best epoch."""
    z = predict_arrays(network, X_val, caller=type(estimator).__name__)
    estimator.validation_loss_curve_.append(loss_value(z, t_val, w_val))
    score = estimator._score_logits(z, y_val, w_val)
    estimator.validation_scores_.append(score)
    if estimator.verbose:
        print(f"Validation score: {score:f}")
    counter.update(score, estimator.n_iter_, snapshot)


def _stop_or_slow_down(estimator: BaseMLP, optimizer: optim.Optimizer) -> bool:
    """After too many epochs without improvement: True to stop; for SGD with learning_rate='adaptive'
    the rate is divided by 5 instead (False), until it is at most 1e-6."""
    what = "Validation score" if estimator.early_stopping else "Training loss"
    message = (f"{what} did not improve more than tol={estimator.tol:f} for {estimator.n_iter_no_change} "
               "consecutive epochs.")
    if estimator.solver == "sgd" and estimator.learning_rate == "adaptive":
        rate = optimizer.param_groups[0]["lr"]
        if rate > 1e-6:
            set_learning_rate(optimizer, rate / 5.0)
            if estimator.verbose:
                print(f"{message} Setting learning rate to {rate / 5.0:f}")
            return False
        if estimator.verbose:
            print(f"{message} Learning rate too small. Stopping.")
        return True
    if estimator.verbose:
        print(f"{message} Stopping.")
    return True


def _plain(value: Any) -> Any:
    """The optimiser's state_dict with Tensors as NumPy arrays (the estimator keeps only plain host data;
    ``load_state_dict`` puts it back on each parameter's device)."""
    if isinstance(value, Tensor):
        return backend.to_host(value.data)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
