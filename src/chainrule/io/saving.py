"""``cr.save(obj, path)`` / ``cr.load(path)``: what ``torch.save`` / ``torch.load`` do, without pickle.

``torch.save`` pickles whatever it is given; the three things people give it are all stored here as
safetensors files with JSON metadata, and ``cr.load`` gives back the same kind of thing:

=====================================================  ==========================================
``cr.save(...)``                                       ``cr.load(path)`` returns
=====================================================  ==========================================
``model`` (built from chainrule.nn's layers)           the model, rebuilt (architecture + weights)
``model.state_dict()`` (names -> tensors or arrays)    an ``OrderedDict`` of name -> Tensor, ready
                                                       for ``model.load_state_dict(...)``
``{"epoch": 3, "model": model.state_dict(),            the same dict (nested dicts, lists, tuples,
"optimizer": optimizer.state_dict()}``                 numbers, strings, tensors and arrays)
=====================================================  ==========================================

A safetensors file from another program (``safetensors.torch.save_file``) loads as its tensors. Objects
of other types (a custom ``Module``, an optimiser itself) are refused when saving, with what to save
instead; loading never unpickles, imports or runs anything named in the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.autograd import Tensor
from chainrule.io import safetensors_format as fmt
from chainrule.io.atomic import atomic_write_bytes
from chainrule.io.model_file import (
    _version,
    decode_file,
    encode_file,
    save_model,
    save_state_dict,
    saved_model,
    tensors_of,
)
from chainrule.io.packing import PackingError, pack, unpack
from chainrule.io.safetensors_format import ModelFileError


def _is_state_dict(obj: Any) -> bool:
    """A non-empty mapping of plain names (no '/') to tensors or arrays: what ``state_dict()`` returns
    (a PyTorch state_dict too: its tensors convert with ``np.asarray``)."""
    return (isinstance(obj, Mapping) and len(obj) > 0
            and all(isinstance(key, str) and key and "/" not in key for key in obj)
            and all(isinstance(value, (Tensor, np.ndarray)) or hasattr(value, "__array__") for value in obj.values()))


def save(obj: Any, path: str | os.PathLike[str], metadata: Mapping[str, Any] | None = None) -> None:
    """Save a model, a ``state_dict`` or plain data holding tensors to ``path``, atomically (no pickle).

    ``metadata`` (any JSON-like data, arrays allowed) is stored alongside; :func:`read_model` returns it
    for models. The file is written to a temporary name and renamed, so a crash leaves the old file.

    >>> import chainrule as cr, tempfile, os
    >>> model = cr.nn.Sequential(cr.nn.Linear(2, 4), cr.nn.ReLU(), cr.nn.Linear(4, 1))
    >>> folder = tempfile.mkdtemp()
    >>> cr.save(model, os.path.join(folder, "model.safetensors"))
    >>> cr.load(os.path.join(folder, "model.safetensors"))[0].weight.shape
    (4, 2)
    >>> cr.save(model.state_dict(), os.path.join(folder, "weights.safetensors"))   # PyTorch's idiom
    >>> model.load_state_dict(cr.load(os.path.join(folder, "weights.safetensors")))
    <All keys matched successfully>
    """
    from chainrule import nn

    if isinstance(obj, nn.Module):
        save_model(obj, path, metadata)
        return
    if _is_state_dict(obj):
        save_state_dict(obj, path, metadata)
        return
    if hasattr(obj, "state_dict"):  # an optimiser or a scheduler: its state is the data to keep
        raise TypeError(f"cr.save: cannot store the {type(obj).__name__} object itself; save its state with "
                        f"cr.save(obj.state_dict(), path) and restore it with obj.load_state_dict(cr.load(path))")
    extras: dict[str, np.ndarray] = {}
    try:
        info = {"kind": "object", "version": _version(), "object": pack(obj, extras, "object"),
                "metadata": pack(dict(metadata or {}), extras, "metadata")}
    except PackingError as error:
        raise TypeError(f"cr.save: {error}. Models are saved with cr.save(model, path) and custom modules "
                        "with cr.save(model.state_dict(), path)") from None
    atomic_write_bytes(path, encode_file(extras, info))


def load(path: str | os.PathLike[str], map_location: Any = None, weights_only: bool | None = None) -> Any:
    """Load what :func:`save` stored: a model, a ``state_dict`` (``OrderedDict`` of name -> Tensor) or data.

    ``map_location`` and ``weights_only`` are accepted for code written for ``torch.load`` and have
    nothing to do here: chainrule runs on the CPU, and its files hold only data (never pickles), which
    is what ``weights_only=True`` asks for. Damaged, foreign or pickled files raise
    :class:`ModelFileError`, one line naming the file and what is wrong with it.
    """
    name = os.fspath(path)
    arrays, document = decode_file(fmt.read_bytes(path), name)
    if document is None or document.get("kind") == "state_dict":
        return tensors_of(arrays)  # weights only, e.g. from safetensors.torch.save_file
    if document.get("kind") == "object":
        try:
            return unpack(document.get("object"), arrays)
        except PackingError as error:
            raise ModelFileError(f"{name}: is corrupted: {error}") from None
    if not isinstance(document.get("kind"), str):
        raise ModelFileError(f"{name}: is corrupted: its chainrule metadata has no kind")
    return saved_model(name, arrays, document).model
