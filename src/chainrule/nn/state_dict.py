"""Saving a module's numbers to a flat dict under PyTorch's keys, and loading them back in place.

The keys are the dotted paths PyTorch uses: a parameter ``weight`` of the child registered as ``"0"``
is ``"0.weight"``. Loading copies into the arrays the module already has (it never swaps them), so an
optimiser that holds the parameters keeps working on the loaded values.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import backend
from chainrule.autograd.tensor import Tensor

if TYPE_CHECKING:
    from chainrule.nn.module import Module


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: keys the module has but the dict lacked, and the reverse."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _entries(module: Module, prefix: str, out: dict[str, Tensor]) -> dict[str, Tensor]:
    """Every parameter and persistent buffer under its key: a module's own first, then its children's."""
    for name, param in module._parameters.items():
        if param is not None:
            out[prefix + name] = param
    for name, buffer in module._buffers.items():
        if buffer is not None and name not in module._non_persistent_buffers_set:
            out[prefix + name] = buffer
    for name, child in module._modules.items():
        if child is not None:
            _entries(child, prefix + name + ".", out)
    return out


def save_from(module: Module, destination: Any, prefix: str, keep_vars: bool) -> OrderedDict[str, Tensor]:
    """The body of ``Module.state_dict`` (detached tensors sharing the parameters' arrays)."""
    result: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination
    for key, tensor in _entries(module, prefix, {}).items():
        result[key] = tensor if keep_vars else tensor.detach()
    return result


def _as_array(key: str, value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.data
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"load_state_dict: the value for key {key!r} is a {type(value).__name__}, expected a "
                        "chainrule Tensor or a NumPy array of numbers")
    return array


def _prefix_hint(missing: list[str], unexpected: list[str]) -> str:
    """When every unexpected key is a missing key with something in front, say what that is."""
    for key in unexpected:
        for wanted in missing:
            if key.endswith("." + wanted):
                extra = key[: -len(wanted)]
                return (f" (the checkpoint's keys seem to start with {extra!r}, e.g. {key!r} for {wanted!r}; "
                        f"strip that prefix from its keys before loading)")
    return ""


def load_into(module: Module, state_dict: Any, strict: bool) -> IncompatibleKeys:
    """The body of ``Module.load_state_dict`` (checks everything first, then copies in place)."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"load_state_dict: expected a dict-like state_dict (name -> tensor), got "
                        f"{type(state_dict).__name__}")
    own = _entries(module, "", {})
    missing = [key for key in own if key not in state_dict]
    unexpected = [key for key in state_dict if key not in own]
    errors: list[str] = []
    if strict and missing:
        errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
    if strict and unexpected:
        errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
    if strict and missing and unexpected:
        errors[-1] += _prefix_hint(missing, unexpected)
    copies: list[tuple[Tensor, np.ndarray]] = []
    for key, target in own.items():
        if key not in state_dict:
            continue
        array = _as_array(key, state_dict[key])
        if array.shape != target.data.shape:
            errors.append(f"size mismatch for {key}: copying a param with shape {array.shape} from "
                          f"checkpoint, the shape in current model is {target.data.shape}.")
            continue
        copies.append((target, array))
    if errors:
        raise RuntimeError(f"Error(s) in loading state_dict for {type(module).__name__}:\n\t"
                           + "\n\t".join(errors))
    for target, array in copies:
        if array is not target.data:
            # In place, into the array the parameter already has: optimisers keep pointing at it.
            # (from any device: a checkpoint's host arrays go onto the module's device)
            target.data[...] = backend.to_device(array, target.device).astype(target.data.dtype, copy=False)
    return IncompatibleKeys(missing, unexpected)
