"""``cr.compile``: trace a step twice, then replay it; what cannot be replayed runs eagerly, with a warning.

Per signature (the arguments' shapes, dtypes and ``requires_grad``, the other arguments' values, whether
gradients are enabled) a compiled function goes through:

1. tracing: the call runs eagerly while ``trace.trace_call`` records it; the result is the eager one;
2. the next call with that signature is traced too and compared with the first (``replay.check``);
   when they agree, the replay is generated; when they differ, tracing goes on (at most
   ``MAX_TRACES`` times) and then the signature runs eagerly for good, with one warning naming why;
3. replaying: the generated code runs the recorded arrays' work alone. A replay that finds something
   changed (a module switched to ``eval()``, a branch on a value going the other way, a parameter's
   array replaced) stops before it changes anything and the call is traced again.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd import grad_mode, recording
from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.compiler.replay import Retrace, check, generate, output_template
from chainrule.compiler.trace import Trace, flat_inputs, trace_call

MAX_TRACES = 4  # traces per signature that may disagree before the signature runs eagerly for good


class CompileWarning(UserWarning):
    """A compiled function runs (part of) its calls eagerly, or traced again; the message says why."""


class _Entry:
    """The state of one signature: the last trace awaiting comparison, the replay, or eager for good."""

    __slots__ = ("eager_reason", "previous", "replay", "traces")

    def __init__(self) -> None:
        self.previous: Trace | None = None
        self.replay: Callable[..., Any] | None = None
        self.eager_reason: str | None = None
        self.traces = 0


def _signature(inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    key: list[Any] = [grad_mode._state.enabled, tuple(kwargs) if kwargs else ()]
    arrays = []
    for arg in inputs:
        if type(arg) is Tensor or isinstance(arg, Tensor):
            key.append((arg.data.shape, arg.data.dtype, arg.requires_grad))
            arrays.append(id(arg.data))
        elif type(arg) is np.ndarray:
            key.append((arg.shape, arg.dtype))
            arrays.append(id(arg))
        else:
            hash(arg)  # TypeError: the caller explains
            key.append((type(arg), arg))
    if len(arrays) > 1 and len(set(arrays)) != len(arrays):
        key.append(tuple(arrays.index(a) for a in arrays))  # the same array passed twice traces apart
    return tuple(key)


def _detached(value: Any) -> Any:
    """The result a replay returns: tensors without a graph (each call gives the same kind of result)."""
    if isinstance(value, Tensor):
        return Tensor._wrap(value.data)
    if type(value) in (tuple, list):
        return type(value)(_detached(v) for v in value)
    if type(value) is dict:
        return {k: _detached(v) for k, v in value.items()}
    return value


class CompiledFunction:
    """``fn`` compiled by ``cr.compile``: call it as ``fn``. ``eager_reasons`` lists why signatures run
    eagerly; ``replays`` counts the calls that replayed."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        if not callable(fn):
            raise TypeError(f"cr.compile expects a function or an nn.Module, got {type(fn).__name__}")
        self.fn = fn
        self._entries: dict[tuple[Any, ...], _Entry] = {}
        self._warned: set[str] = set()
        self.replays = 0
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    @property
    def eager_reasons(self) -> list[str]:
        return [e.eager_reason for e in self._entries.values() if e.eager_reason is not None]

    def _warn(self, reason: str) -> None:
        if reason not in self._warned:
            self._warned.add(reason)
            name = getattr(self.fn, "__qualname__", type(self.fn).__name__)
            warnings.warn(f"cr.compile({name}): {reason}", CompileWarning, stacklevel=3)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if recording.tape is not None:  # called from a step being traced: run it so that trace records it
            return self.fn(*args, **kwargs)
        inputs = flat_inputs(args, kwargs)
        try:
            key = _signature(inputs, kwargs)
        except TypeError:
            kinds = ", ".join(type(a).__name__ for a in inputs)
            self._warn(f"arguments ({kinds}) must be tensors, arrays or hashable values to be compiled; "
                       "the call ran eagerly")
            return self.fn(*args, **kwargs)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        if entry.replay is not None:
            try:
                result = entry.replay(*inputs)
            except Retrace as retrace:
                if retrace.reason is not None:
                    self._warn(retrace.reason)
                entry.replay, entry.traces = None, 0
            else:
                self.replays += 1
                return result
        if entry.eager_reason is not None:
            return self.fn(*args, **kwargs)
        return self._trace(entry, args, kwargs)

    def _trace(self, entry: _Entry, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        trace = trace_call(self.fn, args, kwargs)
        result = trace.result
        reason = trace.reason or self._outputs(trace)
        if reason is not None:
            entry.eager_reason, entry.previous = reason, None
            self._warn(reason + "; this step runs eagerly")
            return result
        entry.traces += 1
        if entry.previous is not None:
            mismatch, resolved = check(entry.previous, trace)
            if mismatch is None:
                entry.replay, entry.previous = generate(trace, resolved), None
            elif entry.traces >= MAX_TRACES:
                entry.eager_reason, entry.previous = mismatch, None
                self._warn(mismatch + "; this step runs eagerly")
                return result
        if entry.replay is None:
            entry.previous = trace
        return _detached(result)

    @staticmethod
    def _outputs(trace: Trace) -> str | None:
        """Map the result onto slots; say why it cannot be replayed, if so."""
        used: set[int] = set()
        try:
            trace.output = output_template(trace, trace.result, used)
        except Retrace as problem:
            return problem.reason
        if len(used) < len(trace.outflows):
            return ("a tensor's value went to Python in the middle of the step (.item(), float(), int(), "
                    ".tolist() or .numpy() whose value the step does not return); a replay cannot run the "
                    "Python code that uses it")
        if not trace.backward and grad_mode._state.enabled and _requires_grad(trace.result):
            return ("the result carries a graph for a backward() outside the compiled function; compile the "
                    "whole step (forward, loss, backward, step), or call it under cr.no_grad() for inference")
        return None


def _requires_grad(value: Any) -> bool:
    if isinstance(value, Tensor):
        return value.requires_grad
    if isinstance(value, (tuple, list)):
        return any(_requires_grad(v) for v in value)
    if isinstance(value, dict):
        return any(_requires_grad(v) for v in value.values())
    return False


class CompiledModule:
    """A module's forward pass for inference (under ``no_grad``), compiled; ``module`` is the original,
    whose parameters it reads (train it, load weights into it: the compiled forward follows)."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self._forward = CompiledFunction(self._run)

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with no_grad():
            return self._forward(*args, **kwargs)

    forward = __call__

    def __getattr__(self, name: str) -> Any:
        return getattr(self.module, name)

    def __repr__(self) -> str:
        return f"CompiledModule({self.module!r})"


def compile(target: Any) -> Any:  # noqa: A001 - PyTorch's name (torch.compile)
    """Compile a training step or an inference pass so that repeated calls skip Python's per-op work.

    ``cr.compile(fn)``: ``fn`` is called like before. The first two calls with a given signature (shapes
    and dtypes of tensor/array arguments, values of the others) run eagerly while being recorded; later
    calls replay the recorded array operations of forward, backward and optimiser step with the new
    inputs: the same numbers as eager, bit for bit, faster on small networks. ``cr.compile(module)``
    compiles the module's forward for inference (run under ``no_grad``). Usable as a decorator.

    What a replay does not repeat: Python code between chainrule calls (appending to a list, printing)
    runs on traced calls only, as with ``torch.compile``/``jax.jit``. Tensors come back without a graph.
    What cannot be replayed is detected and runs eagerly with one ``CompileWarning`` saying why:
    ``.item()`` used inside the step, a branch on a tensor's value after the update, tensors made inside
    the step from NumPy values, forward hooks, ``optimizer.step(closure)``. A branch that changes, a
    module put in ``eval()`` mode or a parameter array replaced from outside make the call trace again.

    >>> import chainrule as cr
    >>> model = cr.nn.Linear(2, 1)
    >>> opt = cr.optim.SGD(model.parameters(), lr=0.1)
    >>> @cr.compile
    ... def step(x, y):
    ...     opt.zero_grad()
    ...     loss = cr.nn.functional.mse_loss(model(x), y)
    ...     loss.backward()
    ...     opt.step()
    ...     return loss.item()
    >>> x, y = cr.ones(4, 2), cr.zeros(4, 1)
    >>> losses = [step(x, y) for _ in range(5)]   # calls 1-2 trace, 3-5 replay
    >>> step.replays
    3
    """
    from chainrule.nn.module import Module

    if isinstance(target, Module):
        return CompiledModule(target)
    return CompiledFunction(target)
