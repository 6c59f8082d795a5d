"""Element-wise ops of one tensor (and the element-wise choices: clamp, maximum, minimum, where)."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function


class Exp(Function):
    """out = e^x;  dL/dx = g * out."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = np.exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.saved[0]


class Log(Function):
    """out = ln x;  dL/dx = g / x."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad / self.saved[0]


class Sqrt(Function):
    """out = sqrt(x);  dL/dx = g / (2 out)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = np.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad / (2 * self.saved[0])


class SafeSqrt(Function):
    """out = sqrt(x) for std and norm;  dL/dx = g / (2 out), taken as 0 where out = 0 (PyTorch's choice
    for std and norm, where all-equal values or a zero vector would otherwise give NaN)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = np.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (out,) = self.saved
        safe = np.where(out > 0, out, 1)
        return np.where(out > 0, grad / (2 * safe), 0).astype(grad.dtype, copy=False)


class Abs(Function):
    """out = |x|;  dL/dx = g * sign(x) (0 at x = 0, the subgradient PyTorch picks)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(x)
        return np.abs(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * np.sign(self.saved[0])


class Sin(Function):
    """out = sin x;  dL/dx = g cos x."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(x)
        return np.sin(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * np.cos(self.saved[0])


class Cos(Function):
    """out = cos x;  dL/dx = -g sin x."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(x)
        return np.cos(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return -grad * np.sin(self.saved[0])


class Clamp(Function):
    """out = min(max(x, min), max);  dL/dx = g where min <= x <= max, else 0 (bounds inclusive)."""

    def forward(self, x: np.ndarray, min: float | None = None, max: float | None = None) -> np.ndarray:  # noqa: A002
        self.save_for_backward(x, min, max)
        return np.clip(x, min, max)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x, low, high = self.saved
        mask = np.ones(x.shape, dtype=bool)
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
        low = bounds[0] if has_min else None
        high = bounds[-1] if has_max else None
        self.save_for_backward(x, low, high)
        out = x if low is None else np.maximum(x, low)
        return out if high is None else np.minimum(out, high)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        x, low, high = self.saved
        zero = np.zeros((), dtype=grad.dtype)
        inside = np.ones((), dtype=bool)
        if low is not None:
            inside = inside & (x >= low)
        if high is not None:
            inside = inside & (x <= high)
        grads: list[Any] = [np.where(inside, grad, zero) if self.needs_input_grad[0] else None]
        if low is not None:
            below = x < low if high is None else (x < low) & (low < high)
            grads.append(np.where(below, grad, zero) if self.needs_input_grad[1] else None)
        if high is not None:
            above = x > high if low is None else (x > high) | (high < low)
            grads.append(np.where(above, grad, zero) if self.needs_input_grad[-1] else None)
        return tuple(grads)


class Maximum(Function):
    """out = max(a, b) element-wise;  the gradient goes to the larger input, split in half on ties."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        a, b = self.saved
        share_a = (a > b) + 0.5 * (a == b)
        return grad * share_a.astype(grad.dtype), grad * (1 - share_a).astype(grad.dtype)


class Minimum(Function):
    """out = min(a, b) element-wise;  the gradient goes to the smaller input, split in half on ties."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.save_for_backward(a, b)
        return np.minimum(a, b)

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        a, b = self.saved
        share_a = (a < b) + 0.5 * (a == b)
        return grad * share_a.astype(grad.dtype), grad * (1 - share_a).astype(grad.dtype)


class Where(Function):
    """out = a where condition else b;  each input gets the gradient where it was chosen."""

    def forward(self, a: np.ndarray, b: np.ndarray, condition: np.ndarray) -> np.ndarray:
        self.save_for_backward(condition)
        return np.where(condition, a, b)

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        (condition,) = self.saved
        zero = np.zeros((), dtype=grad.dtype)
        need_a, need_b = self.needs_input_grad
        return (
            np.where(condition, grad, zero) if need_a else None,
            np.where(condition, zero, grad) if need_b else None,
        )
