"""Tensor methods, element-wise family: comparisons and logic (no gradient), and the differentiable
element-wise functions (exp, log, ..., clamp, maximum, minimum). ``Tensor`` (tensor.py) takes each
function here as its method."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from chainrule import dtypes
from chainrule.autograd import activation as act
from chainrule.autograd import selection, unary
from chainrule.autograd.dims import normalize_dims
from chainrule.autograd.tensor_base import TensorBase
from chainrule.autograd.values import NUMBERS, python_number
from chainrule.backend import namespace_of

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor

# -- comparisons (results carry no gradient) ---------------------------------------------------


def compare(self: Tensor, ufunc: Any, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    other_data = other.data if isinstance(other, TensorBase) else other
    return self._wrap(xp.asarray(ufunc(self.data, other_data)))


def less(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._compare(xp.less, other)


def less_equal(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._compare(xp.less_equal, other)


def greater(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._compare(xp.greater, other)


def greater_equal(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._compare(xp.greater_equal, other)


def equal(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._compare(xp.equal, other)


def not_equal(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._compare(xp.not_equal, other)


def eq(self: Tensor, other: Any) -> Tensor:
    return self == other


def invert(self: Tensor) -> Tensor:
    return self._wrap(~self.data)


def bitwise_and(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._compare(xp.logical_and if self.dtype == dtypes.bool else xp.bitwise_and, other)


def bitwise_or(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._compare(xp.logical_or if self.dtype == dtypes.bool else xp.bitwise_or, other)


def any(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:  # noqa: A001
    """True where any element (along ``dim``, or of all) is non-zero."""
    xp = namespace_of(self.data)
    return self._wrap(xp.asarray(self.data.any(axis=normalize_dims(dim, self.ndim), keepdims=keepdim)))


def all(self: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:  # noqa: A001
    """True where every element (along ``dim``, or of all) is non-zero."""
    xp = namespace_of(self.data)
    return self._wrap(xp.asarray(self.data.all(axis=normalize_dims(dim, self.ndim), keepdims=keepdim)))


def isnan(self: Tensor) -> Tensor:
    xp = namespace_of(self.data)
    return self._wrap(xp.isnan(self.data))


def isfinite(self: Tensor) -> Tensor:
    xp = namespace_of(self.data)
    return self._wrap(xp.isfinite(self.data))


def sign(self: Tensor) -> Tensor:
    xp = namespace_of(self.data)
    return self._wrap(xp.sign(self.data))


# -- element-wise functions --------------------------------------------------------------------


def exp(self: Tensor) -> Tensor:
    return unary.Exp.apply(self._as_float())


def log(self: Tensor) -> Tensor:
    return unary.Log.apply(self._as_float())


def sqrt(self: Tensor) -> Tensor:
    return unary.Sqrt.apply(self._as_float())


def abs(self: Tensor) -> Tensor:  # noqa: A001
    return unary.Abs.apply(self)


def sin(self: Tensor) -> Tensor:
    return unary.Sin.apply(self._as_float())


def cos(self: Tensor) -> Tensor:
    return unary.Cos.apply(self._as_float())


def square(self: Tensor) -> Tensor:
    return self**2


def tanh(self: Tensor) -> Tensor:
    return act.TanhFunction.apply(self._as_float())


def sigmoid(self: Tensor) -> Tensor:
    return act.SigmoidFunction.apply(self._as_float())


def relu(self: Tensor) -> Tensor:
    return act.ReLUFunction.apply(self)


def erf(self: Tensor) -> Tensor:
    return unary.Erf.apply(self._as_float())


def clamp(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
    """min(max(x, min), max) element-wise; bounds are numbers or tensors (broadcast, differentiable).
    The gradient reaches x where min <= x <= max (ties go to x), and each tensor bound where it won.

    >>> cr.tensor([-2.0, 0.5, 3.0]).clamp(-1, 1)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    bounds = [b for b in (min, max) if b is not None]
    if builtins.all(isinstance(b, NUMBERS) for b in bounds):
        x = self._cast(dtypes.result_type(self.data, *bounds))
        return unary.Clamp.apply(x, min=python_number(min), max=python_number(max))
    x, *converted = self._promote(*bounds)
    try:
        return unary.ClampTensor.apply(x, *converted, has_min=min is not None, has_max=max is not None)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in (x, *converted))
        raise RuntimeError(f"clamp: the input and bounds of shapes {shapes} cannot be broadcast together") from None


def maximum(self: Tensor, other: Any) -> Tensor:
    """Element-wise maximum; the gradient goes to the larger input (split in half on ties)."""
    return self._binary(selection.Maximum, other)


def minimum(self: Tensor, other: Any) -> Tensor:
    """Element-wise minimum; the gradient goes to the smaller input (split in half on ties)."""
    return self._binary(selection.Minimum, other)


def clamp_min(self: Tensor, min: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    return self.clamp(min=min)


def clamp_max(self: Tensor, max: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    return self.clamp(max=max)
