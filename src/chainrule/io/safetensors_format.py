"""The safetensors file format, read and written with NumPy alone.

A safetensors file is three parts, nothing else::

    8 bytes       N, the header length, an unsigned little-endian 64-bit integer
    N bytes       a JSON object (UTF-8, padded with spaces to a multiple of 8 bytes):
                    {"__metadata__": {str: str, ...},
                     "<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
    the rest      every tensor's raw little-endian bytes, back to back; offsets count from here

There is no code in it, only numbers and text, so reading one can never run anything (a pickle, which
``torch.save`` writes, can). The ``safetensors`` package reads and writes the same bytes; chainrule uses
it when it is installed and this module otherwise, and the tests check that both give identical files.

Every problem is reported as a :class:`ModelFileError` naming the file and what is wrong with it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.io.files import MODEL_FILE_LIMIT, FileRefused, read_regular_file

# safetensors dtype names <-> NumPy dtypes (little-endian). bfloat16 and the float8 types have no
# NumPy dtype, so files holding them are refused with a message naming the dtype.
DTYPE_NAMES: dict[str, np.dtype] = {
    "BOOL": np.dtype("bool"), "U8": np.dtype("<u1"), "I8": np.dtype("<i1"), "I16": np.dtype("<i2"),
    "U16": np.dtype("<u2"), "F16": np.dtype("<f2"), "I32": np.dtype("<i4"), "U32": np.dtype("<u4"),
    "F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8"), "U64": np.dtype("<u8"),
}
_NAME_OF_KIND: dict[tuple[str, int], str] = {(dt.kind, dt.itemsize): name for name, dt in DTYPE_NAMES.items()}
# NOTE: the safetensors package lays tensors out by dtype (this enum order, largest first), then by
# name; the NumPy writer uses the same order so that both write byte-identical files.
_DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32",
                "F64", "I64", "U64"]
_RANK = {name: rank for rank, name in enumerate(_DTYPE_ORDER)}

MAX_HEADER_BYTES = 100_000_000  # the safetensors package's own limit
PICKLE_HINT = ("chainrule never unpickles files, because unpickling can run any code; "
               "re-save the weights with safetensors (e.g. safetensors.torch.save_file) or cr.save")


MAX_JSON_DEPTH = 64  # lists and objects inside each other; chainrule's own files need fewer than 20
INT64_MAX = 2**63 - 1


class ModelFileError(ValueError):
    """A file that is not a valid chainrule / safetensors file (truncated, corrupted, foreign, pickled).

    The message is one line naming the file and what is wrong with it.
    """


def dtype_name(dtype: np.dtype) -> str:
    """The safetensors name of a NumPy dtype (``float32`` -> ``"F32"``)."""
    name = _NAME_OF_KIND.get((dtype.kind, dtype.itemsize))
    if name is None:
        valid = ", ".join(str(dt) for dt in DTYPE_NAMES.values())
        raise TypeError(f"cannot store an array of dtype {dtype} in a safetensors file; valid dtypes: {valid}")
    return name


def encode(tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None) -> bytes:
    """Serialise named arrays (and string metadata) to safetensors bytes, with NumPy only.

    >>> data = encode({"weight": np.ones((2, 3), np.float32)}, {"format": "np"})
    >>> decode(data)[0]["weight"].shape
    (2, 3)
    """
    arrays = {}
    for name, array in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be strings, got {name!r}")
        array = np.asarray(array)
        little = array.dtype.newbyteorder("<") if array.dtype.itemsize > 1 else array.dtype
        # NOTE: not np.ascontiguousarray, which turns a 0-d array (a scalar tensor) into shape (1,).
        arrays[name] = np.asarray(array, dtype=little, order="C")
    order = sorted(arrays, key=lambda name: (-_RANK[dtype_name(arrays[name].dtype)], name))
    header: dict[str, Any] = {}
    if metadata:
        for key, value in metadata.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(f"safetensors metadata maps str to str, got {key!r}: {type(value).__name__}")
        header["__metadata__"] = dict(metadata)
    offset = 0
    for name in order:
        array = arrays[name]
        header[name] = {"dtype": dtype_name(array.dtype), "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    # NOTE: compact separators and unescaped UTF-8, as serde_json writes them in the safetensors package.
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return b"".join([len(text).to_bytes(8, "little"), text, *(arrays[name].tobytes() for name in order)])


def describe_foreign(data: bytes) -> str | None:
    """Say what a file is when it is plainly not safetensors (pickle, zip, image, text), else None.

    Only consulted once a file has failed to parse as safetensors, so a loose guess costs nothing.
    """
    if data[:1] == b"\x80" and data[1:2] in (b"\x01", b"\x02", b"\x03", b"\x04", b"\x05"):
        return f"is a Python pickle (protocol {data[1]}), not a safetensors file; {PICKLE_HINT}"
    if data[:4] == b"PK\x03\x04":
        return ("is a zip archive (torch.save writes a pickle inside one), not a safetensors file; "
                + PICKLE_HINT)
    signatures = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"%PDF": "a PDF document",
                  b"GIF8": "a GIF image", b"\x93NUMPY": "a NumPy .npy file", b"\x1f\x8b": "a gzip archive",
                  b"\x89HDF": "an HDF5 file"}
    for signature, kind in signatures.items():
        if data.startswith(signature):
            return f"is {kind}, not a chainrule model file"
    # Protocol 0 pickles are ASCII opcodes (MARK "(", GLOBAL "c", ...) ending in STOP ".".
    if data[:1] in (b"(", b"c", b"]", b"}", b"I", b"S", b"V") and data.rstrip(b"\n")[-1:] == b".":
        return f"looks like a Python pickle (protocol 0), not a safetensors file; {PICKLE_HINT}"
    head = data[:512]
    if all(32 <= byte < 127 or byte in (9, 10, 13) for byte in head):
        first_line = head.split(b"\n", 1)[0][:40].decode("ascii")
        return f"is a text file (it starts with {first_line!r}), not a chainrule model file"
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (0 for a number or string), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def strict_json(text: str) -> Any:
    """``json.loads`` as the JSON standard has it: ``NaN`` and ``Infinity`` are refused (Python accepts
    them), and so is nesting deeper than :data:`MAX_JSON_DEPTH`. Raises ``ValueError`` saying which."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError(f"its JSON nests more than {MAX_JSON_DEPTH} levels deep") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"its JSON nests more than {MAX_JSON_DEPTH} levels deep")
    return value


class _Malformed(Exception):
    """Internal: the structural problem found, before a better description of the file is sought."""


def parse_header(data: bytes, path: str) -> tuple[dict[str, Any], dict[str, str], int]:
    """Check a file's structure; return (tensor entries, metadata, start of the data section).

    Raises :class:`ModelFileError` for anything that is not a complete, consistent safetensors file.
    """
    if len(data) == 0:
        raise ModelFileError(f"{path}: the file is empty (0 bytes); it was never written or was cut short")
    try:
        return _parse_structure(data)
    except _Malformed as problem:
        raise ModelFileError(f"{path}: {describe_foreign(data) or problem}") from None


def _parse_structure(data: bytes) -> tuple[dict[str, Any], dict[str, str], int]:
    if len(data) < 8:
        raise _Malformed(f"is truncated: only {len(data)} bytes, fewer than the 8 of a safetensors header length")
    length = int.from_bytes(data[:8], "little")
    if length > MAX_HEADER_BYTES:
        raise _Malformed(f"is not a safetensors file (its first 8 bytes give a header of {length} bytes)")
    if 8 + length > len(data):
        raise _Malformed(f"is truncated: the header needs {length} bytes but only {len(data) - 8} follow")
    raw = data[8:8 + length]
    if raw[:1] != b"{":
        raise _Malformed("is not a safetensors file (its header is not a JSON object)")
    try:
        header = strict_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise _Malformed(f"is corrupted: its header is not valid JSON ({error})") from None
    if not isinstance(header, dict):
        raise _Malformed("is corrupted: its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _Malformed("is corrupted: its __metadata__ is not a map of strings")
    start = 8 + length
    spans = []
    for name, entry in header.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("shape"), list)
                and isinstance(entry.get("data_offsets"), list) and len(entry["data_offsets"]) == 2
                and all(type(n) is int and 0 <= n <= INT64_MAX for n in entry["shape"] + entry["data_offsets"])):
            raise _Malformed(f"is corrupted: the entry for tensor {name!r} is malformed ({entry!r})")
        dtype = DTYPE_NAMES.get(entry.get("dtype"))  # type: ignore[arg-type]
        if dtype is None:
            raise _Malformed(f"holds tensor {name!r} of dtype {entry.get('dtype')!r}, which NumPy cannot "
                             f"represent; valid dtypes: {', '.join(DTYPE_NAMES)}")
        begin, end = entry["data_offsets"]
        expected = math.prod(entry["shape"]) * dtype.itemsize  # exact: Python integers do not overflow
        if end - begin != expected:
            raise _Malformed(f"is corrupted: tensor {name!r} of shape {tuple(entry['shape'])} needs {expected} "
                             f"bytes but its offsets span {end - begin}")
        spans.append((begin, end, name))
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            raise _Malformed(f"is corrupted: tensor {name!r} starts at byte {begin}, expected {position}")
        position = end
    if start + position > len(data):
        raise _Malformed(f"is truncated: its tensors need {position} bytes of data but only "
                         f"{len(data) - start} are present (the file was cut short; save it again)")
    if start + position < len(data):
        raise _Malformed(f"is corrupted: {len(data) - start - position} unexpected bytes follow the tensor data")
    return header, metadata, start


def decode(data: bytes, path: str = "<bytes>") -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read safetensors bytes into (name -> writable NumPy array, metadata), with NumPy only."""
    header, metadata, start = parse_header(data, path)
    arrays: dict[str, np.ndarray] = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = DTYPE_NAMES[entry["dtype"]]
        flat = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=start + begin)
        # NOTE: copy, so that the arrays own writable memory (frombuffer views are read-only) and come
        # back in native byte order.
        arrays[name] = flat.astype(dtype.newbyteorder("="), copy=True).reshape(entry["shape"])
    return arrays, metadata


def data_checksum(data: bytes, start: int) -> str:
    """SHA-256 of a file's tensor bytes (everything after the header), to detect flipped bits."""
    return hashlib.sha256(memoryview(data)[start:]).hexdigest()


def read_bytes(path: str | os.PathLike[str], head: int | None = None) -> bytes:
    """The bytes of a model file (its first ``head`` bytes when given), bounded and from a regular file
    only, with a :class:`ModelFileError` naming it if it is missing, unreadable, not a file or too big."""
    try:
        return read_regular_file(path, MODEL_FILE_LIMIT, head)
    except FileNotFoundError:
        raise ModelFileError(f"{os.fspath(path)}: no such file") from None
    except FileRefused as refused:
        raise ModelFileError(f"{os.fspath(path)}: {refused.explain('a model file')}") from None
    except OSError as error:
        raise ModelFileError(f"{os.fspath(path)}: cannot be read ({error.strerror})") from None


def read_header(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors file, reading only its header (not the tensors)."""
    start = read_bytes(path, head=8)
    length = int.from_bytes(start, "little") if len(start) == 8 else 0
    if not 0 < length <= MAX_HEADER_BYTES:
        raise ModelFileError(f"{os.fspath(path)}: is not a safetensors file")
    raw = read_bytes(path, head=8 + length)[8:]
    try:
        header = strict_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ModelFileError(f"{os.fspath(path)}: is not a safetensors file (its header is not JSON)") from None
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    return metadata if isinstance(metadata, dict) else {}
