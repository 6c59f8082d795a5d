"""Explicit regularisation penalties: the notes' regularised loss ``L_reg = L + lambda R``.

A penalty R grows with the size of the weights, so minimising ``L + lambda R`` trades fitting the
data against keeping the weights small (a smoother, less over-fitted function). Both are built from
tensor ops, so ``loss.backward()`` adds ``lambda R'(w)`` to every weight's gradient, exactly the
notes' backward pass ``w_bar = z_bar x + R_bar w`` with ``R_bar = lambda``:

* ``l2_penalty`` R = 1/2 sum w^2, R'(w) = w ("weight decay": each step shrinks w towards 0 by lr lambda w);
* ``l1_penalty`` R = sum |w|,     R'(w) = sign(w) (pushes small weights to exactly 0: sparse weights).

Relation to the optimisers' ``weight_decay``: ``optim.SGD(params, lr, weight_decay=wd)`` adds ``wd * w``
to each gradient, which is the same as adding ``wd * l2_penalty(params)`` (= (wd/2) sum w^2) to the loss.
(For Adam the two differ, since Adam rescales gradients; ``AdamW`` decays the weights directly instead.)

>>> import chainrule as cr
>>> from chainrule import nn
>>> model = nn.Linear(3, 1)
>>> x, y = cr.randn(8, 3), cr.randn(8, 1)
>>> loss = nn.MSELoss()(model(x), y) + 1e-3 * nn.l2_penalty(model, include_bias=False)
>>> loss.backward()
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from chainrule import dtypes
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module


def _select(parameters: Module | Iterable[Any], include_bias: bool, name: str) -> list[Tensor]:
    """The tensors to penalise, from a module, an iterable of tensors, or (name, tensor) pairs
    (``model.named_parameters()``). Skipping biases needs names: those ending in "bias" are biases."""
    if isinstance(parameters, Module):
        items: list[Any] = list(parameters.named_parameters())
    elif isinstance(parameters, Tensor):
        items = [parameters]
    else:
        items = list(parameters)
    selected: list[Tensor] = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Tensor):
            key, tensor = item
            if include_bias or not str(key).split(".")[-1].endswith("bias"):
                selected.append(tensor)
        elif isinstance(item, Tensor):
            if not include_bias:
                raise ValueError(f"{name}(include_bias=False) needs to know which parameters are biases: "
                                 "pass the module itself or model.named_parameters(), not model.parameters()")
            selected.append(item)
        else:
            raise TypeError(f"{name}: expected a Module, tensors, or (name, tensor) pairs, got "
                            f"{type(item).__name__}")
    return selected


def _total(terms: list[Tensor]) -> Tensor:
    """The sum of scalar tensors (0 when there are none)."""
    if not terms:
        return Tensor._wrap(np.zeros((), dtype=dtypes.get_default_dtype()))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def l2_penalty(parameters: Module | Iterable[Any], include_bias: bool = True) -> Tensor:
    """R = 1/2 sum over the parameters of w^2, a differentiable scalar; its gradient is w itself.

    Args:
        parameters: a module, its ``named_parameters()``, or any tensors (e.g. ``model.parameters()``).
        include_bias: ``False`` leaves out parameters named ``...bias`` (biases only shift a neuron's
            threshold, so penalising them does not smooth the function); needs a module or names.

    Add it to the loss with a strength lambda: ``loss = data_loss + lam * nn.l2_penalty(model)``.
    """
    tensors = _select(parameters, include_bias, "l2_penalty")
    return 0.5 * _total([(w * w).sum() for w in tensors])


def l1_penalty(parameters: Module | Iterable[Any], include_bias: bool = True) -> Tensor:
    """R = sum over the parameters of |w|, a differentiable scalar; its gradient is sign(w) (0 at 0).

    Takes the same arguments as ``l2_penalty``.
    """
    tensors = _select(parameters, include_bias, "l1_penalty")
    return _total([w.abs().sum() for w in tensors])
