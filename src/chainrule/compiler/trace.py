"""Tracing: run a step eagerly once while recording the array work it does, as a list of steps.

The tracer is ``chainrule.autograd.recording.tape`` while the step runs. It sees:

- every op (``Function.apply`` hands it the node, its input tensors, options and result);
- the backward walk, which it performs itself (the same walk as ``engine.run_backward``, written down
  as it goes: which node's ``backward`` gets which gradient, how each returned gradient is summed back
  to its input's shape and dtype and added up, which leaf stores it);
- calls that update state in place and must run again on every replay (``optimizer.step``,
  ``zero_grad``, gradient clipping, ``scheduler.step``): it records the call and runs it unrecorded;
- tensor methods that leave the graph, patched for the duration of the trace: ``item``/``float``/
  ``int``/``tolist``/``numpy`` (values handed to Python), ``bool`` (a branch taken on a value), in-place
  arithmetic (``p -= lr * p.grad``) and in-place writes it cannot replay (``zero_``, ``x[i] = v``, ...);
- ``Module.__call__``, to know which modules' ``training`` flag the step depends on.

Every array gets a *slot*: the arguments' arrays, then each op's output, each gradient. An input
array that no recorded step produced (a parameter, a constant such as the 2 in ``x * 2``) is an
*unknown*: comparing two traces tells whether it is a tensor living outside the step (read afresh on
every replay), a constant, or a value computed where the tracer cannot see (the step is not captured).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.autograd import engine, recording, versions
from chainrule.autograd.engine import _fit_to_input, store_grad, topological_order
from chainrule.autograd.function import Function
from chainrule.autograd.tensor import Tensor
from chainrule.autograd.tensor_inplace import IN_PLACE_FORMS

Ref = tuple[str, int]  # ("s", slot) or ("u", unknown index)

# Tensor methods that hand a value to Python; the step's result may be one of them (returned), any
# other use is Python work a replay cannot repeat.
OUTFLOWS = ("item", "__float__", "__int__", "__index__", "tolist", "numpy", "__array__")
# In-place writes other than arithmetic: the tracer does not replay them.
UNREPLAYED_WRITES = ("zero_", "fill_", "copy_", "clamp_", "uniform_", "normal_", "__setitem__")


@dataclass
class Unknown:
    """An array some recorded step read but none produced; ``tensor`` is the tensor it came in (None for
    an array passed as an op's option), ``value`` a copy taken when it was first read."""

    array: np.ndarray
    tensor: Tensor | None
    value: np.ndarray


@dataclass
class Trace:
    """What one traced call did (see the module docstring); ``reason`` is why it cannot be replayed."""

    n_args: int
    arg_kinds: list[str | None] = field(default_factory=list)  # "tensor", "array" or None (other values)
    arg_ids: dict[int, int] = field(default_factory=dict)  # id(argument) -> position (gradients' owners)
    slot_of: dict[int, int] = field(default_factory=dict)  # id(array) -> slot
    steps: list[tuple[Any, ...]] = field(default_factory=list)
    arrays: list[np.ndarray] = field(default_factory=list)  # slot -> array (keeps every id unique)
    unknowns: list[Unknown] = field(default_factory=list)
    modules: list[Any] = field(default_factory=list)
    outflows: list[tuple[int, Any]] = field(default_factory=list)  # (step index, value handed to Python)
    reason: str | None = None
    effects: bool = False  # a state-changing step has been recorded (later branches cannot be undone)
    backward: bool = False
    has_guards: bool = False
    result: Any = None
    output: Any = None  # the result as slots and outflows (replay.output_template)


class Tracer:
    """Records one call (``trace(fn, args, kwargs)``); the hooks in autograd and optim call its methods."""

    def __init__(self, n_args: int) -> None:
        self.trace = Trace(n_args)
        self._slot_of = self.trace.slot_of
        self._unknown_of: dict[int, int] = {}
        self._module_ids: set[int] = set()
        self._depth = 0  # nesting of patched outflow methods (float(t) calls t.item(): record one)

    # -- slots ----------------------------------------------------------------------------------------
    def new_slot(self, array: np.ndarray) -> int:
        slot = len(self.trace.arrays)
        self.trace.arrays.append(array)
        self._slot_of[id(array)] = slot
        return slot

    def ref(self, array: np.ndarray, tensor: Tensor | None = None) -> Ref:
        slot = self._slot_of.get(id(array))
        if slot is not None:
            return ("s", slot)
        index = self._unknown_of.get(id(array))
        if index is None:
            index = self._unknown_of[id(array)] = len(self.trace.unknowns)
            self.trace.unknowns.append(Unknown(array, tensor, np.array(array, copy=True)))
        return ("u", index)

    def value(self, value: Any) -> tuple[str, Any]:
        """An op option as the replay will rebuild it: arrays and tensors by reference, the rest as is."""
        if isinstance(value, np.ndarray):
            return ("array", self.ref(value))
        if isinstance(value, Tensor):
            return ("tensor", self.ref(value.data, value))
        if isinstance(value, (tuple, list)):
            return ("seq", (type(value), tuple(self.value(v) for v in value)))
        return ("v", value)

    def unsupported(self, reason: str) -> None:
        if self.trace.reason is None:
            self.trace.reason = reason

    # -- the hooks ------------------------------------------------------------------------------------
    def record_op(self, node: Function, inputs: Sequence[Tensor], options: dict[str, Any], result: Tensor) -> None:
        refs = tuple(self.ref(t.data, t) for t in inputs)
        opts = tuple((name, self.value(v)) for name, v in options.items())
        out = result.data
        self.trace.steps.append(("op", node, refs, opts, self.new_slot(out), out.ndim == 0))

    def record_call(self, function: Callable[..., Any], *args: Any, repeatable: bool = False) -> Any:
        """Run ``function(*args)`` now, unrecorded, and record it to run again on every replay.
        ``repeatable``: running it twice does what running it once does (``zero_grad``), so a replay that
        stops after it, to trace again, leaves nothing half done."""
        if any(callable(a) for a in args):
            self.unsupported(f"{getattr(function, '__qualname__', function)} was given a function (closure) "
                             "to call back; a replay cannot re-enter Python code")
        args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)  # model.parameters(): reusable
        recording.tape = None
        try:
            result = function(*args)
        finally:
            recording.tape = self
        slot = self.new_slot(result.data) if isinstance(result, Tensor) else None
        self.trace.steps.append(("call", function, args, slot))
        self.trace.effects = self.trace.effects or not repeatable
        return result

    def run_backward(self, roots: Tensor | Sequence[Tensor], seeds: Any, retain_graph: bool,
                     inputs: Sequence[Tensor] | None, create_graph: bool, accumulate: bool) -> list[Any]:
        """``engine.run_backward``'s walk, performed and written down step by step. Written down only for
        one root whose gradients go into ``.grad``; ``autograd.grad``, ``create_graph=True`` or several
        roots run the engine's own walk unrecorded and make the step run eagerly."""
        several = isinstance(roots, (list, tuple))
        if several or create_graph or not accumulate:
            what = ("cr.autograd.grad" if not accumulate else "create_graph=True" if create_graph
                    else "a backward of several tensors at once")
            self.unsupported(f"{what} inside the step; a replay repeats only loss.backward() into .grad")
            recording.tape = None
            try:
                return engine.run_backward(roots, seeds, retain_graph, inputs, create_graph, accumulate)
            finally:
                recording.tape = self
        root: Tensor = roots  # type: ignore[assignment]  # one root (``several`` is False)
        seed = seeds
        self._walk(root, seed, retain_graph, inputs)
        return []

    def _walk(self, root: Tensor, seed: np.ndarray, retain_graph: bool, inputs: Sequence[Tensor] | None) -> None:
        trace = self.trace
        trace.backward = True
        order = topological_order(root)
        only = None if inputs is None else {id(t) for t in inputs}
        grads: dict[int, tuple[np.ndarray, Ref]] = {id(root): (seed, self.ref(seed))}
        handed_out: set[int] = set()
        trace.steps.append(("handed",))
        for node in reversed(order):
            entry = grads.pop(id(node), None)
            if entry is None:
                continue
            grad, grad_ref = entry
            ctx = node._ctx
            if (ctx is None or node._retains_grad) if only is None else id(node) in only:
                store_grad(node, grad, handed_out)
                trace.steps.append(("store", node, grad_ref, self.new_slot(node.grad.data)))  # type: ignore[union-attr]
                trace.effects = True
            if ctx is None:
                continue
            if ctx.released:
                raise RuntimeError(f"Trying to backward through the graph a second time: the values {ctx.op_name} "
                                   "saved were freed by the first backward(); pass retain_graph=True")
            if ctx.clock != versions.CLOCK[0]:
                versions.check_saved(ctx, node)  # something changed in place since this op ran
            returned = ctx.backward(grad)
            as_tuple = isinstance(returned, tuple)
            parent_grads = returned if as_tuple else (returned,)
            actions = []
            for index, (parent, parent_grad) in enumerate(zip(ctx.parents, parent_grads, strict=False)):
                if parent_grad is None or not parent.requires_grad:
                    continue
                raw = self.new_slot(parent_grad)
                data = parent.data
                fit = cast = None
                if parent_grad.shape != data.shape:
                    parent_grad = _fit_to_input(parent_grad, data.shape, ctx.op_name)
                    fit = data.shape
                if parent_grad.dtype != data.dtype:
                    parent_grad = parent_grad.astype(data.dtype)
                    cast = data.dtype
                final = raw if fit is None and cast is None else self.new_slot(parent_grad)
                previous = grads.get(id(parent))
                if previous is None:
                    grads[id(parent)] = (parent_grad, ("s", final))
                    summed = None
                else:
                    total = previous[0] + parent_grad
                    summed = (previous[1], self.new_slot(total))
                    grads[id(parent)] = (total, ("s", summed[1]))
                actions.append((index, raw, fit, cast, final, summed))
            trace.steps.append(("backward", ctx, grad_ref, as_tuple, tuple(actions)))
            if not retain_graph:
                ctx.release()

    # -- patched tensor methods -----------------------------------------------------------------------
    def outflow(self, original: Callable[..., Any], tensor: Tensor, args: tuple[Any, ...]) -> Any:
        self._depth += 1
        try:
            value = original(tensor, *args)
        finally:
            self._depth -= 1
        if self._depth == 0:
            self.trace.outflows.append((len(self.trace.steps), value))
            self.trace.steps.append(("outflow", original, self.ref(tensor.data, tensor), args))
        return value

    def branch(self, original: Callable[..., Any], tensor: Tensor) -> bool:
        value = original(tensor)
        if self.trace.effects:
            self.unsupported("bool() of a tensor (an `if` or `while` on a value) after backward() or an "
                             "optimiser step; a replay could not undo the update if the branch went the "
                             "other way")
        self.trace.has_guards = True
        self.trace.steps.append(("guard", self.ref(tensor.data, tensor), value))
        return value

    def inplace(self, original: Callable[..., Any], tensor: Tensor, ufunc: Any, other: Any) -> Tensor:
        result = original(tensor, ufunc, other)
        other_value = self.value(other.data if isinstance(other, Tensor) else other)
        self.trace.steps.append(("inplace", ufunc, self.ref(tensor.data, tensor), other_value))
        self.trace.effects = True
        return result

    def compare(self, original: Callable[..., Any], tensor: Tensor, ufunc: Any, other: Any) -> Tensor:
        """A comparison (``loss > 0.5``): no gradient, but a branch or a result may depend on it."""
        result = original(tensor, ufunc, other)
        other_value = self.value(other.data if isinstance(other, Tensor) else other)
        self.trace.steps.append(("compare", ufunc, self.ref(tensor.data, tensor), other_value,
                                 self.new_slot(result.data)))
        return result

    def module_called(self, module: Any) -> None:
        if id(module) not in self._module_ids:
            self._module_ids.add(id(module))
            self.trace.modules.append(module)
        if module._forward_pre_hooks or module._forward_hooks:
            self.unsupported(f"{type(module).__name__} has forward hooks, Python code that a replay would "
                             "not run")


def _patched(tracer_method: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: Any, *args: Any) -> Any:
        tracer = recording.tape
        if tracer is None:
            return original(self, *args)
        return getattr(tracer, tracer_method)(original, self, *(args if tracer_method != "outflow" else (args,)))

    return method


def _refused(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        tracer = recording.tape
        if tracer is not None:
            tracer.unsupported(f"Tensor.{name}() changes a tensor in place inside the step; a replay only "
                               "repeats in-place arithmetic (+=, -=, *=, /=, add_, ...), optimiser steps and "
                               "gradient clipping")
        return original(self, *args, **kwargs)

    return method


def _module_call(original: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        tracer = recording.tape
        if tracer is not None:
            tracer.module_called(self)
        return original(self, *args, **kwargs)

    return call


def flat_inputs(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The arguments in the order replays take them: positional ones, then keywords by name."""
    return args + tuple(kwargs[name] for name in sorted(kwargs)) if kwargs else args


def trace_call(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Trace:
    """Run ``fn(*args, **kwargs)`` eagerly, recording it; the result is in ``Trace.result``."""
    from chainrule.nn.module import Module

    inputs = flat_inputs(args, kwargs)
    tracer = Tracer(len(inputs))
    for position, arg in enumerate(inputs):
        tracer.trace.arg_ids[id(arg)] = position
        array = arg.data if isinstance(arg, Tensor) else arg
        kind = "tensor" if isinstance(arg, Tensor) else "array" if type(arg) is np.ndarray else None
        tracer.trace.arg_kinds.append(kind)
        # Every argument gets a slot (its array, or a placeholder), so that slot i is argument i.
        tracer.new_slot(array if isinstance(array, np.ndarray) else np.empty(0))
    patches: list[tuple[type, str, Any]] = [(Module, "__call__", _module_call(Module.__call__))]
    for name in OUTFLOWS:
        patches.append((Tensor, name, _patched("outflow", getattr(Tensor, name))))
    patches.append((Tensor, "__bool__", _patched("branch", Tensor.__bool__)))
    patches.append((Tensor, "_inplace", _patched("inplace", Tensor._inplace)))
    patches.append((Tensor, "_compare", _patched("compare", Tensor._compare)))
    refused = (*UNREPLAYED_WRITES, *IN_PLACE_FORMS)  # IN_PLACE_FORMS: exp_, relu_, pow_, ...
    patches.extend((Tensor, name, _refused(name, getattr(Tensor, name))) for name in refused)
    saved = [(cls, name, cls.__dict__[name]) for cls, name, _ in patches]
    for cls, name, method in patches:
        setattr(cls, name, method)
    recording.tape = tracer
    try:
        tracer.trace.result = fn(*args, **kwargs)
    finally:
        recording.tape = None
        for cls, name, method in saved:
            setattr(cls, name, method)
    return tracer.trace
