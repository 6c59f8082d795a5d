"""The network behind the estimators: an ``nn.Sequential`` of ``nn.Linear`` layers and activations.

scikit-learn stores a layer as ``coefs_[i]`` of shape (fan_in, fan_out) and ``intercepts_[i]`` of
shape (fan_out,), so that a layer is ``A_next = f(A @ coefs_[i] + intercepts_[i])``; chainrule (like
PyTorch) stores ``Linear.weight`` of shape (out_features, in_features), the transpose. The helpers
here convert between the two without changing a number, build the module, and initialise it as
scikit-learn does (Glorot uniform).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from chainrule import backend, nn
from chainrule.nn import registry
from chainrule.nn.registry import HIDDEN_ACTIVATIONS
from chainrule.train.evaluation import predict_arrays

__all__ = ["ACTIVATIONS", "activation_name", "build_network", "check_output_module", "export_weights", "init_network",
           "linear_layers", "logits", "network_from", "parse_network"]

# The hidden-layer activations by name: chainrule's registry, which holds scikit-learn's four ('identity',
# 'logistic', 'tanh', 'relu') and more; ``from_module`` names an activation the way scikit-learn does.
ACTIVATIONS = HIDDEN_ACTIVATIONS
SKLEARN_NAMES = ("identity", "logistic", "tanh", "relu")

# What a trailing output activation in a module given to ``from_module`` may be, by out_activation_.
OUTPUT_MODULES: dict[str, tuple[str, ...]] = {
    name: (registry.ACTIVATIONS[name].module.__name__,) for name in ("softmax", "logistic", "identity")}


def check_output_module(trailing: str | None, out_activation: str, kind: str) -> None:
    """Refuse a trailing output module (``trailing``, a class name) that the estimator's output
    activation ``out_activation`` does not apply; ``kind`` names the estimator ('classifier')."""
    allowed = OUTPUT_MODULES.get(out_activation, ())
    if trailing is not None and trailing not in allowed:
        raise ValueError(f"from_module: the module ends with {trailing}, but a {kind} with out_activation_="
                         f"{out_activation!r} can only end with {' or '.join((*allowed, 'its last Linear layer'))}")


def _linear(weight: np.ndarray, bias: np.ndarray) -> nn.Linear:
    """An ``nn.Linear`` holding ``weight`` (out, in) and ``bias`` (out,) as its parameters (shared, not
    copied).

    NOTE: made without ``Linear.__init__``, which would first draw random initial weights from
    chainrule's shared generator only for them to be replaced: building the network for ``predict``
    must not move anybody's random stream.
    """
    layer = nn.Linear.__new__(nn.Linear)
    nn.Module.__init__(layer)
    layer.in_features, layer.out_features = int(weight.shape[1]), int(weight.shape[0])
    layer.weight = nn.Parameter(weight)
    layer.bias = nn.Parameter(bias)
    return layer


def _stack(layers: Sequence[nn.Linear], activation: str) -> nn.Sequential:
    """Linear, activation, Linear, activation, ..., Linear (the output layer gives the logits)."""
    modules: list[nn.Module] = []
    for index, layer in enumerate(layers):
        if index > 0:
            modules.append(ACTIVATIONS[activation]())
        modules.append(layer)
    return nn.Sequential(*modules)


def build_network(layer_units: Sequence[int], activation: str, dtype: np.dtype) -> nn.Sequential:
    """A network with ``layer_units = [n_features, *hidden_layer_sizes, n_outputs]``, its parameters
    allocated in ``dtype`` but not yet set (call ``init_network``)."""
    layers = [_linear(np.empty((fan_out, fan_in), dtype=dtype), np.empty(fan_out, dtype=dtype))
              for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:], strict=True)]
    return _stack(layers, activation)


def init_network(network: nn.Sequential, activation: str, generator: np.random.Generator) -> None:
    """scikit-learn's initialisation (Glorot and Bengio, 2010): weights and biases of a layer from
    U(-bound, bound) with ``bound = sqrt(factor / (fan_in + fan_out))``, ``factor = 2`` for a logistic
    network and 6 otherwise, drawn from ``generator``."""
    factor = 2.0 if ACTIVATIONS[activation].module is nn.Sigmoid else 6.0
    for layer in linear_layers(network):
        bound = math.sqrt(factor / (layer.in_features + layer.out_features))
        nn.init.uniform_(layer.weight, -bound, bound, generator=generator)
        nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def network_from(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray], activation: str,
                 copy: bool = True) -> nn.Sequential:
    """The network whose layers are scikit-learn's ``coefs_``/``intercepts_``. ``copy=False`` shares
    their memory (``weight`` is then the transposed view of ``coefs_[i]``: fine for a forward pass)."""
    if copy:
        layers = [_linear(np.array(c.T, order="C"), np.array(b)) for c, b in zip(coefs, intercepts, strict=True)]
    else:
        layers = [_linear(c.T, b) for c, b in zip(coefs, intercepts, strict=True)]
    return _stack(layers, activation)


def linear_layers(network: nn.Sequential) -> list[nn.Linear]:
    """The ``nn.Linear`` layers of ``network``, input layer first."""
    return [module for module in network if isinstance(module, nn.Linear)]


def export_weights(layers: Sequence[nn.Linear]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``(coefs_, intercepts_)`` of ``layers`` in scikit-learn's layout: host copies (whatever the
    network's device), (fan_in, fan_out) and (fan_out,)."""
    coefs = [np.array(backend.to_host(layer.weight.data).T, order="C") for layer in layers]
    intercepts = [np.array(backend.to_host(layer.bias.data)) for layer in layers]  # type: ignore[union-attr]
    return coefs, intercepts


def logits(network: nn.Module, X: np.ndarray) -> np.ndarray:
    """The output layer's values before its activation, for a dense batch ``X``, with no graph."""
    return predict_arrays(network, X)


def activation_name(module: nn.Module) -> str | None:
    """The name in ``ACTIVATIONS`` of an activation module with its default settings (scikit-learn's
    word where it has one), or None."""
    entry = ACTIVATIONS.of_module(type(module))
    if entry is None or module.extra_repr() != entry().extra_repr():
        return None
    return next((name for name in SKLEARN_NAMES if ACTIVATIONS[name] is entry), entry.name)


def parse_network(network: nn.Module) -> tuple[list[int], str, list[nn.Linear], str | None]:
    """Read a ``Sequential`` of Linear layers with one activation between them, as ``from_module`` takes
    it: returns ``(layer_units, activation, linear layers, name of a trailing output module or None)``.
    Raises ``ValueError`` saying what is not of that form."""
    if not isinstance(network, nn.Sequential):
        raise TypeError(f"from_module: expected an nn.Sequential of Linear layers and activations, got "
                        f"{type(network).__name__}")
    modules = list(network)
    trailing = None
    if modules and not isinstance(modules[-1], nn.Linear):
        trailing = type(modules[-1]).__name__
        modules = modules[:-1]
    layers = modules[0::2]
    activations = modules[1::2]
    if not layers or not all(isinstance(layer, nn.Linear) for layer in layers):
        raise ValueError("from_module: the module must alternate Linear layers and activations, starting and "
                         f"ending with a Linear layer (an output activation may follow); got {network!r}")
    names = {activation_name(module) for module in activations}
    if None in names or len(names) > 1:
        raise ValueError("from_module: every hidden activation must be the same one of "
                         f"{', '.join(entry.module.__name__ for entry in ACTIVATIONS.entries)} with default "
                         f"settings; got {[type(m).__name__ for m in activations]}")
    for layer in layers:
        if layer.bias is None:
            raise ValueError(f"from_module: {layer!r} has no bias; scikit-learn's layers all have intercepts_")
    units = [layers[0].in_features] + [layer.out_features for layer in layers]
    for before, after in zip(layers[:-1], layers[1:], strict=True):
        if before.out_features != after.in_features:
            raise ValueError(f"from_module: {before!r} gives {before.out_features} features but the next "
                             f"layer {after!r} takes {after.in_features}")
    activation = names.pop() if names else "relu"
    return units, activation, layers, trailing  # type: ignore[return-value]
