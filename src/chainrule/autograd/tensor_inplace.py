"""Tensor methods, in-place family: updates that change a tensor's array (for initialisation and
optimisers, under ``no_grad``) and the augmented assignments ``+=``, ``-=``, ``*=``, ``/=``.
``Tensor`` (tensor.py) takes each function here as its method."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule.autograd import arithmetic as arith
from chainrule.autograd import grad_mode
from chainrule.autograd.function import Function
from chainrule.autograd.tensor_base import TensorBase
from chainrule.autograd.versions import bump
from chainrule.backend import device_of, namespace_of, to_device

if TYPE_CHECKING:
    from chainrule.autograd.tensor import Tensor

# -- in-place updates (for initialisation and optimisers, under no_grad) ------------------------


def check_inplace(self: Tensor, source: Any = None) -> None:
    """In-place changes are not recorded in the graph, so refuse them where a gradient would be lost."""
    if not grad_mode._state.enabled:
        return
    if self.requires_grad:
        raise RuntimeError(
            "a tensor that requires grad is being changed in place while the graph is recorded; wrap the "
            "update in `with cr.no_grad():` (as optimisers do), or use an out-of-place op"
        )
    if isinstance(source, TensorBase) and source.requires_grad:
        raise RuntimeError(
            "writing a tensor that requires grad into another one in place is not recorded in the graph, so "
            "its gradient would be lost; build the result out of place (cr.cat, cr.stack, cr.where, "
            "or out = out + value)"
        )


def apply_inplace(self: Tensor, ufunc: Any, other: Any) -> Tensor:
    self._check_inplace(other)
    other_data = other.data if isinstance(other, TensorBase) else other
    ufunc(self.data, other_data, out=self.data, casting="same_kind")
    bump(self)
    return self


def augmented(self: Tensor, ufunc: Any, op: builtins.type[Function], other: Any) -> Tensor:
    """``t += other``: in place, except while the graph is recorded and ``t`` is a computed result or
    ``other`` carries a gradient; then ``t = t + other`` out of place (the name is rebound), so the
    gradient still flows, as it does in PyTorch. A leaf that requires grad is refused, as in PyTorch."""
    computed = self._ctx is not None and self.requires_grad
    carries_grad = isinstance(other, TensorBase) and other.requires_grad and not self.requires_grad
    if grad_mode._state.enabled and (computed or carries_grad):
        return self._binary(op, other, true_divide=op is arith.Div)
    return self._inplace(ufunc, other)


def add_in_place(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._augmented(xp.add, arith.Add, other)


def sub_in_place(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._augmented(xp.subtract, arith.Sub, other)


def mul_in_place(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._augmented(xp.multiply, arith.Mul, other)


def div_in_place(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._augmented(xp.divide, arith.Div, other)


def add_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    xp = namespace_of(self.data)
    self._check_inplace(other)
    if alpha != 1:
        other = (other.data if isinstance(other, TensorBase) else other) * alpha
    return self._inplace(xp.add, other)


def sub_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    xp = namespace_of(self.data)
    self._check_inplace(other)
    if alpha != 1:
        other = (other.data if isinstance(other, TensorBase) else other) * alpha
    return self._inplace(xp.subtract, other)


def mul_(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._inplace(xp.multiply, other)


def div_(self: Tensor, other: Any) -> Tensor:
    xp = namespace_of(self.data)
    return self._inplace(xp.divide, other)


def zero_(self: Tensor) -> Tensor:
    self._check_inplace()
    self.data[...] = 0
    bump(self)
    return self


def fill_(self: Tensor, value: Any) -> Tensor:
    self._check_inplace()
    self.data[...] = value.data.item() if isinstance(value, TensorBase) else value
    bump(self)
    return self


def copy_(self: Tensor, source: Any) -> Tensor:
    xp = namespace_of(self.data)
    self._check_inplace(source)
    # As in PyTorch, copy_ copies across devices (a host array onto a GPU tensor, or back).
    source_data = to_device(source.data if isinstance(source, TensorBase) else np.asarray(source),
                            device_of(self.data))
    try:
        xp.copyto(self.data, xp.broadcast_to(source_data, self.shape), casting="unsafe")
    except ValueError:
        raise RuntimeError(f"copy_: source of shape {source_data.shape} does not fit a tensor of "
                           f"shape {self.shape}") from None
    bump(self)
    return self


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    xp = namespace_of(self.data)
    self._check_inplace()
    xp.clip(self.data, min, max, out=self.data)
    bump(self)
    return self


def uniform_(self: Tensor, a: builtins.float = 0.0, b: builtins.float = 1.0, generator: Any = None) -> Tensor:
    from chainrule.random import make_rng

    self._check_inplace()
    self.data[...] = to_device(make_rng(generator).uniform(a, b, size=self.shape), device_of(self.data))
    bump(self)
    return self


def normal_(self: Tensor, mean: builtins.float = 0.0, std: builtins.float = 1.0, generator: Any = None) -> Tensor:
    from chainrule.random import make_rng

    self._check_inplace()
    self.data[...] = to_device(make_rng(generator).normal(mean, std, size=self.shape), device_of(self.data))
    bump(self)
    return self


def replace_with(self: Tensor, result: Any) -> Tensor:
    """Write ``result`` (the op computed out of place, under no_grad) into this tensor: the in-place form
    of any op (``exp_``, ``pow_``, ``relu_``, ...), with the same rules as the other in-place updates."""
    namespace_of(self.data).copyto(self.data, result.data, casting="same_kind")
    bump(self)
    return self


# The names of the methods ``in_place_form`` made (``exp_``, ...): cr.compile's tracer refuses them all.
IN_PLACE_FORMS: list[str] = []


def in_place_form(name: str) -> Any:
    """``Tensor.<name>_``: the method ``name`` applied in place (PyTorch's trailing-underscore methods)."""
    IN_PLACE_FORMS.append(f"{name}_")

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        self._check_inplace()
        with grad_mode.no_grad():
            result = getattr(self, name)(*args, **kwargs)
        return replace_with(self, result)

    method.__name__ = f"{name}_"
    method.__doc__ = f"``{name}`` in place (see ``Tensor.{name}``)."
    return method
