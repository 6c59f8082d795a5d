"""What ``diagnose`` can find, when it says so, and what it says: one ``Finding`` per problem, with the
kind, the layer, the measured figure and a message in the lecture notes' words (what it means, why it
happens, what to try).

Every threshold below was chosen from measurement (``bench/diagnostics_thresholds.py``): each figure was
measured on healthy networks (sigmoid, tanh and ReLU MLPs of 1 to 4 hidden layers on blobs, moons,
spirals, iris, wine and digits, standardised and as usually loaded, before and after 30 epochs of
Adam; only those that then reached 90% training accuracy count) and on networks broken on purpose,
and the threshold put in the gap between the two, near its geometric middle. Where the two overlap
(a grey zone), the threshold sits above every healthy figure, so a healthy network raises no alarm.
The measured ranges are quoted next to each threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chainrule.train.layer_statistics import LayerStatistics

KINDS = ("dead_relu", "saturated", "vanishing_gradients", "exploding_gradients", "unscaled_inputs",
         "double_softmax", "sigmoid_before_logits_loss", "wrong_output_size", "learning_rate")

# Measured by bench/diagnostics_thresholds.py: 113 healthy networks, each before and after training.
# dead_relu: share of a ReLU layer's units that output 0 for every sample. Healthy: 0 to 0.59 (trained
# 3-layer nets on blobs and iris, where units whose lines miss the data die); broken: 0.97 to 1 with a
# first-layer bias of -2 or -3, 0.53 to 1 after an epoch of SGD at lr 20 or with a bias of -1.
DEAD_FRACTION = 0.75
# saturated: share of a sigmoid/tanh layer's outputs whose derivative is below 4% of its peak.
# Healthy: 0 to 0.78 (trained tanh nets on well-separated blobs); broken: inputs x100, 0.93 to 0.97;
# weights of std 5, 0.41 to 0.94. Digits as 0-16 pixels reach 0.90 to 0.98 once trained (their units
# are pinned, and learn nothing more): they are flagged.
SATURATED_FRACTION = 0.85
# vanishing/exploding gradients: error signal (rms of delta = dL/dz) of a layer / that of the output
# layer. Healthy: 4.5e-4 (3 sigmoid layers, which still train) to 6.0; broken: 6 to 10 sigmoid layers,
# 1.3e-6 and below; 4 to 8 ReLU layers with weights of std 1, 52 and above.
VANISHING_RATIO = 1e-5
EXPLODING_RATIO = 20.0
# unscaled_inputs: a feature's root-mean-square value, and the largest feature std over the median one
# (over the smallest with fewer than 3 varying features). Healthy: rms up to 7.9 (unstandardised
# blobs), ratio up to 2.2; broken: wine and breast_cancer as loaded (rms 810 and 1050, ratio 388 and
# 7830), moons with a feature x100 or x1000 (rms 100 and 1000, ratio 100 and 1000).
INPUT_SCALE = 30.0
INPUT_SCALE_RATIO = 20.0
# learning_rate: ||theta_new - theta|| / ||theta|| of a layer after one optimiser step from the start.
# Over SGD lr 1e-5..50 and Adam lr 1e-6..1 on moons, spirals and digits: every setting that trained
# (20 epochs) measured 1.3e-3 to 3.5; every one above 3.7 failed, as did every one below 1e-4. Between
# 1e-4 and 1.3e-3, and between 0.4 and 3.5, some failed (too slow, or overshooting) and some trained:
# no alarm there.
UPDATE_RATIO_HIGH = 3.7
UPDATE_RATIO_LOW = 1e-4

THRESHOLDS: dict[str, float] = {
    "dead_fraction": DEAD_FRACTION, "saturated_fraction": SATURATED_FRACTION,
    "vanishing_ratio": VANISHING_RATIO, "exploding_ratio": EXPLODING_RATIO, "input_scale": INPUT_SCALE,
    "input_scale_ratio": INPUT_SCALE_RATIO, "update_ratio_high": UPDATE_RATIO_HIGH,
    "update_ratio_low": UPDATE_RATIO_LOW,
}


@dataclass
class Finding:
    """One problem: ``kind`` (one of ``KINDS``), ``layer`` (the module's name as in
    ``named_modules()``; ``""`` for the model itself), ``value`` (the measured figure) and ``message``
    (what it means, why it happens, what to try)."""

    kind: str
    layer: str
    value: float
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.kind} in layer {self.layer!r} ({self.value:.3g}): {self.message}"


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def dead_relu(stats: list[LayerStatistics]) -> list[Finding]:
    return [Finding("dead_relu", s.name, s.dead_fraction, (
        f"{_percent(s.dead_fraction)} of the ReLU units of layer '{s.name}' output 0 for every sample. "
        "ReLU'(z) = 0 for z <= 0, so no error signal reaches their weights and they never learn again "
        "(dead units). It happens when a large update or a negative bias pushes z = Wx + b below 0 for "
        "all inputs. Try a smaller learning rate, LeakyReLU (its derivative is alpha = 0.1 for z < 0, so "
        "the units come back), or biases that start at 0."))
        for s in stats if s.dead_fraction is not None and s.dead_fraction > DEAD_FRACTION]


def saturated(stats: list[LayerStatistics]) -> list[Finding]:
    formula = {"Sigmoid": "sigma'(z) = sigma(z)(1 - sigma(z))", "Tanh": "tanh'(z) = 1 - tanh^2(z)"}
    return [Finding("saturated", s.name, s.saturated_fraction, (
        f"{_percent(s.saturated_fraction)} of the outputs of layer '{s.name}' ({s.kind}) sit in its flat "
        f"tails, where the derivative {formula[s.kind]} is nearly 0: the error signal passing back "
        "through them is cut 25-fold or more, so the layers before barely learn. It happens when |z| = "
        "|Wx + b| is large: unscaled inputs, large initial weights or a too large learning rate. Try "
        "standardising the inputs, the default (smaller) initialisation, a smaller learning rate, or ReLU."))
        for s in stats if s.saturated_fraction is not None and s.saturated_fraction > SATURATED_FRACTION]


def error_signal_ratios(stats: list[LayerStatistics]) -> list[tuple[LayerStatistics, float]]:
    """``(layer, its error signal / the output layer's)`` for every layer with parameters, the output
    layer being the last one that ran (the ratio is empty when fewer than two layers have one)."""
    layers = [s for s in stats if s.error_signal is not None]
    if len(layers) < 2 or not layers[-1].error_signal:
        return []
    output = layers[-1].error_signal
    return [(s, s.error_signal / output) for s in layers[:-1] if s.error_signal is not None]


def gradient_flow(stats: list[LayerStatistics], dead_layers: bool = False) -> list[Finding]:
    """Vanishing or exploding error signals; a vanishing one is not reported when ``dead_layers``
    (dead ReLU units stop the error signal themselves, and are the finding to fix first)."""
    ratios = error_signal_ratios(stats)
    if not ratios:
        return []
    found = []
    smallest, low = min(ratios, key=lambda pair: pair[1])
    if low < VANISHING_RATIO and not dead_layers:
        found.append(Finding("vanishing_gradients", smallest.name, low, (
            f"the error signal delta = dL/dz at layer '{smallest.name}' is {low:.1e} times the one at the "
            "output layer: backpropagation multiplies it by W^T and by the activation's derivative at "
            "every layer (at most 1/4 for the sigmoid), so it shrinks by orders of magnitude and the "
            "first layers barely learn. Try ReLU (derivative 1 for z > 0) or tanh instead of the sigmoid, "
            "fewer layers, or He initialisation (nn.init.kaiming_normal_).")))
    largest, high = max(ratios, key=lambda pair: pair[1])
    if high > EXPLODING_RATIO:
        found.append(Finding("exploding_gradients", largest.name, high, (
            f"the error signal delta = dL/dz at layer '{largest.name}' is {high:.1e} times the one at the "
            "output layer: it grows by orders of magnitude as backpropagation multiplies it by large "
            "weights W^T layer after layer, so the updates of the first layers overshoot and the loss "
            "diverges. Try smaller initial weights (the default initialisation, or nn.init.xavier_uniform_), "
            "a smaller learning rate, or fewer layers.")))
    return found


def scale_ratio(spreads: list[float]) -> float:
    """The largest feature std over the median one (the smallest with fewer than 3 varying features);
    constant features are left out (nan when fewer than 2 features vary)."""
    import numpy as np

    varying = [s for s in spreads if s > 0]
    if len(varying) < 2:
        return float("nan")
    return max(varying) / (float(np.median(varying)) if len(varying) >= 3 else min(varying))


def unscaled_inputs(scales: list[float], spreads: list[float], layer: str) -> list[Finding]:
    """``scales``: each feature's root-mean-square value; ``spreads``: each feature's std."""
    if not scales:
        return []
    import numpy as np

    largest = int(np.argmax(scales))
    ratio = scale_ratio(spreads)
    why = ("With z = Wx + b the large features dominate z (and saturate sigmoid/tanh units), and gradient "
           "descent needs a learning rate small enough for the largest scale, so it crawls along the "
           "others. Try standardising each feature, x := (x - mean) / std, with the mean and std of the "
           "training set.")
    if scales[largest] > INPUT_SCALE:
        return [Finding("unscaled_inputs", layer, scales[largest], (
            f"feature {largest} of X has a root-mean-square value of {scales[largest]:.3g} (features near 1 "
            f"suit the initial weights). {why}"), {"feature": largest, "std_ratio": ratio})]
    if ratio > INPUT_SCALE_RATIO:  # False for nan
        widest = int(np.argmax(spreads))
        return [Finding("unscaled_inputs", layer, ratio, (
            f"the features of X have very different scales: feature {widest} varies {ratio:.3g} times "
            f"more than the median feature. {why}"), {"feature": widest, "std_ratio": ratio})]
    return []


def learning_rate(stats: list[LayerStatistics], describe: str, lr: float | None,
                  fitting: bool = False) -> list[Finding]:
    """Steps too large, or (unless the network already ``fitting`` its data, where small gradients
    make small steps) too small."""
    ratios = [s for s in stats if s.update_ratio is not None]
    if not ratios:
        return []
    largest = max(ratios, key=lambda s: s.update_ratio or 0.0)
    high = largest.update_ratio or 0.0
    measure = f"one {describe} step changes the parameters of layer '{largest.name}' by {high:.1e} of their size"
    if high > UPDATE_RATIO_HIGH:
        hint = f" (e.g. lr={lr / 10:g})" if lr else ""
        return [Finding("learning_rate", largest.name, high, (
            f"{measure} (||theta_new - theta|| / ||theta||; healthy training moves them ~1e-3 a step). "
            "Steps this large overshoot the minimum: for x := x - alpha f'(x) on f(x) = x^2, alpha = 0.3 "
            f"converges but alpha = 1.5 diverges. Try a smaller learning rate{hint}."))]
    if high < UPDATE_RATIO_LOW and not fitting:
        hint = f" (e.g. lr={lr * 100:g})" if lr else ""
        return [Finding("learning_rate", largest.name, high, (
            f"{measure}, and no layer moves more (healthy training moves them ~1e-3 a step): the weights "
            f"barely change, so the loss will decrease very slowly. Try a larger learning rate{hint}."))]
    return []


def double_softmax(last_layer: str, last_kind: str, loss_kind: str) -> list[Finding]:
    """A Softmax or LogSoftmax producing the output that ``CrossEntropyLoss`` takes as logits."""
    if loss_kind != "CrossEntropyLoss" or last_kind not in ("Softmax", "LogSoftmax"):
        return []
    if last_kind == "Softmax":
        effect = ("the loss computes -log softmax(softmax(z)): its inputs are squeezed into [0, 1], so the "
                  "predicted probabilities can never approach 0 or 1, the loss stays high and the gradients "
                  "are small. Try removing the Softmax: the model outputs the logits z, and you apply "
                  "softmax only when you want probabilities.")
    else:
        effect = ("log-softmax of log-probabilities changes nothing, so the result is right but the layer is "
                  "computed twice. Try removing the LogSoftmax (the model outputs the logits z), or keep it "
                  "and use NLLLoss, which takes log-probabilities.")
    return [Finding("double_softmax", last_layer, 1.0, (
        f"layer '{last_layer}' applies {last_kind} to the output, and CrossEntropyLoss applies its own "
        f"(it takes the logits z and computes -log softmax(z)_y): {effect}"))]


def sigmoid_before_logits_loss(last_layer: str, last_kind: str, loss_kind: str) -> list[Finding]:
    """A Sigmoid producing the output that ``BCEWithLogitsLoss`` takes as a logit."""
    if loss_kind != "BCEWithLogitsLoss" or last_kind != "Sigmoid":
        return []
    return [Finding("sigmoid_before_logits_loss", last_layer, 1.0, (
        f"layer '{last_layer}' applies the sigmoid to the output, and BCEWithLogitsLoss applies its own "
        "(it takes the logit z and computes the binary cross-entropy of logsig(z)): the loss sees "
        "logsig(logsig(z)), which stays between 0.5 and 0.73, so class 0 can never be predicted with "
        "confidence and the gradients are small. Try removing the Sigmoid (the model outputs the logit z), "
        "or keep it and use BCELoss, which takes probabilities."))]


def wrong_output_size(layer: str, outputs: int, loss_kind: str, n_classes: int | None,
                      target_size: int | None) -> list[Finding]:
    """Outputs per sample against what the loss needs: one per class for cross-entropy (labels 0..C-1),
    one per target value for every other loss."""
    if n_classes is not None:
        if outputs == n_classes:
            return []
        if outputs == 1:
            why = ("with one output, softmax of one logit is always 1, so the loss cannot tell the classes "
                   "apart. Try one output per class, or for two classes one output with BCEWithLogitsLoss "
                   "and labels 0/1")
        elif outputs < n_classes:
            why = (f"the labels {outputs} to {n_classes - 1} have no output to score them. Try "
                   f"nn.Linear(..., {n_classes})")
        else:
            why = (f"outputs {n_classes} to {outputs - 1} score classes no sample has; training only pushes "
                   f"them down. Try nn.Linear(..., {n_classes}) (or map the labels to 0..C-1)")
        return [Finding("wrong_output_size", layer, float(outputs), (
            f"the output layer '{layer}' gives {outputs} outputs per sample, but y has {n_classes} classes "
            f"(labels 0 to {n_classes - 1}) and {loss_kind} needs one output (logit) per class: {why}."),
            {"outputs": outputs, "classes": n_classes})]
    if target_size is not None and outputs != target_size:
        return [Finding("wrong_output_size", layer, float(outputs), (
            f"the output layer '{layer}' gives {outputs} outputs per sample, but y has {target_size} value"
            f"{'s' if target_size != 1 else ''} per sample; {loss_kind} compares them one to one (a "
            f"mismatch broadcasts or fails). Try nn.Linear(..., {target_size}) as the last layer, or check "
            "the shape of y."), {"outputs": outputs, "targets": target_size})]
    return []


__all__ = ["KINDS", "THRESHOLDS", "Finding", "dead_relu", "double_softmax", "error_signal_ratios",
           "gradient_flow", "learning_rate", "saturated", "scale_ratio", "sigmoid_before_logits_loss",
           "unscaled_inputs", "wrong_output_size"]
