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
from chainrule.autograd.versions import CLOCK

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

    __slots__ = ("parents", "saved", "needs_input_grad", "released", "clock", "__dict__")
    clock: int

    def __init__(self) -> None:
        self.parents: tuple[Tensor, ...] = ()
        self.saved: tuple[Any, ...] = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.released = False
        # ``clock``, the in-place clock when the op ran, is set by ``apply`` when the op is recorded (only
        # then is it read): backward checks what the op saved only if the clock moved since.

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass written in PyTorch's protocol (``@staticmethod forward(ctx, ...)`` on tensors) gets
        that protocol's ``apply`` here, once, when the class is made; the engine's own ops (array-level
        methods) keep the fast ``apply`` below, untouched per call."""
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("forward"), staticmethod):
            from chainrule.autograd.custom_function import install_ctx_protocol

            install_ctx_protocol(cls)

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
    def op_name(self) -> str:
        """The op's name as the graph shows it: the class name without the ``Function`` suffix that the ops
        behind an ``nn`` layer carry (``SigmoidFunction`` -> ``Sigmoid``, as PyTorch's ``SigmoidBackward0``)."""
        return type(self).__name__.removesuffix("Function")

    def name(self) -> str:
        """PyTorch's ``grad_fn.name()``: ``"MulBackward0"``."""
        return f"{self.op_name}Backward0"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """PyTorch's ``grad_fn.next_functions``: per input, the node gradients flow to next (the input's
        ``grad_fn``, an ``AccumulateGrad`` for a leaf that requires grad, else None) and its output index."""
        return tuple((_next_node(t), 0) for t in self.parents)

    def __repr__(self) -> str:
        return f"<{self.op_name}Backward>"

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run the op on tensors; record it in the graph when any input requires grad."""
        node = cls()
        requires_grad = False
        if grad_mode._state.enabled:
            needs = tuple([t.requires_grad for t in inputs])
            requires_grad = True in needs
            node.needs_input_grad = needs
            node.clock = CLOCK[0]
        arrays = [t.data for t in inputs]
        if backend.devices_in_use:  # False until something is put on a GPU: the CPU path pays nothing
            for array in arrays:
                if type(array) is not np.ndarray:
                    # Only off the NumPy path: inputs on two devices are refused in PyTorch's words.
                    backend.check_same_device(node.op_name, arrays)
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


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf that requires grad: the end of a path, where ``backward``
    adds into ``variable.grad`` (PyTorch's name)."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple[()]:
        return ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def _next_node(tensor: Tensor) -> Any:
    if tensor._ctx is not None:
        return tensor._ctx
    return AccumulateGrad(tensor) if tensor.requires_grad else None
