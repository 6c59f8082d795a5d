"""Networks with hand-set weights, written the way the notes write them, in one readable call.

The notes give a neuron as ``y = logsig(w1 x1 + w2 x2 - w0)``: weights and a *threshold* ``w0`` that is
subtracted. In a ``nn.Linear`` that threshold is the bias with its sign flipped, ``bias = -w0``; these
helpers do that conversion so that the notes' numbers can be typed as printed:

>>> import chainrule as cr
>>> or_gate = cr.explain.neuron([30, 30], threshold=20)          # logsig(30 x1 + 30 x2 - 20)
>>> print(cr.explain.truth_table(or_gate))                         # doctest: +NORMALIZE_WHITESPACE
x1  x2  |  y        class
 0   0  |  0.00000  0
 0   1  |  0.99995  1
 1   0  |  0.99995  1
 1   1  |  1.00000  1
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule import dtypes, nn
from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.nn import registry

__all__ = [
    "ACTIVATIONS", "TruthTable", "from_weights", "neuron", "notes_and", "notes_or", "notes_threshold_xor",
    "notes_xor", "truth_table",
]

# Activation names a hand-set network may use: chainrule's elementwise activations ("logsig" is the
# notes' name for the sigmoid; "step" the perceptron's threshold, fine here since nothing is trained).
ACTIVATIONS = registry.ACTIVATIONS.where(lambda entry: entry.elementwise)

Neuron = tuple[Sequence[float], float]      # (weights w1..wn, threshold w0): w1 x1 + ... + wn xn - w0
ActivationSpec = str | nn.Module | type[nn.Module] | None


def _activation(spec: ActivationSpec) -> nn.Module | None:
    if spec is None:
        return None
    if isinstance(spec, nn.Module):
        return spec
    if isinstance(spec, type) and issubclass(spec, nn.Module):
        return spec()
    entry = ACTIVATIONS.find(spec) if isinstance(spec, str) else None
    if entry is not None:
        return entry()
    raise ValueError(f"Unknown activation {spec!r}; use one of {ACTIVATIONS.valid()}, an nn.Module "
                     f"such as nn.Sigmoid(), or None for no activation")


def _layer(neurons: Sequence[Neuron], n_inputs: int | None, position: int, dtype: Any) -> nn.Linear:
    try:
        weights = np.array([list(w) for w, _ in neurons], dtype=np.float64)
        thresholds = np.array([t for _, t in neurons], dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"from_weights: layer {position} must be a list of (weights, threshold) pairs, one "
                         f"per neuron, with the same number of weights each, e.g. [([30, 30], 20)]; got "
                         f"{neurons!r}") from error
    if weights.ndim != 2 or len(neurons) == 0:
        raise ValueError(f"from_weights: layer {position} must list at least one (weights, threshold) pair")
    if n_inputs is not None and weights.shape[1] != n_inputs:
        raise ValueError(f"from_weights: the neurons of layer {position} have {weights.shape[1]} weights "
                         f"each, but the layer before has {n_inputs} outputs; each neuron needs one weight "
                         f"per input")
    layer = nn.Linear(weights.shape[1], weights.shape[0], dtype=dtype)
    with no_grad():
        layer.weight.data[...] = weights
        if layer.bias is not None:                  # always: built with bias=True just above
            layer.bias.data[...] = -thresholds      # w1 x1 + ... - w0  =>  bias = -w0
    return layer


def from_weights(layers: Sequence[Sequence[Neuron]], activation: ActivationSpec | Sequence[ActivationSpec]
                 = "sigmoid", dtype: Any = None) -> nn.Sequential:
    """An ``nn.Sequential`` of ``Linear`` + activation layers with the given weights and thresholds.

    Each layer is a list of neurons, each neuron ``(weights, threshold)`` meaning
    ``activation(w1 x1 + ... + wn xn - threshold)``; so ``Linear.weight`` gets the weights as rows and
    ``Linear.bias = -threshold``.

    Args:
        layers: one list of ``(weights, threshold)`` pairs per layer.
        activation: a name (``"sigmoid"``/``"logsig"``, ``"step"``, ``"tanh"``, ``"relu"``, ``"identity"``),
            an ``nn.Module`` (class or instance), None, or a list of those, one per layer.
        dtype: the parameters' dtype (default ``cr.get_default_dtype()``).

    Example (the notes' XOR network):
        >>> xor = from_weights([[([-20, 30], 20), ([30, -20], 20)], [([30, 30], 20)]])
        >>> truth_table(xor).decisions.tolist()
        [0, 1, 1, 0]
    """
    if isinstance(activation, (str, nn.Module, type)) or activation is None:
        activations: list[ActivationSpec] = [activation] * len(layers)
    else:
        activations = list(activation)
        if len(activations) != len(layers):
            raise ValueError(f"from_weights: {len(activations)} activations given for {len(layers)} layers; "
                             f"give one name for all layers or one per layer")
    resolved = dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)
    modules: list[nn.Module] = []
    n_inputs: int | None = None
    for position, (neurons, spec) in enumerate(zip(layers, activations, strict=True), start=1):
        linear = _layer(neurons, n_inputs, position, resolved)
        modules.append(linear)
        act = _activation(spec)
        if act is not None:
            modules.append(act)
        n_inputs = linear.out_features
    if not modules:
        raise ValueError("from_weights: give at least one layer of (weights, threshold) pairs")
    return nn.Sequential(*modules)


def neuron(weights: Sequence[float], threshold: float, activation: ActivationSpec = "sigmoid",
           dtype: Any = None) -> nn.Sequential:
    """One neuron ``activation(w1 x1 + ... + wn xn - threshold)``: ``Sequential(Linear(n, 1), activation)``.

    The notes' OR neuron is ``neuron([30, 30], threshold=20)``; a bias ``b`` is ``threshold=-b``.
    """
    return from_weights([[(weights, threshold)]], activation=activation, dtype=dtype)


@dataclass
class TruthTable:
    """Inputs, the network's outputs and the decisions ``output > threshold`` (class 1), row by row."""

    inputs: np.ndarray
    outputs: np.ndarray
    decisions: np.ndarray
    threshold: float = 0.5

    def __str__(self) -> str:
        n_in = self.inputs.shape[1]
        outputs = self.outputs.reshape(len(self.inputs), -1)
        decisions = self.decisions.reshape(len(self.inputs), -1)
        names = ["y"] if outputs.shape[1] == 1 else [f"y{k + 1}" for k in range(outputs.shape[1])]
        head = "  ".join(f"x{i + 1}" for i in range(n_in)) + "  |  " + "  ".join(f"{n:<8}" for n in names)
        lines = [head + " class"]
        for row, out, dec in zip(self.inputs, outputs, decisions, strict=True):
            lines.append("  ".join(f"{v:>2g}" for v in row) + "  |  " + "  ".join(f"{v:.5f}" for v in out)
                         + "  " + " ".join(str(int(c)) for c in dec))
        return "\n".join(lines)


def _in_features(model: nn.Module) -> int:
    for module in model.modules():
        if isinstance(module, nn.Linear):
            return module.in_features
    raise ValueError("truth_table: the model has no nn.Linear layer, so its number of inputs is unknown; "
                     "pass the inputs explicitly")


def truth_table(model: nn.Module, inputs: Any = None, threshold: float = 0.5) -> TruthTable:
    """Run ``model`` on every corner of the unit square (cube, ...) or on ``inputs``.

    Args:
        model: any network (its first ``nn.Linear`` tells how many inputs it has).
        inputs: ``(n, n_inputs)`` rows to try; default all 0/1 combinations in the order
            (0, 0), (0, 1), (1, 0), (1, 1).
        threshold: the decision boundary of the outputs (0.5 for logsig, as the notes' class rule).

    Returns:
        :class:`TruthTable` (``decisions`` has shape ``(n,)`` for a one-output network).
    """
    if inputs is None:
        corners = np.array(list(itertools.product([0.0, 1.0], repeat=_in_features(model))))
    else:
        corners = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs, dtype=np.float64)
    params = list(model.parameters())
    dtype = params[0].data.dtype if params else dtypes.get_default_dtype()
    with no_grad():
        out = model(Tensor._wrap(corners.astype(dtype)))
    outputs = out.data.copy()
    if outputs.ndim == 2 and outputs.shape[1] == 1:
        outputs = outputs[:, 0]
    return TruthTable(corners, outputs, (outputs > threshold).astype(np.int64), threshold)


# -- the notes' networks (000: logsig neurons and MLP; 002: threshold units) -------------------------
def notes_or(dtype: Any = None) -> nn.Sequential:
    """``logsig(30 x1 + 30 x2 - 20)``: -20 at (0,0), +10 with one input on, +40 with both: OR."""
    return neuron([30, 30], threshold=20, dtype=dtype)


def notes_and(dtype: Any = None) -> nn.Sequential:
    """``logsig(15 x1 + 15 x2 - 20)``: -20, -5, -5, +10 on the four corners: AND."""
    return neuron([15, 15], threshold=20, dtype=dtype)


def notes_xor(dtype: Any = None) -> nn.Sequential:
    """The notes' MLP: ``y1 = logsig(-20 x1 + 30 x2 - 20)`` (x2 AND NOT x1),
    ``y2 = logsig(30 x1 - 20 x2 - 20)`` (x1 AND NOT x2),
    ``y = logsig(30 y1 + 30 y2 - 20)`` (y1 OR y2): XOR."""
    return from_weights([[([-20, 30], 20), ([30, -20], 20)], [([30, 30], 20)]], dtype=dtype)


def notes_threshold_xor(dtype: Any = None) -> nn.Sequential:
    """Threshold units (``nn.Step``): ``h1 = [x1 + x2 - 0.5 > 0]`` (OR), ``h2 = [x1 + x2 - 1.5 > 0]`` (AND),
    ``y = [h1 - h2 - 0.5 > 0]`` (h1 AND NOT h2): XOR."""
    return from_weights([[([1, 1], 0.5), ([1, 1], 1.5)], [([1, -1], 0.5)]], activation="step", dtype=dtype)
