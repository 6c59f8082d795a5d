"""Activation functions as layers: the non-linearity a neuron applies to its weighted sum z.

Without them a stack of ``Linear`` layers is one linear map (W3 W2 W1 x); with them the network can
bend its decision boundary (XOR). Each forward/derivative pair is an op of the engine
(``chainrule.autograd.activation``); ``Step`` is the perceptron's threshold, which has no useful
derivative and says so.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.activation import StepFunction
from chainrule.autograd.tensor import Tensor
from chainrule.nn import functional as F
from chainrule.nn.module import Module


def _layer_argument(layer: str, function: str, value: object) -> None:
    """Refuse a tensor where a layer's option belongs: ``nn.ReLU(x)`` makes a layer, it applies none."""
    if isinstance(value, Tensor):
        dim = "dim=1" if "softmax" in function else ""
        raise TypeError(f"nn.{layer}(x) creates a layer, it does not apply one: create the layer once, "
                        f"act = nn.{layer}({dim}), and call it on the tensor, act(x); or call the function "
                        f"F.{function}(x{', ' + dim if dim else ''}) (import chainrule.nn.functional as F)")


def _number(layer: str, function: str, name: str, value: float) -> float:
    """``value`` unchanged (so the repr shows what was given, as in PyTorch) once it is a number."""
    _layer_argument(layer, function, value)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{layer}: {name} must be a number, got {type(value).__name__} {value!r}")
    return value


class Sigmoid(Module):
    """logsig(z) = 1 / (1 + e^-z), in (0, 1); derivative s (1 - s) (at most 1/4)."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.sigmoid(input)


class Tanh(Module):
    """tanh z, in (-1, 1), zero-centred; derivative 1 - tanh^2 z."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.tanh(input)


class ReLU(Module):
    """max(0, z); derivative 1 for z > 0, else 0. ``inplace`` is accepted (chainrule never overwrites
    the input; the values are the same)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        _layer_argument("ReLU", "relu", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """z for z > 0, else negative_slope * z (the notes use 0.1): negative inputs keep a small gradient."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = _number("LeakyReLU", "leaky_relu", "negative_slope", negative_slope)
        _layer_argument("LeakyReLU", "leaky_relu", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """z for z > 0, else alpha (e^z - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = _number("ELU", "elu", "alpha", alpha)
        _layer_argument("ELU", "elu", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """(1/beta) ln(1 + e^(beta z)), a smooth ReLU (linear where beta z > threshold);
    derivative logsig(beta z)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = _number("Softplus", "softplus", "beta", beta)
        self.threshold = _number("Softplus", "softplus", "threshold", threshold)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    """z Phi(z), Phi the standard normal CDF (``approximate='none'``, exact, PyTorch's default) or the
    tanh approximation (``approximate='tanh'``)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        _layer_argument("GELU", "gelu", approximate)
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class LogSigmoid(Module):
    """ln logsig(z) = -ln(1 + e^-z), finite for any z."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.logsigmoid(input)


class Softmax(Module):
    """e^z / sum e^z along ``dim`` (give it: dim=1 for a batch of rows): K class probabilities."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        _layer_argument("Softmax", "softmax", dim)
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """z - logsumexp(z) along ``dim``: log-probabilities, to pair with ``NLLLoss``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        _layer_argument("LogSoftmax", "log_softmax", dim)
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Step(Module):
    """The perceptron's step (Heaviside) activation: 1 where z > threshold, else 0 (the notes' f(h)).

    Forward works (for example to run a perceptron with hand-set weights), but calling ``backward``
    through it raises an error that explains why: its derivative is 0 almost everywhere.

    >>> import chainrule as cr
    >>> cr.nn.Step()(cr.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 1.])
    """

    def __init__(self, threshold: float = 0.0) -> None:
        super().__init__()
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return StepFunction.apply(F._floating(input, "Step"), threshold=self.threshold)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}" if self.threshold != 0.0 else ""
