"""``Parameter``: a tensor that a ``Module`` owns and an optimiser updates (a weight or a bias)."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor, to_array


class Parameter(Tensor):
    """A tensor that is a learnable parameter of a module: the notes' weights ``w`` and biases ``b``.

    Assigning a ``Parameter`` as an attribute of a ``Module`` registers it, so that
    ``module.parameters()`` (what an optimiser is given) finds it. It requires grad by default.
    Like PyTorch, ``Parameter(t)`` shares ``t``'s array instead of copying it.

    >>> import chainrule as cr
    >>> w = cr.nn.Parameter(cr.zeros(2, 3))
    >>> w.requires_grad, w.shape
    (True, (2, 3))
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            array = data.data
        else:
            array = to_array(data, copy=False)
        # Set the slots directly: Tensor.__init__ would copy, and torch.nn.Parameter shares storage.
        self._set_state(array)
        if requires_grad:
            if array.dtype.kind != "f":
                raise RuntimeError(
                    f"Parameter: only floating-point tensors can require gradients, got dtype {array.dtype}; "
                    "convert with .float() first, or pass requires_grad=False"
                )
            self.requires_grad = True

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        copied = Parameter(self.data.copy(), self.requires_grad)
        if self.grad is not None:
            copied.grad = Tensor._wrap(self.grad.data.copy())
        memo[id(self)] = copied
        return copied
