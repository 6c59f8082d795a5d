"""``diagnose``: why is my network not learning? One forward and backward pass on a sample of the data,
per-layer statistics, and findings that name the layer, the figure, the cause and what to try.

>>> import chainrule as cr
>>> X, y = cr.data.moons(n_samples=200, noise=0.1, seed=0)
>>> _ = cr.manual_seed(0)
>>> model = cr.nn.Sequential(cr.nn.Linear(2, 16), cr.nn.ReLU(), cr.nn.Linear(16, 2), cr.nn.Softmax(dim=1))
>>> report = cr.diagnose(model, X, y, loss="cross_entropy", lr=0.1, optimizer="sgd")
>>> [(finding.kind, finding.layer) for finding in report.findings]
[('double_softmax', '3')]
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.autograd import Tensor
from chainrule.nn.registry import takes_class_indices
from chainrule.train import findings as check
from chainrule.train import resolve
from chainrule.train.evaluation import model_device, on_device
from chainrule.train.findings import Finding
from chainrule.train.layer_statistics import LayerRecorder, LayerStatistics, own_parameters, update_ratios

# Samples used for the forward and backward pass: enough for "dead for every sample" to mean something.
DEFAULT_SAMPLE = 512
_OUTPUT_KINDS = ("Softmax", "LogSoftmax", "Sigmoid")


@dataclass
class Report:
    """What ``diagnose`` found: ``findings`` (each with ``kind``, ``layer``, ``value``, ``message``),
    ``layers`` (a ``LayerStatistics`` per layer), ``figures`` (every figure a threshold is applied to,
    alarm or not), ``loss`` (on the sample) and ``notes`` (what could not be checked, and why).
    ``print(report)`` shows a table of the layers and then the findings."""

    findings: list[Finding]
    layers: list[LayerStatistics]
    figures: dict[str, float] = field(default_factory=dict)
    loss: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return [finding.kind for finding in self.findings]

    @property
    def healthy(self) -> bool:
        """True when nothing was found."""
        return not self.findings

    def table(self) -> str:
        header = ("layer", "type", "units", "act mean", "act std", "dead", "saturated", "grad norm",
                  "delta/out", "update/weight")
        ratios = {s.name: r for s, r in check.error_signal_ratios(self.layers)}
        rows = [[s.name or "(model)", s.kind, str(s.units), _number(s.activation_mean),
                 _number(s.activation_std), _share(s.dead_fraction), _share(s.saturated_fraction),
                 _number(s.grad_norm), _number(ratios.get(s.name)), _number(s.update_ratio)]
                for s in self.layers]
        widths = [max(len(row[i]) for row in [list(header), *rows]) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                 for row in [list(header), *rows]]
        return "\n".join(lines)

    def __str__(self) -> str:
        parts = [self.table(), ""]
        if self.loss is not None:
            parts.append(f"loss on the sample: {self.loss:.4g}")
        if self.findings:
            parts.append(f"{len(self.findings)} finding{'s' if len(self.findings) > 1 else ''}:")
            for finding in self.findings:
                head = f"- {finding.kind} in layer {finding.layer or '(model)'!r} (value {finding.value:.3g}): "
                parts.append(textwrap.fill(head + finding.message, width=100, subsequent_indent="  "))
        else:
            parts.append("no problems found")
        parts += [textwrap.fill(f"note: {note}", width=100, subsequent_indent="  ") for note in self.notes]
        return "\n".join(parts)

    __repr__ = __str__


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def diagnose(model: Any, X: Any, y: Any, *, loss: Any, lr: float | None = None, optimizer: Any = None,
             sample: int | None = DEFAULT_SAMPLE, seed: int = 0) -> Report:
    """Run one forward and backward pass of ``model`` on (a sample of) ``(X, y)`` and say what stands in
    the way of learning.

    Args:
        model: an ``nn.Module``; its parameters, gradients and optimiser are left as they were.
        X, y: the training data, as for ``cr.fit`` (arrays or Tensors, one row per sample).
        loss: a loss module or name, as for ``cr.fit`` ('cross_entropy', 'bce_with_logits', 'mse', ...).
        lr, optimizer: the optimiser settings to judge: an optimiser object (its lr), or a name ('sgd',
            'adam', ...) or class with ``lr`` ('sgd' when only ``lr`` is given). One step is taken on a
            copy of the state and undone, to measure the update-to-weight ratio; without either, the
            learning rate is not checked.
        sample: how many rows of ``X`` to use (drawn with ``seed``); None for all of them.

    Returns:
        a ``Report``: ``report.findings`` (kinds ``dead_relu``, ``saturated``, ``vanishing_gradients``,
        ``exploding_gradients``, ``unscaled_inputs``, ``double_softmax``,
        ``sigmoid_before_logits_loss``, ``wrong_output_size``, ``learning_rate``; thresholds in
        ``chainrule.train.findings``, chosen by ``bench/diagnostics_thresholds.py``), ``report.layers``,
        ``print(report)`` for a table.
    """
    resolve.check_model(model, "diagnose")
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int) or sample < 1):
        raise ValueError(f"diagnose: sample must be a positive number of rows or None, got {sample!r}")
    loss_fn = resolve.get_loss(loss)
    dtype = resolve.model_dtype(model)
    X_array = resolve.prepare_inputs(X, dtype)
    y_array = resolve.as_array(y, "y")
    if len(X_array) != len(y_array):
        raise ValueError(f"diagnose: X has {len(X_array)} samples but y has {len(y_array)}; they must match")
    loss_kind = type(loss_fn).__name__
    notes: list[str] = []
    rows = np.arange(len(X_array))
    if sample is not None and len(X_array) > sample:
        rows = np.sort(np.random.default_rng(seed).choice(len(X_array), sample, replace=False))

    recorder = LayerRecorder(model)
    saved_grads = {id(p): p.grad for p in model.parameters()}
    was_training = getattr(model, "training", True)
    findings: list[Finding] = []
    figures: dict[str, float] = {}
    loss_value = None
    try:
        model.train()
        for p in model.parameters():
            p.grad = None
        output = model(on_device(X_array[rows], model_device(model)))
        if not isinstance(output, Tensor):
            raise TypeError(f"diagnose: the model returned {type(output).__name__}; it must return a Tensor")
        layer_names = [name for name, module in recorder.layers if own_parameters(module)]
        ran = [name for name in recorder.order if name in layer_names]
        output_layer = ran[-1] if ran else ""
        last_layer, last_kind = _last_step(recorder, output)
        findings += check.double_softmax(last_layer, last_kind, loss_kind)
        findings += check.sigmoid_before_logits_loss(last_layer, last_kind, loss_kind)
        outputs = int(np.prod(output.shape[1:])) if output.data.ndim > 1 else 1
        n_classes, target_size = _target_sizes(y_array, loss_fn)
        findings += check.wrong_output_size(output_layer, outputs, loss_kind, n_classes, target_size)
        ratios = None
        if findings and findings[-1].kind == "wrong_output_size":
            notes.append("gradients, updates and the learning rate were not measured: the loss cannot compare "
                         "these outputs with y")
        else:
            target = resolve.prepare_targets(y_array[rows], loss_fn, tuple(output.shape), dtype)
            value = loss_fn(output, Tensor._wrap(target))
            loss_value = float(value.data)
            figures["constant_loss"] = _constant_loss(loss_fn, loss_kind, target, tuple(output.shape))
            if math.isfinite(loss_value):
                value.backward()
                ratios = _one_step(model, optimizer, lr, recorder, notes)
            else:
                notes.append(f"the loss on the sample is {loss_value}: gradients were not measured")
        stats = recorder.statistics(ratios)
    finally:
        recorder.remove()
        for p in model.parameters():
            p.grad = saved_grads.get(id(p))
        model.train(was_training)

    first_layer = recorder.order[0] if recorder.order else ""
    # Near a minimum the gradients, and so plain gradient steps, are small whatever the learning rate:
    # "too small" is only said while the loss is above half that of the best constant prediction.
    fitting = loss_value is not None and loss_value < 0.5 * figures.get("constant_loss", math.nan)
    scales, spreads = _feature_scales(X_array)
    # A sigmoid whose outputs are the probabilities BCELoss reads may sit in its tails: that is a confident
    # answer, and the loss passes p - y back through it whatever sigma'(z) is.
    answer = last_layer if (last_kind, loss_kind) == ("Sigmoid", "BCELoss") else None
    findings = _judge(stats, scales, spreads, first_layer, optimizer, lr, figures, fitting, answer) + findings
    return Report(findings, stats, figures, loss_value, notes)


def _judge(stats: list[LayerStatistics], scales: list[float], spreads: list[float], first_layer: str,
           optimizer: Any, lr: float | None, figures: dict[str, float], fitting: bool,
           answer_layer: str | None = None) -> list[Finding]:
    """The findings from the measured statistics, input side first; every figure goes into ``figures``.
    While the network is ``fitting`` its data (loss below half the best constant prediction's), flat
    tails and uneven error signals are a trained network's confidence, not why it cannot learn: only
    dead units, input scales and too large steps are judged then."""
    dead_shares = [s.dead_fraction for s in stats if s.dead_fraction is not None]
    flat = [s.saturated_fraction for s in stats if s.saturated_fraction is not None]
    ratios = [r for _, r in check.error_signal_ratios(stats)]
    updates = [s.update_ratio for s in stats if s.update_ratio is not None]
    figures.update({
        "dead_fraction": max(dead_shares, default=math.nan), "saturated_fraction": max(flat, default=math.nan),
        "error_signal_ratio_min": min(ratios, default=math.nan),
        "error_signal_ratio_max": max(ratios, default=math.nan),
        "input_scale": max(scales, default=math.nan),
        "input_scale_ratio": check.scale_ratio(spreads),
        "update_ratio": max(updates, default=math.nan),
    })
    dead = check.dead_relu(stats)
    return [*check.unscaled_inputs(scales, spreads, first_layer), *dead,
            *([] if fitting else check.saturated([s for s in stats if s.name != answer_layer])),
            *([] if fitting else check.gradient_flow(stats, dead_layers=bool(dead))),
            *check.learning_rate(stats, _optimizer_name(optimizer, lr), _lr_of(optimizer, lr), fitting)]


def _last_step(recorder: LayerRecorder, output: Tensor) -> tuple[str, str]:
    """The layer that produced the model's output and its type; for an output computed in ``forward``
    by a function (``F.softmax``) rather than a layer, the model ``""`` and the operation's name."""
    if recorder.order:
        last = recorder.order[-1]
        if recorder.outputs[last] is output:
            module = dict(recorder.layers)[last]
            return last, type(module).__name__
    operation = output.grad_fn.op_name if output.grad_fn is not None else ""  # "Softmax" for SoftmaxFunction
    return "", operation if operation in _OUTPUT_KINDS else ""


def _target_sizes(y: np.ndarray, loss_fn: Any) -> tuple[int | None, int | None]:
    """(classes, None) for a loss taking class labels; (None, values per sample) for the others."""
    if takes_class_indices(loss_fn):
        if y.ndim == 2 and y.shape[1] > 1:
            return int(y.shape[1]), None
        labels = y.reshape(len(y))
        if labels.dtype.kind in "iub" or np.all(labels == np.round(labels)):
            return int(labels.max()) + 1 if len(labels) else None, None
        return None, None
    return None, int(np.prod(y.shape[1:])) if y.ndim > 1 else 1


def _constant_loss(loss_fn: Any, loss_kind: str, target: np.ndarray, shape: tuple[int, ...]) -> float:
    """The loss of the best constant prediction (class frequencies, or the mean target), computed with
    the loss itself; nan for losses it is not known for."""
    n = len(target)
    if takes_class_indices(loss_fn) and target.ndim == 1 and len(shape) == 2:
        counts = np.bincount(target, minlength=shape[1])[:shape[1]].astype(np.float64)
        log_frequencies = np.log(np.maximum(counts / max(n, 1), 1e-12))
        output = np.broadcast_to(log_frequencies, (n, shape[1]))
    elif loss_kind in ("MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss"):
        mean = target.astype(np.float64).mean(axis=0, keepdims=True)
        if loss_kind == "BCEWithLogitsLoss":
            mean = np.log(np.clip(mean, 1e-7, 1 - 1e-7) / np.clip(1 - mean, 1e-7, 1))
        elif loss_kind == "BCELoss":
            mean = np.clip(mean, 1e-7, 1 - 1e-7)
        output = np.broadcast_to(mean, target.shape)
    else:
        return math.nan
    dtype = target.dtype if target.dtype.kind == "f" else np.float64
    return float(loss_fn(Tensor._wrap(np.ascontiguousarray(output, dtype=dtype)), Tensor._wrap(target)).data)


def _feature_scales(X: np.ndarray) -> tuple[list[float], list[float]]:
    flat = X.reshape(len(X), -1).astype(np.float64)
    return np.sqrt(np.mean(flat * flat, axis=0)).tolist(), np.std(flat, axis=0).tolist()


def _optimizer_name(optimizer: Any, lr: float | None) -> str:
    if optimizer is None:
        return f"SGD (lr={lr:g})" if lr is not None else "SGD"
    name = optimizer if isinstance(optimizer, str) else getattr(optimizer, "__name__", type(optimizer).__name__)
    rate = _lr_of(optimizer, lr)
    return f"{name} (lr={rate:g})" if rate is not None else str(name)


def _lr_of(optimizer: Any, lr: float | None) -> float | None:
    groups = getattr(optimizer, "param_groups", None)
    if groups and not isinstance(optimizer, type):
        return float(groups[0]["lr"])
    return lr


def _one_step(model: Any, optimizer: Any, lr: float | None, recorder: LayerRecorder,
              notes: list[str]) -> dict[str, float] | None:
    """Take one optimiser step to measure each layer's update, and undo it (parameters and optimiser
    state); returns each layer's update-to-weight ratio, or None when no optimiser settings were given."""
    if optimizer is None and lr is None:
        notes.append("the learning rate was not checked: pass lr= (and optimizer=) to diagnose")
        return None
    given = hasattr(optimizer, "step") and not isinstance(optimizer, type)
    stepper = optimizer if given else resolve.get_optimizer(optimizer or "sgd", model, lr)
    saved_state = stepper.state_dict() if given else None
    before = recorder.parameter_values()
    everything = [(p, p.data.copy()) for p in model.parameters()]
    try:
        stepper.step()
        after = recorder.parameter_values()
    finally:
        for p, old in everything:
            p.data[...] = old
        if saved_state is not None:
            stepper.load_state_dict(saved_state)
    return update_ratios(before, after)


__all__ = ["DEFAULT_SAMPLE", "Report", "diagnose"]
