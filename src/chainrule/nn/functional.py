"""``chainrule.nn.functional`` (``import chainrule.nn.functional as F``): the stateless forms of the
layers, activations and losses, with PyTorch's signatures. The modules in ``chainrule.nn`` call these.

>>> import chainrule as cr
>>> import chainrule.nn.functional as F
>>> F.relu(cr.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from chainrule import backend, dtypes
from chainrule.autograd import activation as act
from chainrule.autograd.linear import LinearFunction
from chainrule.autograd.tensor import Tensor
from chainrule.autograd.unary import DropoutFunction
from chainrule.nn.functional_losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)
from chainrule.nn.module import Module

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout", "elu", "gelu",
    "huber_loss", "l1_loss", "leaky_relu", "linear", "log_softmax", "logsigmoid", "mse_loss", "nll_loss",
    "one_hot", "relu", "sigmoid", "softmax", "softplus", "tanh",
]


def _floating(input: Any, name: str) -> Tensor:  # noqa: A002 - PyTorch's name
    """The input as a floating-point tensor (integers become the default float dtype, as in PyTorch)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a chainrule Tensor, not {type(input).__name__}; "
                        "wrap it with cr.tensor(...)")
    return input if input.data.dtype.kind == "f" else input.to(dtypes.get_default_dtype())


def check_linear_input(owner: str, input: Any, weight: Tensor) -> None:  # noqa: A002 - PyTorch's name
    """Raise an error that teaches when ``input`` cannot go through ``x W^T``: not a tensor, wrong
    number of features, or a dtype different from the weight's."""
    if not isinstance(input, Tensor):
        if isinstance(input, Module):
            # h = nn.ReLU(z) instead of nn.ReLU()(z) or F.relu(z): the layer object itself arrives here.
            raise TypeError(f"{owner}: expected a chainrule Tensor as input, got the layer {input!r}; create "
                            f"layers once and call them on tensors (act = nn.ReLU(); h = act(z)), or use "
                            f"the functions in chainrule.nn.functional (F.relu(z))")
        raise TypeError(f"{owner}: expected a chainrule Tensor as input, got {type(input).__name__}; "
                        "wrap it first with cr.tensor(x) (a copy) or cr.from_numpy(x) (shared memory)")
    in_features = weight.data.shape[-1]
    if input.data.ndim == 0 or input.data.shape[-1] != in_features:
        got = input.data.shape[-1] if input.data.ndim else "no"
        raise RuntimeError(f"{owner}: input has {got} features (shape {input.data.shape}); the last dim of "
                           f"the input must be the layer's in_features = {in_features}")
    if input.data.dtype != weight.data.dtype:
        # Only a floating-point model can be converted to the input's dtype: an integer, bool or string
        # input is the thing to convert (model.to(int64) would make no sense).
        model_hint = (f" or the model (model.{_method(input.data.dtype)}())" if input.data.dtype.kind == "f"
                      else "")
        raise RuntimeError(
            f"{owner}: input has dtype {input.data.dtype} but the weight has dtype {weight.data.dtype}; they "
            f"must be the same. Convert the input (x.{_method(weight.data.dtype)}()){model_hint}"
        )


def _method(dtype: np.dtype) -> str:
    return {"float64": "double", "float32": "float", "float16": "half"}.get(str(dtype), f"to({dtype})")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """input @ weight.T + bias; input (*, in), weight (out, in), bias (out,) -> (*, out)."""
    if not isinstance(input, Tensor) or input.data.dtype != weight.data.dtype \
            or input.data.shape[-1:] != weight.data.shape[-1:]:
        check_linear_input("linear", input, weight)
    if bias is None:
        return LinearFunction.apply(input, weight)
    return LinearFunction.apply(input, weight, bias)


# -- activations -------------------------------------------------------------------------------------
def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """logsig(x) = 1 / (1 + e^-x), derivative s (1 - s)."""
    return act.SigmoidFunction.apply(_floating(input, "sigmoid"))


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """tanh x, derivative 1 - tanh^2 x."""
    return act.TanhFunction.apply(_floating(input, "tanh"))


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """max(0, x), derivative 1 for x > 0 else 0. ``inplace`` is accepted for PyTorch code; chainrule
    always returns a new tensor (the values are the same)."""
    return act.ReLUFunction.apply(_floating(input, "relu"))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x for x > 0 else negative_slope * x (the notes use slope 0.1)."""
    return act.LeakyReLUFunction.apply(_floating(input, "leaky_relu"), negative_slope=negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x for x > 0 else alpha (e^x - 1)."""
    return act.ELUFunction.apply(_floating(input, "elu"), alpha=alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """x Phi(x) (``approximate='none'``, the exact erf form) or its tanh approximation (``'tanh'``)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return act.GELUFunction.apply(_floating(input, "gelu"), approximate=approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """(1/beta) ln(1 + e^(beta x)), a smooth ReLU; linear where beta x > threshold."""
    return act.SoftplusFunction.apply(_floating(input, "softplus"), beta=beta, threshold=threshold)


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """ln logsig(x) = -ln(1 + e^-x), finite for any x."""
    return act.LogSigmoidFunction.apply(_floating(input, "logsigmoid"))


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument (dim=1 for a batch of rows of logits).", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """e^x / sum e^x along ``dim`` (the class dim, usually 1), shifted by the max so it cannot overflow."""
    x = _floating(input, "softmax") if dtype is None else input.to(dtype)
    return x.softmax(_softmax_dim("softmax", x.ndim) if dim is None else dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """x - logsumexp(x) along ``dim``: the log of softmax, computed without taking a log of 0."""
    x = _floating(input, "log_softmax") if dtype is None else input.to(dtype)
    return x.log_softmax(_softmax_dim("log_softmax", x.ndim) if dim is None else dim)


# -- dropout -----------------------------------------------------------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,  # noqa: A002
            generator: Any = None) -> Tensor:
    """Inverted dropout: while training, zero each element with probability ``p`` and scale the rest by
    1 / (1 - p), so the expected value is unchanged and evaluation needs no rescaling. The mask is
    drawn from chainrule's seeded generator (or ``generator``)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = _floating(input, "dropout")
    if not training or p == 0.0:
        return x
    return DropoutFunction.apply(x, p=p, generator=generator)


# -- encoding ----------------------------------------------------------------------------------------
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer classes (*) -> int64 (*, num_classes) with a 1 at each class (``-1``: max + 1)."""
    if not isinstance(tensor, Tensor) or tensor.data.dtype.kind not in "iu":
        kind = tensor.dtype if isinstance(tensor, Tensor) else type(tensor).__name__
        raise TypeError(f"one_hot is only applicable to integer (index) tensors, got {kind}; use .long()")
    classes = tensor.data
    if num_classes == -1:
        num_classes = int(classes.max()) + 1 if classes.size else 0
    if classes.size and (classes.min() < 0 or classes.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got values from "
                           f"{classes.min()} to {classes.max()}")
    xp = backend.namespace_of(classes)
    return Tensor._wrap((classes[..., None] == xp.arange(num_classes)).astype(np.int64))
