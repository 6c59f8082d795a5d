"""A network's architecture as plain JSON data, and back, through an explicit registry.

``cr.save`` describes a model as nested data: ``{"type": "Sequential", "children": [{"type": "Linear",
"args": {"in_features": 2, "out_features": 8, "bias": true}}, {"type": "ReLU", "args": {}}]}``.
Loading looks each ``type`` up in :data:`REGISTRY` (a fixed table of chainrule's own layers and the
constructor arguments each one accepts) and calls that constructor with those arguments only. A name
that is not in the table is refused: nothing from the file is ever imported, evaluated or unpickled.

A model made of other modules (your own ``Module`` subclass) has no such description: save its
``state_dict`` with ``cr.save(model.state_dict(), path)`` and rebuild it in code, as in PyTorch.
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule import nn
from chainrule.nn.registry import ACTIVATIONS


@dataclass(frozen=True)
class LayerEntry:
    """How to describe and rebuild one layer type.

    ``arguments`` are the constructor's argument names; each is read back from the module's attribute
    of the same name (as PyTorch stores them), except where ``readers`` says otherwise.
    """

    arguments: tuple[str, ...] = ()
    readers: tuple[tuple[str, Callable[[Any], Any]], ...] = ()
    # The shapes of the parameters the layer will allocate, from its checked arguments (none by default).
    parameters: Callable[[dict[str, Any]], dict[str, tuple[int, ...]]] | None = None


def _has_bias(module: Any) -> bool:
    return getattr(module, "bias", None) is not None


def _constructor_arguments(layer: type) -> tuple[str, ...]:
    """The named arguments of ``layer``'s constructor (``*args``/``**kwargs`` take nothing to store)."""
    parameters = inspect.signature(layer).parameters.values()
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(parameter.name for parameter in parameters if parameter.kind in named)


def _linear_parameters(args: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    shapes = {"weight": (args["out_features"], args["in_features"])}
    return shapes | ({"bias": (args["out_features"],)} if args.get("bias", True) else {})


def _whole(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: type(value) is int and low <= value <= high


def _real(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


MAX_DIMS = 64  # NumPy arrays have at most 64 dimensions, so a dim outside [-64, 63] is always wrong
MAX_LAYERS = 100_000
# Every constructor argument a file may give, by name: its check and what is allowed, in words. Checked
# when loading, so that a layer never fails later, at its first prediction (an out-of-range dim).
ARGUMENTS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "in_features": (_whole(0, 2**63 - 1), "a whole number from 0 to 2**63 - 1"),
    "out_features": (_whole(0, 2**63 - 1), "a whole number from 0 to 2**63 - 1"),
    "bias": (lambda value: type(value) is bool, "true or false"),
    "inplace": (lambda value: type(value) is bool, "true or false"),
    "start_dim": (_whole(-MAX_DIMS, MAX_DIMS - 1), f"a whole number from -{MAX_DIMS} to {MAX_DIMS - 1}"),
    "end_dim": (_whole(-MAX_DIMS, MAX_DIMS - 1), f"a whole number from -{MAX_DIMS} to {MAX_DIMS - 1}"),
    "dim": (lambda value: value is None or _whole(-MAX_DIMS, MAX_DIMS - 1)(value),
            f"null or a whole number from -{MAX_DIMS} to {MAX_DIMS - 1}"),
    "p": (lambda value: _real(value) and 0 <= value <= 1, "a number from 0 to 1"),
    "approximate": (lambda value: value in ("none", "tanh"), "'none' or 'tanh'"),
    **{name: (_real, "a finite number") for name in ("negative_slope", "alpha", "beta", "threshold")},
}


# type name (the class name in chainrule.nn) -> entry: the layers with weights or a shape to keep, then
# every activation of chainrule.nn.registry. Sequential is handled by its children.
REGISTRY: dict[str, LayerEntry] = {
    "Linear": LayerEntry(("in_features", "out_features", "bias"), (("bias", _has_bias),), _linear_parameters),
    "Flatten": LayerEntry(("start_dim", "end_dim")),
    "Dropout": LayerEntry(("p", "inplace")),
    **{entry.module.__name__: LayerEntry(_constructor_arguments(entry.module)) for entry in ACTIVATIONS.entries},
}
CONTAINER = "Sequential"


class ArchitectureError(ValueError):
    """A model that cannot be described, or a description that cannot be rebuilt."""


def _plain(value: Any, where: str) -> Any:
    """A constructor argument as JSON data (bool, int, float, str, None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ArchitectureError(f"{where} = {value} cannot be stored as JSON")
        return value
    raise ArchitectureError(f"{where} = {value!r} is not a plain number or string")


def describe(module: Any) -> dict[str, Any]:
    """The JSON description of a model built from chainrule's layers and ``nn.Sequential``.

    >>> import chainrule as cr
    >>> describe(cr.nn.Sequential(cr.nn.Linear(2, 3), cr.nn.Tanh()))["children"][1]
    {'type': 'Tanh', 'args': {}}
    """
    name = type(module).__name__
    if name == CONTAINER and type(module) is getattr(nn, CONTAINER, None):
        names = [name for name, _ in module.named_children()]
        description: dict[str, Any] = {"type": CONTAINER, "children": [describe(child) for child in module.children()]}
        if names != [str(index) for index in range(len(names))]:
            description["names"] = names  # Sequential(OrderedDict(...)): keep the state_dict keys
        return description
    entry = REGISTRY.get(name)
    if entry is None or type(module) is not getattr(nn, name, None):
        valid = ", ".join([CONTAINER, *REGISTRY])
        raise ArchitectureError(
            f"cr.save can describe models built from chainrule.nn layers ({valid}); {name} is not one of "
            "them. Save its weights with cr.save(model.state_dict(), path) and rebuild the model in code "
            "before model.load_state_dict(cr.load(path))")
    readers = dict(entry.readers)
    args = {}
    for argument in entry.arguments:
        if argument in readers:
            args[argument] = _plain(readers[argument](module), f"{name}.{argument}")
        elif hasattr(module, argument):
            args[argument] = _plain(getattr(module, argument), f"{name}.{argument}")
    return {"type": name, "args": args}


def checked_arguments(description: dict[str, Any], entry: LayerEntry, where: str) -> dict[str, Any]:
    """A layer's arguments, each of the type and in the range :data:`ARGUMENTS` allows."""
    name, args = description["type"], description.get("args", {})
    if not isinstance(args, dict) or any(key not in entry.arguments for key in args):
        raise ArchitectureError(f"{where}: {name} takes only the arguments {list(entry.arguments)}, got {args!r:.120}")
    for key, value in args.items():
        check, allowed = ARGUMENTS[key]
        if not check(value):
            raise ArchitectureError(f"{where}: {name}.{key} = {value!r:.40} is not allowed; it must be {allowed}")
    return args


def parameter_shapes(description: Any, where: str = "model", prefix: str = "") -> dict[str, tuple[int, ...]]:
    """The ``state_dict`` names and shapes the model a description claims would allocate, computed from
    the description alone, so that a file can be checked against the weights it holds before anything
    is built (a few bytes claiming ``Linear(10**9, 10**9)`` must not allocate gigabytes)."""
    shapes: dict[str, tuple[int, ...]] = {}
    stack, count = [(description, where, prefix)], 0
    while stack:
        item, place, names = stack.pop()
        count += 1
        if count > MAX_LAYERS:
            raise ArchitectureError(f"{where}: describes more than {MAX_LAYERS} layers")
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise ArchitectureError(f"{place}: expected an object with a 'type', got {item!r:.80}")
        if item["type"] == CONTAINER:
            children = item.get("children")
            if not isinstance(children, list):
                raise ArchitectureError(f"{place}: Sequential needs a list of children")
            keys = item.get("names")
            keys = keys if isinstance(keys, list) and len(keys) == len(children) else range(len(children))
            stack.extend((child, f"{place}[{index}]", f"{names}{key}.")
                         for index, (key, child) in enumerate(zip(keys, children, strict=True)))
            continue
        entry = REGISTRY.get(item["type"])
        if entry is None:
            raise ArchitectureError(f"{place}: unknown layer type {item['type']!r}")
        args = checked_arguments(item, entry, place)
        if entry.parameters is not None:
            try:
                shapes.update({names + key: shape for key, shape in entry.parameters(args).items()})
            except KeyError as missing:
                raise ArchitectureError(f"{place}: {item['type']} needs the argument {missing}") from None
    return shapes


def build(description: Any, where: str = "model") -> Any:
    """Rebuild a model from :func:`describe`'s data (registry lookups only; nothing is imported)."""
    if not isinstance(description, dict) or not isinstance(description.get("type"), str):
        raise ArchitectureError(f"{where}: expected an object with a 'type', got {description!r:.80}")
    name = description["type"]
    if name == CONTAINER:
        children = description.get("children")
        names = description.get("names")
        if not isinstance(children, list):
            raise ArchitectureError(f"{where}: Sequential needs a list of children")
        layers = [build(child, f"{where}[{index}]") for index, child in enumerate(children)]
        if names is None:
            return nn.Sequential(*layers)
        if (not isinstance(names, list) or len(names) != len(layers) or len(set(names)) != len(names)
                or not all(isinstance(name, str) and name and "." not in name for name in names)):
            raise ArchitectureError(f"{where}: Sequential's child names {names!r:.80} are malformed")
        return nn.Sequential(OrderedDict(zip(names, layers, strict=True)))
    entry = REGISTRY.get(name)
    constructor = getattr(nn, name, None) if entry is not None else None
    if entry is None or constructor is None:
        valid = ", ".join([CONTAINER, *REGISTRY])
        raise ArchitectureError(f"{where}: unknown layer type {name!r}; this chainrule can build {valid}")
    args = checked_arguments(description, entry, where)
    try:
        return constructor(**args)
    except (TypeError, ValueError) as error:
        raise ArchitectureError(f"{where}: cannot build {name}({args}): {error}") from None
