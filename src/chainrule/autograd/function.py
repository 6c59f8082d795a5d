"""The ``Function`` base class: one node of the computational graph.

Every differentiable primitive is a subclass with a ``forward`` and a ``backward`` side by side::

    class Exp(Function):
        def forward(self, x):            # arrays in, array out
            out = namespace_of(x).exp(x)  # NumPy on the CPU, CuPy on a GPU
            self.save_for_backward(out)
            return out

        def backward(self, grad):        # dL/d(out) in, dL/d(input) out
            (out,) = self.saved
            return grad * out

``Function.apply(*tensors, **options)`` runs ``forward`` on the tensors' arrays and, when gradients
are wanted, records the node in the graph so ``Tensor.backward`` can call ``backward`` later.
``backward`` returns one gradient per tensor input (``None`` where an input needs none); gradients
may have the broadcast shape, and the engine undoes broadcasting in one place, ``unbroadcast``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import backend
from chainrule.autograd import grad_mode, recording

if TYPE_CHECKING:
    # Only for the annotations: tensor.py imports the ops and so this module, never the other way round.
    # An op's result is made by ``_wrap`` reached through its first input (see ``apply``).
    from chainrule.autograd.tensor import Tensor


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``, undoing NumPy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of size 1; by the multivariate
    chain rule each copy's gradient adds up, so the gradient is summed over exactly those axes.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0:
        raise RuntimeError(f"cannot unbroadcast a gradient of shape {grad.shape} to the larger shape {shape}")
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


class Function:
    """Base class of every differentiable operation (see the module docstring)."""

    __slots__ = ("parents", "saved", "needs_input_grad", "released", "__dict__")

    def __init__(self) -> None:
        self.parents: tuple[Tensor, ...] = ()
        self.saved: tuple[Any, ...] = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.released = False

    # -- the two halves every op writes -----------------------------------------------------------
    def forward(self, *arrays: Any, **options: Any) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")  # abstract

    def backward(self, grad: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define backward()")  # abstract

    # -- helpers ------------------------------------------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep what backward needs (arrays or other values); freed after backward unless retained."""
        self.saved = values

    def release(self) -> None:
        """Free what was saved for backward: the graph cannot be walked through this node again."""
        self.saved = ()
        self.__dict__.clear()
        self.released = True

    @property
    def name(self) -> str:
        """The op's name as the graph shows it: the class name without the ``Function`` suffix that the ops
        behind an ``nn`` layer carry (``SigmoidFunction`` -> ``Sigmoid``, as PyTorch's ``SigmoidBackward0``)."""
        return type(self).__name__.removesuffix("Function")

    def __repr__(self) -> str:
        return f"<{self.name}Backward>"

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run the op on tensors; record it in the graph when any input requires grad."""
        node = cls()
        requires_grad = False
        if grad_mode._state.enabled:
            needs = tuple([t.requires_grad for t in inputs])
            requires_grad = True in needs
            node.needs_input_grad = needs
        arrays = [t.data for t in inputs]
        if backend.devices_in_use:  # False until something is put on a GPU: the CPU path pays nothing
            for array in arrays:
                if type(array) is not np.ndarray:
                    # Only off the NumPy path: inputs on two devices are refused in PyTorch's words.
                    backend.check_same_device(node.name, arrays)
                    break
        out = node.forward(*arrays, **options)
        if type(out) is not np.ndarray:
            # NumPy returns scalars (np.float64) from ops on 0-d arrays; a tensor always holds an array,
            # or a 0-d result would be promoted like a Python number (float64 -> float32) later on.
            out = backend.as_array(out)
        if requires_grad and out.dtype.kind not in "fc":
            # Integer and boolean results have no gradient (PyTorch's rule): the graph ends here.
            requires_grad = False
        # Tensor._wrap through the first input (a staticmethod: always a plain Tensor, even for a Parameter)
        result = inputs[0]._wrap(out, requires_grad)
        if requires_grad:
            node.parents = inputs
            result._ctx = node
        if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): record this op
            recording.tape.record_op(node, inputs, options, result)
        return result
