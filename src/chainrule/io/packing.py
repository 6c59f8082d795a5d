"""Plain data with arrays in it (optimiser states, metadata) <-> JSON text plus named arrays.

An optimiser's ``state_dict`` is nested dicts and lists holding numbers, tuples (``betas``), integer
keys (``state[0]``) and tensors (``exp_avg``). JSON has none of tuples, integer keys or arrays, so
:func:`pack` writes them as small tagged objects and moves every array out into a dict of named arrays
(stored as safetensors tensors); :func:`unpack` turns them back. Only these fixed types are ever built
when unpacking (no class names are read from the file), so a file cannot make chainrule run anything.

>>> import numpy as np
>>> arrays = {}
>>> packed = pack({"state": {0: {"step": 3, "momentum": np.zeros(2)}}, "betas": (0.9, 0.999)}, arrays, "opt")
>>> sorted(arrays)
['opt/0']
>>> unpack(packed, arrays)["betas"]
(0.9, 0.999)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.autograd import Tensor

_TAGS = ("__tensor__", "__array__", "__scalar__", "__tuple__", "__items__", "__float__")


class PackingError(ValueError):
    """Raised for a value that cannot be stored, or a packed value that is malformed."""


def pack(value: Any, arrays: dict[str, np.ndarray], prefix: str) -> Any:
    """JSON-able form of ``value``; its arrays and tensors are added to ``arrays`` as ``prefix/<n>``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, Tensor):
        return {"__tensor__": _store(value.detach().cpu().numpy(), arrays, prefix)}  # files hold host arrays
    if isinstance(value, np.ndarray):
        return {"__array__": _store(value, arrays, prefix)}
    if isinstance(value, np.generic):
        return {"__scalar__": _store(np.asarray(value), arrays, prefix)}
    if isinstance(value, tuple):
        return {"__tuple__": [pack(item, arrays, prefix) for item in value]}
    if isinstance(value, list):
        return [pack(item, arrays, prefix) for item in value]
    if isinstance(value, Mapping):
        if all(isinstance(key, str) and key not in _TAGS for key in value):
            return {key: pack(item, arrays, prefix) for key, item in value.items()}
        return {"__items__": [[pack(key, arrays, prefix), pack(item, arrays, prefix)]
                              for key, item in value.items()]}
    shown = " ".join(repr(value).split())[:60]  # one line, however the object prints itself
    raise PackingError(f"cannot store a value of type {type(value).__name__} ({shown}) in a chainrule "
                       "file; allowed: None, bool, int, float, str, list, tuple, dict, NumPy arrays, Tensors")


def _store(array: np.ndarray, arrays: dict[str, np.ndarray], prefix: str) -> str:
    name = f"{prefix}/{len([key for key in arrays if key.startswith(prefix + '/')])}"
    arrays[name] = np.array(array, copy=True)
    return name


def unpack(value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """Undo :func:`pack`; raises :class:`PackingError` for anything malformed."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [unpack(item, arrays) for item in value]
    if not isinstance(value, dict):
        raise PackingError(f"unexpected value {value!r:.60}")
    if len(value) == 1:
        tag, content = next(iter(value.items()))
        if tag in ("__tensor__", "__array__", "__scalar__"):
            if not isinstance(content, str) or content not in arrays:
                raise PackingError(f"refers to a missing tensor {content!r}")
            array = arrays[content]
            if tag == "__tensor__":
                return Tensor._wrap(np.array(array, copy=True))
            return np.array(array, copy=True) if tag == "__array__" else array[()]
        if tag == "__tuple__" and isinstance(content, list):
            return tuple(unpack(item, arrays) for item in content)
        if tag == "__float__" and content in ("nan", "inf", "-inf"):
            return float(content)
        if tag == "__items__" and isinstance(content, list):
            if not all(isinstance(pair, list) and len(pair) == 2 for pair in content):
                raise PackingError("malformed __items__ entry")
            result = {}
            for key, item in content:
                key = unpack(key, arrays)
                if isinstance(key, (list, dict)):
                    raise PackingError(f"a dict key cannot be {type(key).__name__}")
                result[key] = unpack(item, arrays)
            return result
        if tag in _TAGS:
            raise PackingError(f"malformed {tag} entry")
    return {key: unpack(item, arrays) for key, item in value.items()}
