"""Arithmetic ops: + - * / ** @ and unary minus, each forward beside its backward.

Gradients may come out in the broadcast shape; the engine sums them back to each input's shape
(``function.unbroadcast``), so the ops here stay as simple as the calculus.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.backend import namespace_of


class Add(Function):
    """out = a + b;  dL/da = g, dL/db = g."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        return grad, grad


class Sub(Function):
    """out = a - b;  dL/da = g, dL/db = -g."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    """out = a * b;  dL/da = g * b, dL/db = g * a."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    """out = a / b;  dL/da = g / b, dL/db = -g * a / b^2."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.save_for_backward(a, b)
        return a / b

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        grad_a = grad / b if need_a else None
        grad_b = -grad * a / (b * b) if need_b else None
        return grad_a, grad_b


class Pow(Function):
    """out = a ** b;  dL/da = g * b * a^(b-1), dL/db = g * out * ln(a).

    PyTorch's conventions where the formulas break down: dL/da = 0 where b == 0 (a^0 is constant
    1, even at a = 0 where a^(b-1) is infinite), and dL/db = 0 where a == 0 and b >= 0 (the limit of
    a^b ln(a) as a -> 0+ for b > 0; ln 0 would otherwise poison the sum with NaN).
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        xp = namespace_of(a)
        out = xp.power(a, b)
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        xp = namespace_of(grad)
        a, b, out = self.saved
        need_a, need_b = self.needs_input_grad
        zero = xp.zeros((), dtype=grad.dtype)
        grad_a = grad_b = None
        # NOTE: the masked-out positions may divide by zero or take ln of a negative; xp.where then
        # discards those values, so the warnings are noise.
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_a:
                grad_a = xp.where(b == 0, zero, grad * b * xp.power(a, b - 1))
            if need_b:
                grad_b = xp.where((a == 0) & (b >= 0), zero, grad * out * xp.log(a))
        return grad_a, grad_b


class PowScalar(Function):
    """out = x ** p for a constant p;  dL/dx = g * p * x^(p-1)."""

    def forward(self, x: np.ndarray, exponent: float) -> np.ndarray:
        xp = namespace_of(x)
        self.save_for_backward(x, exponent)
        if exponent == 2:
            return x * x
        return xp.power(x, exponent)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        x, exponent = self.saved
        if exponent == 2:
            return grad * 2 * x
        if exponent == 0:
            return xp.zeros_like(grad)
        return grad * (exponent * xp.power(x, exponent - 1))


class RPowScalar(Function):
    """out = c ** x for a constant c;  dL/dx = g * out * log(c)."""

    def forward(self, x: np.ndarray, base: float) -> np.ndarray:
        xp = namespace_of(x)
        out = xp.power(xp.asarray(base, dtype=x.dtype), x)
        self.save_for_backward(out, base)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        xp = namespace_of(grad)
        out, base = self.saved
        return grad * out * xp.log(xp.asarray(base, dtype=out.dtype))


class Neg(Function):
    """out = -x;  dL/dx = -g."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return -x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return -grad


class MatMul(Function):
    """out = a @ b with NumPy's matmul rules (1-D operands and batch broadcasting);

    dL/da = g @ b^T, dL/db = a^T @ g (with the batch axes summed back by the engine).
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.save_for_backward(a, b)
        return a @ b

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        xp = namespace_of(grad)
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            # The dot product: out = sum_i a_i b_i is a scalar, so dL/da = g b and dL/db = g a.
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # Lift a 1-D operand to a matrix (a row for a, a column for b) so one formula covers every case;
        # the gradient of the lifted operand then has that size-1 axis, which is dropped again. Batch
        # axes that an operand did not have are summed away by the engine (unbroadcast).
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = grad[..., None, :] if a.ndim == 1 else grad[..., :, None] if b.ndim == 1 else grad
        grad_a = grad_b = None
        if need_a:
            grad_a = g2 @ xp.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if need_b:
            grad_b = xp.swapaxes(a2, -1, -2) @ g2
            if b.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b
