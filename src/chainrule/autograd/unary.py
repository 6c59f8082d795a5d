"""Element-wise functions of one tensor: exp, log, sqrt, abs, sin, cos, erf, clamp; the dtype cast and
the copy; and dropout's mask. Each forward sits beside its derivative."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule import backend
from chainrule.autograd.function import Function
from chainrule.backend import erf, namespace_of
from chainrule.random import make_rng


class Exp(Function):
    """out = e^x;  dL/dx = g * out."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        out = xp.exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.saved[0]


class Log(Function):
    """out = ln x;  dL/dx = g / x."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x)
        return xp.log(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad / self.saved[0]


class Sqrt(Function):
    """out = sqrt(x);  dL/dx = g / (2 out)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        out = xp.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad / (2 * self.saved[0])


class SafeSqrt(Function):
    """out = sqrt(x) for std and norm;  dL/dx = g / (2 out), taken as 0 where out = 0 (PyTorch's choice
    for std and norm, where all-equal values or a zero vector would otherwise give NaN)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        out = xp.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        (out,) = self.saved
        safe = xp.where(out > 0, out, 1)
        return xp.where(out > 0, grad / (2 * safe), 0).astype(grad.dtype, copy=False)


class Abs(Function):
    """out = |x|;  dL/dx = g * sign(x) (0 at x = 0, the subgradient PyTorch picks)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x)
        return xp.abs(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        return grad * xp.sign(self.saved[0])


class Sin(Function):
    """out = sin x;  dL/dx = g cos x."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x)
        return xp.sin(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        return grad * xp.cos(self.saved[0])


class Cos(Function):
    """out = cos x;  dL/dx = -g sin x."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x)
        return xp.cos(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        return -grad * xp.sin(self.saved[0])


class Clamp(Function):
    """out = min(max(x, min), max);  dL/dx = g where min <= x <= max, else 0 (bounds inclusive)."""

    def forward(self, x: np.ndarray, min: float | None = None, max: float | None = None) -> np.ndarray:  # noqa: A002
        xp = namespace_of(x)
        self.save_for_backward(x, min, max)
        return xp.clip(x, min, max)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        x, low, high = self.saved
        mask = xp.ones(x.shape, dtype=bool)
        if low is not None:
            mask &= x >= low
        if high is not None:
            mask &= x <= high
        return grad * mask


class ClampTensor(Function):
    """out = min(max(x, low), high) with tensor bounds (either may be absent), PyTorch's clamp(Tensor):

    dL/dx = g where low <= x <= high (bounds inclusive, so a tie goes to x);
    dL/dlow = g where x < low (and low < high when both are given);
    dL/dhigh = g where x > high, or everywhere high < low (then high alone decides the result).
    """

    def forward(self, x: np.ndarray, *bounds: np.ndarray, has_min: bool, has_max: bool) -> np.ndarray:
        xp = namespace_of(x)
        low = bounds[0] if has_min else None
        high = bounds[-1] if has_max else None
        self.save_for_backward(x, low, high)
        out = x if low is None else xp.maximum(x, low)
        return out if high is None else xp.minimum(out, high)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        xp = namespace_of(grad)
        x, low, high = self.saved
        zero = xp.zeros((), dtype=grad.dtype)
        inside = xp.ones((), dtype=bool)
        if low is not None:
            inside = inside & (x >= low)
        if high is not None:
            inside = inside & (x <= high)
        grads: list[Any] = [xp.where(inside, grad, zero) if self.needs_input_grad[0] else None]
        if low is not None:
            below = x < low if high is None else (x < low) & (low < high)
            grads.append(xp.where(below, grad, zero) if self.needs_input_grad[1] else None)
        if high is not None:
            above = x > high if low is None else (x > high) | (high < low)
            grads.append(xp.where(above, grad, zero) if self.needs_input_grad[-1] else None)
        return tuple(grads)


class Erf(Function):
    """out = erf(x);  dL/dx = g * 2/sqrt(pi) e^(-x^2)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(x)
        return erf(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        x = self.saved[0]
        return grad * (2 / math.sqrt(math.pi)) * xp.exp(-x * x)


class Cast(Function):
    """out = x converted to ``dtype``;  dL/dx = g converted back."""

    def forward(self, x: np.ndarray, dtype: np.dtype) -> np.ndarray:
        self.save_for_backward(x.dtype)
        return x.astype(dtype)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad.astype(self.saved[0])


class Clone(Function):
    """out = a copy of x;  dL/dx = g."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class DropoutFunction(Function):
    """Inverted dropout: out = x * mask;  dL/dx = g * mask, with mask 0 (dropped) or 1 / (1 - p) (kept)."""

    def forward(self, x: np.ndarray, p: float, generator: Any) -> np.ndarray:
        # The mask is drawn here, inside the op, so that a compiled step (cr.compile) replaying this
        # forward draws a fresh mask from the same generator, exactly as the eager step does.
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
        keep = make_rng(generator).random(x.shape, dtype=dtype) >= p
        mask = np.zeros(x.shape, dtype=x.dtype) if p == 1.0 else keep * x.dtype.type(1 / (1 - p))
        if namespace_of(x) is not np:  # drawn on the host (one generator for every device), then moved
            mask = backend.to_device(mask, backend.device_of(x))
        self.save_for_backward(mask)
        return x * mask

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.saved[0]
