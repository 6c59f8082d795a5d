"""From two matching traces to a replay: one straight-line Python function, generated once.

``check(first, second)`` compares two traces of the same signature. They must do the same steps in the
same order (else the step's Python code branches on something: not captured yet), and each *unknown*
input array must be explained:

- the same array object both times: it lives outside the step (a parameter, a class-weight array); the
  replay reads that array, which optimisers update in place, and first checks that the tensor still
  holds it (an array replaced from outside, ``p.data = ...``, makes the replay trace again);
- a new array with the same value, one number or one repeated float (``x * 2``, ``cr.ones(n)``): a
  constant, baked in;
- anything else was computed where the tracer cannot see (NumPy on ``.data``, ``argmax``, comparisons,
  random draws outside an op): the step cannot be captured, and ``check`` says why.

``generate(trace, resolved)`` then writes the replay: ``s3 = F2(s0, C1)`` for an op (``F2`` the traced
node's own ``forward``, so the arithmetic is the eager code's, bit for bit), ``r = B5(s9); s10 = r[0]``
for a node's backward, ``STORE(P0, s12, handed)`` for a leaf's gradient, ``X0()`` for a recorded call
(``optimizer.step`` reads its learning rate when it runs). No tensors, graph or checks are made.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.engine import _fit_to_input, store_grad
from chainrule.autograd.tensor import Tensor
from chainrule.compiler.trace import Trace


class Retrace(Exception):
    """Raised by a replay before it changes anything: this call must be traced again (``reason``, if
    any, is worth a warning)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


REPLACED = ("an array of a tensor the step reads (a parameter) was replaced from outside the compiled "
            "function (p.data = ..., load_state_dict into new arrays); the step was traced again")


def _same(a: Any, b: Any) -> bool:
    """Structural equality of recorded values: tensors, arrays and functions by identity."""
    if a is b:
        return True
    if type(a) is not type(b) or isinstance(a, (Tensor, np.ndarray, np.random.Generator)):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return builtins.bool(a == b)
    except Exception:  # noqa: BLE001 - anything that cannot say it is equal is not
        return False


def output_template(trace: Trace, value: Any, used: set[int]) -> Any:
    """The step's result as slots and outflows (``used`` collects the outflows it returns)."""
    if isinstance(value, (Tensor, np.ndarray)):
        array = value.data if isinstance(value, Tensor) else value
        slot = trace.slot_of.get(id(array))
        if slot is None:
            raise Retrace(f"the step returns a {type(value).__name__} of shape {array.shape} that chainrule's "
                          "recorded operations did not compute (made with NumPy, argmax, a comparison, ...)")
        return ("tensor" if isinstance(value, Tensor) else "array", slot)
    for index, (_, outflow) in enumerate(trace.outflows):
        if outflow is value and not isinstance(value, builtins.bool):
            used.add(index)
            return ("outflow", index)
    if isinstance(value, (tuple, list)):
        return ("seq", type(value), tuple(output_template(trace, v, used) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, output_template(trace, v, used)) for k, v in value.items()))
    return ("v", value)


def check(first: Trace, second: Trace) -> tuple[str | None, list[tuple[str, Any]]]:
    """``(None, resolved unknowns)`` when the two traces agree, else ``(reason, [])``."""
    if len(first.steps) != len(second.steps) or len(first.unknowns) != len(second.unknowns):
        return "the step ran different operations on two calls (Python code branches on something)", []
    for a, b in zip(first.steps, second.steps, strict=True):
        if a[0] != b[0] or not _same_step(a, b):
            return (f"the step ran different operations on two calls (first difference: {_describe(a)} then "
                    f"{_describe(b)}); Python code branches on something", [])
    if not _same(first.output, second.output):
        return "the step returned results of a different structure on two calls", []
    resolved: list[tuple[str, Any]] = []
    for index, (u, v) in enumerate(zip(first.unknowns, second.unknowns, strict=True)):
        if u.array is v.array:
            resolved.append(("same", v.array))
            continue
        constant = u.value.shape == v.value.shape and u.value.dtype == v.value.dtype and (
            np.array_equal(u.value, v.value, equal_nan=u.value.dtype.kind in "fc"))
        small = v.value.ndim == 0 or (v.value.dtype.kind == "f" and v.value.size > 0
                                      and builtins.bool((v.value == v.value.flat[0]).all()))
        if constant and small:
            resolved.append(("constant", v.value))
            continue
        what = f"a {v.value.dtype} array of shape {v.value.shape} (input {index} of the recorded ops)"
        return (f"{what} was made inside the step from values chainrule's recorded operations did not compute "
                "(NumPy on .data, argmax, a comparison, a random draw outside an op, ...), so a replay would "
                "reuse a stale value; make it outside the step and pass it in, or use chainrule ops", [])
    for step in second.steps:
        read = step[1] if step[0] == "guard" else step[2] if step[0] == "outflow" else None
        if read is not None and read[0] == "u" and resolved[read[1]][0] == "constant":
            return (f"a value the step {'branches on' if step[0] == 'guard' else 'hands to Python'} was computed "
                    "outside chainrule's recorded operations (argmax, NumPy on .data, ...), so a replay could "
                    "not recompute it", [])
    return None, resolved


def _describe(step: tuple[Any, ...]) -> str:
    kind = step[0]
    if kind in ("op", "backward"):
        return f"{kind} {type(step[1]).__name__}"
    if kind == "call":
        return f"call {getattr(step[1], '__qualname__', step[1])}"
    return kind


def _same_step(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    kind = a[0]
    if kind in ("op", "backward"):
        return type(a[1]) is type(b[1]) and _same(a[2:], b[2:])
    if kind == "store":  # the leaf: a parameter (the same tensor) or one the step made (a new one)
        return _same(a[2:], b[2:])
    return _same(a[1:], b[1:])


class _Writer:
    """Names for the objects the generated code uses (``F0``, ``C3``, ...) and its lines."""

    def __init__(self) -> None:
        self.env: dict[str, Any] = {"W": Tensor._wrap, "ndarray": np.ndarray, "asarray": np.asarray,
                                    "FIT": _fit_to_input, "STORE": store_grad, "Retrace": Retrace,
                                    "REPLACED": REPLACED, "SOURCE": cr_random._source}
        self.lines: list[str] = []
        self._names: dict[tuple[str, int], str] = {}

    def name(self, prefix: str, obj: Any) -> str:
        key = (prefix, id(obj))
        if key not in self._names:
            self._names[key] = f"{prefix}{len(self.env)}"
            self.env[self._names[key]] = obj
        return self._names[key]

    def line(self, text: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + text)


def generate(trace: Trace, resolved: list[tuple[str, Any]]) -> Callable[..., Any]:
    """The replay of ``trace`` (see the module docstring), a function of the flattened arguments."""
    w = _Writer()

    def ref(r: tuple[str, int]) -> str:
        return f"s{r[1]}" if r[0] == "s" else w.name("C", resolved[r[1]][1])

    def option(value: tuple[str, Any]) -> str:
        kind, content = value
        if kind == "array":
            return ref(content)
        if kind == "tensor":
            return f"W({ref(content)})"
        if kind == "seq":
            items = "".join(option(v) + ", " for v in content[1])
            return f"[{items}]" if content[0] is list else f"({items})" if content[0] is tuple else \
                _rebuild(w, content[0], items)
        return w.name("V", content)

    arguments = ", ".join(f"a{i}" for i in range(trace.n_args))
    w.line(f"def replay({arguments}):", 0)
    for module in trace.modules:
        w.line(f"if {w.name('M', module)}.training is not {module.training!r}: raise Retrace()")
    for (how, _), unknown in zip(resolved, trace.unknowns, strict=True):
        if how == "same" and unknown.tensor is not None:
            tensor = w.name("E", unknown.tensor)
            w.line(f"if {tensor}.data is not {w.name('C', unknown.array)}: raise Retrace(REPLACED)")
            # Frozen or unfrozen since (requires_grad_): the graph, so the recorded backward, differs.
            w.line(f"if {tensor}.requires_grad is not {unknown.tensor.requires_grad!r}: raise Retrace()")
    for position, arg_kind in enumerate(trace.arg_kinds):  # the signature fixes each argument's kind
        if arg_kind is not None:
            w.line(f"s{position} = a{position}.data" if arg_kind == "tensor" else f"s{position} = a{position}")
    if trace.has_guards:
        w.line("rng = SOURCE.generator; rng_state = rng.bit_generator.state")
    outflow_index = 0
    for step in trace.steps:
        kind = step[0]
        if kind == "op":
            _, node, refs, opts, out, zero_d = step
            args = [ref(r) for r in refs] + [f"{name}={option(v)}" for name, v in opts]
            w.line(f"s{out} = {w.name('F', node.forward)}({', '.join(args)})")
            if zero_d:
                w.line(f"if type(s{out}) is not ndarray: s{out} = asarray(s{out})")
        elif kind == "call":
            _, function, args, out = step
            call = w.name("X", functools.partial(function, *args))
            w.line(f"s{out} = {call}().data" if out is not None else f"{call}()")
        elif kind == "handed":
            w.line("handed = set()")
        elif kind == "store":
            _, leaf, grad, out = step
            owner = trace.arg_ids.get(id(leaf))
            target = f"a{owner}" if owner is not None else w.name("P", leaf)
            w.line(f"STORE({target}, {ref(grad)}, handed); s{out} = {target}.grad.data")
        elif kind == "backward":
            _, ctx, grad, as_tuple, actions = step
            w.line(f"r = {w.name('B', ctx.backward)}({ref(grad)})")
            for index, raw, fit, cast, final, summed in actions:
                w.line(f"s{raw} = r[{index}]" if as_tuple else f"s{raw} = r")
                value = f"s{raw}"
                if fit is not None:
                    value = f"FIT({value}, {w.name('V', fit)}, {w.name('V', ctx.op_name)})"
                if cast is not None:
                    value = f"{value}.astype({w.name('V', cast)})"
                if final != raw:
                    w.line(f"s{final} = {value}")
                if summed is not None:
                    w.line(f"s{summed[1]} = {ref(summed[0])} + s{final}")
        elif kind == "outflow":
            _, method, r, args = step
            extra = "".join(", " + w.name("V", a) for a in args)
            w.line(f"o{outflow_index} = {w.name('O', method)}(W({ref(r)}){extra})")
            outflow_index += 1
        elif kind == "guard":
            _, r, value = step
            w.line(f"if builtins.bool({ref(r)}.reshape(())) is not {value!r}:")
            w.line("SOURCE.generator = rng; rng.bit_generator.state = rng_state; raise Retrace()", 2)
        elif kind == "compare":
            _, ufunc, r, other, out = step
            w.line(f"s{out} = asarray({w.name('U', ufunc)}({ref(r)}, {option(other)}))")
        elif kind == "inplace":
            _, ufunc, target, other = step
            t = ref(target)
            w.line(f"{w.name('U', ufunc)}({t}, {option(other)}, out={t}, casting='same_kind')")
    w.line(f"return {_result(w, trace.output)}")
    w.env["builtins"] = builtins
    source = "\n".join(w.lines)
    namespace = dict(w.env)
    exec(builtins.compile(source, "<chainrule.compile replay>", "exec"), namespace)  # noqa: S102 - our code
    replay: Callable[..., Any] = namespace["replay"]
    replay.source = source  # type: ignore[attr-defined]  # for whoever debugs a replay
    return replay


def _rebuild(w: _Writer, kind: type, items: str) -> str:
    """A sequence of another type than tuple or list (a named tuple takes its items one by one)."""
    return f"{w.name('T', kind)}(*({items}))" if hasattr(kind, "_fields") else f"{w.name('T', kind)}(({items}))"


def _result(w: _Writer, template: Any) -> str:
    kind = template[0]
    if kind == "tensor":
        return f"W(s{template[1]})"
    if kind == "array":
        return f"s{template[1]}"
    if kind == "outflow":
        return f"o{template[1]}"
    if kind == "seq":
        items = "".join(_result(w, t) + ", " for t in template[2])
        if template[1] is tuple:
            return f"({items})"
        if template[1] is list:
            return f"[{items}]"
        return _rebuild(w, template[1], items)
    if kind == "dict":
        return "{" + "".join(f"{w.name('V', k)}: {_result(w, t)}, " for k, t in template[1]) + "}"
    return w.name("V", template[1])
