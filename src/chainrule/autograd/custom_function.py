"""PyTorch's protocol for a custom differentiable operation, on tensors::

    class Cube(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale=1.0):        # tensors (and any other arguments) in, tensor(s) out
            ctx.save_for_backward(x)
            ctx.scale = scale
            return scale * x ** 3

        @staticmethod
        def backward(ctx, grad):                # one gradient per output in, one per forward argument out
            (x,) = ctx.saved_tensors
            return grad * 3 * ctx.scale * x ** 2, None

    y = Cube.apply(x, 2.0)

The engine's own ops are ``Function`` subclasses too, written on arrays with ``self`` as the context
(function.py); ``Function.__init_subclass__`` sees a ``@staticmethod forward`` when such a class is made
and gives it the ``apply`` below. Each call records one ``CustomNode`` in the same graph, so both kinds
of op are walked by the one engine; because ``backward`` here is written with tensor operations, it
serves ``create_graph=True`` (gradients of gradients) as it is.

Several outputs: they are packed into one flat tensor that the node produces, and each output is a slice
of it (indexing and reshape, both differentiable), so the node's backward receives every output's
gradient at once (zeros for an output that was not used), as PyTorch's does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd import grad_mode, recording, versions
from chainrule.autograd.function import Function
from chainrule.autograd.tensor_base import TensorBase
from chainrule.backend import array_on_device_of, namespace_of


class FunctionCtx:
    """The ``ctx`` a custom ``forward`` and ``backward`` share: ``save_for_backward``/``saved_tensors``,
    ``needs_input_grad`` (one flag per forward argument), ``mark_non_differentiable``, and any attribute
    you set on it (``ctx.scale = scale``)."""

    def __init__(self, name: str, needs_input_grad: tuple[bool, ...]) -> None:
        self._name = name
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Any, ...] = ()
        self._saved_versions: tuple[int, ...] = ()
        self._non_differentiable: set[int] = set()
        self._freed = False

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (or None) for backward; an in-place change to one of them before backward is an
        error (its version is recorded here, as PyTorch does)."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, TensorBase):
                raise TypeError(f"save_for_backward can only save tensors (or None), but argument {i} is a "
                                f"{type(t).__name__}; keep other values as attributes of ctx (ctx.value = ...)")
        self._saved = tensors
        self._saved_versions = tuple(-1 if t is None else t._version for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        if self._freed:
            raise RuntimeError(f"Trying to backward through the graph a second time: the tensors {self._name} "
                               "saved were freed by the first backward(); pass retain_graph=True to it")
        for t, expected in zip(self._saved, self._saved_versions, strict=True):
            if t is not None and t._version != expected:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [tensor of shape {list(t.shape)}], saved by {self._name}, is at version "
                    f"{t._version}; expected version {expected} instead. Hint: change it out of place, or "
                    "save a .clone()."
                )
        return self._saved

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Outputs that get no gradient (indices, masks): they come out with ``requires_grad=False``."""
        self._non_differentiable.update(id(o) for o in outputs)


class CustomNode(Function):
    """One call of a custom Function in the graph: its backward calls the class's ``backward(ctx, ...)``."""

    def __init__(self, fn_class: Any, ctx: FunctionCtx, positions: tuple[int, ...],
                 segments: list[tuple[int, int, tuple[int, ...], np.dtype]] | None) -> None:
        super().__init__()
        self.fn_class = fn_class
        self.ctx = ctx
        self.positions = positions  # where the tensor arguments (the parents) sit among forward's arguments
        self.segments = segments    # per packed output: start, stop, shape, dtype (None: one output)
        # per output of forward: its place among the differentiable ones, or the zeros its gradient is
        # (an output marked non-differentiable still gets a gradient argument, always zero, as in PyTorch)
        self.layout: list[Any] = [0]

    @property
    def op_name(self) -> str:
        return self.fn_class.__name__

    def release(self) -> None:
        self.ctx._freed = True
        self.ctx._saved = ()
        self.released = True

    def _split(self, grad: Any) -> list[Any]:  # grad: an array, or a Tensor under create_graph
        """One gradient per output of forward, from the gradient of the (packed) node output."""
        if self.segments is None:
            parts = [grad]
        elif isinstance(grad, TensorBase):
            recorded: Any = grad  # a Tensor (this module cannot import Tensor: tensor.py imports function.py)
            parts = [recorded[start:stop].reshape(shape)._cast(dtype) for start, stop, shape, dtype in self.segments]
        else:
            parts = [grad[start:stop].reshape(shape).astype(dtype, copy=False)
                     for start, stop, shape, dtype in self.segments]
        return [parts[item] if isinstance(item, int) else item for item in self.layout]

    def _call_backward(self, grads: list[Any]) -> tuple[Any, ...]:
        result = self.fn_class.backward(self.ctx, *grads)
        result = result if isinstance(result, tuple) else (result,)
        expected = len(self.ctx.needs_input_grad)
        # PyTorch accepts extra trailing Nones; anything else is a count mismatch.
        if len(result) < expected or any(r is not None for r in result[expected:]):
            raise RuntimeError(f"function {self.op_name}Backward returned an incorrect number of gradients "
                               f"(expected {expected}, got {len(result)}): one per argument of forward, None "
                               "for arguments that need none (numbers, flags)")
        return tuple(result[i] for i in self.positions)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        wrap = self.parents[0]._wrap
        with grad_mode.no_grad():
            result = self._call_backward([g if isinstance(g, TensorBase) else wrap(g) for g in self._split(grad)])
        # a gradient given as a number or an array goes to the device of the gradient it answers
        return tuple(None if r is None else r.data if isinstance(r, TensorBase)
                     else array_on_device_of(r, getattr(r, "dtype", grad.dtype), grad) for r in result)

    def backward_graph(self, grad: Any) -> tuple[Any, ...]:
        """Under ``create_graph``: the same backward, recorded (it is written with tensor operations)."""
        return self._call_backward(self._split(grad))


def install_ctx_protocol(cls: Any) -> None:
    """Give a class written in PyTorch's protocol its ``apply`` (called once, when the class is made)."""
    for method in ("forward", "backward"):
        defined = cls.__dict__.get(method)
        if defined is not None and not isinstance(defined, staticmethod):
            raise TypeError(f"{cls.__name__}.{method} must be a @staticmethod taking ctx first, as forward is "
                            "(PyTorch's custom Function protocol)")
    cls.apply = classmethod(apply_custom)  # type: ignore[attr-defined]


def apply_custom(cls: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``cls.forward(ctx, *args)`` without recording, then record one node for the whole call."""
    if "backward" not in _defined(cls):
        raise NotImplementedError(f"{cls.__name__} defines forward but no backward(ctx, *grads)")
    if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler)
        recording.tape.unsupported(f"{cls.__name__}.apply: a custom autograd.Function runs its own Python "
                                   "forward and backward, which a replay would not run")
    tensors: list[tuple[int, Any]] = [(i, a) for i, a in enumerate(args) if isinstance(a, TensorBase)]
    grads_on = grad_mode._state.enabled
    needs = tuple(isinstance(a, TensorBase) and a.requires_grad and grads_on for a in args)
    ctx = FunctionCtx(f"{cls.__name__}Backward", needs)
    with grad_mode.no_grad():
        out = cls.forward(ctx, *args, **kwargs)
    if not any(needs):
        return out
    outputs: tuple[Any, ...] = out if isinstance(out, tuple) else (out,)
    differentiable = [i for i, o in enumerate(outputs) if isinstance(o, TensorBase) and o.dtype.kind == "f"
                      and id(o) not in ctx._non_differentiable]
    if not differentiable:
        return out
    wrap = tensors[0][1]._wrap
    parents = tuple(t for _, t in tensors)
    if len(differentiable) == 1:
        node = CustomNode(cls, ctx, tuple(i for i, _ in tensors), None)
        joint = wrap(outputs[differentiable[0]].data, True)
    else:
        segments, start = [], 0
        for i in differentiable:
            data = outputs[i].data
            segments.append((start, start + data.size, data.shape, data.dtype))
            start += data.size
        node = CustomNode(cls, ctx, tuple(i for i, _ in tensors), segments)
        xp = namespace_of(outputs[differentiable[0]].data)
        joint = wrap(xp.concatenate([outputs[i].data.reshape(-1) for i in differentiable]), True)
    if len(outputs) > 1:
        zeros = {i: wrap(namespace_of(o.data).zeros(o.shape, o.dtype if o.dtype.kind == "f" else parents[0].dtype))
                 for i, o in enumerate(outputs) if i not in differentiable and isinstance(o, TensorBase)}
        node.layout = [differentiable.index(i) if i in differentiable else zeros.get(i) for i in range(len(outputs))]
    node.parents = parents
    node.needs_input_grad = tuple(t.requires_grad for t in parents)
    node.clock = versions.CLOCK[0]
    node.saved = ctx._saved  # so the engine's version check also covers what forward saved
    joint._ctx = node
    results = list(outputs)
    for k, i in enumerate(differentiable):
        if node.segments is None:
            results[i] = joint
        else:
            start, stop, shape, _ = node.segments[k]
            results[i] = joint[start:stop].reshape(shape)._cast(outputs[i].dtype)
    for i, o in enumerate(outputs):
        if i not in differentiable and getattr(o, "requires_grad", False):
            results[i] = o.detach()
    return tuple(results) if isinstance(out, tuple) else results[0]


def _defined(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__name__ == "Function" and klass.__module__ == Function.__module__:
            break
        names.update(klass.__dict__)
    return names
