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


def _has_bias(module: Any) -> bool:
    return getattr(module, "bias", None) is not None


def _constructor_arguments(layer: type) -> tuple[str, ...]:
    """The named arguments of ``layer``'s constructor (``*args``/``**kwargs`` take nothing to store)."""
    parameters = inspect.signature(layer).parameters.values()
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(parameter.name for parameter in parameters if parameter.kind in named)


# type name (the class name in chainrule.nn) -> entry: the layers with weights or a shape to keep, then
# every activation of chainrule.nn.registry. Sequential is handled by its children.
REGISTRY: dict[str, LayerEntry] = {
    "Linear": LayerEntry(("in_features", "out_features", "bias"), (("bias", _has_bias),)),
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
    args = description.get("args", {})
    if not isinstance(args, dict) or any(key not in entry.arguments for key in args):
        raise ArchitectureError(f"{where}: {name} takes only the arguments {list(entry.arguments)}, got {args!r}")
    for key, value in args.items():
        _plain(value, f"{where}: {name}.{key}")
    try:
        return constructor(**args)
    except (TypeError, ValueError) as error:
        raise ArchitectureError(f"{where}: cannot build {name}({args}): {error}") from None
