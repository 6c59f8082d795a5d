"""``Linear``: a layer of neurons, ``z = x W^T + b``; and ``Identity``, the layer that does nothing."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule import dtypes
from chainrule.autograd.tensor import Tensor
from chainrule.nn import functional as F
from chainrule.nn import init
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter


class Linear(Module):
    """A fully connected layer: ``out = input @ weight.T + bias``.

    The notes write one neuron as ``z = w . x + b`` and a layer of them as ``Z = W X + b`` with samples
    as columns; with samples as rows (a batch of shape (N, in_features)) the same map is
    ``Z = X W^T + b``. Forward and backward are one fused op of the engine
    (``dL/dX = G W``, ``dL/dW = G^T X``, ``dL/db = sum of G's rows``).

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample (the number of neurons).
        bias: whether to learn an additive bias ``b``.
        dtype: dtype of the parameters (default: ``cr.get_default_dtype()``, float32).

    Shapes: input (*, in_features) -> output (*, out_features).
    ``weight`` (out_features, in_features) and ``bias`` (out_features,) start as
    U(-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's default.

    >>> import chainrule as cr
    >>> layer = cr.nn.Linear(3, 2)
    >>> layer(cr.randn(5, 3)).shape
    (5, 2)
    """

    in_features: int
    out_features: int
    weight: Parameter
    # NOTE: ``bias`` (a Parameter, or None when bias=False) is left unannotated, typed Any through
    # Module.__getattr__ as in PyTorch, so that ``layer.bias.data`` type-checks in user code.

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative integer, got {value!r}")
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"device {device!r} is not available: chainrule runs on the CPU with NumPy")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) for the weight, i.e. U(-1/sqrt(in), 1/sqrt(in)),
        and the same bound for the bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        weight = self.weight
        try:
            return F.linear(input, weight, self.bias)
        except (TypeError, RuntimeError):
            # F.linear's checks name the function; say the same about this layer (a no-op when the
            # input was fine and the error came from elsewhere). No cost unless something failed.
            F.check_linear_input(f"Linear(in_features={self.in_features})", input, weight)
            raise

    def extra_repr(self) -> str:
        has_bias = self.bias is not None
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={has_bias}"


class Identity(Module):
    """Returns its input unchanged (the identity activation, or a placeholder layer).
    Any constructor arguments are accepted and ignored, as in PyTorch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return input
