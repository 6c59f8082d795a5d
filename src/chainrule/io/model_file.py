"""``cr.save`` / ``cr.load`` and ``cr.save_state_dict`` / ``cr.load_state_dict``: model files without pickle.

A chainrule model file is a safetensors file (see :mod:`chainrule.io.safetensors_format`): the weights
are its tensors, under their ``state_dict`` names (``"0.weight"``, so ``safetensors.torch.load_file``
reads them into the same PyTorch network), and its header metadata holds one JSON document::

    {"format": 1, "kind": "model", "version": "0.1.0", "checksum": "<sha256 of tensors and document>",
     "architecture": {"type": "Sequential", "children": [...]}, "dtype": "float32", "training": false,
     "metadata": {... what you passed to cr.save: feature names, class labels, scaling ...}}

Arrays inside ``metadata`` (and optimiser states, in checkpoints) are stored as extra tensors named
``metadata/0``, ``optimizer/3``, ... Loading reads data only: it never unpickles, evaluates or imports
anything named in the file. Writes are atomic. A damaged file is refused with a one-line
:class:`ModelFileError` naming it and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.autograd import Tensor
from chainrule.io import safetensors_format as fmt
from chainrule.io.architecture import ArchitectureError, build, describe, parameter_shapes
from chainrule.io.atomic import atomic_write_bytes
from chainrule.io.packing import PackingError, pack, unpack
from chainrule.io.safetensors_format import ModelFileError
from chainrule.io.schema import document_problem

FORMAT_VERSION = 1
METADATA_KEY = "chainrule"
# "auto": the safetensors package when it is installed, else chainrule's NumPy reader and writer.
BACKEND = "auto"


def _use_package() -> bool:
    if BACKEND == "numpy":
        return False
    try:
        import safetensors.numpy  # noqa: F401
    except ImportError:
        if BACKEND == "safetensors":
            raise
        return False
    return True


def tensor_checksum(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes (independent of their order in the file)."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.asarray(arrays[name], order="C")
        digest.update(f"{name}\0{fmt.dtype_name(array.dtype)}\0{array.shape}\0".encode())
        digest.update(array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
    return digest.hexdigest()


def file_checksum(arrays: Mapping[str, np.ndarray], document: Mapping[str, Any]) -> str:
    """SHA-256 over the tensors and the JSON document (minus this checksum), so that any changed byte
    of a chainrule file, in the weights or in the metadata, is detected when it is read."""
    content = {key: value for key, value in document.items() if key != "checksum"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(f"{tensor_checksum(arrays)}\n{canonical}".encode()).hexdigest()


def encode_file(arrays: Mapping[str, np.ndarray], info: Mapping[str, Any]) -> bytes:
    """The bytes of a chainrule file: ``arrays`` as tensors, ``info`` (+ checksum) as JSON metadata."""
    document = dict(info, format=FORMAT_VERSION)
    document["checksum"] = file_checksum(arrays, document)
    metadata = {METADATA_KEY: json.dumps(document, separators=(",", ":"), allow_nan=False)}
    if _use_package():
        import safetensors.numpy

        return bytes(safetensors.numpy.save(
            {name: np.asarray(array, order="C") for name, array in arrays.items()}, metadata=metadata))
    return fmt.encode(arrays, metadata)


def read_file(path: str | os.PathLike[str]) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """Read and check any safetensors file: (name -> array, chainrule document or None if foreign)."""
    return decode_file(fmt.read_bytes(path), os.fspath(path))


def read_document(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The chainrule document of a file from its header alone (tensors neither read nor checked): enough
    to tell what wrote a file, not to trust it. None for a safetensors file without one."""
    text = fmt.read_header(path).get(METADATA_KEY)
    if text is None:
        return None
    try:
        document = fmt.strict_json(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def decode_file(data: bytes, name: str = "<bytes>") -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """:func:`read_file` on bytes already read; ``name`` is used in error messages."""
    _, metadata, _ = fmt.parse_header(data, name)  # structure checked here, with clear messages
    if _use_package():
        import safetensors.numpy

        try:
            arrays = {key: np.array(value, copy=True) for key, value in safetensors.numpy.load(data).items()}
        except Exception as error:  # the package's own error types vary by version
            raise ModelFileError(f"{name}: is corrupted ({error})") from None
    else:
        arrays, _ = fmt.decode(data, name)
    text = metadata.get(METADATA_KEY)
    if text is None:
        return arrays, None
    try:
        document = fmt.strict_json(text)
    except ValueError as error:
        raise ModelFileError(f"{name}: is corrupted: its chainrule metadata is not valid JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("format"), int):
        raise ModelFileError(f"{name}: is corrupted: its chainrule metadata is not an object with a format")
    if document["format"] < 1:
        raise ModelFileError(f"{name}: is corrupted: its chainrule file format {document['format']} does not exist")
    if document["format"] > FORMAT_VERSION:
        raise ModelFileError(f"{name}: was written by a newer chainrule ({document.get('version')}, file format "
                             f"{document['format']}); upgrade chainrule to read it")
    problem = document_problem(document)
    if problem is not None:
        raise ModelFileError(f"{name}: is corrupted: {problem}")
    if document.get("checksum") != file_checksum(arrays, document):
        raise ModelFileError(f"{name}: is corrupted: its contents do not match its checksum "
                             "(bytes were changed after it was saved)")
    return arrays, document


def _weights(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The state_dict part of a file (packed extras have a '/' in their names, state_dict keys never do)."""
    return {name: array for name, array in arrays.items() if "/" not in name}


def _state_arrays(state: Mapping[str, Any], where: str) -> dict[str, np.ndarray]:
    arrays = {}
    for key, value in state.items():
        if not isinstance(key, str) or "/" in key:
            raise ValueError(f"{where}: state_dict keys must be strings without '/', got {key!r}")
        array = value.detach().cpu().numpy() if isinstance(value, Tensor) else np.asarray(value)  # host arrays
        arrays[key] = array
    return arrays


def save_state_dict(state_dict: Mapping[str, Any], path: str | os.PathLike[str],
                    metadata: Mapping[str, Any] | None = None) -> None:
    """Save a ``state_dict`` (name -> Tensor or array) to a safetensors file, atomically.

    >>> import chainrule as cr, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.safetensors")
    >>> cr.save_state_dict({"weight": cr.ones(2, 3)}, path)
    >>> cr.load_state_dict(path)["weight"].shape
    (2, 3)
    """
    arrays = _state_arrays(state_dict, "save_state_dict")
    extras: dict[str, np.ndarray] = {}
    info = {"kind": "state_dict", "version": _version(), "metadata": pack(dict(metadata or {}), extras, "metadata")}
    atomic_write_bytes(path, encode_file({**arrays, **extras}, info))


def load_state_dict(path: str | os.PathLike[str]) -> OrderedDict[str, Tensor]:
    """Load the tensors of a safetensors file (chainrule's or any other writer's) as name -> Tensor.

    For a chainrule model file or checkpoint this is the model's ``state_dict``, ready for
    ``model.load_state_dict(...)``.
    """
    arrays, document = read_file(path)
    if document is not None and document.get("kind") == "object":
        raise ModelFileError(f"{os.fspath(path)}: holds data saved with cr.save (dicts, lists, tensors), not "
                             "a state_dict; load it with cr.load")
    return tensors_of(arrays)


def tensors_of(arrays: Mapping[str, np.ndarray]) -> OrderedDict[str, Tensor]:
    """The state_dict part of a file's arrays as name -> Tensor, sorted by name."""
    return OrderedDict((name, Tensor._wrap(array)) for name, array in sorted(_weights(arrays).items()))


@dataclass
class SavedModel:
    """Everything a chainrule model file holds: the rebuilt model and what was saved with it."""

    model: Any
    metadata: dict[str, Any]
    version: str
    architecture: dict[str, Any]
    kind: str = "model"
    document: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, np.ndarray] = field(default_factory=dict)


def _version() -> str:
    import chainrule

    return str(chainrule.__version__)


def model_document(model: Any, arrays: Mapping[str, np.ndarray], metadata: Mapping[str, Any] | None,
                   extras: dict[str, np.ndarray], kind: str = "model") -> dict[str, Any]:
    """The JSON document describing ``model`` (architecture, dtype, mode, packed user metadata)."""
    floating = sorted({str(array.dtype) for array in arrays.values() if array.dtype.kind == "f"})
    if len(floating) > 1:
        raise ValueError(f"cr.save: the model mixes floating dtypes {floating}; convert it with .float() first")
    return {"kind": kind, "version": _version(), "architecture": describe(model),
            "dtype": floating[0] if floating else "float32", "training": bool(getattr(model, "training", True)),
            "metadata": pack(dict(metadata or {}), extras, "metadata")}


def save_model(model: Any, path: str | os.PathLike[str], metadata: Mapping[str, Any] | None = None) -> None:
    """Save a model built from chainrule's layers (architecture + weights + ``metadata``), atomically.

    ``metadata`` is any JSON-like data (dicts, lists, numbers, strings, arrays): feature names, class
    labels, the input scaling, training details. ``cr.load`` rebuilds the model; nothing is pickled.

    >>> import chainrule as cr, tempfile, os
    >>> model = cr.nn.Sequential(cr.nn.Linear(2, 4), cr.nn.ReLU(), cr.nn.Linear(4, 1))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> cr.save(model, path, metadata={"features": ["x1", "x2"]})
    >>> cr.load(path)[0].weight.shape
    (4, 2)
    """
    arrays = _state_arrays(model.state_dict(), "cr.save")
    extras: dict[str, np.ndarray] = {}
    try:
        document = model_document(model, arrays, metadata, extras)
    except (ArchitectureError, PackingError) as error:
        raise ValueError(f"cr.save: {error}") from None
    atomic_write_bytes(path, encode_file({**arrays, **extras}, document))


def check_parameters(name: str, arrays: Mapping[str, np.ndarray], architecture: Any) -> None:
    """Refuse, before building anything, an architecture whose parameters are not the file's weights
    (names and shapes): what a file claims is checked against what it holds before memory is allocated."""
    try:
        claimed = parameter_shapes(architecture)
    except ArchitectureError as error:
        raise ModelFileError(f"{name}: cannot rebuild its model: {error}") from None
    held = {key: tuple(array.shape) for key, array in _weights(arrays).items()}
    if claimed == held:
        return
    wrong = sorted(key for key in claimed.keys() & held.keys() if claimed[key] != held[key])
    problems = [f"{key} has shape {held[key]} but the architecture needs {claimed[key]}" for key in wrong[:2]]
    missing, extra = sorted(claimed.keys() - held.keys()), sorted(held.keys() - claimed.keys())
    if missing:
        problems.append(f"no weights for {', '.join(missing[:3])}" + (" ..." if len(missing) > 3 else ""))
    if extra:
        problems.append(f"weights {', '.join(extra[:3])} the architecture has no place for")
    total = sum(math.prod(shape) for shape in claimed.values())
    raise ModelFileError(f"{name}: is corrupted: its architecture claims {total} parameters that its weights "
                         f"do not hold ({'; '.join(problems)})")


def rebuild(name: str, arrays: Mapping[str, np.ndarray], document: Mapping[str, Any]) -> Any:
    """Build the model a document describes and load its weights (the shared rng is left untouched)."""
    from chainrule import random as chainrule_random

    if "architecture" not in document:
        if document.get("kind") == "object":
            raise ModelFileError(f"{name}: holds data saved with cr.save (dicts, lists, tensors), not a model; "
                                 "load it with cr.load")
        raise ModelFileError(f"{name}: holds only tensors (a state_dict), not a model; load it with "
                             "cr.load_state_dict and model.load_state_dict")
    check_parameters(name, arrays, document["architecture"])
    generator = chainrule_random.default_generator()
    state = generator.bit_generator.state
    try:
        model = build(document["architecture"])
    except ArchitectureError as error:
        raise ModelFileError(f"{name}: cannot rebuild its model: {error}") from None
    finally:
        # NOTE: building a layer draws its initial weights; put the stream back so that loading a model
        # never changes what the next random draw gives (resumed training depends on it).
        generator.bit_generator.state = state
    dtype = document.get("dtype", "float32")
    converters = {"float64": "double", "float32": "float", "float16": "half"}
    if dtype not in converters:
        raise ModelFileError(f"{name}: is corrupted: unknown dtype {dtype!r}")
    model = getattr(model, converters[dtype])()
    try:
        model.load_state_dict({key: Tensor._wrap(value) for key, value in _weights(arrays).items()})
    except (KeyError, RuntimeError, ValueError) as error:
        message = str(error).replace("\n", " ")
        raise ModelFileError(f"{name}: is corrupted: its weights do not fit its architecture ({message})") from None
    model.train(bool(document.get("training", False)))
    return model


def read_model(path: str | os.PathLike[str]) -> SavedModel:
    """Load a chainrule model file (or checkpoint): the model plus its metadata, version and architecture."""
    return model_from_bytes(fmt.read_bytes(path), os.fspath(path))


def model_from_bytes(data: bytes, name: str = "<bytes>") -> SavedModel:
    """:func:`read_model` on the bytes of a file; ``name`` is used in error messages."""
    arrays, document = decode_file(data, name)
    if document is None:
        raise ModelFileError(f"{name}: is a safetensors file without chainrule's metadata (weights only); "
                             "load it with cr.load_state_dict and model.load_state_dict")
    return saved_model(name, arrays, document)


def saved_model(name: str, arrays: Mapping[str, np.ndarray], document: Mapping[str, Any]) -> SavedModel:
    """The :class:`SavedModel` of a file already read and checked (``document`` is its chainrule metadata)."""
    model = rebuild(name, arrays, document)
    try:
        metadata = unpack(document.get("metadata", {}), arrays)
    except PackingError as error:
        raise ModelFileError(f"{name}: is corrupted: its metadata {error}") from None
    return SavedModel(model, metadata, str(document.get("version")), document["architecture"],
                      str(document.get("kind", "model")), dict(document), dict(arrays))
