"""Activation functions as graph ops, each with the derivative the notes derive.

The derivative is computed from what forward already produced where the calculus allows it
(sigmoid' = s(1 - s), tanh' = 1 - t^2), so backward costs one pass and no extra exp. Each op is named
after its ``nn`` layer with PyTorch's suffix for the autograd Function behind a module (``Function``),
so that ``SigmoidFunction`` (the op) and ``nn.Sigmoid`` (the layer) are never confused.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.unary import erf
from chainrule.backend import namespace_of


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """logsig(x) = 1 / (1 + e^-x), finite for any x."""
    xp = namespace_of(x)
    # NOTE: for very negative x, e^-x overflows to inf and 1 / (1 + inf) = 0, which is the correctly
    # rounded result (PyTorch gives the same 0), so the overflow is silenced rather than avoided: this
    # form costs 3 passes over the array, half of the exp(-|x|) + xp.where form.
    with np.errstate(over="ignore"):
        e = xp.exp(-x)
    e += 1
    return 1 / e if isinstance(e, np.generic) else xp.reciprocal(e, out=e)  # type: ignore[return-value, operator]


def keep_where(mask: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """``where(mask, grad, 0)`` for a float ``grad``, bit for bit, in about a third of the time.

    Each float's bit pattern is ANDed with all ones where ``mask`` holds and with all zeros elsewhere,
    giving +0.0 there even where ``grad`` is inf or nan (a multiply by the 0/1 mask would give nan and
    -0.0). ReLU's backward runs on every hidden layer of every step, so its cost shows.
    """
    if not (isinstance(grad, np.ndarray) and isinstance(mask, np.ndarray) and grad.dtype.kind == "f"
            and grad.shape == mask.shape):
        xp = namespace_of(grad)
        return xp.where(mask, grad, xp.zeros((), dtype=grad.dtype))
    as_int = np.dtype(f"i{grad.dtype.itemsize}")
    bits = mask.astype(as_int)
    np.negative(bits, out=bits)  # True -> -1 (every bit set), False -> 0
    np.bitwise_and(bits, grad.view(as_int), out=bits)
    return bits.view(grad.dtype)


class SigmoidFunction(Function):
    """out = 1 / (1 + e^-x);  dL/dx = g * out * (1 - out)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = sigmoid_array(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (out,) = self.saved
        return grad * out * (1 - out)


class TanhFunction(Function):
    """out = tanh x;  dL/dx = g * (1 - out^2)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        out = xp.tanh(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (out,) = self.saved
        return grad * (1 - out * out)


class ReLUFunction(Function):
    """out = max(0, x);  dL/dx = g where x > 0, else 0 (0 at x = 0, as PyTorch)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        out = xp.maximum(x, 0)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (out,) = self.saved
        return keep_where(out > 0, grad)


class LeakyReLUFunction(Function):
    """out = x if x > 0 else slope * x;  dL/dx = g if x > 0 else slope * g."""

    def forward(self, x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
        xp = namespace_of(x)
        positive = x > 0
        self.save_for_backward(positive, negative_slope)
        return xp.where(positive, x, x * xp.asarray(negative_slope, dtype=x.dtype))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        positive, slope = self.saved
        return xp.where(positive, grad, grad * xp.asarray(slope, dtype=grad.dtype))


class ELUFunction(Function):
    """out = x if x > 0 else alpha (e^x - 1);  dL/dx = g if x > 0 else g (out + alpha)."""

    def forward(self, x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
        xp = namespace_of(x)
        positive = x > 0
        alpha_ = xp.asarray(alpha, dtype=x.dtype)
        out = xp.where(positive, x, alpha_ * xp.expm1(xp.minimum(x, 0)))
        self.save_for_backward(positive, out, alpha_)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        positive, out, alpha = self.saved
        return xp.where(positive, grad, grad * (out + alpha))


class SoftplusFunction(Function):
    """out = (1/beta) ln(1 + e^(beta x)), linear above ``threshold``;  dL/dx = g * logsig(beta x)."""

    def forward(self, x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
        xp = namespace_of(x)
        scaled = x * xp.asarray(beta, dtype=x.dtype)
        linear = scaled > threshold
        self.save_for_backward(scaled, linear)
        return xp.where(linear, x, xp.logaddexp(0, scaled) / xp.asarray(beta, dtype=x.dtype))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        scaled, linear = self.saved
        return xp.where(linear, grad, grad * sigmoid_array(scaled))


class LogSigmoidFunction(Function):
    """out = ln logsig(x) = -ln(1 + e^-x), stable for any x;  dL/dx = g * logsig(-x)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x)
        return -xp.logaddexp(0, -x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * sigmoid_array(-self.saved[0])


_SQRT_HALF = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


class GELUFunction(Function):
    """out = x Phi(x) with Phi the normal CDF (``approximate='none'``, the exact erf form), or the
    tanh approximation 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) (``approximate='tanh'``)."""

    def forward(self, x: np.ndarray, approximate: str = "none") -> np.ndarray:
        xp = namespace_of(x)
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.save_for_backward(x, approximate)
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
            return 0.5 * x * (1 + xp.tanh(inner))
        return 0.5 * x * (1 + erf(x * _SQRT_HALF))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        x, approximate = self.saved
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
            t = xp.tanh(inner)
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        cdf = 0.5 * (1 + erf(x * _SQRT_HALF))
        pdf = _INV_SQRT_2PI * xp.exp(-0.5 * x * x)
        return grad * (cdf + x * pdf)


STEP_BACKWARD_MESSAGE = (
    "Step (the Heaviside threshold of the perceptron) cannot be backpropagated through: its derivative "
    "is 0 everywhere except at the threshold, where it does not exist. Every weight before it would get "
    "a gradient of 0, so gradient descent would get no signal and never move. This is why the perceptron "
    "(cr.Perceptron) learns with its own rule, w <- w + lr (y - y_hat) x, which uses the error itself "
    "instead of a derivative. To train a network by backpropagation, use a smooth activation instead: "
    "nn.Sigmoid() (the 'continuous perceptron', whose output > 0.5 is the same decision), nn.Tanh() or "
    "nn.ReLU()."
)


class StepFunction(Function):
    """out = 1 where x > threshold, else 0 (the perceptron's Heaviside step). backward raises (see
    ``STEP_BACKWARD_MESSAGE``)."""

    def forward(self, x: np.ndarray, threshold: float = 0.0) -> np.ndarray:
        return (x > threshold).astype(x.dtype)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        raise RuntimeError(STEP_BACKWARD_MESSAGE)
